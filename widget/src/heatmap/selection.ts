// Selection rules, free of the DOM: which cells a click, a modified click or a label
// click leaves selected. Cells are identified by string keys (see cellKey).

/** A stable key for a task × model cell (NUL cannot appear in either name's display). */
export function cellKey(task: string, model: string): string {
  return `${task}\u0000${model}`;
}

export function splitKey(key: string): { task: string; model: string } {
  const i = key.indexOf("\u0000");
  return { task: key.slice(0, i), model: key.slice(i + 1) };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** Click on a cell: select just it; again (alone) clears; `additive` (Shift/Ctrl/Cmd) toggles it. */
export function clickCell(current: ReadonlySet<string>, key: string, additive: boolean): Set<string> {
  const next = new Set(current);
  if (additive) {
    if (next.has(key)) next.delete(key);
    else next.add(key);
    return next;
  }
  if (current.size === 1 && current.has(key)) return new Set();
  return new Set([key]);
}

/** Click on a row or column label: select the whole line; again clears; `additive` adds it,
 * or removes it when it is already wholly selected. */
export function clickLine(current: ReadonlySet<string>, keys: readonly string[], additive: boolean): Set<string> {
  const line = new Set(keys);
  if (line.size === 0) return new Set(current);
  if (additive) {
    const next = new Set(current);
    const all = keys.every((k) => next.has(k));
    for (const k of keys) {
      if (all) next.delete(k);
      else next.add(k);
    }
    return next;
  }
  return sameSet(current, line) ? new Set() : line;
}

/** Move a focus position by an arrow key, staying inside an nx × ny grid. */
export function moveFocus(pos: [number, number] | null, key: string, nx: number, ny: number): [number, number] | null {
  if (nx === 0 || ny === 0) return null;
  if (pos === null) return [0, 0];
  const [x, y] = pos;
  switch (key) {
    case "ArrowLeft":
      return [Math.max(0, x - 1), y];
    case "ArrowRight":
      return [Math.min(nx - 1, x + 1), y];
    case "ArrowUp":
      return [x, Math.max(0, y - 1)];
    case "ArrowDown":
      return [x, Math.min(ny - 1, y + 1)];
    case "Home":
      return [0, y];
    case "End":
      return [nx - 1, y];
    default:
      return pos;
  }
}
