// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderDetail } from "../src/grid/detail";
import type { DetailScore } from "../src/grid/types";
import { scoreLayout, sortScores } from "../src/shared/scores";

const s = (name: string, value: unknown): DetailScore => ({
  name,
  scorer: name,
  column: `score_${name}`,
  type: "numeric",
  value,
});

describe("detail panel", () => {
  it("chooses chips for 3–6 scores and a grid beyond, unless the view says", () => {
    expect(scoreLayout(2, null)).toBe("list");
    expect(scoreLayout(3, null)).toBe("chips");
    expect(scoreLayout(6, null)).toBe("chips");
    expect(scoreLayout(7, null)).toBe("grid");
    expect(scoreLayout(4, { default: "grid" })).toBe("grid");
  });
  it("sorts scores by name or value, missing values last", () => {
    const scores = [s("b", 2), s("a", null), s("c", "C")];
    expect(sortScores(scores, "name").map((x) => x.name)).toEqual(["a", "b", "c"]);
    expect(sortScores(scores, "value", "desc").map((x) => x.name)).toEqual(["b", "c", "a"]);
  });
  it("renders untrusted text as text", () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const el = renderDetail(
      { input: evil, metadata_note: evil, id: 1 },
      [s(evil, evil), s("x", 1), s("y", 2)],
      null,
      {},
    );
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(el.textContent).toContain(evil);
  });
});
