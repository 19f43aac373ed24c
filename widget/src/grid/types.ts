// The column and view shapes the kernel sends (see evallens/config.py).

export interface ScoreInfo {
  scorer: string;
  name: string;
  type: "boolean" | "binary" | "passfail" | "categorical" | "numeric" | "list" | "object" | "other";
  min: number | null;
  max: number | null;
  categories: string[] | null;
}

/** How every number of a column is shown (see evallens.config.number_format). */
export interface NumberFormat {
  notation: "fixed" | "scientific";
  digits: number;
}

export interface ColumnDef {
  id: string;
  field: string;
  label: string;
  kind: "status" | "id" | "text" | "number" | "duration" | "score" | "other";
  score?: ScoreInfo;
  format?: NumberFormat;
  /** Characters in the column's longest value as shown (numeric columns and ids). */
  chars?: number;
}

export interface ColumnState {
  id: string;
  visible: boolean;
}

export interface SortEntry {
  column: string;
  dir: "asc" | "desc";
}

export type ScaleSpec =
  | { palette: "good-high" | "good-low" | "neutral" | "diverging"; min: number | null; max: number | null }
  | { roles: Record<string, "good" | "bad" | "warn" | "info" | "muted"> };

/** The parts of the view a user can change and that survive a reload. */
export interface ViewState {
  columns: ColumnState[];
  sort: SortEntry[];
  multiline: boolean;
  compact_scores: boolean;
  color_scales_enabled: boolean;
}

export const VIEW_KEYS: (keyof ViewState)[] = ["columns", "sort", "multiline", "compact_scores", "color_scales_enabled"];
