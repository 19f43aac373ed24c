// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { DetailPanel } from "../src/grid/detail";
import type { GridQuery } from "../src/grid/query";
import type { DetailReply, GridState } from "../src/grid/types";
import { FakeModel } from "./fake_model";

const tick = () => new Promise((r) => setTimeout(r, 0));

function panelOver(order: number[]) {
  const model = new FakeModel({ focused: -1, _sample_score_view: null, score_labels: {} } as unknown as GridState);
  const asked: [number, number][] = [];
  const query = {
    detail: async (row: number): Promise<DetailReply> => ({ row, sample: { id: row }, scores: [] }),
    neighbour: async (row: number, step: number) => {
      asked.push([row, step]);
      const at = order.indexOf(row) + step;
      return at >= 0 && at < order.length ? order[at] : -1;
    },
  } as unknown as GridQuery;
  return { panel: new DetailPanel(model, query), model, asked };
}

describe("stepping through samples in the detail panel", () => {
  it("the buttons and [ ] open the previous and next sample in the view's order", async () => {
    const { panel, model, asked } = panelOver([7, 2, 9]);
    panel.open(2);
    await tick();
    const [prev, next] = [...panel.el.querySelectorAll<HTMLButtonElement>(".el-detail-step")];
    expect(prev.getAttribute("aria-label")).toContain("Previous");
    next.click();
    await tick();
    expect(model.get("focused")).toBe(9);
    expect(panel.el.querySelector(".el-detail-title")?.textContent).toBe("Sample 9");
    panel.el.dispatchEvent(new KeyboardEvent("keydown", { key: "[", bubbles: true }));
    await tick();
    expect(model.get("focused")).toBe(2);
    expect(asked).toEqual([
      [2, 1],
      [9, -1],
    ]);
  });

  it("stays put at either end, and keys do nothing while closed", async () => {
    const { panel, model } = panelOver([7, 2, 9]);
    panel.open(7);
    await tick();
    panel.step(-1);
    await tick();
    expect(model.get("focused")).toBe(7);
    panel.close(true);
    const e = new KeyboardEvent("keydown", { key: "]" });
    expect(panel.key(e)).toBe(false);
  });
});
