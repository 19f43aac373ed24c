// Completion of names in filter text: which word the caret is in, and the names it may be.
// Pure, so it is tested without a DOM; filter.ts draws the list.
import type { FilterName } from "./types";

export interface Completion {
  /** The typed word spans text[start, end). */
  start: number;
  end: number;
  options: FilterName[];
}

const WORD = /[A-Za-z$_'][.A-Za-z0-9$_ ]*$/;
const MAX_OPTIONS = 8;

/** The names that complete the word before `caret` (none inside a "string"). */
export function completeAt(text: string, caret: number, names: FilterName[]): Completion | null {
  const before = text.slice(0, caret);
  if ((before.match(/"/g)?.length ?? 0) % 2 === 1) return null;
  const quoted = (before.match(/'/g)?.length ?? 0) % 2 === 1;
  const match = quoted ? /'[^']*$/.exec(before) : /[A-Za-z$_][.A-Za-z0-9$_]*$/.exec(before);
  if (!match || (!quoted && !WORD.test(before))) return null;
  const word = match[0].toLowerCase();
  const options = names
    .filter((n) => n.name.toLowerCase().startsWith(word) && n.name.toLowerCase() !== word)
    .slice(0, MAX_OPTIONS);
  if (!options.length) return null;
  let end = caret;
  while (end < text.length && /[.A-Za-z0-9$_]/.test(text[end] ?? "")) end++;
  return { start: match.index, end, options };
}

/** Text with `name` put in place of the word; functions get their "(". */
export function applyCompletion(text: string, c: Completion, name: FilterName): { text: string; caret: number } {
  const insert = name.kind === "function" ? `${name.name}(` : name.name;
  return { text: text.slice(0, c.start) + insert + text.slice(c.end), caret: c.start + insert.length };
}

/** The filter text with a caret under `position` (two lines, for a monospace error line). */
export function pointAt(text: string, position: number): string {
  const line = text.replace(/\n/g, " ");
  return `${line}\n${" ".repeat(Math.max(0, Math.min(position, line.length)))}^`;
}
