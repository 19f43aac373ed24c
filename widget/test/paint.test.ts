import { describe, expect, it } from "vitest";
import { paintCell, statusBadge } from "../src/grid/paint";
import type { ColumnDef } from "../src/grid/types";

const score = (
  type: NonNullable<ColumnDef["score"]>["type"],
  min: number | null = 0,
  max: number | null = 10,
): ColumnDef => ({
  id: "score__judge__judge",
  field: "score_judge",
  label: "judge",
  kind: "score",
  score: { scorer: "judge", name: "judge", type, min, max, categories: null },
});

describe("paintCell", () => {
  it("paints pass/fail and booleans as pills whatever the scales say", () => {
    expect(paintCell(score("passfail"), "C", {}, false, "light")).toEqual({ pill: "good" });
    expect(paintCell(score("passfail"), "I", {}, true, "light")).toEqual({ pill: "bad" });
    expect(paintCell(score("boolean"), false, {}, true, "dark")).toEqual({ pill: "bad" });
  });
  it("paints numeric scores only when enabled, with the view's scale when it names one", () => {
    const scales = { judge: { palette: "good-high" as const, min: null, max: null } };
    expect(paintCell(score("numeric"), 5, scales, false, "light")).toBeNull();
    expect(paintCell(score("numeric"), 5, {}, false, "light")).toBeNull();
    expect(paintCell(score("numeric"), 5, scales, true, "light")).toEqual({ background: "rgba(252, 220, 130, 1)" });
  });
  it("gives scores the view does not mention a default: good-high on [0, 1], else neutral", () => {
    expect(paintCell(score("numeric", 0, 1), 1, {}, true, "light")).toEqual({ background: "rgba(134, 222, 160, 1)" });
    expect(paintCell(score("numeric", 0, 1), 0, {}, true, "light")).toEqual({ background: "rgba(248, 163, 163, 1)" });
    expect(paintCell(score("binary", 0, 1), 1, {}, true, "light")).toEqual({ background: "rgba(134, 222, 160, 1)" });
    expect(paintCell(score("numeric", 0, 10), 10, {}, true, "light")).toEqual({ background: "rgba(120, 170, 245, 1)" });
    expect(paintCell(score("numeric", -1, 1), 1, {}, true, "light")).toEqual({ background: "rgba(120, 170, 245, 1)" });
    // An explicit entry wins; categories get no default; pills stay pills.
    const pinned = { judge: { palette: "good-low" as const, min: null, max: null } };
    expect(paintCell(score("numeric", 0, 1), 1, pinned, true, "light")).toEqual({
      background: "rgba(248, 163, 163, 1)",
    });
    expect(paintCell(score("categorical"), "refused", {}, true, "light")).toBeNull();
    expect(paintCell(score("passfail"), "C", {}, true, "light")).toEqual({ pill: "good" });
  });
  it("honours pinned bounds", () => {
    const pinned = { judge: { palette: "good-high" as const, min: 0, max: 20 } };
    expect(paintCell(score("numeric"), 20, pinned, true, "light")).toEqual({ background: "rgba(134, 222, 160, 1)" });
    expect(paintCell(score("numeric"), 10, pinned, true, "light")).toEqual({ background: "rgba(252, 220, 130, 1)" });
  });
  it("leaves non-numeric values among text grades unpainted", () => {
    const scales = { judge: { palette: "good-high" as const, min: null, max: null } };
    expect(paintCell(score("numeric"), "I", scales, true, "light")).toBeNull();
    expect(paintCell(score("numeric"), "10", scales, true, "light")).toEqual({ background: "rgba(134, 222, 160, 1)" });
  });
  it("maps categorical values to roles", () => {
    const roles = { judge: { roles: { refused: "bad" as const, complied: "good" as const } } };
    expect(paintCell(score("categorical"), "refused", roles, true, "light")).toEqual({ pill: "bad" });
    expect(paintCell(score("categorical"), "partial", roles, true, "light")).toBeNull();
  });
});

describe("statusBadge", () => {
  it("gives cancelled samples their own badge, not the error one", () => {
    expect(statusBadge("cancelled")).toEqual({ mark: "–", title: "cancelled" });
    expect(statusBadge("error")).toEqual({ mark: "!", title: "error" });
    expect(statusBadge("limit")).toEqual({ mark: "⏱", title: "limit reached" });
    expect(statusBadge(null)).toBeNull();
  });
});
