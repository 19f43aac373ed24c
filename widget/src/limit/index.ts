// anywidget entry for ScoresByLimit: the whole contract is render({ model, el }).
import type { RenderProps } from "../shared/model";
import { LimitView } from "./view";

function render({ model, el }: RenderProps): () => void {
  const view = new LimitView(model, el);
  return () => view.dispose();
}

export default { render };
