// Building blocks the sections share: a titled section, a value as text (JSON for objects), a
// list of keys and values, a foldable block. All content is text (see text.ts).
import { h } from "../shared/model";
import { valueText } from "../shared/scores";
import { plainText, textEl } from "./text";

/** A section of the view: its title, then `body`. `name` is what tests and styles find it by. */
export function section(name: string, title: string, ...body: Node[]): HTMLElement {
  const el = h("section", "el-sv-section");
  el.dataset.section = name;
  el.setAttribute("aria-label", title);
  el.append(h("h3", "el-sv-section-title", title), ...body);
  return el;
}

/** A value as text: strings as they are, numbers formatted, anything else as pretty JSON. */
export function valueBlock(value: unknown, trust: boolean): HTMLElement {
  const structured = value !== null && typeof value === "object";
  return textEl(structured ? "pre" : "div", structured ? "el-sv-json" : "el-sv-value", valueText(value), trust);
}

/** Keys and their values (a metadata dict, the sample's facts). */
export function fieldList(entries: [string, unknown][], trust: boolean): HTMLElement {
  const dl = h("dl", "el-sv-fields");
  for (const [key, value] of entries) {
    const dt = h("dt");
    dt.append(plainText(key, trust));
    const dd = h("dd");
    dd.append(valueBlock(value, trust));
    dl.append(dt, dd);
  }
  return dl;
}

/** A titled block, folded when `collapsed` (Inspect's `collapsed` field default). */
export function titled(title: Node | string, collapsed: boolean, ...body: Node[]): HTMLElement {
  if (collapsed) {
    const details = h("details", "el-sv-block");
    const summary = h("summary", "el-sv-block-title");
    summary.append(title);
    details.append(summary, ...body);
    return details;
  }
  const block = h("div", "el-sv-block");
  const head = h("div", "el-sv-block-title");
  head.append(title);
  block.append(head, ...body);
  return block;
}
