// The heatmap's cells indexed by position: a dense grid of row numbers, so drawing a
// window, hit-testing a pointer and following a selection cost the same at 500 × 200
// cells as at 5 × 4.
import { baselineOf } from "./delta";
import { cellKey } from "./selection";
import type { CellRef, CellRow, DeltaRow, HeatmapSpec } from "./types";

export class CellTable {
  readonly nx: number;
  readonly ny: number;
  readonly rows: readonly CellRow[];
  /** In baseline mode, each row's delta row (paired with `cells` by position), else null. */
  readonly deltas: readonly (DeltaRow | null)[];
  /** 1 where the row's cell is selected. */
  readonly selected: Uint8Array;
  private readonly grid: Int32Array;
  private readonly xIndex = new Map<string, number>();
  private readonly yIndex = new Map<string, number>();

  constructor(private readonly spec: HeatmapSpec) {
    this.nx = spec.x.length;
    this.ny = spec.y.length;
    this.rows = spec.cells;
    this.grid = new Int32Array(this.nx * this.ny).fill(-1);
    spec.cells.forEach((c, r) => {
      if (c[0] >= 0 && c[0] < this.nx && c[1] >= 0 && c[1] < this.ny) this.grid[c[1] * this.nx + c[0]] = r;
    });
    // A short or missing delta list leaves the rest without one rather than shifting.
    const deltas = baselineOf(spec) === null || !Array.isArray(spec.deltas) ? [] : spec.deltas;
    this.deltas = spec.cells.map((_, r) => (Array.isArray(deltas[r]) ? deltas[r] : null));
    this.selected = new Uint8Array(spec.cells.length);
    for (const [i, label] of spec.x.entries()) this.xIndex.set(label, i);
    for (const [j, label] of spec.y.entries()) this.yIndex.set(label, j);
  }

  /** The row drawn at column i, row j; -1 where the grid has no cell (missing). */
  at(i: number, j: number): number {
    if (i < 0 || j < 0 || i >= this.nx || j >= this.ny) return -1;
    return this.grid[j * this.nx + i];
  }

  /** The task and model at a position. */
  names(i: number, j: number): CellRef {
    const a = this.spec.x[i];
    const b = this.spec.y[j];
    return this.spec.tasks_on_x ? { task: a, model: b } : { task: b, model: a };
  }

  /** Where a task × model sits, or null when either is not on its axis. */
  position(task: string, model: string): [number, number] | null {
    const [a, b] = this.spec.tasks_on_x ? [task, model] : [model, task];
    const i = this.xIndex.get(a);
    const j = this.yIndex.get(b);
    return i === undefined || j === undefined ? null : [i, j];
  }

  key(r: number): string {
    const { task, model } = this.names(this.rows[r][0], this.rows[r][1]);
    return cellKey(task, model);
  }

  /** The keys of a column ("x3") or row ("y1") of cells that have data. */
  lineKeys(line: string): string[] {
    const index = Number(line.slice(1));
    const keys: string[] = [];
    const across = line[0] === "x";
    const n = across ? this.ny : this.nx;
    for (let k = 0; k < n; k++) {
      const r = across ? this.at(index, k) : this.at(k, index);
      if (r >= 0) keys.push(this.key(r));
    }
    return keys;
  }

  /** Mark the rows whose task × model key is in `keys` (names not on the axes are ignored). */
  select(keys: ReadonlySet<string>): void {
    this.selected.fill(0);
    for (const key of keys) {
      const cut = key.indexOf("\u0000");
      const at = this.position(key.slice(0, cut), key.slice(cut + 1));
      const r = at ? this.at(at[0], at[1]) : -1;
      if (r >= 0) this.selected[r] = 1;
    }
  }
}
