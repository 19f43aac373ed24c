// Virtual scrolling maths. Rows are `rowHeight` px tall, but the canvas that makes the
// scrollbar is capped at MAX_CANVAS px (browsers limit element heights: 1 M rows × 70 px
// would exceed them); beyond the cap, the physical scroll range maps linearly onto the
// virtual one.

export const MAX_CANVAS = 8_000_000;

export interface Geometry {
  count: number;
  rowHeight: number;
  /** Height of the visible rows' area, px. */
  viewport: number;
}

export function canvasHeight(g: Geometry): number {
  return Math.min(g.count * g.rowHeight, MAX_CANVAS);
}

/** Whether the canvas is scaled: physical and virtual pixels differ. */
function scaled(g: Geometry): boolean {
  const physical = canvasHeight(g);
  return g.count * g.rowHeight > physical && physical > g.viewport;
}

/** The first virtual pixel on screen at a physical scroll offset. */
export function virtualTop(scrollTop: number, g: Geometry): number {
  if (!scaled(g)) return scrollTop;
  return (scrollTop / (canvasHeight(g) - g.viewport)) * (g.count * g.rowHeight - g.viewport);
}

/** The physical scroll offset that puts virtual pixel `top` at the top of the viewport. */
export function physicalTop(top: number, g: Geometry): number {
  if (!scaled(g)) return top;
  return (top / (g.count * g.rowHeight - g.viewport)) * (canvasHeight(g) - g.viewport);
}

/** The scroll offset that keeps the same first visible row (and the same fraction of it)
 * when the row height changes: a pixel offset kept as it is would land far from it. */
export function keepFirstRow(scrollTop: number, before: Geometry, after: Geometry): number {
  const row = virtualTop(scrollTop, before) / before.rowHeight;
  return physicalTop(row * after.rowHeight, after);
}

/** Rows on screen with the view's first virtual pixel at `top`, plus `overscan` rows
 * either side, within the view. */
export function visibleRows(top: number, g: Geometry, overscan: number): { first: number; last: number } {
  const first = Math.max(0, Math.floor(top / g.rowHeight) - overscan);
  const last = Math.min(g.count - 1, Math.ceil((top + g.viewport) / g.rowHeight) + overscan);
  return { first, last };
}

/** The scroll offset that brings row `pos` wholly into view (scrolling as little as
 * possible), or null when it is already. */
export function scrollToRow(pos: number, scrollTop: number, g: Geometry): number | null {
  const top = virtualTop(scrollTop, g);
  const rh = g.rowHeight;
  let target: number | null = null;
  if (pos * rh < top) target = pos * rh;
  else if ((pos + 1) * rh > top + g.viewport) target = (pos + 1) * rh - g.viewport;
  return target === null ? null : physicalTop(target, g);
}
