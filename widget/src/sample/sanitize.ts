// A last line of defence for the markup the view builds from untrusted text. markdown-it runs
// with html: false, so it escapes any HTML in the log, and temml runs with trust: false; this
// pass holds even if either ever slipped: only listed elements and attributes survive, links
// only to http(s), images only from data:image/ URIs, no event handlers, no ids.

const MATHML = "http://www.w3.org/1998/Math/MathML";

/** HTML elements markdown-it produces, with the attributes each may keep. */
const HTML_ALLOWED: Record<string, string[]> = {
  p: [],
  br: [],
  hr: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  em: [],
  strong: [],
  s: [],
  del: [],
  code: [],
  pre: [],
  blockquote: [],
  ul: [],
  ol: ["start"],
  li: [],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ["style"],
  td: ["style"],
  a: ["href", "title", "target", "rel"],
  img: ["src", "alt", "title"],
};

/** MathML elements temml produces. */
const MATHML_ELEMENTS = new Set([
  "math",
  "semantics",
  "annotation",
  "mrow",
  "mi",
  "mn",
  "mo",
  "ms",
  "mtext",
  "mspace",
  "msup",
  "msub",
  "msubsup",
  "mfrac",
  "msqrt",
  "mroot",
  "mover",
  "munder",
  "munderover",
  "mtable",
  "mtr",
  "mtd",
  "mlabeledtr",
  "mpadded",
  "mphantom",
  "menclose",
  "mstyle",
  "merror",
  "mmultiscripts",
  "mprescripts",
  "none",
]);

/** Presentation attributes of MathML (no href: MathML elements can be links). */
const MATHML_ATTRIBUTES = new Set([
  "display",
  "displaystyle",
  "scriptlevel",
  "mathvariant",
  "mathsize",
  "mathcolor",
  "mathbackground",
  "lspace",
  "rspace",
  "stretchy",
  "symmetric",
  "largeop",
  "movablelimits",
  "fence",
  "separator",
  "form",
  "accent",
  "accentunder",
  "minsize",
  "maxsize",
  "width",
  "height",
  "depth",
  "voffset",
  "columnalign",
  "rowalign",
  "columnspacing",
  "rowspacing",
  "columnlines",
  "rowlines",
  "frame",
  "framespacing",
  "notation",
  "linethickness",
  "numalign",
  "denomalign",
  "bevelled",
  "linebreak",
  "encoding",
  "columnspan",
  "rowspan",
  "class",
  "style",
]);

/** CSS properties math and table alignment use; anything else in a style goes. */
const STYLE_PROPERTIES = new Set([
  "text-align",
  "color",
  "background-color",
  "padding",
  "padding-left",
  "padding-right",
  "padding-top",
  "padding-bottom",
  "border",
  "border-top",
  "border-bottom",
  "border-left",
  "border-right",
  "margin-left",
  "margin-right",
  "width",
  "height",
  "font-style",
  "font-weight",
  "white-space",
]);
/** Colours, lengths and keywords: no url(), no escapes, no quotes. */
const SAFE_VALUE = /^[#\w\s.,()%-]*$/;

export function isHttpUrl(url: string): boolean {
  return /^https?:\/\//i.test(url.trim());
}

export function isDataImage(url: string): boolean {
  return /^data:image\//i.test(url.trim());
}

function safeValue(value: string): boolean {
  return SAFE_VALUE.test(value) && !/url\s*\(|expression\s*\(/i.test(value);
}

/** Only listed properties with plain values; "" when nothing is left. */
function cleanStyle(style: string): string {
  const kept: string[] = [];
  for (const decl of style.split(";")) {
    const colon = decl.indexOf(":");
    if (colon < 0) continue;
    const prop = decl.slice(0, colon).trim().toLowerCase();
    const value = decl.slice(colon + 1).trim();
    if (STYLE_PROPERTIES.has(prop) && value && safeValue(value)) kept.push(`${prop}:${value}`);
  }
  return kept.join(";");
}

function cleanAttributes(el: Element, allowed: (name: string) => boolean): void {
  for (const attr of [...el.attributes]) {
    const name = attr.name.toLowerCase();
    if (name.startsWith("on") || !allowed(name)) {
      el.removeAttribute(attr.name);
      continue;
    }
    if (name === "style") {
      const style = cleanStyle(attr.value);
      if (style) el.setAttribute("style", style);
      else el.removeAttribute("style");
    } else if (name === "href") {
      if (!isHttpUrl(attr.value)) el.removeAttribute(attr.name);
    } else if (name === "src") {
      if (!isDataImage(attr.value)) el.removeAttribute(attr.name);
    } else if (el.namespaceURI === MATHML && !safeValue(attr.value)) {
      el.removeAttribute(attr.name);
    }
  }
}

/** An element not on the lists gives way to its text (a `<script>` shows as text, runs never). */
function unwrap(el: Element): void {
  el.replaceWith(document.createTextNode(el.textContent ?? ""));
}

/** Clean everything under `root` in place. */
export function sanitize(root: Node): void {
  const elements: Element[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) elements.push(node as Element);
  // Deepest first, so an element given way to carries its children's cleaned text.
  for (const el of elements.reverse()) {
    if (el.namespaceURI === MATHML) {
      if (!MATHML_ELEMENTS.has(el.localName)) unwrap(el);
      else cleanAttributes(el, (name) => MATHML_ATTRIBUTES.has(name));
      continue;
    }
    const allowed = el.namespaceURI === "http://www.w3.org/1999/xhtml" ? HTML_ALLOWED[el.localName] : undefined;
    if (!allowed) {
      unwrap(el);
      continue;
    }
    cleanAttributes(el, (name) => allowed.includes(name));
    if (el.localName === "a") {
      if (!el.hasAttribute("href")) {
        unwrap(el);
        continue;
      }
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer");
    }
    if (el.localName === "img" && !el.hasAttribute("src")) unwrap(el);
  }
}
