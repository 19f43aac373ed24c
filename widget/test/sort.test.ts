import { describe, expect, it } from "vitest";
import { nextSort, sortOrder } from "../src/grid/sort";

describe("nextSort", () => {
  it("cycles asc → desc → none", () => {
    let s = nextSort([], "a", false);
    expect(s).toEqual([{ column: "a", dir: "asc" }]);
    s = nextSort(s, "a", false);
    expect(s).toEqual([{ column: "a", dir: "desc" }]);
    expect(nextSort(s, "a", false)).toEqual([]);
  });
  it("a plain click replaces a multi-column sort", () => {
    const s = [
      { column: "a", dir: "asc" as const },
      { column: "b", dir: "desc" as const },
    ];
    expect(nextSort(s, "c", false)).toEqual([{ column: "c", dir: "asc" }]);
  });
  it("modifier clicks add, flip and remove columns keeping order", () => {
    let s = nextSort([{ column: "a", dir: "asc" }], "b", true);
    expect(s.map((x) => x.column)).toEqual(["a", "b"]);
    s = nextSort(s, "a", true);
    expect(s).toEqual([
      { column: "a", dir: "desc" },
      { column: "b", dir: "asc" },
    ]);
    s = nextSort(s, "a", true);
    expect(s).toEqual([{ column: "b", dir: "asc" }]);
    expect(sortOrder(s, "b")).toBe(1);
    expect(sortOrder(s, "a")).toBe(0);
  });
});
