// The heatmap's cells as columns, indexed by position: a dense grid of row numbers, so
// drawing a window, hit-testing a pointer and following a selection cost the same at
// 500 × 200 cells as at 5 × 4. Reads the cells as the kernel packs them (byte columns) or
// as Python lists them (saved pages, older saved notebooks).
import { baselineOf } from "./delta";
import { cellKey } from "./selection";
import type { CellRef, DeltaRow, HeatmapSpec, PackedCells, PackedDeltas } from "./types";

function isPacked<T extends { packed: 1 }>(v: unknown): v is T {
  return typeof v === "object" && v !== null && !Array.isArray(v) && (v as { packed?: unknown }).packed === 1;
}

/** A little-endian column copied out of its buffer (which need not be aligned). */
function ints(view: DataView, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

function floats(view: DataView, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function num(v: number | null | undefined): number {
  return typeof v === "number" ? v : Number.NaN;
}

function orNull(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

/** Delta columns, one entry per cell row (NaN where a row has none). */
interface Deltas {
  lo: Float64Array;
  hi: Float64Array;
  improved: Float64Array;
  regressed: Float64Array;
  p: Float64Array;
  significant: Uint8Array;
  /** 1 where the row has a delta row at all. */
  has: Uint8Array;
}

export class CellTable {
  readonly nx: number;
  readonly ny: number;
  /** How many cells have data (rows). */
  readonly count: number;
  readonly xs: Int32Array;
  readonly ys: Int32Array;
  private readonly values: Float64Array;
  private readonly ns: Float64Array;
  private readonly errs: Float64Array;
  private readonly links = new Map<number, string>();
  private readonly deltaCols: Deltas | null;
  /** 1 where the row's cell is selected. */
  readonly selected: Uint8Array;
  private readonly grid: Int32Array;
  private readonly xIndex = new Map<string, number>();
  private readonly yIndex = new Map<string, number>();

  constructor(private readonly spec: HeatmapSpec) {
    this.nx = spec.x.length;
    this.ny = spec.y.length;
    const cells = spec.cells;
    if (isPacked<PackedCells>(cells)) {
      const n = cells.count;
      this.count = n;
      this.xs = ints(cells.x, n);
      this.ys = ints(cells.y, n);
      this.values = floats(cells.value, n);
      this.ns = floats(cells.n, n);
      this.errs = floats(cells.stderr, n);
      const rows = ints(cells.link_rows, cells.link_urls.length);
      cells.link_urls.forEach((url, i) => {
        this.links.set(rows[i], url);
      });
    } else {
      const list = Array.isArray(cells) ? cells : [];
      const n = list.length;
      this.count = n;
      this.xs = Int32Array.from(list, (c) => c[0]);
      this.ys = Int32Array.from(list, (c) => c[1]);
      this.values = Float64Array.from(list, (c) => num(c[2]));
      this.ns = Float64Array.from(list, (c) => num(c[3]));
      this.errs = Float64Array.from(list, (c) => num(c[4]));
      list.forEach((c, r) => {
        if (typeof c[5] === "string") this.links.set(r, c[5]);
      });
    }
    this.deltaCols = baselineOf(spec) === null ? null : readDeltas(spec.deltas, this.count);
    this.grid = new Int32Array(this.nx * this.ny).fill(-1);
    for (let r = 0; r < this.count; r++) {
      const x = this.xs[r];
      const y = this.ys[r];
      if (x >= 0 && x < this.nx && y >= 0 && y < this.ny) this.grid[y * this.nx + x] = r;
    }
    this.selected = new Uint8Array(this.count);
    for (const [i, label] of spec.x.entries()) this.xIndex.set(label, i);
    for (const [j, label] of spec.y.entries()) this.yIndex.set(label, j);
  }

  /** The row drawn at column i, row j; -1 where the grid has no cell (missing). */
  at(i: number, j: number): number {
    if (i < 0 || j < 0 || i >= this.nx || j >= this.ny) return -1;
    return this.grid[j * this.nx + i];
  }

  value(r: number): number | null {
    return orNull(this.values[r]);
  }

  n(r: number): number {
    return this.ns[r];
  }

  stderr(r: number): number | null {
    return orNull(this.errs[r]);
  }

  link(r: number): string | null {
    return this.links.get(r) ?? null;
  }

  /** In baseline mode, the row's delta row; null outside it or where the kernel sent none. */
  delta(r: number): DeltaRow | null {
    const d = this.deltaCols;
    if (!d?.has[r]) return null;
    return [orNull(d.lo[r]), orNull(d.hi[r]), d.improved[r], d.regressed[r], orNull(d.p[r]), d.significant[r] === 1];
  }

  significant(r: number): boolean {
    return this.deltaCols?.significant[r] === 1;
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
    const { task, model } = this.names(this.xs[r], this.ys[r]);
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

/** Delta columns from either form; rows pair with cells by position, so a short list
 * leaves the rest without one rather than shifting. */
function readDeltas(deltas: HeatmapSpec["deltas"], count: number): Deltas | null {
  const out: Deltas = {
    lo: new Float64Array(count).fill(Number.NaN),
    hi: new Float64Array(count).fill(Number.NaN),
    improved: new Float64Array(count),
    regressed: new Float64Array(count),
    p: new Float64Array(count).fill(Number.NaN),
    significant: new Uint8Array(count),
    has: new Uint8Array(count),
  };
  if (isPacked<PackedDeltas>(deltas)) {
    const n = Math.min(count, deltas.count);
    out.lo.set(floats(deltas.ci_low, n));
    out.hi.set(floats(deltas.ci_high, n));
    out.improved.set(floats(deltas.improved, n));
    out.regressed.set(floats(deltas.regressed, n));
    out.p.set(floats(deltas.p_adjusted, n));
    for (let r = 0; r < n; r++) out.significant[r] = deltas.significant.getUint8(r) === 1 ? 1 : 0;
    out.has.fill(1, 0, n);
    return out;
  }
  if (!Array.isArray(deltas)) return null;
  for (let r = 0; r < Math.min(count, deltas.length); r++) {
    const d = deltas[r];
    if (!Array.isArray(d)) continue;
    out.lo[r] = num(d[0]);
    out.hi[r] = num(d[1]);
    out.improved[r] = d[2];
    out.regressed[r] = d[3];
    out.p[r] = num(d[4]);
    out.significant[r] = d[5] === true ? 1 : 0;
    out.has[r] = 1;
  }
  return out;
}
