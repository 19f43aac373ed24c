// The scrolling area: the row height, which rows are on screen, the canvas that gives the
// scrollbar its range (capped and scaled beyond browsers' element-height limits: scroll.ts
// has the maths), and the first visible row kept when the row height changes.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import { canvasHeight, type Geometry, keepFirstRow, scrollToRow, virtualTop, visibleRows } from "./scroll";
import type { GridState } from "./types";

const ROW_HEIGHT = { multiline: 70, compact: 30 };
/** Rows drawn beyond each edge of the screen, so a small scroll shows no gap. */
const OVERSCAN = 3;

/** Where the rows go for one paint. */
export interface Frame {
  /** View positions of the rows to draw. */
  first: number;
  last: number;
  /** The first virtual pixel on screen. */
  top: number;
  rowHeight: number;
  /** The physical scroll offset: the layer holding the rows moves with it. */
  scrollTop: number;
}

export class Viewport {
  readonly scroller = h("div", "el-scroller");
  readonly canvas = h("div", "el-canvas");
  /** Holds the rows, kept at the top of the scroller's visible area. */
  readonly layer = h("div", "el-layer");
  /** The row height the last layout applied (0 before the first). */
  private laidOutRowHeight = 0;

  /** `header` sticks above the rows, inside the scroller. */
  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly header: HTMLElement,
  ) {
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute("role", "grid");
    this.scroller.setAttribute("aria-label", "Samples");
    this.canvas.append(this.layer);
    this.scroller.append(header, this.canvas);
  }

  get rowHeight(): number {
    return this.model.get("multiline") ? ROW_HEIGHT.multiline : ROW_HEIGHT.compact;
  }

  /** Rows that fit on one screen, less one (the step of Page Up and Page Down). */
  pageRows(): number {
    return Math.max(1, Math.floor(this.height() / this.rowHeight) - 1);
  }

  /** Where the rows of a view of `count` rows go at the current scroll offset. */
  frame(count: number): Frame {
    const g = this.geometry(count);
    const top = virtualTop(this.scroller.scrollTop, g);
    return { ...visibleRows(top, g, OVERSCAN), top, rowHeight: g.rowHeight, scrollTop: this.scroller.scrollTop };
  }

  /** Size the canvas for `count` rows. */
  size(count: number): void {
    this.canvas.style.height = `${canvasHeight(this.geometry(count))}px`;
  }

  /** Scroll as little as needed to show row `pos` whole. */
  scrollTo(pos: number, count: number): void {
    const target = scrollToRow(pos, this.scroller.scrollTop, this.geometry(count));
    if (target !== null) this.scroller.scrollTop = target;
  }

  /** Lay the grid out again: `change` restyles it, then the canvas is sized for `count`
   * rows. When the row height changed, the same first row stays on screen: a pixel offset
   * kept as it is would land far from it. */
  relayout(count: number, change: () => void): void {
    const previous = this.laidOutRowHeight;
    const before = previous && previous !== this.rowHeight ? this.geometry(count, previous) : null;
    const scrollTop = this.scroller.scrollTop; // read before the canvas resizes and clamps it
    change();
    this.size(count);
    if (before) this.scroller.scrollTop = keepFirstRow(scrollTop, before, this.geometry(count));
    this.laidOutRowHeight = this.rowHeight;
  }

  /** Height of the rows' area: the scroller less the header. */
  private height(): number {
    return Math.max(0, this.scroller.clientHeight - this.header.offsetHeight);
  }

  /** The scrolling geometry, at the current row height unless another is given. */
  private geometry(count: number, rowHeight = this.rowHeight): Geometry {
    return { count, rowHeight, viewport: this.height() };
  }
}
