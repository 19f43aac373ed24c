// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { Trace } from "../src/shared/trace";

/** The marks published on `el` once the next frame has run. */
async function published(el: HTMLElement): Promise<Record<string, number>> {
  await new Promise((resolve) => requestAnimationFrame(resolve));
  await new Promise((resolve) => requestAnimationFrame(resolve));
  return JSON.parse(el.dataset.trace ?? "{}");
}

describe("Trace", () => {
  it("follows a press through the kernel to the frame that paints its rows", async () => {
    const el = document.createElement("div");
    const trace = new Trace(el);
    trace.start("pointerdown", 10);
    trace.next("click", "pointerdown");
    trace.mark("sent");
    trace.received();
    trace.kernel({ received: performance.timeOrigin + 12, rows: performance.timeOrigin + 20 });
    trace.drawn();
    const marks = await published(el);
    expect(Object.keys(marks)).toEqual([
      "pointerdown",
      "click",
      "sent",
      "received",
      "kernel_received",
      "kernel_rows",
      "drawn",
      "frame",
    ]);
    expect(marks.pointerdown).toBe(10);
    expect(marks.kernel_received).toBeCloseTo(12, 3); // the kernel's epoch ms on the page's clock
    expect(marks.frame).toBeGreaterThanOrEqual(marks.drawn);
  });

  it("starts anew for rows nobody here asked for, and for a header activated by keyboard", async () => {
    const el = document.createElement("div");
    const trace = new Trace(el);
    trace.start("pointerdown", 1); // a press that became a drag: nothing was sent
    trace.received(); // a linked chart's rows
    trace.drawn();
    expect(Object.keys(await published(el))).toEqual(["received", "drawn", "frame"]);
    trace.next("click", "pointerdown"); // Enter on a header: no press before it
    trace.mark("sent");
    trace.received();
    trace.drawn();
    expect(Object.keys(await published(el))).toEqual(["click", "sent", "received", "drawn", "frame"]);
  });

  it("notes the kernel's confirmation of rows shown ahead of it on the same action", async () => {
    const el = document.createElement("div");
    const trace = new Trace(el);
    trace.start("pointerdown", 1);
    trace.mark("sent");
    trace.received();
    trace.drawn(); // a preview's rows
    trace.awaitConfirm();
    trace.received(); // the refresh that makes the sort
    trace.drawn();
    const marks = await published(el);
    expect(Object.keys(marks).sort()).toEqual(["confirmed", "drawn", "frame", "pointerdown", "received", "sent"]);
    expect(marks.confirmed).toBeGreaterThanOrEqual(marks.drawn);
  });
});
