// anywidget entry for SampleGrid: the whole contract is render({ model, el }).
import type { Render } from "@anywidget/types";
import type { GridState } from "./types";
import { GridView } from "./view";

const render: Render<GridState> = ({ model, el }) => {
  const view = new GridView(model, el);
  return () => view.dispose();
};

export default { render };
