// ScoresByLimit's wire: its synced traits and the chart specification the kernel sends
// (mirrors evallens/limit/types.py; snake_case, as every spec).

export type Num = number | null;

export interface Series {
  model: string;
  facet: string | null;
  x: Num[];
  y: Num[];
  /** Band edges, success ∓ z·stderr (absent without a stderr column). */
  lo?: Num[];
  hi?: Num[];
  /** Other-termination rate (absent unless asked for). */
  other?: Num[];
  n?: number[];
}

export interface LimitSpec {
  models: string[];
  facets: string[] | null;
  facet_label: string | null;
  series: Series[];
  log: boolean;
  x_domain: [number, number];
  band: boolean;
  other: boolean;
  title: string | null;
  x_label: string | null;
  y_label: string;
  ci: number;
  legend: boolean;
}

/** What the pointer is on: a limit (by value) in one facet panel, and the nearest model. */
export interface Hover {
  panel: number;
  limit: number;
  model: string | null;
}

/** ScoresByLimit's synced traits. */
export interface LimitState {
  /** Models picked in the legend (empty: all shown alike). */
  selected_models: string[];
  /** The limit clicked on the plot, or null. */
  limit: number | null;
  /** What the pointer is on, snapped to a limit (null: off the plot). */
  hovered: { model: string | null; limit: number } | null;
  width: number;
  height: number;
  _spec: LimitSpec;
}
