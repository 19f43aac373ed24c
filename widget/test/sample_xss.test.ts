// @vitest-environment jsdom
// Untrusted text through every path the sample view draws: nothing may become markup that
// runs script, loads from elsewhere or links to anything but http(s).
import { afterEach, describe, expect, it } from "vitest";
import type { Message } from "../src/sample/types";
import { closeAll, head, message, openWidget, sampleModel } from "./sample_fixtures";

afterEach(() => {
  closeAll();
  globalThis.__pwned = undefined;
});

const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  "<script>window.__pwned=2</script>",
  "[x](javascript:window.__pwned=3)",
  '<a href="javascript:window.__pwned=4">a</a>',
  "![y](javascript:window.__pwned=5)",
  "<javascript:window.__pwned=6>",
  "[z]( JAVASCRIPT:window.__pwned=7)",
  "[e](&#106;avascript:window.__pwned=8)",
  '<svg onload="window.__pwned=9"></svg><iframe src="javascript:window.__pwned=10"></iframe>',
  "$\\href{javascript:window.__pwned=11}{x}$ $$\\url{javascript:window.__pwned=12}$$",
  "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
];
const EVIL = PAYLOADS.join("\n\n");

function evilMessages(): Message[] {
  return [
    message(0, { role: "user", parts: [{ type: "text", text: EVIL }], model: EVIL }),
    message(1, {
      role: "assistant",
      parts: [
        { type: "reasoning", text: EVIL, redacted: false },
        { type: "text", text: EVIL },
        { type: "image", src: "javascript:window.__pwned=13", alt: EVIL },
        { type: "image", src: 'data:image/png;base64,x" onerror="window.__pwned=14', alt: EVIL },
        { type: "other", text: EVIL },
      ],
      tool_calls: [{ id: EVIL, function: EVIL, arguments: EVIL, result_index: 2 }],
    }),
    message(2, {
      role: "tool",
      parts: [{ type: "text", text: EVIL }],
      tool_call_id: EVIL,
      function: EVIL,
      call_arguments: EVIL,
      error: EVIL,
    }),
  ];
}

function open(trust: boolean) {
  const score = { name: EVIL, value: EVIL, answer: EVIL, explanation: EVIL, metadata: { [EVIL]: EVIL } };
  const model = sampleModel(
    head({
      id: EVIL,
      task: EVIL,
      model: EVIL,
      target: [EVIL, EVIL],
      trust_content: trust,
      message_count: 3,
      scores: [score, { ...score, name: "b" }, { ...score, name: "c" }],
      sample_score_view: { default: "grid" },
      scans: [
        {
          ...score,
          metadata: { [EVIL]: EVIL, label: EVIL, validation: EVIL, promoted: EVIL },
          sections: [
            { kind: "explanation", label: EVIL },
            { kind: "label" },
            { kind: "validation" },
            { kind: "value" },
            { kind: "answer" },
            { kind: "metadata_key", key: "promoted", label: EVIL, collapsed: false },
            { kind: "metadata", hidden_keys: [] },
          ],
        },
      ],
      metadata: { [EVIL]: EVIL, nested: { [EVIL]: [EVIL] } },
      info: {
        model_usage: { [EVIL]: { input_tokens: 1, output_tokens: 2, total_tokens: 3 } },
        total_time: 1,
        working_time: 1,
        retries: 0,
        total_tokens: 3,
      },
      error: { message: EVIL, traceback: EVIL },
      limit: { type: EVIL, limit: 1 },
    }),
    evilMessages(),
  );
  const { el } = openWidget(model);
  // Open every fold, so content drawn on opening (reasoning) is drawn too.
  for (const d of el.querySelectorAll("details")) {
    d.open = true;
    d.dispatchEvent(new Event("toggle"));
  }
  return el;
}

function expectInert(el: HTMLElement): void {
  expect(el.querySelector("script, iframe, svg, object, embed, style, link, form, input")).toBeNull();
  for (const node of el.querySelectorAll("*")) {
    for (const attr of node.attributes) {
      expect(attr.name.startsWith("on"), `${node.tagName} ${attr.name}`).toBe(false);
      // Text in alt or data-* attributes is inert; attributes that load or navigate are not.
      if (["href", "src", "xlink:href", "action", "formaction", "style"].includes(attr.name)) {
        expect(attr.value, `${node.tagName} ${attr.name}`).not.toMatch(/javascript:|data:text/i);
      }
    }
  }
  for (const a of el.querySelectorAll("[href]")) expect(a.getAttribute("href")).toMatch(/^https?:\/\//);
  for (const img of el.querySelectorAll("img")) expect(img.getAttribute("src")).toMatch(/^data:image\//);
  expect(globalThis.__pwned).toBeUndefined();
}

describe("hostile content", () => {
  it("stays inert when trusted (markdown and math on)", async () => {
    const el = open(true);
    await new Promise((r) => setTimeout(r, 20));
    expectInert(el);
    // The markup shows as text.
    expect(el.textContent).toContain("<script>window.__pwned=2</script>");
    expect(el.querySelector(".el-sv-md")).not.toBeNull();
  });

  it("stays inert when untrusted (plain text)", async () => {
    const el = open(false);
    await new Promise((r) => setTimeout(r, 20));
    expectInert(el);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain('<img src=x onerror="window.__pwned=1">');
  });
});
