import { describe, expect, it } from "vitest";
import { formatCell, formatDuration, formatNumber, headerLabel, inputText } from "../src/grid/format";
import type { ColumnDef } from "../src/grid/types";

const num: ColumnDef = { id: "tokens", field: "total_tokens", label: "Tokens", kind: "number" };
const dur: ColumnDef = { id: "duration", field: "total_time", label: "Duration", kind: "duration" };

describe("formatting", () => {
  it("shows missing values as blank", () => {
    expect(formatCell(null, num)).toBe("");
    expect(formatCell(NaN, num)).toBe("");
    expect(formatCell(Infinity, num)).toBe("");
  });
  it("formats numbers compactly", () => {
    expect(formatNumber(12345)).toBe("12,345");
    expect(formatNumber(7)).toBe("7");
    expect(formatNumber(0.123456)).toBe("0.123");
    expect(formatNumber(3.5)).toBe("3.5");
  });
  it("formats durations", () => {
    expect(formatDuration(4.25)).toBe("4.3 s");
    expect(formatDuration(125)).toBe("2m 5s");
    expect(formatCell(125, dur)).toBe("2m 5s");
  });
  it("passes text through untouched (rendered with textContent)", () => {
    const text: ColumnDef = { id: "input", field: "input", label: "Input", kind: "text" };
    expect(formatCell("<img src=x onerror=alert(1)>", text)).toBe("<img src=x onerror=alert(1)>");
  });
});

describe("numbers in their column's format", () => {
  const id: ColumnDef = {
    id: "sampleId",
    field: "id",
    label: "Id",
    kind: "id",
    format: { notation: "fixed", digits: 0 },
    chars: 16,
  };
  const tokens: ColumnDef = { ...num, format: { notation: "fixed", digits: 0 } };
  const judge: ColumnDef = {
    id: "judge",
    field: "score_judge",
    label: "judge",
    kind: "number",
    format: { notation: "fixed", digits: 2 },
  };
  const tiny: ColumnDef = {
    id: "p",
    field: "p",
    label: "p",
    kind: "number",
    format: { notation: "scientific", digits: 2 },
  };

  it("shows ids whole: no separators, every digit even beyond 2**53", () => {
    expect(formatCell(225123, id)).toBe("225123");
    expect(formatCell(9007199254740993n, id)).toBe("9007199254740993");
    expect(formatCell(-9223372036854775808n, id)).toBe("-9223372036854775808");
  });
  it("groups thousands in other integer columns from five digits on", () => {
    expect(formatCell(1234, tokens)).toBe("1234");
    expect(formatCell(12345, tokens)).toBe("12,345");
    expect(formatCell(9007199254740993n, tokens)).toBe("9,007,199,254,740,993");
  });
  it("uses one notation per column: fixed with at most its digits, or scientific for every value", () => {
    expect([1, 5, 5.5, 10].map((v) => formatCell(v, judge))).toEqual(["1", "5", "5.5", "10"]);
    expect(formatCell(0.125, judge)).toBe("0.13");
    expect([9.17e-7, 1.2e-6, 0.5].map((v) => formatCell(v, tiny))).toEqual(["9.17e-7", "1.20e-6", "5.00e-1"]);
    expect(formatCell(0, tiny)).toBe("0");
  });
});

describe("input cells", () => {
  const input: ColumnDef = { id: "input", field: "input", label: "Input", kind: "text" };
  it("show the text without the transcript's role header lines", () => {
    expect(formatCell("user:\nWhat is 2 + 2?\n", input)).toBe("What is 2 + 2?");
    expect(inputText("system:\nBe brief.\n\n\nuser:\nWhat is 2 + 2?\n")).toBe("Be brief.\n\nWhat is 2 + 2?");
    expect(inputText("assistant:\nSure.\n\ntool:\n4\n")).toBe("Sure.\n\n4");
  });
  it("keep lines that only start with a role, and other columns' text as it is", () => {
    expect(inputText("user: hi\nuser:x")).toBe("user: hi\nuser:x");
    const target: ColumnDef = { id: "target", field: "target", label: "Target", kind: "text" };
    expect(formatCell("user:\n4", target)).toBe("user:\n4");
  });
});

describe("header labels", () => {
  const score = (name: string): ColumnDef => ({
    id: `score__${name}__${name}`,
    field: `score_${name}`,
    label: name,
    kind: "score",
    score: { scorer: name, name, type: "numeric", min: 0, max: 1, categories: null },
  });
  it("head a lone score column 'Score', whatever the labels say", () => {
    const only = { ...score("model_graded_fact"), label: "Score" };
    expect(headerLabel(only, { model_graded_fact: "Fact" }, 1)).toBe("Score");
  });
  it("let score_labels rename scores when there are several", () => {
    expect(headerLabel(score("judge"), { judge: "Judge score" }, 2)).toBe("Judge score");
    expect(headerLabel(score("match"), { judge: "Judge score" }, 2)).toBe("match");
  });
});
