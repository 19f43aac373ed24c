// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { ScanEntry } from "../src/sample/types";
import { closeAll, head, openWidget, sampleModel } from "./sample_fixtures";

afterEach(closeAll);

const scan: ScanEntry = {
  name: "scan_answer_check",
  value: true,
  answer: "gives the expected number",
  explanation: "The question is stated in [M1].",
  metadata: { confidence: 0.91, rubric_version: "v2", note: "checked twice", label: "deception" },
  sections: [
    { kind: "value" },
    { kind: "explanation", label: "Rationale" },
    { kind: "metadata_key", key: "confidence", label: "Confidence", collapsed: false },
    { kind: "metadata_key", key: "note", label: null, collapsed: true },
    { kind: "label" },
    { kind: "answer" },
    { kind: "metadata", hidden_keys: ["confidence", "note", "rubric_version"] },
    { kind: "validation" },
  ],
};

describe("scans", () => {
  it("draws each scan's sections in the resolved order, skipping empty ones", () => {
    const { el } = openWidget(sampleModel(head({ message_count: 1, scans: [scan] }), []));
    const card = el.querySelector<HTMLElement>("[data-section='scans'] .el-sv-scan")!;
    const blocks = [...card.querySelectorAll<HTMLElement>(".el-sv-block")];
    expect(blocks.map((b) => b.dataset.key ?? b.dataset.kind)).toEqual([
      "value",
      "explanation",
      "confidence",
      "note",
      "label",
      "answer",
      "metadata",
    ]);
    const titles = blocks.map((b) => b.querySelector(".el-sv-block-title")?.textContent);
    expect(titles).toEqual(["Value", "Rationale", "Confidence", "note", "Label", "Answer", "Metadata"]);
    expect(blocks[3].tagName).toBe("DETAILS"); // collapsed
    expect(blocks[2].tagName).toBe("DIV");
    expect(blocks[2].textContent).toContain("0.91");
    expect(blocks[4].textContent).toContain("deception");
    // The generic dump leaves out what was promoted or excluded.
    const dump = blocks[6].textContent ?? "";
    expect(dump).toContain("label");
    expect(dump).not.toContain("rubric_version");
    expect(dump).not.toContain("checked twice");
    expect(dump).not.toContain("confidence");
    expect(blocks[1].querySelector(".el-sv-cite")?.textContent).toBe("M1");
  });

  it("lays three or more scores out as the view says, each in full", () => {
    const scores = ["b", "a", "c"].map((name, i) => ({
      name,
      value: i,
      answer: `answer ${name}`,
      explanation: `because ${name}`,
      metadata: { k: name },
    }));
    const { el } = openWidget(
      sampleModel(head({ scores, sample_score_view: { default: "grid", sort: { column: "name", dir: "asc" } } }), []),
    );
    const scoring = el.querySelector<HTMLElement>("[data-section='scoring']")!;
    expect(scoring.querySelector(".el-detail-scores")?.getAttribute("data-layout")).toBe("grid");
    expect([...scoring.querySelectorAll(".el-score-name")].map((n) => n.textContent)).toEqual(["a", "b", "c"]);
    const cards = [...scoring.querySelectorAll<HTMLElement>(".el-sv-score")];
    expect(cards.map((c) => c.dataset.score)).toEqual(["a", "b", "c"]);
    expect(cards[0].textContent).toContain("answer a");
    expect(cards[0].textContent).toContain("because a");
    expect(cards[0].querySelector("details")?.textContent).toContain("Metadata");
    expect(el.querySelector("[data-section='messages']")).toBeNull(); // no messages, no section
  });

  it("shows metadata, info, error and limit when present", () => {
    const { el } = openWidget(
      sampleModel(
        head({
          metadata: { difficulty: "hard", tags: ["a", "b"] },
          info: {
            model_usage: { "mockllm/model": { input_tokens: 1200, output_tokens: 30, total_tokens: 1230 } },
            total_time: 75,
            working_time: 4.2,
            retries: 1,
            total_tokens: 1230,
          },
          error: { message: "RuntimeError: boom", traceback: "Traceback (most recent call last):\n  ..." },
          limit: { type: "token", limit: 10000 },
        }),
        [],
      ),
    );
    const text = (name: string) => el.querySelector(`[data-section='${name}']`)?.textContent ?? "";
    expect(text("metadata")).toContain("difficulty");
    expect(text("metadata")).toContain('"a"');
    expect(text("info")).toContain("1,200");
    expect(text("info")).toContain("1m 15s");
    expect(text("info")).toContain("4.2 s");
    expect(text("error")).toContain("RuntimeError: boom");
    expect(el.querySelector<HTMLDetailsElement>("[data-section='error'] details")?.open).toBe(false);
    expect(text("limit")).toBe("Limittoken limit reached (10,000)");
  });
});
