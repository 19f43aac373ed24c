// ScoresHeatmap's wire: its synced traits and the `_spec` the kernel draws from (mirrors
// evallens/heatmap/types.py; snake_case, as every spec).

/** One cell: [x index, y index, mean value | null, n, stderr | null, log viewer url | null]. */
export type CellRow = [number, number, number | null, number, number | null, string | null];

export interface HeatmapSpec {
  x: string[];
  y: string[];
  tasks_on_x: boolean;
  x_label: string | null;
  y_label: string | null;
  title: string | null;
  tip: boolean;
  legend: boolean;
  scheme: string;
  reverse: boolean;
  domain: [number, number];
  cell: { text: string | null; inset: number };
  margin_left: number | null;
  x_tick_rotate: number | null;
  /** The score every cell averages, or a title when each task has its own (`task_scores`). */
  score: string;
  /** Per task, the score column its cells average, when tasks use different scores. */
  task_scores: Record<string, string> | null;
  unit: string;
  cells: CellRow[];
}

/** A selected cell, as Python sees it. */
export interface CellRef {
  task: string;
  model: string;
}

/** ScoresHeatmap's synced traits. */
export interface HeatmapState {
  /** The selected cells; set here by clicks, or from Python. */
  selection: CellRef[];
  width: number;
  height: number;
  _spec: HeatmapSpec;
}
