// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { splitCitations } from "../src/sample/citations";
import { answerMessages, closeAll, frame, head, messages, openWidget, sampleModel } from "./sample_fixtures";

afterEach(closeAll);

const COUNT = 100_000;

function open(explanation: string) {
  const model = sampleModel(
    head({
      message_count: COUNT,
      scores: [{ name: "judge", value: "C", answer: null, explanation, metadata: null }],
    }),
    messages(0, 50),
  );
  const opened = openWidget(model);
  return { model, ...opened, scroller: opened.scroller! };
}

const cite = (el: HTMLElement, label: string) =>
  [...el.querySelectorAll<HTMLButtonElement>("[data-section='scoring'] .el-sv-cite")].find(
    (b) => b.textContent === label,
  )!;

describe("citations", () => {
  it("splits single, listed and ranged citations", () => {
    expect(splitCitations("see [M2] and [M3, M5] or [M4-M6]")).toEqual([
      "see [",
      { index: 1, label: "M2" },
      "] and [",
      { index: 2, label: "M3" },
      ", ",
      { index: 4, label: "M5" },
      "] or [",
      { index: 3, label: "M4" },
      "-",
      { index: 5, label: "M6" },
      "]",
    ]);
    expect(splitCitations("[x] [M] M2 [m2]")).toEqual(["[x] [M] M2 [m2]"]);
  });

  it("scrolls to a cited message on hand and flashes it", async () => {
    const { el, scroller } = open("The answer is in [M30]; see also [M2].");
    const button = cite(el, "M30");
    expect(button).toBeDefined();
    expect(el.querySelector("[data-section='scoring'] .el-sv-md")?.textContent).toContain("The answer is in [M30]");
    button.click();
    const target = el.querySelector<HTMLElement>('.el-sv-msg[data-index="29"]')!;
    expect(target.classList.contains("el-sv-flash")).toBe(true);
    expect(scroller.scrollTop).toBeGreaterThan(0);
    // The cited message is at the top of what is drawn on screen (the rest is overscan).
    const layer = el.querySelector<HTMLElement>(".el-sv-layer")!;
    expect(layer.style.transform).toMatch(/translateY/);
    await frame();
    expect(el.querySelector('.el-sv-msg[data-index="29"]')).not.toBeNull();
  });

  it("fetches a cited message not on hand, then flashes it", async () => {
    const { el, model } = open("Evidence: [M40000].");
    cite(el, "M40000").click();
    const asked = model.requests("messages").find((r) => r.offset === 39_950);
    expect(asked).toBeDefined();
    expect(el.querySelector('.el-sv-placeholder[data-index="39999"]')).not.toBeNull();
    answerMessages(model, asked!, 1);
    await frame();
    const target = el.querySelector<HTMLElement>('.el-sv-msg[data-index="39999"]')!;
    expect(target.textContent).toContain("message 40000");
    expect(target.classList.contains("el-sv-flash")).toBe(true);
  });

  it("leaves citations beyond the sample as text, and cites in message text too", () => {
    const model = sampleModel(head({ message_count: 3 }), [
      ...messages(0, 2),
      { ...messages(2, 3)[0], parts: [{ type: "text", text: "As I said in [M1]." }] },
    ]);
    const { el } = openWidget(model);
    const inMessage = el.querySelector<HTMLButtonElement>('.el-sv-msg[data-index="2"] .el-sv-cite')!;
    expect(inMessage.textContent).toBe("M1");
    inMessage.click();
    expect(el.querySelector('.el-sv-msg[data-index="0"]')?.classList.contains("el-sv-flash")).toBe(true);
    const { el: other } = open("Nothing at [M200000].");
    expect(other.querySelector("[data-section='scoring'] .el-sv-cite")).toBeNull();
    expect(other.querySelector(".el-sv-cite-missing")?.textContent).toBe("M200000");
  });
});
