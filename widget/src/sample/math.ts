// TeX in model output: found before markdown runs (markdown would read `_` and `*` inside
// math as emphasis and `\(` as an escaped paren), replaced by placeholders, and typeset by
// temml into MathML, which browsers draw without fonts or network.
import temml from "temml";
import { h } from "../shared/model";
import { sanitize } from "./sanitize";

/** Placeholder brackets: private-use characters, removed from the input beforehand. */
const OPEN = "\uE000";
const CLOSE = "\uE001";
const PLACEHOLDER = /\uE000(\d+)\uE001/g;
/** How far an inline `$` looks for its closing `$` (and never past a blank line). */
const INLINE_REACH = 2000;
const FENCE = / {0,3}(`{3,}|~{3,})[^\n]*/y;
const MATHML = "http://www.w3.org/1998/Math/MathML";

export interface MathPiece {
  tex: string;
  display: boolean;
  /** The math as written, delimiters included (shown when it cannot be typeset). */
  source: string;
}

/** Index just past the line that starts at `from`. */
function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl + 1;
}

/** End of a fenced code block opened by `fence` on the line starting at `from`. */
function fenceEnd(text: string, from: number, fence: string): number {
  const closing = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`);
  let at = lineEnd(text, from);
  while (at < text.length) {
    const next = lineEnd(text, at);
    if (closing.test(text.slice(at, next).replace(/\n$/, ""))) return next;
    at = next;
  }
  return text.length;
}

/** End of an inline code span opened by `ticks` backticks at `from`, or -1 if none closes. */
function codeSpanEnd(text: string, from: number, ticks: number): number {
  let at = from + ticks;
  while (at < text.length) {
    const next = text.indexOf("`", at);
    if (next < 0) return -1;
    let run = 0;
    while (text[next + run] === "`") run++;
    if (run === ticks) return next + run;
    at = next + run;
  }
  return -1;
}

/** Where an inline `$…$` opened at `from` closes (the closing `$`), or -1. A closing `$`
 * has no space before it and no digit after it, so "$5 and $10" stays text. */
function inlineDollarEnd(text: string, from: number): number {
  const first = text[from + 1];
  if (first === undefined || /\s/.test(first)) return -1;
  const limit = Math.min(text.length, from + INLINE_REACH);
  for (let j = from + 1; j < limit; j++) {
    const c = text[j];
    if (c === "\\") {
      j++;
      continue;
    }
    if (c === "\n" && text[j + 1] === "\n") return -1;
    if (c === "$" && j > from + 1 && !/\s/.test(text[j - 1]) && !/\d/.test(text[j + 1] ?? "")) return j;
  }
  return -1;
}

/** `text` with its math replaced by placeholders, and the math in order. Code (fenced blocks
 * and inline spans) is left as it is: a `$` there is not math. */
export function extractMath(input: string): { text: string; math: MathPiece[] } {
  const text = input.replace(/[\uE000\uE001]/g, "\uFFFD");
  const math: MathPiece[] = [];
  let out = "";
  let i = 0;
  const take = (tex: string, display: boolean, end: number) => {
    out += `${OPEN}${math.length}${CLOSE}`;
    math.push({ tex, display, source: text.slice(i, end) });
    i = end;
  };
  while (i < text.length) {
    if (i === 0 || text[i - 1] === "\n") {
      FENCE.lastIndex = i;
      const fence = FENCE.exec(text);
      if (fence) {
        const end = fenceEnd(text, i, fence[1]);
        out += text.slice(i, end);
        i = end;
        continue;
      }
    }
    const c = text[i];
    if (c === "\\") {
      const next = text[i + 1];
      const close = next === "(" ? "\\)" : next === "[" ? "\\]" : null;
      const end = close ? text.indexOf(close, i + 2) : -1;
      if (close && end > i + 2) {
        take(text.slice(i + 2, end), next === "[", end + 2);
        continue;
      }
      out += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === "`") {
      let ticks = 0;
      while (text[i + ticks] === "`") ticks++;
      const end = codeSpanEnd(text, i, ticks);
      const stop = end < 0 ? i + ticks : end;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === "$") {
      if (text[i + 1] === "$") {
        const end = text.indexOf("$$", i + 2);
        if (end > i + 2 && text.slice(i + 2, end).trim()) {
          take(text.slice(i + 2, end), true, end + 2);
          continue;
        }
        out += "$$";
        i += 2;
        continue;
      }
      const end = inlineDollarEnd(text, i);
      if (end > 0) {
        take(text.slice(i + 1, end), false, end + 1);
        continue;
      }
    }
    out += c;
    i++;
  }
  return { text: out, math };
}

/** One piece of math as MathML in a span; TeX that cannot be typeset shows as written.
 * temml's markup is parsed in an inert template and sanitized, rather than built with its
 * DOM renderer: that one sets `style` on MathML elements, which not every DOM provides, and
 * refuses to run at all in a quirks-mode page. */
export function typeset(piece: MathPiece): HTMLElement {
  let markup = "";
  try {
    markup = temml.renderToString(piece.tex, {
      displayMode: piece.display,
      throwOnError: false,
      // No \href, \url, \includegraphics, \class, \style …: untrusted TeX only typesets.
      trust: false,
      maxExpand: 1000,
      maxSize: [40, 40],
    });
  } catch {
    // an error temml does not turn into markup itself: shown as the source below
  }
  const template = document.createElement("template");
  template.innerHTML = markup;
  const math = template.content.firstElementChild;
  if (math?.localName !== "math" || math.namespaceURI !== MATHML || template.content.childNodes.length !== 1) {
    const failed = h("span", "el-math-error", piece.source);
    failed.title = "This TeX could not be typeset";
    return failed;
  }
  const holder = h("span", piece.display ? "el-math el-math-display" : "el-math");
  sanitize(template.content);
  holder.append(template.content);
  return holder;
}

/** Put typeset math where the placeholders are in the text under `root`. */
export function insertMath(root: Node, math: MathPiece[]): void {
  const texts: Text[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if ((node as Text).data.includes(OPEN)) texts.push(node as Text);
  }
  for (const node of texts) {
    // Inside code (which extraction skips, so this should not happen) the source comes back.
    const inCode = !!node.parentElement?.closest("code, pre");
    const out = document.createDocumentFragment();
    let last = 0;
    for (const m of node.data.matchAll(PLACEHOLDER)) {
      const at = m.index ?? 0;
      const piece = math[Number(m[1])];
      if (at > last) out.append(node.data.slice(last, at));
      if (!piece) out.append(m[0].replace(/[\uE000\uE001]/g, "\uFFFD"));
      else out.append(inCode ? document.createTextNode(piece.source) : typeset(piece));
      last = at + m[0].length;
    }
    if (last < node.data.length) out.append(node.data.slice(last));
    node.replaceWith(out);
  }
}
