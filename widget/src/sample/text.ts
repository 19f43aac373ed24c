// How text from the log becomes DOM. Prose (message text, explanations) is markdown with math
// when the log's content is trusted, plain text otherwise; either way its citations are
// buttons. Everything else (names, labels, values, JSON, tool arguments) is always text, with
// invisible characters shown when the content is not trusted.
import { h } from "../shared/model";
import { type CiteHandler, citedText, citeInTree } from "./citations";
import { visibleText } from "./invisible";
import { renderMarkdown } from "./markdown";

/** What rendering any text of one sample needs to know. */
export interface TextContext {
  /** The sample's ViewerConfig.trust_content. */
  trust: boolean;
  /** Messages in the sample: a citation beyond them stays text. */
  count: number;
  /** Bring a cited message into view. */
  cite: CiteHandler;
}

/** Untrusted text as nodes: a text node, or text and badges for invisible characters. */
export function plainText(text: string, trust: boolean): Node {
  return trust ? document.createTextNode(text) : visibleText(text);
}

/** An element holding `text` as text (see plainText). */
export function textEl<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text: string,
  trust: boolean,
): HTMLElementTagNameMap[K] {
  const el = h(tag, className);
  el.append(plainText(text, trust));
  return el;
}

/** Prose from the log with its citations as buttons: markdown and math when trusted. */
export function richText(text: string, ctx: TextContext): HTMLElement {
  if (!ctx.trust) {
    const el = h("div", "el-sv-plain");
    el.append(citedText(text, ctx.count, ctx.cite, (run) => visibleText(run)));
    return el;
  }
  const el = h("div", "el-sv-md");
  el.append(renderMarkdown(text));
  citeInTree(el, ctx.count, ctx.cite);
  return el;
}
