// anywidget entry for ScoresHeatmap: the whole contract is render({ model, el }).
import type { Render } from "@anywidget/types";
import type { HeatmapState } from "./types";
import { HeatmapView } from "./view";

const render: Render<HeatmapState> = ({ model, el }) => {
  const view = new HeatmapView(model, el);
  return () => view.dispose();
};

export default { render };
