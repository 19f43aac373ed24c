// One chat message: its number (M1, M2, …), role and parts; reasoning folded away; tool calls
// with their arguments and a link to their result; tool results with the call they answer;
// inline images only from data:image/ URIs. Long messages start as a preview.
import { h } from "../shared/model";
import { richText, type TextContext, textEl } from "./text";
import type { Message, Part, ToolCall } from "./types";

/** Messages longer than this (in characters) start collapsed. */
export const LONG = 3000;
/** How much of a collapsed message is drawn: text beyond it is not rendered at all. */
const PREVIEW = 1200;
const ROLES = new Set(["system", "user", "assistant", "tool"]);

export interface MessageOptions {
  ctx: TextContext;
  /** Drawn in full (the user asked for more). */
  expanded: boolean;
  /** Show more / show less was clicked. */
  toggle: (index: number) => void;
  /** The assistant message holding the call a tool message answers, if it is on hand. */
  callIndex: (toolCallId: string, before: number) => number | null;
}

export function messageLabel(index: number): string {
  return `M${index + 1}`;
}

/** Text cut to `budget` characters, at a line end when one is near. */
function preview(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const nl = text.lastIndexOf("\n", budget);
  return `${text.slice(0, nl > budget / 2 ? nl : budget)} …`;
}

/** A button that brings message `index` into view. */
function jumpButton(label: string, index: number, opts: MessageOptions): HTMLButtonElement {
  const button = h("button", "el-sv-jump", label);
  button.type = "button";
  button.dataset.index = String(index);
  button.addEventListener("click", (e) => {
    e.stopPropagation();
    opts.ctx.cite(index);
  });
  return button;
}

/** Reasoning, folded: typeset only when first opened (it is often long and rarely read). */
function reasoning(part: Extract<Part, { type: "reasoning" }>, opts: MessageOptions): HTMLElement {
  const details = h("details", "el-sv-reasoning");
  const summary = h("summary", "", part.redacted ? "Reasoning (redacted)" : "Reasoning");
  details.append(summary);
  if (part.redacted) {
    details.append(h("div", "el-sv-note", "The provider returned this reasoning encrypted; it cannot be shown."));
    return details;
  }
  let filled = false;
  details.addEventListener("toggle", () => {
    if (!details.open || filled) return;
    filled = true;
    details.append(richText(part.text, opts.ctx));
  });
  return details;
}

function image(part: Extract<Part, { type: "image" }>, trust: boolean): HTMLElement {
  if (!trust) return h("div", "el-sv-note", "[image withheld: untrusted content]");
  const src = part.src ?? "";
  // Only inline images: a remote one would be a request to wherever the log points.
  if (!/^data:image\//i.test(src)) return h("div", "el-sv-note", "[image not shown: only inline data: images are]");
  const img = h("img", "el-sv-image");
  img.alt = part.alt ?? "";
  img.src = src;
  return img;
}

function part(p: Part, opts: MessageOptions, budget: number | null): HTMLElement {
  const { trust } = opts.ctx;
  switch (p.type) {
    case "text":
      return richText(budget === null ? p.text : preview(p.text, budget), opts.ctx);
    case "reasoning":
      return reasoning(p, opts);
    case "image":
      return image(p, trust);
    default:
      return textEl("pre", "el-sv-other", budget === null ? p.text : preview(p.text, budget), trust);
  }
}

function toolCall(call: ToolCall, opts: MessageOptions, budget: number | null): HTMLElement {
  const { trust } = opts.ctx;
  const box = h("div", "el-sv-call");
  const head = h("div", "el-sv-call-head");
  head.append(textEl("code", "el-sv-function", call.function, trust));
  if (call.result_index !== null && call.result_index !== undefined) {
    head.append(jumpButton(`→ result in ${messageLabel(call.result_index)}`, call.result_index, opts));
  } else {
    head.append(h("span", "el-sv-muted", "no result"));
  }
  box.append(head);
  if (call.arguments) {
    box.append(textEl("pre", "el-sv-args", budget === null ? call.arguments : preview(call.arguments, budget), trust));
  }
  return box;
}

/** What a tool message answers: the call's function and arguments, and where the call is. */
function answers(msg: Message, opts: MessageOptions): HTMLElement {
  const { trust } = opts.ctx;
  const box = h("div", "el-sv-answers");
  const head = h("div", "el-sv-call-head");
  head.append(h("span", "el-sv-muted", "Result of "), textEl("code", "el-sv-function", msg.function ?? "?", trust));
  const from = msg.tool_call_id ? opts.callIndex(msg.tool_call_id, msg.index) : null;
  if (from !== null) head.append(jumpButton(`← call in ${messageLabel(from)}`, from, opts));
  box.append(head);
  if (msg.call_arguments) box.append(textEl("pre", "el-sv-args el-sv-call-args", msg.call_arguments, trust));
  if (msg.error) box.append(textEl("div", "el-sv-tool-error", msg.error, trust));
  return box;
}

/** The message as an element; `data-index` is its 0-based index. */
export function renderMessage(msg: Message, opts: MessageOptions): HTMLElement {
  const role = ROLES.has(msg.role) ? msg.role : "other";
  const el = h("article", `el-sv-msg el-sv-role-${role}`);
  el.dataset.index = String(msg.index);
  el.tabIndex = -1;
  const head = h("header", "el-sv-msg-head");
  head.append(h("span", "el-sv-num", messageLabel(msg.index)), h("span", "el-sv-role", role));
  if (msg.model) head.append(textEl("span", "el-sv-model", msg.model, opts.ctx.trust));
  el.append(head);

  const long = (msg.chars ?? 0) > LONG;
  const collapsed = long && !opts.expanded;
  let budget: number | null = collapsed ? PREVIEW : null;
  const body = h("div", collapsed ? "el-sv-msg-body el-sv-clamped" : "el-sv-msg-body");
  if (msg.role === "tool" && (msg.function || msg.call_arguments || msg.tool_call_id || msg.error)) {
    body.append(answers(msg, opts));
  }
  for (const p of msg.parts ?? []) {
    if (budget !== null && budget <= 0) break;
    body.append(part(p, opts, budget));
    if (budget !== null && (p.type === "text" || p.type === "other")) budget -= p.text.length;
  }
  for (const call of msg.tool_calls ?? []) body.append(toolCall(call, opts, collapsed ? PREVIEW : null));
  el.append(body);

  if (long) {
    const more = h(
      "button",
      "el-sv-more",
      collapsed ? `Show more (${msg.chars.toLocaleString("en-US")} characters)` : "Show less",
    );
    more.type = "button";
    more.setAttribute("aria-expanded", String(!collapsed));
    more.addEventListener("click", (e) => {
      e.stopPropagation();
      opts.toggle(msg.index);
    });
    el.append(more);
  }
  return el;
}
