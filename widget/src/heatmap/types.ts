// ScoresHeatmap's wire: its synced traits and the `_spec` the kernel draws from (mirrors
// evallens/heatmap/types.py; snake_case, as every spec).

/** One cell: [x index, y index, mean value | null, n, stderr | null, log viewer url | null]. */
export type CellRow = [number, number, number | null, number, number | null, string | null];

/** Baseline mode, per cell: [ci low | null, ci high | null, improved, regressed, adjusted p | null,
 * significant]. `improved` and `regressed` count the paired samples that flip either way;
 * `significant` is true when the CI excludes 0. */
export type DeltaRow = [number | null, number | null, number, number, number | null, boolean];

/** Cells on the wire (`evallens.heatmap.packed`): little-endian columns, NaN for none. */
export interface PackedCells {
  packed: 1;
  count: number;
  x: DataView; // int32
  y: DataView; // int32
  value: DataView; // float64
  n: DataView; // float64
  stderr: DataView; // float64
  /** The rows (int32) that have a log viewer link, and their links. */
  link_rows: DataView;
  link_urls: string[];
}

/** Baseline-mode rows on the wire: float64 columns (NaN for none), `significant` uint8. */
export interface PackedDeltas {
  packed: 1;
  count: number;
  ci_low: DataView;
  ci_high: DataView;
  improved: DataView;
  regressed: DataView;
  p_adjusted: DataView;
  significant: DataView;
}

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
  /** Rows as Python lists them (saved pages, older saved notebooks) or packed (the live
   * widget); `CellTable` reads both. */
  cells: CellRow[] | PackedCells;
  /** The model every cell is compared against; null for plain mean scores. When set, a
   * cell's value is its mean paired delta (model − baseline), n the paired samples and
   * stderr the paired standard error. */
  baseline: string | null;
  /** With a baseline, one row per entry of `cells`, in the same order. */
  deltas: DeltaRow[] | PackedDeltas | null;
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
