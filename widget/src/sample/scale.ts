// Virtual and physical scroll pixels. Browsers cap an element's height (Firefox near 17.9M
// px), so the canvas that gives the messages their scrollbar stops at MAX_CANVAS and, beyond
// it, the physical scroll range maps linearly onto the virtual one (as the grid does).

export const MAX_CANVAS = 8_000_000;

export interface Extent {
  /** Virtual height of all messages. */
  total: number;
  /** Height of the visible area. */
  viewport: number;
}

export function canvasHeight(e: Extent): number {
  return Math.min(e.total, MAX_CANVAS);
}

function scaled(e: Extent): boolean {
  const physical = canvasHeight(e);
  return e.total > physical && physical > e.viewport;
}

/** The first virtual pixel on screen at physical scroll offset `scrollTop`. */
export function virtualTop(scrollTop: number, e: Extent): number {
  if (!scaled(e)) return scrollTop;
  return (scrollTop / (canvasHeight(e) - e.viewport)) * (e.total - e.viewport);
}

/** The physical scroll offset that puts virtual pixel `top` at the top of the screen. */
export function physicalTop(top: number, e: Extent): number {
  if (!scaled(e)) return top;
  return (top / (e.total - e.viewport)) * (canvasHeight(e) - e.viewport);
}
