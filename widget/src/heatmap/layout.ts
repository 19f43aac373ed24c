// Cell and label sizes for a width × height heatmap. Cells never shrink below a readable
// size: a grid that does not fit scrolls instead.
import type { HeatmapSpec } from "./types";

export const MIN_CELL_W = 40;
export const MIN_CELL_H = 22;
const CHAR_W = 7; // average label glyph width at 12px
const TITLE_H = 30;
const LEGEND_H = 44;
const AXIS_TITLE_H = 20;
const SCROLLBAR = 14;

export interface Layout {
  labelW: number;
  headerH: number;
  cellW: number;
  cellH: number;
  rotate: boolean;
  showText: boolean;
  scrollH: number;
  /** The whole cell area (every column × every row), which scrolls under the labels. */
  areaW: number;
  areaH: number;
}

function longest(labels: readonly string[]): number {
  let n = 0;
  for (const l of labels) n = Math.max(n, l.length);
  return n;
}

export function computeLayout(spec: HeatmapSpec, width: number, height: number): Layout {
  const nx = Math.max(1, spec.x.length);
  const ny = Math.max(1, spec.y.length);
  const labelW =
    spec.margin_left ?? Math.round(Math.min(220, Math.max(60, longest(spec.y) * CHAR_W + 18), width * 0.4));
  const cellW = Math.max(MIN_CELL_W, Math.floor((width - labelW - SCROLLBAR) / nx));
  const xText = longest(spec.x) * CHAR_W + 12;
  // Column labels turn vertical when they would not fit across their cell (unless told not to).
  const rotate = spec.x_tick_rotate !== 0 && xText > cellW;
  const headerH = rotate ? Math.min(150, Math.max(40, xText)) : 30;
  const chrome = (spec.title ? TITLE_H : 0) + (spec.legend ? LEGEND_H : 0) + (spec.x_label ? AXIS_TITLE_H : 0);
  const scrollH = Math.max(MIN_CELL_H * 3 + headerH, height - chrome);
  const cellH = Math.max(MIN_CELL_H, Math.floor((scrollH - headerH - SCROLLBAR) / ny));
  const showText = spec.cell.text !== null && cellW >= 34 && cellH >= 16;
  const areaW = cellW * spec.x.length;
  const areaH = cellH * spec.y.length;
  return { labelW, headerH, cellW, cellH, rotate, showText, scrollH, areaW, areaH };
}

/** The cell (column, row) under a point of the cell area (pixels from its top-left), or
 * null outside the grid. */
export function cellAt(
  px: number,
  py: number,
  layout: Pick<Layout, "cellW" | "cellH">,
  nx: number,
  ny: number,
): [number, number] | null {
  const i = Math.floor(px / layout.cellW);
  const j = Math.floor(py / layout.cellH);
  if (!(px >= 0 && py >= 0) || i >= nx || j >= ny) return null;
  return [i, j];
}

/** The columns [i0, i1) and rows [j0, j1) a w × h window at (ox, oy) of the cell area
 * touches: only these are drawn, so the cost of a frame does not grow with the grid. */
export function visibleRange(
  ox: number,
  oy: number,
  w: number,
  h: number,
  layout: Pick<Layout, "cellW" | "cellH">,
  nx: number,
  ny: number,
): { i0: number; i1: number; j0: number; j1: number } {
  const i0 = Math.max(0, Math.floor(ox / layout.cellW));
  const j0 = Math.max(0, Math.floor(oy / layout.cellH));
  const i1 = Math.min(nx, Math.ceil((ox + w) / layout.cellW));
  const j1 = Math.min(ny, Math.ceil((oy + h) / layout.cellH));
  return { i0, i1: Math.max(i0, i1), j0, j1: Math.max(j0, j1) };
}

/** A score as cell text: at most three significant decimals, no trailing zeros. */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "";
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  return v
    .toFixed(abs >= 1 ? 2 : 3)
    .replace(/0+$/, "")
    .replace(/\.$/, "");
}
