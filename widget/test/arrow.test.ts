import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  Bool,
  Float64,
  Int32,
  Int64,
  LargeUtf8,
  Table,
  tableFromArrays,
  tableToIPC,
  Uint32,
  Uint64,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import { describe, expect, it } from "vitest";
import { decodeRows } from "../src/shared/arrow";

describe("decodeRows", () => {
  // The fixture is `to_ipc(wire_frame(df))` of a frame with these values (ids as Int64).
  it("reads a window exactly as the kernel writes it (polars, oldest compat level)", () => {
    const bytes = readFileSync(join(__dirname, "fixtures", "polars-window.arrow"));
    expect(decodeRows(new Uint8Array(bytes))).toEqual([
      {
        __row: 0,
        id: 1,
        big: 9007199254740993n,
        score: 0.5,
        ok: true,
        text: "héllo <b>",
        nested: '{"a": 1}',
        empty: null,
      },
      { __row: 1, id: 20, big: -9223372036854775808n, score: null, ok: null, text: null, nested: null, empty: null },
      { __row: 2, id: null, big: null, score: null, ok: false, text: "", nested: '{"a": 2}', empty: null },
    ]);
  });

  it("reads 64-bit integers exactly: numbers while safe, BigInt beyond 2**53 (apache-arrow as oracle)", () => {
    const signed = [
      0n,
      9007199254740991n,
      9007199254740992n,
      -9007199254740993n,
      9223372036854775807n,
      -9223372036854775808n,
      null,
    ];
    const unsigned = [0n, 1n, 9007199254740991n, 9007199254740993n, 18446744073709551615n, null, 42n];
    const table = new Table({ i: vectorFromArray(signed, new Int64()), u: vectorFromArray(unsigned, new Uint64()) });
    const rows = decodeRows(tableToIPC(table, "stream"));
    // What apache-arrow reads, turned into the cells the grid expects.
    const exact = (v: unknown) =>
      typeof v === "bigint" && v >= -BigInt(Number.MAX_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v;
    const oracle = table.toArray().map((r) => ({ i: exact(r.i), u: exact(r.u) }));
    expect(rows).toEqual(oracle);
    expect(rows[1].i).toBe(9007199254740991);
    expect(rows[2].i).toBe(9007199254740992n);
    expect(String(rows[4].i)).toBe("9223372036854775807");
    expect(String(rows[4].u)).toBe("18446744073709551615");
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
