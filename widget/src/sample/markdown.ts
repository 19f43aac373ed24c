// Markdown from the log (trusted content only) as DOM. markdown-it runs with html: false, so
// any HTML in the text comes out escaped; links survive only to http(s) and open in a new
// tab without an opener; images only from data:image/ URIs (a remote image would be a
// request to wherever the model pointed, so it becomes a link). Math is taken out first
// (math.ts) and typeset into the result; the result is sanitized all the same.
import markdownIt, { type MarkdownIt, type StateCore, type Token } from "markdown-it";
import { extractMath, insertMath } from "./math";
import { isDataImage, isHttpUrl, sanitize } from "./sanitize";

let parser: MarkdownIt | null = null;

/** Drop each link whose target is not http(s), keeping its text. */
function inertLinks(children: Token[]): Token[] {
  const out: Token[] = [];
  const dropped: boolean[] = [];
  for (const token of children) {
    if (token.type === "link_open") {
      const keep = isHttpUrl(String(token.attrGet("href") ?? ""));
      dropped.push(!keep);
      if (!keep) continue;
      token.attrSet("target", "_blank");
      token.attrSet("rel", "noopener noreferrer");
    } else if (token.type === "link_close") {
      if (dropped.pop()) continue;
    }
    out.push(token);
  }
  return out;
}

/** An image from anywhere but a data:image/ URI becomes a link to it (or its alt text). */
function remoteImages(children: Token[], state: StateCore): Token[] {
  const out: Token[] = [];
  for (const token of children) {
    const src = token.type === "image" ? String(token.attrGet("src") ?? "") : "";
    if (token.type !== "image" || isDataImage(src)) {
      out.push(token);
      continue;
    }
    const label = new state.Token("text", "", 0);
    label.content = `[image: ${token.content || src}]`;
    if (!isHttpUrl(src)) {
      out.push(label);
      continue;
    }
    const open = new state.Token("link_open", "a", 1);
    open.attrs = [
      ["href", src],
      ["target", "_blank"],
      ["rel", "noopener noreferrer"],
    ];
    out.push(open, label, new state.Token("link_close", "a", -1));
  }
  return out;
}

function markdown(): MarkdownIt {
  if (parser) return parser;
  const md = markdownIt({ html: false, linkify: false, typographer: false, breaks: true });
  // Links and images may point only at http(s) and inline images: anything else
  // (javascript:, data:text/html, file:, vbscript:, relative paths) stays as text.
  md.validateLink = (url: string) => isHttpUrl(url) || /^data:image\/(png|gif|jpe?g|webp);/i.test(url.trim());
  md.core.ruler.push("evallens_links", (state) => {
    for (const token of state.tokens) {
      if (token.type === "inline" && token.children) {
        token.children = inertLinks(remoteImages(token.children, state));
      }
    }
  });
  parser = md;
  return md;
}

/** `text` as markdown with math, sanitized, in a fragment. */
export function renderMarkdown(text: string): DocumentFragment {
  const { text: prose, math } = extractMath(text);
  const html = markdown().render(prose);
  // A template parses without running anything or fetching images: its content is inert
  // until it is cleaned and moved into the page.
  const template = document.createElement("template");
  template.innerHTML = html;
  const fragment = template.content;
  sanitize(fragment);
  insertMath(fragment, math);
  return fragment;
}
