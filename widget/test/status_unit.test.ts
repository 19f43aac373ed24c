// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { StatusLine } from "../src/grid/status";

describe("the status line names what a row is", () => {
  it("counts samples by default and a comparison's pairs as pairs", () => {
    const line = new StatusLine();
    line.show(5, 10, 0);
    expect(line.el.textContent).toBe("5 of 10 samples");
    line.show(0, 10, 0, "pairs");
    expect(line.el.textContent).toBe("0 of 10 pairs");
    expect(line.empty.textContent).toBe("No pairs match the current filters.");
    line.show(10, 10, 2, "pairs");
    expect(line.el.textContent).toBe("10 pairs · 2 selected");
  });
});
