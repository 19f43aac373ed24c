import { describe, expect, it } from "vitest";
import { applyCompletion, completeAt, pointAt } from "../src/grid/complete";
import type { FilterName } from "../src/grid/types";

const names: FilterName[] = [
  { name: "has_error", kind: "variable", detail: "" },
  { name: "has_limit", kind: "variable", detail: "" },
  { name: "input_contains", kind: "function", detail: "" },
  { name: "rubric.accuracy", kind: "score", detail: "" },
  { name: "'scorer.Problem Correctness'", kind: "score", detail: "" },
];

describe("filter completion", () => {
  it("offers the names the word before the caret starts", () => {
    const c = completeAt("epoch == 1 and has_", 19, names);
    expect(c?.options.map((o) => o.name)).toEqual(["has_error", "has_limit"]);
    expect(c?.start).toBe(15);
  });
  it("completes dotted names and quoted names", () => {
    expect(completeAt("rubric.ac", 9, names)?.options[0]?.name).toBe("rubric.accuracy");
    expect(completeAt("'scorer.Pro", 11, names)?.options[0]?.name).toBe("'scorer.Problem Correctness'");
  });
  it("offers nothing inside text", () => {
    expect(completeAt('input_contains("has_', 20, names)).toBeNull();
  });
  it("puts the name in place of the word; functions get their paren", () => {
    const c = completeAt("not inp", 7, names);
    expect(c && applyCompletion("not inp", c, names[2] as FilterName)).toEqual({
      text: "not input_contains(",
      caret: 19,
    });
  });
  it("points at an error's position", () => {
    expect(pointAt("epoch ==", 8)).toBe("epoch ==\n        ^");
  });
});
