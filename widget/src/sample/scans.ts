// The Scans section: each scanner's result drawn section by section, in the order the kernel
// resolved from the log's scanner_result_view (Inspect's ScannerResultView). A section with
// nothing to show is left out.
import { h } from "../shared/model";
import { valueText } from "../shared/scores";
import { fieldList, titled, valueBlock } from "./blocks";
import { plainText, richText, type TextContext, textEl } from "./text";
import type { ScanEntry, Section } from "./types";

const TITLES: Record<string, string> = {
  explanation: "Explanation",
  label: "Label",
  value: "Value",
  validation: "Validation",
  answer: "Answer",
  metadata: "Metadata",
};

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== "";
}

/** A field of the result itself, else of its metadata (scanners put `label` and
 * `validation` in either, depending on how the result reached the log). */
function field(scan: ScanEntry, name: string): unknown {
  const own = (scan as unknown as Record<string, unknown>)[name];
  return present(own) ? own : scan.metadata?.[name];
}

function sectionBody(scan: ScanEntry, s: Section, ctx: TextContext): HTMLElement | null {
  switch (s.kind) {
    case "explanation":
      return scan.explanation ? richText(scan.explanation, ctx) : null;
    case "answer":
      return scan.answer ? textEl("div", "el-sv-value", scan.answer, ctx.trust) : null;
    case "value":
      return present(scan.value) ? valueBlock(scan.value, ctx.trust) : null;
    case "label":
    case "validation": {
      const v = field(scan, s.kind);
      return present(v) ? valueBlock(v, ctx.trust) : null;
    }
    case "metadata": {
      const hidden = new Set(s.hidden_keys ?? []);
      const entries = Object.entries(scan.metadata ?? {}).filter(([k]) => !hidden.has(k));
      return entries.length ? fieldList(entries, ctx.trust) : null;
    }
    case "metadata_key": {
      const v = scan.metadata?.[s.key];
      return present(v) ? valueBlock(v, ctx.trust) : null;
    }
    default:
      return null;
  }
}

function sectionTitle(s: Section, trust: boolean): Node {
  if (s.kind === "metadata_key") return plainText(s.label || s.key, trust);
  return plainText(s.label || TITLES[s.kind] || s.kind, trust);
}

function scanCard(scan: ScanEntry, ctx: TextContext): HTMLElement {
  const card = h("div", "el-sv-scan");
  card.dataset.scan = scan.name;
  const head = h("div", "el-sv-score-head");
  head.append(textEl("span", "el-sv-score-name", scan.name, ctx.trust));
  if (present(scan.value)) head.append(textEl("span", "el-sv-score-value", valueText(scan.value), ctx.trust));
  card.append(head);
  for (const s of scan.sections ?? []) {
    const body = sectionBody(scan, s, ctx);
    if (!body) continue;
    const block = titled(sectionTitle(s, ctx.trust), !!s.collapsed, body);
    block.dataset.kind = s.kind;
    if (s.kind === "metadata_key") block.dataset.key = s.key;
    card.append(block);
  }
  return card;
}

export function renderScans(scans: ScanEntry[], ctx: TextContext): HTMLElement {
  const wrap = h("div", "el-sv-scans");
  for (const scan of scans) wrap.append(scanCard(scan, ctx));
  return wrap;
}
