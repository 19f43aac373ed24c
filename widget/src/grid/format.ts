import type { Cell } from "../shared/arrow";
import { formatDuration, formatNumber } from "../shared/numbers";
import type { ColumnDef, NumberFormat } from "./types";

// The grid's modules and tests take the lone-number formats from here too.
export { formatDuration, formatNumber };

const fixedFormats = new Map<string, Intl.NumberFormat>();

/** Fixed notation with at most `digits` decimals, with or without thousands separators. */
function fixed(digits: number, grouped: boolean): Intl.NumberFormat {
  const key = `${digits}:${grouped}`;
  let f = fixedFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { maximumFractionDigits: digits, useGrouping: grouped });
    fixedFormats.set(key, f);
  }
  return f;
}

/** A number in its column's format (chosen by the kernel from the whole column, so every
 * cell of a column is fixed or every one is scientific). Separators from five digits on
 * (12,345 but 1234), and never with `grouping` off: ids are names that happen to be numbers. */
export function formatInColumn(v: number | bigint, format: NumberFormat | undefined, grouping: boolean): string {
  if (typeof v === "number" && !Number.isFinite(v)) return "";
  const grouped = grouping && (v >= 10000 || v <= -10000);
  if (typeof v === "bigint") return fixed(0, grouped).format(v);
  if (!format) return grouping ? formatNumber(v) : String(v);
  if (format.notation === "scientific") return v === 0 ? "0" : v.toExponential(format.digits);
  return fixed(format.digits, grouped).format(v);
}

const ROLE_LINE = /^(?:system|user|assistant|tool):[ \t]*$/;

/** What an input cell shows. inspect_ai's samples_df writes an input as a transcript, each
 * message headed by its role on a line of its own ("user:\nWhat is…\n"); Inspect's grid
 * shows just the text, so those header lines go (the frame and the detail panel keep them). */
export function inputText(value: string): string {
  const kept = value.split(/\r?\n/).filter((line) => !ROLE_LINE.test(line));
  return kept
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/** The text a cell shows. Missing values (null, NaN, inf) show as blank. */
export function formatCell(value: Cell, column: ColumnDef): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && column.kind === "duration") return formatDuration(value);
  if (typeof value === "number" || typeof value === "bigint") {
    return formatInColumn(value, column.format, column.kind !== "id");
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  return column.id === "input" ? inputText(value) : value;
}

/** A header's text. A lone score column is headed "Score" whatever the view's labels say,
 * as in Inspect's grid; otherwise the view's score_labels rename scores. */
export function headerLabel(def: ColumnDef, labels: Record<string, string>, scoreColumns: number): string {
  if (!def.score || scoreColumns === 1) return def.label;
  return labels[def.score.name] ?? labels[def.id] ?? def.label;
}
