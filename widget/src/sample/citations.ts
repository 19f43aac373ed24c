// Citations of messages as Inspect's scanners write them: "[M2]", "[M2, M5]", "[M2-M4]"
// (M-numbers count from 1). Each M-number becomes a button that brings that message into
// view; brackets and separators stay text.
import { h } from "../shared/model";

/** "[M2]", "[M2, M5]", "[M2-M4]", "[M2–4]": M-numbers joined by commas or dashes. */
const CITATION = /\[(M\d+(?:\s*[,\u2013-]\s*M?\d+)*)\]/g;
const NUMBER = /M?(\d+)/g;

/** A cited message: its 0-based index and the text it was cited by. */
export interface Cite {
  index: number;
  label: string;
}

/** `text` split into plain runs and citations, in order. */
export function splitCitations(text: string): (string | Cite)[] {
  const out: (string | Cite)[] = [];
  let last = 0;
  for (const m of text.matchAll(CITATION)) {
    const start = m.index ?? 0;
    const inner = m[1];
    const innerStart = start + 1;
    let at = innerStart;
    if (start > last) out.push(text.slice(last, start));
    out.push("[");
    for (const n of inner.matchAll(NUMBER)) {
      const nStart = innerStart + (n.index ?? 0);
      if (nStart > at) out.push(text.slice(at, nStart));
      out.push({ index: Number(n[1]) - 1, label: `M${n[1]}` });
      at = nStart + n[0].length;
    }
    out.push("]");
    last = start + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  // Adjacent text runs read better as one node.
  const merged: (string | Cite)[] = [];
  for (const piece of out) {
    const prev = merged[merged.length - 1];
    if (typeof piece === "string" && typeof prev === "string") merged[merged.length - 1] = prev + piece;
    else merged.push(piece);
  }
  return merged;
}

/** What a citation does when followed: bring message `index` into view. */
export type CiteHandler = (index: number) => void;

/** A citation's button; a message the sample does not have stays text. */
export function citeButton(cite: Cite, count: number, follow: CiteHandler): HTMLElement {
  if (cite.index < 0 || cite.index >= count) return h("span", "el-sv-cite-missing", cite.label);
  const button = h("button", "el-sv-cite", cite.label);
  button.type = "button";
  button.dataset.index = String(cite.index);
  button.title = `Show message ${cite.label}`;
  button.addEventListener("click", (e) => {
    e.preventDefault();
    e.stopPropagation();
    follow(cite.index);
  });
  return button;
}

/** `text` with its citations as buttons; `plain` turns the runs between them into nodes. */
export function citedText(
  text: string,
  count: number,
  follow: CiteHandler,
  plain: (run: string) => Node = (run) => document.createTextNode(run),
): DocumentFragment {
  const out = document.createDocumentFragment();
  for (const piece of splitCitations(text)) {
    out.append(typeof piece === "string" ? plain(piece) : citeButton(piece, count, follow));
  }
  return out;
}

/** Elements whose text is not prose: citations are left alone there. */
const NOT_PROSE = new Set(["CODE", "PRE", "A", "BUTTON", "math"]);

/** Turn citations in the text under `root` (rendered markdown) into buttons. */
export function citeInTree(root: Node, count: number, follow: CiteHandler): void {
  const texts: Text[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!(node as Text).data.includes("[M")) continue;
    let inside = false;
    for (let p = node.parentNode; p && p !== root; p = p.parentNode) {
      if (p instanceof Element && (NOT_PROSE.has(p.tagName) || NOT_PROSE.has(p.localName))) inside = true;
    }
    if (!inside) texts.push(node as Text);
  }
  for (const node of texts) node.replaceWith(citedText(node.data, count, follow));
}
