// anywidget entry for SampleGrid: the whole contract is render({ model, el }).
import type { Render } from "@anywidget/types";
import { h } from "../shared/model";
import type { GridState } from "./types";
import { GridView } from "./view";

const render: Render<GridState> = ({ model, el }) => {
  let view: GridView | null = null;
  let waiting: HTMLElement | null = null;
  // The kernel completes the state (first rows, number formats, score bounds) at the first
  // display; a grid shown another way (inside a box) asks for it. Rows are never drawn
  // before their formats are known.
  const show = () => {
    if (view || !model.get("_settled")) return;
    waiting?.remove();
    view = new GridView(model, el);
  };
  if (model.get("_settled")) show();
  else {
    waiting = h(
      "div",
      "evallens el-grid el-grid-waiting",
      `Reading ${model.get("_total").toLocaleString("en-US")} samples…`,
    );
    el.append(waiting);
    model.on("change:_settled", show);
    model.send({ type: "settle" });
  }
  return () => {
    model.off("change:_settled", show);
    view?.dispose();
  };
};

export default { render };
