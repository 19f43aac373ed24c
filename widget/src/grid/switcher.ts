// The eval author's views (Inspect's TaskSamplesView names), offered when there are two or
// more. A switch goes through the kernel like any view edit: the next view's rows, columns
// and sort arrive together, as the user last left that view. Names come from logs: text.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import type { ViewEditor } from "./editor";
import type { GridState } from "./types";

export class ViewSwitcher {
  readonly el = h("select", "el-view-switcher");

  constructor(
    private readonly model: AnyModel<GridState>,
    editor: ViewEditor,
  ) {
    this.el.setAttribute("aria-label", "Switch view");
    this.el.title = "The eval's views of these samples";
    this.el.addEventListener("change", () => {
      void editor.change({ view_name: this.el.value }, "switching views").then((ok) => {
        if (!ok) this.follow(); // not switched: the list must not claim otherwise
      });
    });
    const names = model.get("_views") ?? []; // absent from widget state saved before views
    for (const name of names) {
      const option = h("option", "", name);
      option.value = name;
      this.el.append(option);
    }
    this.el.hidden = names.length < 2;
    this.follow();
  }

  /** The view shown changed in the kernel (set from Python, or by this list). */
  follow(): void {
    this.el.value = this.model.get("view_name");
  }
}
