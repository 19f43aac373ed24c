// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { paintCell, roleBackground } from "../src/grid/paint";
import { epochValues, fillPills } from "../src/grid/pills";
import type { ColumnDef } from "../src/grid/types";

const pills = (type: NonNullable<ColumnDef["score"]>["type"]): ColumnDef => ({
  id: "epoch_values",
  field: "epoch_values",
  label: "judge by epoch",
  kind: "pills",
  score: { scorer: "judge", name: "judge", type, min: 0, max: 10, categories: null },
});

describe("epoch pills", () => {
  it("reads the kernel's JSON list, and nothing else", () => {
    expect(epochValues('["C", "I", null]')).toEqual(["C", "I", null]);
    expect(epochValues("[1, 2.5]")).toEqual([1, 2.5]);
    expect(epochValues('[1, 2.5, "cut sho')).toBeNull();
    expect(epochValues("{}")).toBeNull();
    expect(epochValues(null)).toBeNull();
  });

  it("paints each epoch as the score's cells are painted, values as text", () => {
    const span = document.createElement("span");
    fillPills(span, pills("passfail"), '["C", "I", null, "<img src=x onerror=alert(1)>"]', {}, true, "light");
    const each = [...span.children] as HTMLElement[];
    expect(each.map((p) => p.textContent)).toEqual(["C", "I", "", "<img src=x onerror=alert(1)>"]);
    expect(span.querySelector("img")).toBeNull();
    const good = document.createElement("div");
    good.style.background = roleBackground("good", "light");
    expect(each[0].style.background).toBe(good.style.background);
    expect(each[2].classList.contains("el-epoch-missing")).toBe(true);
    expect(each[1].title).toBe("epoch 2: I");
  });

  it("uses the colour scale for numeric scores", () => {
    const span = document.createElement("span");
    const def = pills("numeric");
    fillPills(span, def, "[0, 10]", { judge: { palette: "good-high", min: null, max: null } }, true, "light");
    const paint = paintCell(def, 10, { judge: { palette: "good-high", min: null, max: null } }, true, "light");
    const expected = document.createElement("div");
    expected.style.background = paint && "background" in paint ? paint.background : "";
    expect((span.children[1] as HTMLElement).style.background).toBe(expected.style.background);
  });
});
