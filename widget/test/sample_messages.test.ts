// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { NAV_EVENT, SampleViewEl } from "../src/sample/element";
import { closeAll, head, message, openWidget, sampleModel } from "./sample_fixtures";

afterEach(closeAll);

const PNG = "data:image/png;base64,iVBORw0KGgo=";

function chat() {
  return [
    message(0, { role: "system", parts: [{ type: "text", text: "You are helpful." }] }),
    message(1, { role: "user", parts: [{ type: "text", text: "What is 6 × 7?" }] }),
    message(2, {
      role: "assistant",
      model: "mockllm/model",
      parts: [
        { type: "reasoning", text: "secret chain of thought", redacted: false },
        { type: "text", text: "Let me compute." },
      ],
      tool_calls: [{ id: "call_1", function: "python", arguments: '{\n  "code": "print(6*7)"\n}', result_index: 3 }],
    }),
    message(3, {
      role: "tool",
      parts: [{ type: "text", text: "42" }],
      tool_call_id: "call_1",
      function: "python",
      call_arguments: '{\n  "code": "print(6*7)"\n}',
    }),
    message(4, {
      role: "user",
      parts: [
        { type: "image", src: PNG, alt: "chart" },
        { type: "image", src: "https://example.com/x.png", alt: "remote" },
      ],
    }),
  ];
}

describe("sample view messages", () => {
  it("numbers messages M1, M2, … with their roles", () => {
    const { el } = openWidget(sampleModel(head({ message_count: 5 }), chat()));
    const msgs = [...el.querySelectorAll<HTMLElement>(".el-sv-msg")];
    expect(msgs.map((m) => m.querySelector(".el-sv-num")?.textContent)).toEqual(["M1", "M2", "M3", "M4", "M5"]);
    expect(msgs.map((m) => m.querySelector(".el-sv-role")?.textContent)).toEqual([
      "system",
      "user",
      "assistant",
      "tool",
      "user",
    ]);
    expect(msgs[2].classList.contains("el-sv-role-assistant")).toBe(true);
    expect(msgs[2].querySelector(".el-sv-model")?.textContent).toBe("mockllm/model");
  });

  it("folds reasoning away until opened", () => {
    const { el } = openWidget(sampleModel(head({ message_count: 5 }), chat()));
    const details = el.querySelector<HTMLDetailsElement>(".el-sv-reasoning");
    expect(details).not.toBeNull();
    expect(details?.open).toBe(false);
    expect(details?.querySelector("summary")?.textContent).toBe("Reasoning");
    expect(details?.textContent).not.toContain("secret chain of thought");
    details!.open = true;
    details!.dispatchEvent(new Event("toggle"));
    expect(details?.textContent).toContain("secret chain of thought");
  });

  it("pairs tool calls with their results, both ways", () => {
    const { el, scroller } = openWidget(sampleModel(head({ message_count: 5 }), chat()));
    const call = el.querySelector<HTMLElement>('[data-index="2"] .el-sv-call')!;
    expect(call.querySelector(".el-sv-function")?.textContent).toBe("python");
    expect(call.querySelector(".el-sv-args")?.textContent).toBe('{\n  "code": "print(6*7)"\n}');
    const toResult = call.querySelector<HTMLButtonElement>(".el-sv-jump")!;
    expect(toResult.textContent).toBe("→ result in M4");
    const answers = el.querySelector<HTMLElement>('[data-index="3"] .el-sv-answers')!;
    expect(answers.textContent).toContain("Result of python");
    expect(answers.querySelector(".el-sv-call-args")?.textContent).toContain("print(6*7)");
    expect(answers.querySelector(".el-sv-jump")?.textContent).toBe("← call in M3");
    toResult.click();
    const result = el.querySelector<HTMLElement>('.el-sv-msg[data-index="3"]')!;
    expect(result.classList.contains("el-sv-flash")).toBe(true);
    expect(scroller!.scrollTop).toBeGreaterThan(0);
  });

  it("shows inline data: images and refuses any other source", () => {
    const { el } = openWidget(sampleModel(head({ message_count: 5 }), chat()));
    const imgs = [...el.querySelectorAll<HTMLImageElement>('[data-index="4"] img')];
    expect(imgs.length).toBe(1);
    expect(imgs[0].getAttribute("src")).toBe(PNG);
    expect(imgs[0].alt).toBe("chart");
    expect(el.querySelector('img[src^="http"]')).toBeNull();
    expect(el.querySelector('[data-index="4"]')?.textContent).toContain("[image not shown");
  });

  it("starts long messages collapsed, drawn only in part, with show more", () => {
    const long = `${"word ".repeat(2000)}THE END`;
    const { el } = openWidget(
      sampleModel(head({ message_count: 1 }), [
        message(0, { parts: [{ type: "text", text: long }], chars: long.length }),
      ]),
    );
    const body = el.querySelector<HTMLElement>(".el-sv-msg-body")!;
    expect(body.classList.contains("el-sv-clamped")).toBe(true);
    expect(body.textContent).not.toContain("THE END");
    const more = el.querySelector<HTMLButtonElement>(".el-sv-more")!;
    expect(more.textContent).toContain("Show more");
    more.click();
    expect(el.querySelector(".el-sv-msg-body")?.textContent).toContain("THE END");
    expect(el.querySelector(".el-sv-more")?.textContent).toBe("Show less");
  });

  it("moves between messages with j/k and arrows, and asks the host for other samples", () => {
    const fetchMessages = vi.fn();
    const onNavigate = vi.fn();
    const view = new SampleViewEl({
      head: head({ message_count: 5 }),
      messages: chat(),
      revision: 1,
      fetchMessages,
      navigation: true,
      onNavigate,
    });
    document.body.append(view.el);
    const events: number[] = [];
    document.body.addEventListener(NAV_EVENT, (e) => events.push((e as CustomEvent<{ dir: number }>).detail.dir));
    const key = (k: string) => view.el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    const current = () => view.el.querySelector<HTMLElement>(".el-sv-current")?.dataset.index;
    key("j");
    expect(current()).toBe("0");
    key("j");
    key("ArrowDown");
    expect(current()).toBe("2");
    key("k");
    expect(current()).toBe("1");
    key("ArrowUp");
    expect(current()).toBe("0");
    key("]");
    key("p");
    expect(events).toEqual([1, -1]);
    expect(onNavigate.mock.calls).toEqual([[1], [-1]]);
    const [prev, next] = view.el.querySelectorAll<HTMLButtonElement>(".el-sv-nav");
    expect(prev.hidden).toBe(false);
    next.click();
    expect(events).toEqual([1, -1, 1]);
    view.setNavigation({ previous: false, next: true });
    expect(prev.disabled).toBe(true);
    view.setNavigation(null);
    expect(next.hidden).toBe(true);
    expect(fetchMessages).not.toHaveBeenCalled();
    view.dispose();
  });
});
