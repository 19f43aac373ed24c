// anywidget entry for SampleView: the whole contract is render({ model, el }).
import type { Render } from "@anywidget/types";
import type { SampleState } from "./types";
import { SampleWidgetView } from "./view";

const render: Render<SampleState> = ({ model, el }) => {
  const view = new SampleWidgetView(model, el);
  return () => view.dispose();
};

export default { render };
