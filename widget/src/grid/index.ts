// anywidget entry for SampleGrid: the whole contract is render({ model, el }).
import type { RenderProps } from "../shared/model";
import { GridView } from "./view";

function render({ model, el }: RenderProps): () => void {
  const view = new GridView(model, el);
  return () => view.dispose();
}

export default { render };
