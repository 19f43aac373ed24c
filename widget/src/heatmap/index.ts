// anywidget entry for ScoresHeatmap: the whole contract is render({ model, el }).
import type { RenderProps } from "../shared/model";
import { HeatmapView } from "./view";

function render({ model, el }: RenderProps): () => void {
  const view = new HeatmapView(model, el);
  return () => view.dispose();
}

export default { render };
