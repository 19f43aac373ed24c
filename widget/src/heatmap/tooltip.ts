// The hover card of a cell: plain text only, and a link only to http(s) pages.
import { h } from "../shared/model";
import { deltaTipRows, formatSigned } from "./delta";
import { formatValue } from "./layout";
import type { DeltaRow } from "./types";

export interface TipContent {
  task: string;
  model: string;
  score: string;
  value: number | null;
  n: number;
  unit: string;
  stderr: number | null;
  link: string | null;
  /** Baseline mode: the model compared against, and the cell's delta row when sent. */
  baseline?: string | null;
  delta?: DeltaRow | null;
}

/** The link target when it is a web page; anything else (javascript:, data:, files) is refused. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url || !/^https?:\/\//i.test(url.trim())) return null;
  try {
    const parsed = new URL(url.trim());
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function row(label: string, value: string): HTMLElement {
  const line = h("div", "el-hm-tip-row");
  line.append(h("span", "el-hm-tip-key", label), h("span", "el-hm-tip-val", value));
  return line;
}

export function fillTip(node: HTMLElement, c: TipContent): void {
  node.replaceChildren(row("Task", c.task), row("Model", c.model));
  if (typeof c.baseline === "string") {
    const head = row(`Δ vs ${c.baseline}`, c.value === null ? "no value" : formatSigned(c.value));
    // A model name can be long: its label wraps rather than pushing the delta out of the card.
    head.classList.add("el-hm-tip-wrap");
    node.append(head);
    for (const [label, value] of deltaTipRows(c.n, c.stderr, c.delta ?? null)) node.append(row(label, value));
  } else {
    node.append(
      row(c.score, c.value === null ? "no value" : formatValue(c.value)),
      row("n", `${c.n.toLocaleString("en-US")} ${c.unit}`),
    );
    if (c.stderr !== null) node.append(row("stderr", formatValue(c.stderr)));
  }
  const href = safeHref(c.link);
  if (href) {
    const a = h("a", "el-hm-tip-link", "Open log viewer");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    node.append(a);
  }
}

/** Beside the pointer (below-right, flipped near the edges), so it never hides the cell
 * under the pointer and the link in it can be reached by moving onto it. */
export function placeTip(tip: HTMLElement, root: HTMLElement, clientX: number, clientY: number): void {
  const box = root.getBoundingClientRect();
  const w = tip.offsetWidth || 200;
  const hgt = tip.offsetHeight || 90;
  let left = clientX - box.left + 12;
  if (left + w > box.width) left = clientX - box.left - w - 12;
  let top = clientY - box.top + 12;
  if (top + hgt > box.height && clientY - box.top - hgt - 12 >= 0) top = clientY - box.top - hgt - 12;
  tip.style.left = `${Math.max(0, left)}px`;
  tip.style.top = `${Math.max(0, top)}px`;
}

/** The card on the page: shown at once over a cell, hidden a moment after the pointer
 * leaves, so the pointer can travel onto the card to reach its link. */
export class HoverCard {
  readonly el = h("div", "el-hm-tip");
  private timer = 0;

  constructor() {
    this.el.hidden = true;
    this.el.addEventListener("pointerenter", () => window.clearTimeout(this.timer));
    this.el.addEventListener("pointerleave", () => this.hideSoon());
  }

  show(content: TipContent, root: HTMLElement, clientX: number, clientY: number): void {
    window.clearTimeout(this.timer);
    fillTip(this.el, content);
    this.el.hidden = false;
    placeTip(this.el, root, clientX, clientY);
  }

  hideSoon(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      this.el.hidden = true;
    }, 250);
  }

  dispose(): void {
    window.clearTimeout(this.timer);
  }
}
