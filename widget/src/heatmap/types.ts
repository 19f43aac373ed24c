// ScoresHeatmap's wire: its synced traits and the `_spec` the kernel draws from (mirrors
// evallens/heatmap/types.py; snake_case, as every spec).

/** One cell: [x index, y index, mean value | null, n, stderr | null, log viewer url | null]. */
export type CellRow = [number, number, number | null, number, number | null, string | null];

/** Baseline mode, per cell: [ci low | null, ci high | null, improved, regressed, adjusted p | null,
 * significant]. `improved` and `regressed` count the paired samples that flip either way;
 * `significant` is true when the CI excludes 0. */
export type DeltaRow = [number | null, number | null, number, number, number | null, boolean];

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
  /** The model every cell is compared against; null for plain mean scores. When set, a
   * cell's value is its mean paired delta (model − baseline), n the paired samples and
   * stderr the paired standard error. */
  baseline: string | null;
  /** With a baseline, one row per entry of `cells`, in the same order. */
  deltas: DeltaRow[] | null;
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
