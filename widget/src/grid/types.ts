// SampleGrid's wire: its synced traits (GridState), the column and view shapes the kernel
// sends, and the messages both ways. Keys are snake_case, as the Python widget writes them.
import type { Message, MessagesReply, SampleHead } from "../sample/types";
import type { Buffer } from "../shared/model";
import type { Empty, Exchange, PingExchange } from "../shared/rpc";
import type { SampleScoreView } from "../shared/scores";

export interface ScoreInfo {
  scorer: string;
  name: string;
  type: "boolean" | "binary" | "passfail" | "categorical" | "numeric" | "list" | "object" | "other";
  min: number | null;
  max: number | null;
  categories: string[] | null;
}

/** How every number of a column is shown (chosen by the kernel from the whole column). */
export interface NumberFormat {
  notation: "fixed" | "scientific";
  digits: number;
}

export interface ColumnDef {
  id: string;
  field: string;
  label: string;
  /** "pills": a score's values over a grouped sample's epochs (JSON text of a list). */
  kind: "status" | "id" | "text" | "number" | "duration" | "score" | "other" | "pills";
  score?: ScoreInfo;
  format?: NumberFormat;
  /** Characters in the column's longest value as shown (numeric columns and ids). */
  chars?: number;
  /** The Columns menu's group ("metadata"). */
  group?: string;
  /** Holds objects the Columns menu offers to break out into columns of their own. */
  nested?: boolean;
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

export const VIEW_KEYS: (keyof ViewState)[] = [
  "columns",
  "sort",
  "multiline",
  "compact_scores",
  "color_scales_enabled",
];

/** The eval's own view, which "Reset view" returns to. */
export interface DefaultView extends ViewState {
  score_labels: Record<string, string>;
  score_color_scales: Record<string, ScaleSpec>;
}

/** Trait values the page may ask the kernel to set (SampleGrid's VIEW_TRAITS). */
export type ViewEdit = Partial<DefaultView> & {
  search?: string;
  ranges?: Record<string, RangeSpec>;
  histograms?: boolean;
  view_name?: string;
  transcript_search?: string;
  group_epochs?: boolean;
  epochs_disagree?: boolean;
};

/** One shown column's distribution over the rows in view (the kernel counts it). */
export interface Histogram {
  id: string;
  /** `categories`: a bar per value (`labels`); `bins`: equal bins from `min` to `max`. */
  type: "bins" | "categories";
  counts: number[];
  labels: string[];
  min: number | null;
  max: number | null;
  /** Rows in view without a value. */
  missing: number;
}

/** A range brushed on a header histogram: bins (first, last), bars' values, or numbers. */
export type RangeSpec = { bins: [number, number] } | { values: string[] } | { min: number; max: number };

/** Inspect's SampleScoreView (shared with the sample view). */
export type { SampleScoreView };

/** SampleGrid's synced traits. */
export interface GridState extends DefaultView {
  search: string;
  ranges: Record<string, RangeSpec>;
  histograms: boolean;
  _histograms: Histogram[];
  /** The eval view shown, one of `_views`; each view keeps the user's changes to it. */
  view_name: string;
  /** The eval views' names (Inspect's TaskSamplesView names, untrusted), the default first. */
  _views: string[];
  /** The filter as Inspect filter text ("" when none, or when set from Python as an expression). */
  _filter_text: string;
  /** A filter the box cannot show (a polars expression or a mask) is on. */
  _filter_from_python: boolean;
  /** A regular expression (polars' syntax) matched against every message ("": off). */
  transcript_search: string;
  /** The transcript search's reach: rows searched, and rows whose logs could not be read. */
  _transcript_info: TranscriptInfo | null;
  /** Source-row index of the sample in the detail panel (-1: none). */
  focused: number;
  /** Selected source-row indices, uint32 little-endian. */
  _selected_rows: Buffer;
  _column_defs: ColumnDef[];
  _default_view: DefaultView;
  _sample_score_view: SampleScoreView | null;
  /** Where this browser keeps the user's view of these tasks (localStorage). */
  _storage_key: string;
  /** The view's first rows as Arrow IPC: a notebook saved with them shows rows without a kernel. */
  _initial: Buffer;
  /** The first rows and column descriptions are in the state (the kernel settles at the first display). */
  _settled: boolean;
  /** Bumped by the kernel whenever the view's rows change; older answers are stale. */
  _revision: number;
  /** Rows in the view (after filters and search), and samples in all. */
  _count: number;
  _total: number;
  /** What a row is, in the status line ("samples"; a comparison's rows are "pairs"). */
  _unit: string;
  height: number;
  /** One row per sample, its epochs reduced (the kernel swaps the rows and columns). */
  group_epochs: boolean;
  /** With group_epochs: only samples whose epochs disagree on the primary score. */
  epochs_disagree: boolean;
}

export interface TranscriptInfo {
  searched: number;
  unsearched: number;
}

/** Where a sample's first transcript-search hit is, and the strings matched there. */
export interface TranscriptHit {
  index: number;
  matches: string[];
}

/** A sample's score as the detail panel shows it. */
export interface DetailScore {
  name: string;
  scorer: string;
  column: string;
  type: string;
  value: unknown;
}

/** What the grid asks its kernel. Replies with rows carry them in buffers[0]: Arrow IPC
 * for `window`, uint32 source-row ids for `rows_between`. */
export interface GridRequests extends PingExchange {
  /** Rows [offset, offset + limit) of the view; `viewport` is where the user is looking. */
  window: Exchange<{ offset: number; limit: number; viewport: number }, WindowReply>;
  /** The source-row ids of view positions [start, end). */
  rows_between: Exchange<{ start: number; end: number }, Empty>;
  /** One sample in full, by source-row index. */
  detail: Exchange<{ row: number }, DetailReply>;
  /** The source row `step` places from `row` in the view's order (-1: none). */
  neighbour: Exchange<{ row: number; step: number }, { row: number }>;
  /** A window of the open sample's messages (`side`: which sample of a compared row). */
  sample_messages: Exchange<{ row: number; side: number; offset: number; limit: number }, MessagesReply>;
  /** Set these traits, all or none; the new rows follow as a `refresh`. */
  set_view: Exchange<{ view: ViewEdit }, Empty>;
  /** The rows `sort` would show, nothing changed (a header pressed, not yet released): the
   * view of the rows on hand (`revision`) as it would be, its rows in the one buffer. */
  preview_sort: Exchange<{ sort: SortEntry[] }, Refresh>;
  /** The rows in view as CSV (one buffer), unless there are more than `limit` (none). */
  download_csv: Exchange<Empty, { rows: number; limit: number }>;
  /** A column's objects become a column per key (the columns trait follows). */
  break_out: Exchange<{ column: string }, { added: string[] }>;
  /** Count the shown columns' histograms (they then follow every change of the view). */
  histograms: Exchange<Empty, Empty>;
  /** Filter by Inspect filter text: the rows follow as a `refresh`, or the error comes back. */
  set_filter: Exchange<{ text: string }, FilterReply>;
  /** The names filter text can use in this grid, for completion. */
  filter_names: Exchange<Empty, { names: FilterName[] }>;
}

/** Why filter text was not applied: where (`position`, `length`), what was expected there,
 * and the names close to an unknown one. */
export interface FilterError {
  message: string;
  position: number;
  length: number;
  expected: string[];
  near: string[];
}

export type FilterReply = { count: number; error?: undefined } | { error: FilterError };

export interface FilterName {
  name: string;
  kind: string;
  detail: string;
}

export interface WindowReply {
  revision: number;
  offset: number;
  count: number;
}

export interface DetailReply {
  row: number;
  sample: Record<string, unknown>;
  scores: DetailScore[];
  /** A row that pairs two samples (a comparison): both of them, shown side by side. */
  compare?: CompareDetail | null;
  /** The whole sample (messages, scoring, scans), when the kernel can read it from its log. */
  sample_view?: SampleViewData | null;
  /** With a transcript search on: the message the sample view opens at. */
  transcript_hit?: TranscriptHit;
}

/** A whole sample for the sample view: its head and first messages; more are asked for
 * with `sample_messages` (side 0, or a compared row's side 0 / 1). */
export interface SampleViewData {
  head: SampleHead;
  messages: Message[];
  revision: number;
}

/** How a compared pair changed from the baseline. */
export type CompareStatus = "improved" | "regressed" | "unchanged" | "missing";

/** A paired row's two samples, baseline first, and how the pair changed. */
export interface CompareDetail {
  status: CompareStatus;
  /** Compared minus baseline (null: no number to compare). */
  delta: number | null;
  sides: CompareSide[];
}

/** One of two compared samples: a heading (untrusted text), its values and its scores. */
export interface CompareSide {
  label: string;
  sample: Record<string, unknown>;
  scores: DetailScore[];
  /** The side's whole sample, when its log can be read. */
  sample_view?: SampleViewData | null;
}

/** The view changed (a sort, search or filter): its rows at `offset` are in buffers[0],
 * and `sort` is the one they have. */
export interface Refresh {
  revision: number;
  count: number;
  offset: number;
  sort: SortEntry[];
  /** When the kernel got the request, started the refresh, had the rows and sent them
   * (ms since the epoch; shared/trace.ts). */
  timing?: Record<string, number>;
}

/** What the grid's kernel sends on its own. */
export interface GridPushes {
  refresh: Refresh;
  /** `reset_view()` in Python: forget the view this browser saved. */
  reset_view: Empty;
}
