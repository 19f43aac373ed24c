// How heatmap cells are drawn on the canvas: each cell's fill, a dimmed fill for unselected
// cells, text colours, marks and outlines; only the cells in the visible window are drawn.
import type { RGBA } from "../shared/colour";
import type { Theme } from "../shared/theme";
import { cellText } from "./delta";
import type { Layout } from "./layout";
import { visibleRange } from "./layout";
import { position, schemeColour, textOn } from "./schemes";
import type { CellTable } from "./table";
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

/** A cell's colours as canvas colour strings. */
export interface CellColours {
  fill: string;
  /** The fill of an unselected cell while others are selected. */
  dim: string;
  text: string;
  dimText: string;
}

/** The colours of a cell with a value; null for a cell without one (drawn as an outline). */
export function cellColours(value: number | null, spec: HeatmapSpec, theme: Theme): CellColours | null {
  if (value === null || !Number.isFinite(value)) return null;
  const c: RGBA = schemeColour(spec.scheme, position(value, spec.domain, spec.reverse), theme);
  const custom = spec.cell.text && spec.cell.text !== "auto" ? spec.cell.text : null;
  const dim = dimmed(c, theme);
  const dimText = textOn(dim, theme) === "#ffffff" ? "rgba(255, 255, 255, 0.75)" : "rgba(31, 35, 40, 0.55)";
  return { fill: rgba(c), dim: rgba(dim), text: custom ?? textOn(c, theme), dimText };
}

/** The page's colours the cells' marks use (read from the theme's CSS variables). */
export interface Chrome {
  fg: string;
  accent: string;
  border: string;
  /** Text colour for values when a user's colour cannot be parsed. */
  fallbackText: string;
  font: string;
}

/** The parts of a 2D context the cells are drawn with (a test can record them). */
export type Pen = Pick<
  CanvasRenderingContext2D,
  | "fillRect"
  | "strokeRect"
  | "fillText"
  | "setLineDash"
  | "beginPath"
  | "moveTo"
  | "lineTo"
  | "closePath"
  | "fill"
  | "fillStyle"
  | "strokeStyle"
  | "lineWidth"
  | "font"
  | "textAlign"
  | "textBaseline"
>;

export interface Scene {
  table: CellTable;
  spec: HeatmapSpec;
  layout: Layout;
  /** A row's colours (cached by the caller; null: no value). */
  colours: (row: number) => CellColours | null;
  chrome: Chrome;
  hasSelection: boolean;
  focus: [number, number] | null;
}

const MARK = 9;

/** Draw the cells a w × h window at (ox, oy) of the cell area shows, in cell-area pixels
 * (the caller translates). Returns how many grid positions were drawn. */
export function drawCells(pen: Pen, scene: Scene, ox: number, oy: number, w: number, h: number): number {
  const { table, spec, layout, chrome } = scene;
  const { cellW, cellH, showText } = layout;
  const inset = Math.max(0, spec.cell.inset ?? 1);
  const { i0, i1, j0, j1 } = visibleRange(ox, oy, w, h, layout, table.nx, table.ny);
  const innerW = Math.max(0, cellW - 2 * inset);
  const innerH = Math.max(0, cellH - 2 * inset);
  pen.font = chrome.font;
  pen.textAlign = "center";
  pen.textBaseline = "middle";
  const outlines: [number, number][] = [];
  const selected: [number, number][] = [];
  for (let j = j0; j < j1; j++) {
    for (let i = i0; i < i1; i++) {
      const x = i * cellW;
      const y = j * cellH;
      const r = table.at(i, j);
      if (r < 0) {
        outlines.push([x, y]);
        continue;
      }
      const on = table.selected[r] === 1;
      const dim = scene.hasSelection && !on;
      const c = scene.colours(r);
      if (on) selected.push([x, y]);
      if (c === null) outlines.push([x, y]);
      else {
        pen.fillStyle = dim ? c.dim : c.fill;
        pen.fillRect(x + inset, y + inset, innerW, innerH);
      }
      // Text and the significance mark share the cell's text colour (muted when dimmed,
      // the page's colour on an outline cell).
      pen.fillStyle = chrome.fallbackText;
      if (c !== null) pen.fillStyle = dim ? c.dimText : c.text;
      if (showText && c !== null)
        pen.fillText(cellText(spec, table.value(r)), x + cellW / 2, y + cellH / 2 + 0.5, innerW - 2);
      if (table.significant(r)) {
        const right = x + cellW - inset;
        const top = y + inset;
        pen.beginPath();
        pen.moveTo(right - MARK, top);
        pen.lineTo(right, top);
        pen.lineTo(right, top + MARK);
        pen.closePath();
        pen.fill();
      }
    }
  }
  // Cells without a value, and positions without a cell: a dashed outline, not a colour.
  pen.strokeStyle = chrome.border;
  pen.lineWidth = 1;
  pen.setLineDash([3, 3]);
  for (const [x, y] of outlines) pen.strokeRect(x + 2.5, y + 2.5, cellW - 5, cellH - 5);
  pen.setLineDash([]);
  pen.strokeStyle = chrome.fg;
  pen.lineWidth = 2;
  for (const [x, y] of selected) pen.strokeRect(x + 1, y + 1, cellW - 2, cellH - 2);
  const f = scene.focus;
  if (f && f[0] >= i0 && f[0] < i1 && f[1] >= j0 && f[1] < j1) {
    pen.strokeStyle = chrome.accent;
    pen.setLineDash([4, 3]);
    pen.strokeRect(f[0] * cellW + 3, f[1] * cellH + 3, cellW - 6, cellH - 6);
    pen.setLineDash([]);
  }
  return (i1 - i0) * (j1 - j0);
}
