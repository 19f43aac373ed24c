// The sample's smaller sections: its identity (task, model, id, epoch, target), metadata,
// info (tokens per model, times, retries), error (traceback folded) and limit. Text only.
import { h } from "../shared/model";
import { formatDuration, formatNumber } from "../shared/numbers";
import { fieldList, titled } from "./blocks";
import { textEl } from "./text";
import type { ModelUsage, SampleHead, SampleInfo } from "./types";

/** Token counts first in this order; any other counters the provider reports follow. */
const USAGE_ORDER = ["input_tokens", "output_tokens", "total_tokens"];

/** Token counts grouped by thousands at any size ("1,230"). */
function count(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString("en-US") : formatNumber(v);
}

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== "";
}

export function renderSummary(head: SampleHead): HTMLElement {
  const entries: [string, unknown][] = [];
  const add = (key: string, v: unknown) => {
    if (present(v)) entries.push([key, v]);
  };
  add("task", head.task);
  add("model", head.model);
  add("id", head.id);
  if (head.epoch > 1) add("epoch", head.epoch);
  add("target", Array.isArray(head.target) ? head.target.join("\n") : head.target);
  const dl = fieldList(entries, head.trust_content);
  dl.classList.add("el-sv-summary");
  return dl;
}

export function renderMetadata(metadata: Record<string, unknown>, trust: boolean): HTMLElement {
  return fieldList(Object.entries(metadata), trust);
}

function usageTable(usage: Record<string, ModelUsage>, trust: boolean): HTMLElement {
  const keys = new Set<string>();
  for (const u of Object.values(usage)) {
    for (const [k, v] of Object.entries(u ?? {})) if (typeof v === "number") keys.add(k);
  }
  const columns = [
    ...USAGE_ORDER.filter((k) => keys.has(k)),
    ...[...keys].filter((k) => !USAGE_ORDER.includes(k)).sort(),
  ];
  const table = h("table", "el-sv-usage");
  const head = h("tr");
  head.append(h("th", "", "Model"));
  for (const c of columns) head.append(textEl("th", "", c.replace(/_/g, " "), trust));
  table.append(head);
  for (const [model, u] of Object.entries(usage)) {
    const tr = h("tr");
    tr.append(textEl("td", "", model, trust));
    for (const c of columns) {
      const v = u?.[c];
      tr.append(h("td", "el-sv-num-cell", typeof v === "number" ? count(v) : ""));
    }
    table.append(tr);
  }
  return table;
}

/** Null when the info holds nothing to show. */
export function renderInfo(info: SampleInfo, trust: boolean): HTMLElement | null {
  const wrap = h("div", "el-sv-info");
  if (info.model_usage && Object.keys(info.model_usage).length) wrap.append(usageTable(info.model_usage, trust));
  const entries: [string, unknown][] = [];
  if (typeof info.total_tokens === "number") entries.push(["total tokens", count(info.total_tokens)]);
  if (typeof info.total_time === "number") entries.push(["total time", formatDuration(info.total_time)]);
  if (typeof info.working_time === "number") entries.push(["working time", formatDuration(info.working_time)]);
  if (typeof info.retries === "number") entries.push(["retries", info.retries]);
  if (entries.length) wrap.append(fieldList(entries, trust));
  return wrap.childElementCount ? wrap : null;
}

export function renderError(error: NonNullable<SampleHead["error"]>, trust: boolean): HTMLElement {
  const wrap = h("div", "el-sv-error");
  wrap.append(textEl("pre", "el-sv-error-message", error.message ?? "", trust));
  if (error.traceback) wrap.append(titled("Traceback", true, textEl("pre", "el-sv-traceback", error.traceback, trust)));
  return wrap;
}

export function renderLimit(limit: NonNullable<SampleHead["limit"]>, trust: boolean): HTMLElement {
  const text =
    typeof limit.limit === "number"
      ? `${limit.type} limit reached (${count(limit.limit)})`
      : `${limit.type} limit reached`;
  return textEl("div", "el-sv-limit", text, trust);
}
