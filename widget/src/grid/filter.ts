// The filter box: Inspect's filter language, as typed in `inspect view`. The kernel compiles
// the text (its errors come back with a position and what was expected, shown under the box
// as text); names complete from the list the kernel sends for this grid's samples.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import { NoAnswer } from "../shared/rpc";
import { applyCompletion, type Completion, completeAt, pointAt } from "./complete";
import type { GridQuery } from "./query";
import type { FilterError, FilterName, GridState } from "./types";

/** Typing pauses this long before the kernel compiles the text. */
const PAUSE_MS = 400;

export class FilterBox {
  readonly el = h("div", "el-filter");
  private readonly input = h("input", "el-filter-input");
  private readonly list = h("div", "el-filter-list");
  private readonly error = h("div", "el-filter-error");
  private names: FilterName[] | null = null;
  private completion: Completion | null = null;
  private active = 0;
  private timer = 0;
  private sent = "";

  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly query: GridQuery,
  ) {
    this.input.type = "text";
    this.input.spellcheck = false;
    this.input.setAttribute("aria-label", "Filter samples (Inspect filter language)");
    this.input.setAttribute("autocomplete", "off");
    this.list.setAttribute("role", "listbox");
    this.list.hidden = true;
    this.error.hidden = true;
    this.el.append(this.input, this.list, this.error);
    this.follow();
    this.input.addEventListener("focus", () => void this.loadNames());
    this.input.addEventListener("input", () => {
      this.suggest();
      this.schedule();
    });
    this.input.addEventListener("keydown", (e) => this.onKey(e));
    this.input.addEventListener("blur", () => window.setTimeout(() => this.close(), 150));
  }

  /** The filter changed in the kernel (set from Python, or by this box). */
  follow(): void {
    const text = this.model.get("_filter_text");
    this.input.placeholder = this.model.get("_filter_from_python")
      ? "Filter set from Python (a polars expression)"
      : 'Filter, e.g. has_error or score < 0.5 or input_contains("refus")';
    if (this.input.value.trim() !== text && document.activeElement !== this.input) this.input.value = text;
    if (this.input.value.trim() === text) this.showError(null);
    this.sent = text;
  }

  private schedule(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.submit(), PAUSE_MS);
  }

  private async submit(): Promise<void> {
    window.clearTimeout(this.timer);
    const text = this.input.value;
    if (text.trim() === this.sent && this.error.hidden) return;
    this.sent = text.trim();
    try {
      const reply = await this.query.setFilter(text);
      if (this.input.value !== text) return; // typing went on: its own answer will come
      this.showError(reply.error ? { ...reply.error, text } : null);
    } catch (err) {
      this.sent = "";
      const message = err instanceof NoAnswer ? "the kernel is not answering: filter not applied" : String(err);
      this.showError({ message, position: -1, length: 0, expected: [], near: [], text });
    }
  }

  private showError(err: (FilterError & { text: string }) | null): void {
    this.error.hidden = err === null;
    this.el.classList.toggle("el-filter-bad", err !== null);
    this.error.replaceChildren();
    if (!err) return;
    const message = h("div", "el-filter-message", `${err.message} — not applied`);
    this.error.append(message);
    if (err.position >= 0) this.error.append(h("pre", "el-filter-pointer", pointAt(err.text, err.position)));
  }

  private async loadNames(): Promise<void> {
    if (this.names) return;
    try {
      this.names = await this.query.filterNames();
    } catch {
      this.names = null; // asked again on the next focus
    }
  }

  private suggest(): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    this.completion = this.names ? completeAt(this.input.value, caret, this.names) : null;
    this.active = 0;
    this.drawList();
  }

  private drawList(): void {
    const c = this.completion;
    this.list.hidden = !c;
    this.list.replaceChildren();
    if (!c) return;
    c.options.forEach((option, i) => {
      const item = h("div", "el-filter-option");
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(i === this.active));
      item.append(h("span", "el-filter-name", option.name), h("span", "el-filter-kind", option.kind));
      item.title = option.detail;
      item.addEventListener("mousedown", (e) => {
        e.preventDefault();
        this.accept(option);
      });
      this.list.append(item);
    });
  }

  private accept(option: FilterName): void {
    if (!this.completion) return;
    const { text, caret } = applyCompletion(this.input.value, this.completion, option);
    this.input.value = text;
    this.input.setSelectionRange(caret, caret);
    this.close();
    this.schedule();
  }

  private close(): void {
    this.completion = null;
    this.drawList();
  }

  private onKey(e: KeyboardEvent): void {
    const c = this.completion;
    if (c && (e.key === "ArrowDown" || e.key === "ArrowUp")) {
      e.preventDefault();
      this.active = (this.active + (e.key === "ArrowDown" ? 1 : -1) + c.options.length) % c.options.length;
      this.drawList();
    } else if (c && (e.key === "Enter" || e.key === "Tab")) {
      e.preventDefault();
      const option = c.options[this.active];
      if (option) this.accept(option);
    } else if (e.key === "Escape") {
      this.close();
    } else if (e.key === "Enter") {
      void this.submit();
    }
    e.stopPropagation(); // the grid's own keys (arrows, Enter) stay out of the box
  }
}
