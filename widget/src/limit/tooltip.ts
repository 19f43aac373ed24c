// The hover tooltip: the limit, then every model's value there (best first), as text nodes.
import { h } from "../shared/model";
import { valuesAt } from "./hover";
import { formatLimit, formatRate } from "./scale";
import type { Series } from "./types";

export interface TipOptions {
  xLabel: string | null;
  ci: number;
  other: boolean;
  facet: string | null;
  colourOf: (model: string) => string;
}

export function fillTip(
  tip: HTMLElement,
  series: Series[],
  limit: number,
  hovered: string | null,
  o: TipOptions,
): void {
  const ys = valuesAt(series, limit, "y");
  const los = valuesAt(series, limit, "lo");
  const his = valuesAt(series, limit, "hi");
  const others = o.other ? valuesAt(series, limit, "other") : null;
  const head = h("div", "el-lim-tip-head", `${o.xLabel ?? "Limit"}: ${formatLimit(limit)}`);
  const parts: HTMLElement[] = [head];
  if (o.facet !== null) parts.push(h("div", "el-lim-tip-facet", o.facet));
  const rows = series
    .map((s, i) => ({ s, y: ys[i], lo: los[i], hi: his[i], other: others ? others[i] : null }))
    .filter((r) => r.y !== null)
    .sort((a, b) => (b.y ?? 0) - (a.y ?? 0));
  const table = h("div", "el-lim-tip-rows");
  for (const row of rows) {
    const line = h("div", "el-lim-tip-row");
    line.dataset.model = row.s.model;
    if (row.s.model === hovered) line.classList.add("el-hot");
    const swatch = h("span", "el-lim-swatch");
    swatch.style.background = o.colourOf(row.s.model);
    let value = formatRate(row.y);
    if (row.lo !== null && row.hi !== null && row.y !== null) {
      value += ` ± ${((row.hi - row.lo) * 50).toFixed(1)}`;
    }
    const cells = [swatch, h("span", "el-lim-tip-model", row.s.model), h("span", "el-lim-tip-value", value)];
    if (others) cells.push(h("span", "el-lim-tip-other", `other ${formatRate(row.other)}`));
    line.append(...cells);
    table.append(line);
  }
  parts.push(table);
  if (rows.some((r) => r.lo !== null))
    parts.push(h("div", "el-lim-tip-note", `± ${Math.round(o.ci * 100)}% confidence interval`));
  tip.replaceChildren(...parts);
}
