import { describe, expect, it } from "vitest";
import { moveColumn, needsKernel, type RowsOnHand, shiftColumn } from "../src/grid/edits";
import type { ColumnDef } from "../src/grid/types";

const def = (id: string, field = id): ColumnDef => ({ id, field, label: id, kind: "text" });
const defs = new Map([def("sampleId", "id"), def("input"), def("target")].map((d) => [d.id, d]));
const rows: RowsOnHand = {
  sort: [{ column: "sampleId", dir: "asc" }],
  search: "",
  fields: new Set(["__row", "id", "input"]),
  defs,
};
const cols = (...visible: string[]) =>
  ["sampleId", "input", "target"].map((id) => ({ id, visible: visible.includes(id) }));

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
  it("sends a switch of views to the kernel, which holds each view's state", () => {
    expect(needsKernel({ view_name: "compact" }, rows)).toBe(true);
  });
  it("leaves pure view settings to the page", () => {
    expect(needsKernel({ multiline: false, compact_scores: true, color_scales_enabled: false }, rows)).toBe(false);
  });
});

describe("moving columns", () => {
  const ids = (cols: { id: string }[] | null) => cols?.map((c) => c.id);
  const all = cols("sampleId", "input", "target");
  it("drops a column just before another, or at the end when that one is gone", () => {
    expect(ids(moveColumn(all, "target", "sampleId"))).toEqual(["target", "sampleId", "input"]);
    expect(ids(moveColumn(all, "sampleId", "target"))).toEqual(["input", "sampleId", "target"]);
    expect(ids(moveColumn(all, "sampleId", "gone"))).toEqual(["input", "target", "sampleId"]);
    expect(moveColumn(all, "gone", "input")).toBeNull();
  });
  it("moves a column up or down one place, not past either end", () => {
    expect(ids(shiftColumn(all, "input", -1))).toEqual(["input", "sampleId", "target"]);
    expect(ids(shiftColumn(all, "input", 1))).toEqual(["sampleId", "target", "input"]);
    expect(shiftColumn(all, "sampleId", -1)).toBeNull();
    expect(shiftColumn(all, "target", 1)).toBeNull();
    expect(ids(all)).toEqual(["sampleId", "input", "target"]); // the view's own list is untouched
  });
});
