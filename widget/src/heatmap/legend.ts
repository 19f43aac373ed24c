// The colour legend under the heatmap: which score, its gradient, three ticks; in baseline
// mode the ticks carry signs (the scale is centred on 0) and a key says what the corner
// mark on a cell means.
import { h } from "../shared/model";
import { baselineOf, formatSigned } from "./delta";
import { formatValue } from "./layout";
import type { HeatmapSpec } from "./types";

/** Fill the legend; when tasks use different scores its title lists which (on hover). */
export function fillLegend(node: HTMLElement, spec: HeatmapSpec, width: number): void {
  const [lo, hi] = spec.domain;
  const baseline = baselineOf(spec);
  const format = baseline === null ? formatValue : formatSigned;
  const bar = h("div", "el-hm-legend-bar");
  // Half the width, as inspect_viz's legend.
  bar.style.width = `${Math.round(Math.min(370, width / 2))}px`;
  const ticks = h("div", "el-hm-legend-ticks");
  ticks.style.width = bar.style.width;
  ticks.append(h("span", "", format(lo)), h("span", "", format((lo + hi) / 2)), h("span", "", format(hi)));
  const wrap = h("div", "el-hm-legend-scale");
  wrap.append(bar, ticks);
  const title = h("span", "el-hm-legend-title", spec.score);
  if (spec.task_scores) {
    title.title = Object.entries(spec.task_scores)
      .map(([task, score]) => `${task}: ${score}`)
      .join("\n");
  } else if (baseline !== null) {
    // The title names the baseline model, which may be cut short.
    title.title = spec.score;
  }
  node.replaceChildren(title, wrap);
  if (baseline !== null) {
    const key = h("span", "el-hm-legend-key", "significant");
    key.title = "The 95% confidence interval of the paired delta excludes 0";
    node.append(key);
  }
}
