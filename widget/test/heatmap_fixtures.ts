// A heatmap's spec for the tests: the chart's defaults, and what a test sets on top.
import type { HeatmapSpec } from "../src/heatmap/types";

/** A spec with no cells, tasks across, viridis over [0, 1]; ``extra`` overrides any part. */
export function heatmapSpec(extra: Partial<HeatmapSpec> = {}): HeatmapSpec {
  return {
    x: [],
    y: [],
    tasks_on_x: true,
    x_label: null,
    y_label: null,
    title: null,
    tip: true,
    legend: true,
    scheme: "viridis",
    reverse: false,
    domain: [0, 1],
    cell: { text: "auto", inset: 1 },
    margin_left: null,
    x_tick_rotate: null,
    score: "score",
    task_scores: null,
    unit: "samples",
    cells: [],
    baseline: null,
    deltas: null,
    ...extra,
  };
}
