import type { SortEntry } from "./types";

/** The sort after clicking a header: asc → desc → none. With `additive`
 * (Shift/Ctrl/Cmd) the column joins or leaves a multi-column sort; without it,
 * the click sorts by this column alone. */
export function nextSort(current: SortEntry[], column: string, additive: boolean): SortEntry[] {
  const at = current.findIndex((s) => s.column === column);
  const existing = at >= 0 ? current[at] : undefined;
  const cycled: SortEntry | null = !existing
    ? { column, dir: "asc" }
    : existing.dir === "asc"
      ? { column, dir: "desc" }
      : null;
  if (!additive) return cycled ? [cycled] : [];
  const out = current.slice();
  if (at >= 0) {
    if (cycled) out[at] = cycled;
    else out.splice(at, 1);
  } else if (cycled) {
    out.push(cycled);
  }
  return out;
}

/** 1-based position of a column in a multi-column sort, or 0. */
export function sortOrder(current: SortEntry[], column: string): number {
  return current.findIndex((s) => s.column === column) + 1;
}
