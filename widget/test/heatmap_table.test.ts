import { describe, expect, it } from "vitest";
import { CellTable } from "../src/heatmap/table";
import type { CellRow, DeltaRow, HeatmapSpec, PackedCells, PackedDeltas } from "../src/heatmap/types";
import { heatmapSpec } from "./heatmap_fixtures";

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Columns as the kernel packs them (little-endian), each at an odd offset of a larger
 * buffer, as a widget manager may hand them over: nothing may assume alignment. */
function column(kind: "i32" | "f64" | "u8", values: number[]): DataView {
  const size = kind === "f64" ? 8 : kind === "i32" ? 4 : 1;
  const buffer = new ArrayBuffer(values.length * size + 3);
  const view = new DataView(buffer, 3, values.length * size);
  values.forEach((v, i) => {
    if (kind === "f64") view.setFloat64(i * 8, v, true);
    else if (kind === "i32") view.setInt32(i * 4, v, true);
    else view.setUint8(i, v);
  });
  return view;
}

const nan = (v: number | null) => (v === null ? Number.NaN : v);

function packCells(cells: CellRow[]): PackedCells {
  const links = cells.flatMap((c, r) => (c[5] === null ? [] : [[r, c[5]] as const]));
  return {
    packed: 1,
    count: cells.length,
    x: column(
      "i32",
      cells.map((c) => c[0]),
    ),
    y: column(
      "i32",
      cells.map((c) => c[1]),
    ),
    value: column(
      "f64",
      cells.map((c) => nan(c[2])),
    ),
    n: column(
      "f64",
      cells.map((c) => c[3]),
    ),
    stderr: column(
      "f64",
      cells.map((c) => nan(c[4])),
    ),
    link_rows: column(
      "i32",
      links.map((l) => l[0]),
    ),
    link_urls: links.map((l) => l[1]),
  };
}

function packDeltas(deltas: DeltaRow[]): PackedDeltas {
  return {
    packed: 1,
    count: deltas.length,
    ci_low: column(
      "f64",
      deltas.map((d) => nan(d[0])),
    ),
    ci_high: column(
      "f64",
      deltas.map((d) => nan(d[1])),
    ),
    improved: column(
      "f64",
      deltas.map((d) => d[2]),
    ),
    regressed: column(
      "f64",
      deltas.map((d) => d[3]),
    ),
    p_adjusted: column(
      "f64",
      deltas.map((d) => nan(d[4])),
    ),
    significant: column(
      "u8",
      deltas.map((d) => (d[5] ? 1 : 0)),
    ),
  };
}

function randomSpec(seed: number): HeatmapSpec {
  const rnd = random(seed);
  const nx = 1 + Math.floor(rnd() * 30);
  const ny = 1 + Math.floor(rnd() * 20);
  const cells: CellRow[] = [];
  const deltas: DeltaRow[] = [];
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      if (rnd() < 0.3) continue; // a missing cell
      const value = rnd() < 0.1 ? null : rnd() * 2 - 1;
      const link = rnd() < 0.2 ? `https://example.org/${i}/${j}` : null;
      cells.push([i, j, value, Math.floor(rnd() * 1e6), rnd() < 0.2 ? null : rnd(), link]);
      const p = rnd() < 0.3 ? null : rnd();
      deltas.push([rnd() < 0.2 ? null : -rnd(), rnd(), Math.floor(rnd() * 50), Math.floor(rnd() * 50), p, rnd() < 0.4]);
    }
  }
  return heatmapSpec({
    x: Array.from({ length: nx }, (_, i) => `t${i}`),
    y: Array.from({ length: ny }, (_, j) => `m${j}`),
    tasks_on_x: rnd() < 0.5,
    scheme: "diverging",
    domain: [-1, 1],
    score: "s",
    cells,
    baseline: "m0",
    deltas,
  });
}

/** Everything a table tells about every grid position. */
function dump(t: CellTable): unknown[] {
  const out: unknown[] = [];
  for (let j = 0; j < t.ny; j++) {
    for (let i = 0; i < t.nx; i++) {
      const r = t.at(i, j);
      out.push(
        r < 0
          ? null
          : [t.names(i, j), t.key(r), t.value(r), t.n(r), t.stderr(r), t.link(r), t.delta(r), t.significant(r)],
      );
    }
  }
  return out;
}

describe("CellTable", () => {
  it("reads packed columns exactly as it reads the listed cells", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const spec = randomSpec(seed);
      const listed = new CellTable(spec);
      const cells = spec.cells as CellRow[];
      const packed = new CellTable({ ...spec, cells: packCells(cells), deltas: packDeltas(spec.deltas as DeltaRow[]) });
      expect(dump(packed)).toEqual(dump(listed));
      // And the listed cells are what the table gives back.
      for (const [r, c] of cells.entries()) {
        const at = listed.at(c[0], c[1]);
        expect(at).toBe(r);
        expect([listed.value(at), listed.n(at), listed.stderr(at), listed.link(at)]).toEqual([c[2], c[3], c[4], c[5]]);
      }
    }
  });

  it("finds cells by name, and rows and columns of cells with data", () => {
    const spec = randomSpec(7);
    const t = new CellTable(spec);
    const cells = spec.cells as CellRow[];
    const [i, j] = [cells[0][0], cells[0][1]];
    const { task, model } = t.names(i, j);
    expect(t.position(task, model)).toEqual([i, j]);
    expect(t.position("nope", model)).toBeNull();
    const column = t.lineKeys(`x${i}`);
    expect(column).toHaveLength(cells.filter((c) => c[0] === i).length);
    t.select(new Set([t.key(0), "nope\u0000m0"]));
    expect(Array.from(t.selected).reduce((a, b) => a + b, 0)).toBe(1);
    expect(t.selected[0]).toBe(1);
  });
});
