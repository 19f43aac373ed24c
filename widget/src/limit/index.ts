// anywidget entry for ScoresByLimit: the whole contract is render({ model, el }).
import type { Render } from "@anywidget/types";
import type { LimitState } from "./types";
import { LimitView } from "./view";

const render: Render<LimitState> = ({ model, el }) => {
  const view = new LimitView(model, el);
  return () => view.dispose();
};

export default { render };
