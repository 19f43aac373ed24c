import { describe, expect, it } from "vitest";
import { needsKernel, type RowsOnHand } from "../src/grid/edits";
import type { ColumnDef } from "../src/grid/types";

const def = (id: string, field = id): ColumnDef => ({ id, field, label: id, kind: "text" });
const defs = new Map([def("sampleId", "id"), def("input"), def("target")].map((d) => [d.id, d]));
const rows: RowsOnHand = { sort: [{ column: "sampleId", dir: "asc" }], search: "", fields: new Set(["__row", "id", "input"]), defs };
const cols = (...visible: string[]) => ["sampleId", "input", "target"].map((id) => ({ id, visible: visible.includes(id) }));

describe("needsKernel", () => {
  it("sends a new sort or search to the kernel, not the one the rows already have", () => {
    expect(needsKernel({ sort: [{ column: "sampleId", dir: "desc" }] }, rows)).toBe(true);
    expect(needsKernel({ sort: [] }, rows)).toBe(true);
    expect(needsKernel({ sort: [{ column: "sampleId", dir: "asc" }] }, rows)).toBe(false);
    expect(needsKernel({ search: "plus" }, rows)).toBe(true);
    expect(needsKernel({ search: "" }, rows)).toBe(false);
  });
  it("needs the kernel to show a column only when the rows on hand lack its values", () => {
    expect(needsKernel({ columns: cols("sampleId", "input", "target") }, rows)).toBe(true);
    expect(needsKernel({ columns: cols("sampleId") }, rows)).toBe(false); // hiding
    expect(needsKernel({ columns: cols("input", "sampleId").reverse() }, rows)).toBe(false); // moving
    expect(needsKernel({ columns: cols("sampleId", "input", "target") }, { ...rows, fields: null })).toBe(false); // no rows
  });
  it("leaves pure view settings to the page", () => {
    expect(needsKernel({ multiline: false, compact_scores: true, color_scales_enabled: false }, rows)).toBe(false);
  });
});
