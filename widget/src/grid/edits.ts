// Changes to the grid's view, and which of them only the kernel can make: those that change
// the rows on screen. Those go to the kernel first and show together with their rows, so an
// arrow or a column never appears over rows it does not describe.
import type { ColumnDef, ColumnState, SortEntry, ViewEdit } from "./types";

/** What the rows on hand reflect. */
export interface RowsOnHand {
  sort: SortEntry[];
  search: string;
  /** Fields the loaded rows carry (the kernel sends visible columns only); null: no rows. */
  fields: ReadonlySet<string> | null;
  defs: ReadonlyMap<string, ColumnDef>;
}

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether an edit changes which rows show or what they carry: another view, a new sort or
 * search, or a column shown whose values the loaded rows lack. Everything else (hiding or
 * moving columns, multiline, compact scores, colours) is pure view and needs no kernel. */
export function needsKernel(edit: ViewEdit, rows: RowsOnHand): boolean {
  if (edit.view_name !== undefined) return true; // the kernel holds each view's state
  if (edit.sort && !same(edit.sort, rows.sort)) return true;
  if (edit.search !== undefined && edit.search !== rows.search) return true;
  if (edit.ranges !== undefined || edit.histograms !== undefined) return true; // counted there
  if (edit.transcript_search !== undefined) return true; // the kernel knows which rows match
  if (edit.group_epochs !== undefined || edit.epochs_disagree !== undefined) return true; // other rows
  const fields = rows.fields;
  if (!edit.columns || !fields) return false;
  return edit.columns.some((c) => {
    const def = rows.defs.get(c.id);
    return c.visible && def !== undefined && !fields.has(def.field);
  });
}

/** The columns with `id` moved just before `before` (to the end when `before` is gone);
 * null when there is no column `id`. */
export function moveColumn(columns: ColumnState[], id: string, before: string): ColumnState[] | null {
  const cols = columns.slice();
  const from = cols.findIndex((c) => c.id === id);
  if (from < 0) return null;
  const [item] = cols.splice(from, 1);
  const to = cols.findIndex((c) => c.id === before);
  cols.splice(to < 0 ? cols.length : to, 0, item);
  return cols;
}

/** The columns with `id` swapped with its neighbour `delta` (-1: up, 1: down) away; null
 * when there is no such neighbour. */
export function shiftColumn(columns: ColumnState[], id: string, delta: number): ColumnState[] | null {
  const cols = columns.slice();
  const i = cols.findIndex((c) => c.id === id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= cols.length) return null;
  [cols[i], cols[j]] = [cols[j], cols[i]];
  return cols;
}
