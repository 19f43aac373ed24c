// The colour legend under the heatmap: which score, its gradient, three ticks.
import { h } from "../shared/model";
import { formatValue } from "./layout";
import type { HeatmapSpec } from "./types";

/** Fill the legend; when tasks use different scores its title lists which (on hover). */
export function fillLegend(node: HTMLElement, spec: HeatmapSpec, width: number): void {
  const [lo, hi] = spec.domain;
  const bar = h("div", "el-hm-legend-bar");
  // Half the width, as inspect_viz's legend.
  bar.style.width = `${Math.round(Math.min(370, width / 2))}px`;
  const ticks = h("div", "el-hm-legend-ticks");
  ticks.style.width = bar.style.width;
  ticks.append(
    h("span", "", formatValue(lo)),
    h("span", "", formatValue((lo + hi) / 2)),
    h("span", "", formatValue(hi)),
  );
  const wrap = h("div", "el-hm-legend-scale");
  wrap.append(bar, ticks);
  const title = h("span", "el-hm-legend-title", spec.score);
  if (spec.task_scores) {
    title.title = Object.entries(spec.task_scores)
      .map(([task, score]) => `${task}: ${score}`)
      .join("\n");
  }
  node.replaceChildren(title, wrap);
}
