import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Bool, Float64, Int32, LargeUtf8, Uint32, Utf8, tableFromArrays, tableToIPC, Table, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { decodeRows } from "../src/shared/arrow";

describe("decodeRows", () => {
  it("reads a window exactly as the kernel writes it (polars, oldest compat level)", () => {
    const bytes = readFileSync(join(__dirname, "fixtures", "polars-window.arrow"));
    expect(decodeRows(new Uint8Array(bytes))).toEqual([
      { __row: 0, id: 1, score: 0.5, ok: true, text: "héllo <b>", nested: '{"a": 1}', empty: null },
      { __row: 1, id: 20, score: null, ok: null, text: null, nested: null, empty: null },
      { __row: 2, id: null, score: null, ok: false, text: "", nested: '{"a": 2}', empty: null },
    ]);
  });

  it("agrees with apache-arrow on every supported type, nulls included", () => {
    const table = new Table({
      u: vectorFromArray([1, 4294967295, null], new Uint32()),
      i: vectorFromArray([-5, null, 7], new Int32()),
      f: vectorFromArray([1.5, null, -2.25], new Float64()),
      b: vectorFromArray([true, false, null], new Bool()),
      s: vectorFromArray(["a", null, "ünï"], new Utf8()),
      l: vectorFromArray([null, "large", ""], new LargeUtf8()),
    });
    const rows = decodeRows(tableToIPC(table, "stream"));
    expect(rows).toEqual([
      { u: 1, i: -5, f: 1.5, b: true, s: "a", l: null },
      { u: 4294967295, i: null, f: null, b: false, s: null, l: "large" },
      { u: null, i: 7, f: -2.25, b: null, s: "ünï", l: "" },
    ]);
  });

  it("reads several record batches and an empty stream", () => {
    const a = tableFromArrays({ x: Float64Array.from([1, 2]) });
    const b = tableFromArrays({ x: Float64Array.from([3]) });
    const both = new Table([...a.batches, ...b.batches]);
    expect(decodeRows(tableToIPC(both, "stream")).map((r) => r.x)).toEqual([1, 2, 3]);
    expect(decodeRows(new Uint8Array(0))).toEqual([]);
  });
});
