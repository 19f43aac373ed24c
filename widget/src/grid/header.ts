// The header row: a cell per shown column with its label and sort arrow (and its place in
// a multi-column sort), a handle on its right edge to resize it, and drag-and-drop to move
// it. Clicks and drops say what the user asked for; the grid decides how it is done.
import { h } from "../shared/model";
import type { Columns } from "./columns";
import { sortOrder } from "./sort";
import type { ColumnDef, SortEntry } from "./types";

export interface HeaderActions {
  /** A click, Enter or Space on a header; `additive`: Shift, Ctrl or Cmd was held. */
  sort(column: string, additive: boolean): void;
  /** A header pressed (a click may follow, or a drag), at `at` (the event's timeStamp). */
  pressed?(column: string, additive: boolean, at: number): void;
  /** A header dropped on another: column `id` goes just before column `before`. */
  move(id: string, before: string): void;
  /** What goes under a column's label (its histogram), if anything. */
  below?(def: ColumnDef, label: string): HTMLElement | null;
}

/** A header's arrow for `sort` (and its place in a multi-column sort), before its resize
 * handle; none, and aria-sort "none", when the sort leaves the column out. */
function markSort(cell: HTMLElement, column: string, sort: SortEntry[]): void {
  const at = sortOrder(sort, column);
  const entry = at ? sort[at - 1] : undefined;
  cell.setAttribute("aria-sort", entry ? (entry.dir === "asc" ? "ascending" : "descending") : "none");
  cell.querySelector(":scope > .el-sort-mark")?.remove();
  if (!entry) return;
  const mark = h("span", "el-sort-mark", entry.dir === "asc" ? "▲" : "▼");
  if (sort.length > 1) mark.append(h("sup", "el-sort-order", String(at)));
  cell.querySelector(":scope > .el-th-label")?.after(mark);
}

/** The drag's payload type: only our own headers are dropped on headers. */
const DRAGGED_COLUMN = "text/x-evallens-column";

export class HeaderView {
  readonly el = h("div", "el-header");

  constructor(
    private readonly columns: Columns,
    private readonly actions: HeaderActions,
  ) {
    this.el.setAttribute("role", "row");
  }

  /** Draw the shown columns' headers; the arrows show `sort`, the sort the rows have. */
  render(sort: SortEntry[]): void {
    this.el.replaceChildren();
    const below: (HTMLElement | null)[] = [];
    for (const def of this.columns.shown) {
      const cell = h("div", `el-th el-kind-${def.kind}`);
      cell.setAttribute("role", "columnheader");
      cell.dataset.column = def.id;
      cell.tabIndex = 0;
      cell.draggable = true;
      const label = this.columns.labelOf(def);
      cell.title = label || def.id;
      cell.append(h("span", "el-th-label", label));
      markSort(cell, def.id, sort);
      const activate = (e: MouseEvent | KeyboardEvent) => {
        this.actions.sort(def.id, e.shiftKey || e.ctrlKey || e.metaKey);
      };
      cell.addEventListener("pointerdown", (e) => {
        if (e.button === 0) this.actions.pressed?.(def.id, e.shiftKey || e.ctrlKey || e.metaKey, e.timeStamp);
      });
      cell.addEventListener("click", (e) => {
        if (!(e.target as HTMLElement).classList.contains("el-resize")) activate(e);
      });
      below.push(this.actions.below?.(def, label || def.id) ?? null);
      cell.append(this.resizeHandle(def, cell));
      cell.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          activate(e);
        }
      });
      cell.addEventListener("dragstart", (e) => e.dataTransfer?.setData(DRAGGED_COLUMN, def.id));
      cell.addEventListener("dragover", (e) => e.preventDefault());
      cell.addEventListener("drop", (e) => {
        e.preventDefault();
        const moved = e.dataTransfer?.getData(DRAGGED_COLUMN);
        if (moved && moved !== def.id) this.actions.move(moved, def.id);
      });
      this.el.append(cell);
    }
    // What goes under the labels (histograms) is a row of its own: a click on a label
    // always sorts, and a click on a bar never does.
    if (below.some((b) => b !== null)) {
      for (const part of below) {
        const under = h("div", "el-th-under");
        if (part) under.append(part);
        this.el.append(under);
      }
    }
  }

  /** Show another sort on the headers drawn: only their arrows change (a sort is all a
   * refresh changes here), so a header keeps its focus and nothing else is laid out again. */
  showSort(sort: SortEntry[]): void {
    for (const cell of this.el.querySelectorAll<HTMLElement>(".el-th")) markSort(cell, cell.dataset.column ?? "", sort);
  }

  /** A drag handle on the header's right edge; double-click returns to the default width. */
  private resizeHandle(def: ColumnDef, cell: HTMLElement): HTMLElement {
    const handle = h("span", "el-resize");
    handle.setAttribute("aria-hidden", "true");
    handle.title = "Drag to resize, double-click to reset";
    handle.addEventListener("pointerdown", (e) => {
      e.preventDefault(); // no text selection, no header drag-and-drop
      e.stopPropagation();
      const start = e.clientX;
      const from = cell.getBoundingClientRect().width;
      handle.setPointerCapture(e.pointerId);
      const move = (ev: PointerEvent) => this.columns.resize(def.id, from + ev.clientX - start);
      const up = () => {
        handle.removeEventListener("pointermove", move);
        handle.removeEventListener("pointerup", up);
        this.columns.saveWidths();
      };
      handle.addEventListener("pointermove", move);
      handle.addEventListener("pointerup", up);
    });
    handle.addEventListener("dblclick", (e) => {
      e.stopPropagation();
      this.columns.resetWidth(def.id);
    });
    return handle;
  }
}
