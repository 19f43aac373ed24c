// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { DetailPanel } from "../src/grid/detail";
import type { GridQuery } from "../src/grid/query";
import type { DetailReply, GridState } from "../src/grid/types";
import { FakeModel } from "./fake_model";
import { head, messages } from "./sample_fixtures";

const tick = () => new Promise((r) => setTimeout(r, 0));

function panelOver(order: number[], whole = false) {
  const model = new FakeModel({ focused: -1, _sample_score_view: null, score_labels: {} } as unknown as GridState);
  const asked: [number, number][] = [];
  const query = {
    detail: async (row: number): Promise<DetailReply> => ({
      row,
      sample: { id: row },
      scores: [],
      // The whole sample, as when the row's log is on this machine.
      sample_view: whole
        ? { head: head({ id: row, message_count: 2 }), messages: messages(0, 2), revision: row }
        : null,
    }),
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

  it("keeps the focus in the panel, so [ and ] pressed again step on", async () => {
    const { panel, model } = panelOver([7, 2, 9, 4], true);
    document.body.append(panel.el);
    panel.open(7);
    await tick();
    const press = (key: string) =>
      (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true }));
    panel.el.querySelector<HTMLElement>(".el-sample")?.focus();
    press("]");
    await tick();
    expect(model.get("focused")).toBe(2);
    // The sample shown before is gone; the focus is in the new one, where its keys work.
    expect(document.activeElement).toBe(panel.el.querySelector(".el-sample"));
    press("]");
    await tick();
    expect(model.get("focused")).toBe(9);
    press("[");
    await tick();
    expect(model.get("focused")).toBe(2);
    // The panel's own button: the focus stays too.
    panel.el.querySelector<HTMLButtonElement>(".el-detail-step")?.focus();
    panel.el.querySelector<HTMLButtonElement>(".el-detail-step")?.click();
    await tick();
    expect(model.get("focused")).toBe(7);
    expect(panel.el.contains(document.activeElement)).toBe(true);
    panel.el.remove();
  });
});
