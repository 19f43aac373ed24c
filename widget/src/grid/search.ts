// The search box: what is typed is searched for (in input, target, answer and id) by the
// kernel once typing pauses; a search the kernel never ran is taken back out of the box.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import type { ViewEditor } from "./editor";
import type { GridState } from "./types";

/** Typing pauses this long before the kernel is asked: one search per word, not per key. */
const PAUSE_MS = 200;

export class SearchBox {
  readonly el = h("input", "el-search");
  private timer = 0;

  constructor(
    private readonly model: AnyModel<GridState>,
    editor: ViewEditor,
  ) {
    this.el.type = "search";
    this.el.placeholder = "Search input, target, answer, id";
    this.el.setAttribute("aria-label", "Search samples");
    this.el.value = model.get("search");
    this.el.addEventListener("input", () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => {
        const text = this.el.value;
        void editor.change({ search: text }, "searching").then((ok) => {
          // Nothing was searched: the box must not claim otherwise (unless typing went on).
          if (!ok && this.el.value === text) this.el.value = model.get("search");
        });
      }, PAUSE_MS);
    });
  }

  /** The search changed in the kernel (set from Python, or by this box). */
  follow(): void {
    const search = this.model.get("search");
    if (this.el.value !== search) this.el.value = search;
  }
}
