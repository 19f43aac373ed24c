// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { closeAll, head, message, openWidget, sampleModel } from "./sample_fixtures";

afterEach(closeAll);

const HIDDEN = "pay\u200Bpal \u202Eevil\u202C \u{E0041}";

describe("untrusted content (trust_content false)", () => {
  function open() {
    const model = sampleModel(
      head({
        trust_content: false,
        message_count: 2,
        scores: [{ name: "judge", value: 1, answer: null, explanation: "**not bold** see [M1]", metadata: null }],
        metadata: { [`key${"\u2066"}`]: HIDDEN },
      }),
      [
        message(0, { parts: [{ type: "text", text: `**not bold** $x^2$ [link](https://example.com) ${HIDDEN}` }] }),
        message(1, {
          role: "assistant",
          parts: [
            { type: "image", src: "data:image/png;base64,iVBORw0KGgo=", alt: "chart" },
            { type: "text", text: "done" },
          ],
        }),
      ],
    );
    return openWidget(model).el;
  }

  it("shows text as text: no markdown, no math, no links", () => {
    const el = open();
    const first = el.querySelector<HTMLElement>('.el-sv-msg[data-index="0"] .el-sv-plain')!;
    expect(first.textContent).toContain("**not bold** $x^2$ [link](https://example.com)");
    expect(el.querySelector("strong, em, math, a")).toBeNull();
    expect(el.querySelector(".el-sv-md")).toBeNull();
    expect(el.querySelector(".el-sv-untrusted")).not.toBeNull();
  });

  it("makes invisible and bidi-control characters visible", () => {
    const el = open();
    const badges = [...el.querySelectorAll('.el-sv-msg[data-index="0"] .el-sv-invisible')].map((b) => b.textContent);
    expect(badges).toEqual(["⟨U+200B⟩", "⟨U+202E⟩", "⟨U+202C⟩", "⟨U+E0041⟩"]);
    const meta = el.querySelector("[data-section='metadata']")!;
    expect([...meta.querySelectorAll(".el-sv-invisible")].map((b) => b.textContent)).toContain("⟨U+2066⟩");
    expect(meta.textContent).not.toContain("\u200B");
  });

  it("withholds images and keeps citations working", () => {
    const el = open();
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector('.el-sv-msg[data-index="1"]')?.textContent).toContain(
      "[image withheld: untrusted content]",
    );
    const cite = el.querySelector<HTMLButtonElement>("[data-section='scoring'] .el-sv-cite")!;
    expect(cite.textContent).toBe("M1");
    cite.click();
    expect(el.querySelector('.el-sv-msg[data-index="0"]')?.classList.contains("el-sv-flash")).toBe(true);
  });
});
