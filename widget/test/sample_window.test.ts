// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { Heights } from "../src/sample/heights";
import { MAX_CANVAS, physicalTop, virtualTop } from "../src/sample/scale";
import { MessageStore, PAGE } from "../src/sample/store";
import { answerMessages, closeAll, drawn, frame, head, messages, openWidget, sampleModel } from "./sample_fixtures";

afterEach(closeAll);

const COUNT = 100_000;

function big() {
  const model = sampleModel(head({ message_count: COUNT }), messages(0, 50), 1);
  const opened = openWidget(model);
  return { model, ...opened, scroller: opened.scroller! };
}

/** Scroll the messages to physical offset `top` as a user would. */
async function scrollTo(scroller: HTMLElement, top: number): Promise<void> {
  scroller.scrollTop = top;
  scroller.dispatchEvent(new Event("scroll"));
  await frame();
}

describe("Heights", () => {
  it("keeps offsets and finds the message at a pixel", () => {
    const hs = new Heights(10, 100);
    expect(hs.total).toBe(1000);
    expect(hs.offset(3)).toBe(300);
    expect(hs.indexAt(0)).toBe(0);
    expect(hs.indexAt(299)).toBe(2);
    expect(hs.indexAt(300)).toBe(3);
    expect(hs.indexAt(5000)).toBe(9);
    hs.set(1, 250, true);
    expect(hs.offset(3)).toBe(450);
    expect(hs.indexAt(349)).toBe(1);
    expect(hs.set(1, 80, false)).toBe(false); // an estimate never replaces a measurement
    expect(hs.get(1)).toBe(250);
  });

  it("maps scroll offsets beyond the canvas cap both ways", () => {
    const e = { total: 20_000_000, viewport: 500 };
    expect(virtualTop(physicalTop(12_345_678, e), e)).toBeCloseTo(12_345_678, 3);
    expect(physicalTop(e.total - e.viewport, e)).toBeCloseTo(MAX_CANVAS - e.viewport, 3);
  });
});

describe("MessageStore", () => {
  it("drops answers for another revision and lets far pages go", async () => {
    const replies: Record<number, number> = {};
    const store = new MessageStore(2, 10_000, messages(0, 50), async (offset, limit) => ({
      revision: replies[offset] ?? 2,
      offset,
      messages: messages(offset, offset + limit),
    }));
    replies[100] = 1;
    expect(await store.load(2)).toBe(false);
    expect(store.get(100)).toBeUndefined();
    expect(store.missing(100, 120)).not.toContain(2); // not asked again at once
    for (let p = 10; p < 30; p++) await store.load(p);
    store.evict(25 * PAGE, new Set([24, 25, 26]));
    expect(store.pageCount).toBeLessThanOrEqual(8);
    expect(store.get(25 * PAGE)).toBeDefined();
    expect(store.get(0)).toBeUndefined();
  });
});

describe("sample view windowing", () => {
  it("opens 100k messages from the first window with a bounded DOM", async () => {
    const { el, model } = big();
    const first = drawn(el);
    expect(first[0]).toBe(0);
    expect(first.length).toBeGreaterThan(3);
    expect(first.length).toBeLessThan(40);
    expect(el.querySelector('.el-sv-msg[data-index="0"]')?.textContent).toContain("message 1");
    // Only the page after the first is prefetched, nothing far away.
    expect(model.requests("messages").map((r) => r.offset)).toEqual([50]);
    expect(el.querySelector("[data-section='messages'] .el-sv-section-title")?.textContent).toBe("Messages (100,000)");
  });

  it("asks for the messages the user scrolls to, and draws them when they come", async () => {
    const { el, model, scroller } = big();
    const canvas = el.querySelector<HTMLElement>(".el-sv-canvas")!;
    expect(Number.parseFloat(canvas.style.height)).toBe(MAX_CANVAS);
    await scrollTo(scroller, (MAX_CANVAS - 480) / 2);
    const asked = model.requests("messages").slice(1);
    expect(asked.length).toBeGreaterThan(0);
    for (const r of asked) {
      expect(Number(r.offset) % PAGE).toBe(0);
      expect(Number(r.limit)).toBeLessThanOrEqual(500);
    }
    const visible = Number(asked[0].offset);
    expect(visible).toBeGreaterThan(48_000);
    expect(visible).toBeLessThan(52_000);
    const placeholders = el.querySelectorAll(".el-sv-placeholder").length;
    expect(placeholders).toBeGreaterThan(0);
    for (const r of asked) answerMessages(model, r, 1);
    await frame();
    const now = drawn(el);
    expect(now.length).toBeLessThan(40);
    expect(Math.min(...now)).toBeGreaterThan(48_000);
    const label = el.querySelector<HTMLElement>(`.el-sv-msg[data-index="${now[5]}"] .el-sv-num`)?.textContent;
    expect(label).toBe(`M${now[5] + 1}`);
    expect(el.querySelector(`.el-sv-msg[data-index="${now[5]}"]`)?.textContent).toContain(`message ${now[5] + 1}`);
  });

  it("keeps memory bounded while scrolling through the whole sample", async () => {
    const { el, model, scroller, view } = big();
    const answered = new Set<unknown>();
    for (let step = 1; step <= 12; step++) {
      await scrollTo(scroller, ((MAX_CANVAS - 480) * step) / 12);
      for (const r of model.requests("messages")) {
        if (answered.has(r)) continue;
        answerMessages(model, r, 1);
        answered.add(r);
      }
      await frame();
      expect(el.querySelectorAll(".el-sv-msg").length).toBeLessThan(40);
      expect(view.sample.pagesHeld).toBeLessThanOrEqual(8);
    }
    expect(answered.size).toBeGreaterThan(12);
    expect(drawn(el)).toContain(COUNT - 1);
  });

  it("ignores answers for an earlier revision", async () => {
    const { el, model, scroller } = big();
    await scrollTo(scroller, (MAX_CANVAS - 480) / 2);
    const stale = model.requests("messages").slice(1);
    // Python shows another sample: head, first messages and revision change together.
    model.emit("_head", head({ id: 8, message_count: COUNT }));
    model.emit("_initial_messages", messages(0, 50, "second "));
    model.emit("_revision", 2);
    await frame();
    expect(el.querySelector(".el-sv-title")?.textContent).toBe("Sample 8");
    for (const r of stale) answerMessages(model, r, 1, "stale ");
    await frame();
    expect(el.textContent).not.toContain("stale");
    expect(el.querySelector('.el-sv-msg[data-index="0"]')?.textContent).toContain("second message 1");
    // An answer to the new sample's own request, but still of the old revision: dropped too.
    await scrollTo(scroller, (MAX_CANVAS - 480) / 3);
    const fresh = model.requests("messages").filter((r) => !stale.includes(r) && Number(r.offset) > 1000);
    expect(fresh.length).toBeGreaterThan(0);
    for (const r of fresh) answerMessages(model, r, 1, "stale ");
    await frame();
    expect(el.textContent).not.toContain("stale");
    expect(el.querySelectorAll(".el-sv-placeholder").length).toBeGreaterThan(0);
  });
});
