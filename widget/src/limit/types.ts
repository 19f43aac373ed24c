// The chart specification the kernel sends (mirrors evallens/limit/types.py; snake_case, as every spec).

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
