// The rows on screen: a pool of row elements, each filled in place as the user scrolls
// (its cells and their one text span are reused, so scrolling rewrites text and colours
// instead of rebuilding DOM). Every value goes in as text, never as HTML.
import type { Row } from "../shared/arrow";
import { h } from "../shared/model";
import type { Theme } from "../shared/theme";
import { type BlockCache, rowId } from "./blocks";
import { MAX_CHARS } from "./columns";
import { formatCell } from "./format";
import { paintCell, roleBackground, statusBadge } from "./paint";
import { fillPills } from "./pills";
import type { ColumnDef, ScaleSpec } from "./types";
import type { Frame } from "./viewport";

/** Longer text gets its start as the cell's hover title. */
const TITLE_AFTER = 60;
const TITLE_CHARS = 400;

/** How the rows look besides their data. */
export interface RowsLook {
  columns: ColumnDef[];
  scales: Record<string, ScaleSpec>;
  /** Colour scales on (pills show either way). */
  colours: boolean;
  theme: Theme;
  /** Selected row ids, and the view position with the keyboard focus. */
  selected: ReadonlySet<number>;
  focus: number;
}

export class RowsView {
  private pool: HTMLElement[] = [];

  /** `click` hears clicks on loaded rows: the row's view position and id. */
  constructor(
    private readonly layer: HTMLElement,
    private readonly blocks: BlockCache,
    private readonly click: (pos: number, row: number, e: MouseEvent) => void,
  ) {}

  /** Drop the pooled rows: their cells were made for other columns. */
  clear(): void {
    for (const row of this.pool) row.remove();
    this.pool = [];
  }

  /** Show the frame's rows. `force` refills rows whose data is unchanged (their columns,
   * colours or theme changed). */
  render(frame: Frame, look: RowsLook, force: boolean): void {
    const n = Math.max(0, frame.last - frame.first + 1);
    this.layer.style.transform = `translateY(${frame.scrollTop}px)`;
    while (this.pool.length < n) {
      const row = h("div", "el-row");
      row.setAttribute("role", "row");
      row.addEventListener("click", (e) => this.onClick(row, e));
      this.layer.append(row);
      this.pool.push(row);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const el = this.pool[i];
      if (i >= n) {
        el.hidden = true;
        continue;
      }
      const pos = frame.first + i;
      el.hidden = false;
      el.style.transform = `translateY(${pos * frame.rowHeight - frame.top}px)`;
      const data = this.blocks.rowAt(pos);
      const stamp = `${this.blocks.revision}:${pos}:${data ? 1 : 0}`;
      if (force || el.dataset.stamp !== stamp) {
        this.fill(el, pos, data, look);
        el.dataset.stamp = stamp;
      }
      const id = data ? rowId(data) : -1;
      el.classList.toggle("el-selected", id >= 0 && look.selected.has(id));
      el.classList.toggle("el-focused", pos === look.focus);
    }
  }

  /** A row still loading has no id and takes no clicks. */
  private onClick(el: HTMLElement, e: MouseEvent): void {
    const row = el.dataset.row === "" ? -1 : Number(el.dataset.row);
    if (row >= 0) this.click(Number(el.dataset.pos), row, e);
  }

  private fill(el: HTMLElement, pos: number, data: Row | undefined, look: RowsLook): void {
    el.dataset.pos = String(pos);
    el.setAttribute("aria-rowindex", String(pos + 1));
    el.classList.toggle("el-loading", !data);
    el.dataset.row = data ? String(rowId(data)) : "";
    const columns = look.columns;
    while (el.childElementCount < columns.length) {
      const cell = h("div");
      cell.setAttribute("role", "gridcell");
      cell.append(h("span"));
      el.append(cell);
    }
    while (el.childElementCount > columns.length) el.lastElementChild?.remove();
    columns.forEach((def, i) => {
      const cell = el.children[i] as HTMLElement;
      const span = cell.firstElementChild as HTMLElement;
      cell.className = `el-td el-kind-${def.kind}`;
      cell.dataset.column = def.id;
      cell.style.background = "";
      cell.title = "";
      span.style.background = "";
      span.title = "";
      if (data) this.fillCell(cell, span, def, data, look);
      else {
        span.className = "";
        span.textContent = "";
      }
    });
  }

  private fillCell(cell: HTMLElement, span: HTMLElement, def: ColumnDef, data: Row, look: RowsLook): void {
    if (def.kind === "status") {
      const value = data.__status ?? null;
      const badge = statusBadge(value);
      span.className = badge ? `el-badge el-badge-${value}` : "";
      span.textContent = badge?.mark ?? "";
      span.title = badge?.title ?? "";
      return;
    }
    const value = data[def.field] ?? null;
    if (def.kind === "pills") {
      fillPills(span, def, value, look.scales, look.colours, look.theme);
      return;
    }
    const text = formatCell(value, def);
    const paint = def.score ? paintCell(def, value, look.scales, look.colours, look.theme) : null;
    span.textContent = text;
    if (paint && "pill" in paint) {
      span.className = `el-pill el-role-${paint.pill}`;
      span.style.background = roleBackground(paint.pill, look.theme);
    } else {
      span.className = "el-cell-text";
      if (paint) cell.style.background = paint.background;
      const long = (def.kind === "text" || def.kind === "other") && text.length > TITLE_AFTER;
      if (long) cell.title = text.slice(0, TITLE_CHARS);
      if (def.kind === "id" && text.length > MAX_CHARS) cell.title = text;
    }
  }
}
