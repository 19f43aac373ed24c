// How one heatmap cell is coloured: its fill, a dimmed fill for unselected cells, text colours.
import type { RGBA } from "../shared/colour";
import type { Theme } from "../shared/theme";
import { position, schemeColour, textOn } from "./schemes";
import type { HeatmapSpec } from "./types";

export function rgba(c: RGBA): string {
  return `rgba(${Math.round(c[0])}, ${Math.round(c[1])}, ${Math.round(c[2])}, ${c[3]})`;
}

/** A fill faded most of the way into the page background (what unselected cells show). */
export function dimmed(c: RGBA, theme: Theme): RGBA {
  const bg: RGBA = theme === "dark" ? [30, 30, 30, 1] : [255, 255, 255, 1];
  const alpha = c[3];
  const k = 0.72;
  return [
    c[0] * alpha * (1 - k) + bg[0] * (1 - alpha * (1 - k)),
    c[1] * alpha * (1 - k) + bg[1] * (1 - alpha * (1 - k)),
    c[2] * alpha * (1 - k) + bg[2] * (1 - alpha * (1 - k)),
    1,
  ];
}

/** Set a cell's colours as CSS variables (one style write per cell: thousands of cells). */
export function paintCell(el: HTMLElement, value: number | null, spec: HeatmapSpec, theme: Theme): void {
  if (value === null || !Number.isFinite(value)) {
    el.classList.add("el-hm-empty");
    el.style.cssText = "";
    return;
  }
  const c: RGBA = schemeColour(spec.scheme, position(value, spec.domain, spec.reverse), theme);
  const custom = spec.cell.text && spec.cell.text !== "auto" ? spec.cell.text : null;
  // Dimmed look precomputed per cell, so dimming is a class toggle, not a restyle.
  const dim = dimmed(c, theme);
  const dimText = textOn(dim, theme) === "#ffffff" ? "rgba(255, 255, 255, 0.75)" : "rgba(31, 35, 40, 0.55)";
  // Every value here is computed, never user text. A user's text colour goes through
  // setProperty, which cannot add rules.
  el.style.cssText =
    `--el-hm-fill: ${rgba(c)}; --el-hm-dim: ${rgba(dim)}; --el-hm-dim-text: ${dimText};` +
    (custom ? "" : ` --el-hm-text: ${textOn(c, theme)};`);
  if (custom) el.style.setProperty("--el-hm-text", custom);
}
