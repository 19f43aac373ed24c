// The saved page's answerer on hand-made facts: the rules it must keep are the kernel's
// (missing last both ways, ties in frame order, Python's strip, cell codes), and its
// messages are the kernel's (a refresh before the new traits, errors as errors).
import { describe, expect, it } from "vitest";
import type { GridState } from "../src/grid/types";
import { codesOf, GridAnswers, type GridFacts, pyStrip } from "../src/page/answer";
import { PageModel } from "../src/page/model";
import { GridServer } from "../src/page/serve";
import { decodeRows } from "../src/shared/arrow";
import { gridModel, settle } from "./fake_model";

/** Five held rows (source rows 10..14); `score` ranks with a missing value and a tie. */
function facts(over: Partial<GridFacts> = {}): GridFacts {
  const rows = [0, 1, 2, 3, 4].map((i) => ({
    __row: 10 + i,
    input: ["b a", "a", "A", null, "ab"][i],
    id: [3, 1, 2, 5, 4][i],
  }));
  return {
    rows,
    defaultOrder: Uint32Array.from([1, 2, 0, 4, 3]),
    ranks: new Map([
      ["score", Uint8Array.from([2, 0, 1, 2, 3])],
      ["id", Uint8Array.from([3, 1, 2, 5, 4])],
    ]),
    unsortable: { blob: "cannot sort a struct" },
    fieldOf: new Map([
      ["score__s__s", "score"],
      ["sampleId", "id"],
      ["blob", "blob"],
    ]),
    long: { input: { rows: [0], texts: ["b a and more"], more: [7] } },
    json: {},
    detailFields: ["input", "id"],
    search: { fields: ["input", "id"], texts: {}, error: null },
    scores: [{ name: "s", scorer: "s", column: "score", type: "numeric" }],
    links: [{ source: "w0", tasks: ["t0", "t1"], models: ["m0", "m1"], codes: Uint8Array.from([1, 2, 3, 4, 0]) }],
    ...over,
  };
}

const ids = (a: GridAnswers, q: Partial<Parameters<GridAnswers["ids"]>[0]>) =>
  a.ids({ sort: [], search: "", cells: {}, ...q });

describe("GridAnswers", () => {
  it("sorts by rank, missing last both ways, ties in frame order", () => {
    const a = new GridAnswers(facts());
    expect(ids(a, { sort: [{ column: "score__s__s", dir: "asc" }] })).toEqual([12, 10, 13, 14, 11]);
    expect(ids(a, { sort: [{ column: "score__s__s", dir: "desc" }] })).toEqual([14, 10, 13, 12, 11]);
    expect(
      ids(a, {
        sort: [
          { column: "score__s__s", dir: "desc" },
          { column: "sampleId", dir: "desc" },
        ],
      }),
    ).toEqual([14, 13, 10, 12, 11]);
    expect(ids(a, {})).toEqual([11, 12, 10, 14, 13]); // the kernel's default order
  });

  it("refuses a sort the kernel refuses, with its message", () => {
    expect(() => ids(new GridAnswers(facts()), { sort: [{ column: "blob", dir: "asc" }] })).toThrow(
      "cannot sort a struct",
    );
  });

  it("searches literally, case-sensitively, in the held long text, after Python's strip", () => {
    const a = new GridAnswers(facts());
    expect(ids(a, { search: "a" })).toEqual([11, 10, 14]);
    expect(ids(a, { search: "\u3000A\x1c" })).toEqual([12]);
    expect(ids(a, { search: "more" })).toEqual([10]); // beyond the preview, in the long text
    expect(ids(a, { search: "4" })).toEqual([14]); // integers as their digits
    expect(ids(a, { search: "  " })).toEqual([11, 12, 10, 14, 13]); // blank: no search
    expect(pyStrip("\ufeffx ")).toBe("\ufeffx"); // Python keeps a BOM that trim() drops
  });

  it("filters by heatmap cells as evallens.link does", () => {
    const a = new GridAnswers(facts());
    expect(codesOf([{ task: "t1", model: "m0" }], ["t0", "t1"], ["m0", "m1"])).toEqual([2]);
    expect(ids(a, { cells: { w0: [{ task: "t1", model: "m0" }] } })).toEqual([12]);
    expect(
      ids(a, {
        cells: {
          w0: [
            { task: "t0", model: "m0" },
            { task: "t9", model: "m0" },
          ],
        },
      }),
    ).toEqual([10]);
  });

  it("steps and details as the kernel does", () => {
    const a = new GridAnswers(facts());
    const view = a.view({ sort: [], search: "", cells: {} });
    expect(a.neighbour(view, 12, 1)).toBe(10);
    expect(a.neighbour(view, 13, 1)).toBe(-1);
    expect(a.detail(10).sample.input).toBe("b a and more\n… truncated: 7 more characters are not in this saved page");
    expect(a.detail(10).scores[0].value).toBeNull(); // these rows hold no score field
    expect(() => a.detail(99)).toThrow("not in this saved page");
    expect(a.uncertain("zzz", a.searchMask("zzz"))).toBe(1);
  });
});

describe("GridServer", () => {
  it("answers a sort with a refresh, then the new traits, then the reply", async () => {
    const fake = gridModel({ _revision: 3, _column_defs: [] });
    const model = new PageModel<GridState>(fake.state);
    const server = new GridServer(model, new GridAnswers(facts()));
    const seen: string[] = [];
    const refreshed: unknown[][] = [];
    model.on("msg:custom", (msg: { type: string }, buffers: DataView[]) => {
      seen.push(msg.type);
      if (msg.type === "refresh") refreshed.push(decodeRows(buffers[0]).map((r) => r.__row));
    });
    model.on("change:sort", () => seen.push("sort"));
    model.send({ type: "set_view", id: 1, view: { sort: [{ column: "score", dir: "desc" }] } });
    await settle();
    expect(seen).toEqual(["refresh", "sort", "set_view"]);
    expect(refreshed).toEqual([[14, 10, 13, 12, 11]]);
    expect(model.get("sort")).toEqual([{ column: "score__s__s", dir: "desc" }]); // a field names its column
    expect(model.get("_revision")).toBe(4);
    model.send({ type: "set_view", id: 2, view: { sort: [{ column: "blob", dir: "asc" }] } });
    await settle();
    expect(seen.at(-1)).toBe("error");
    expect(model.get("sort")).toEqual([{ column: "score__s__s", dir: "desc" }]); // nothing changed
    server.follow("w0", [{ task: "t1", model: "m1" }]);
    expect(model.get("_count")).toBe(1);
    expect(refreshed.at(-1)).toEqual([13]);
  });
});
