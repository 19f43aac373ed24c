// SampleView's front end: the sample element (element.ts) fed from the widget's traits, with
// more messages asked of the kernel. The head, the first messages and the revision change
// together when Python shows another sample; they are read once all have arrived.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import { Rpc } from "../shared/rpc";
import { watchTheme } from "../shared/theme";
import { SampleViewEl } from "./element";
import type { MessagesReply, SampleRequests, SampleState } from "./types";

export class SampleWidgetView {
  readonly root = h("div", "evallens el-sample-widget");
  private readonly rpc: Rpc<SampleRequests>;
  readonly sample: SampleViewEl;
  private readonly stops: (() => void)[] = [];
  private pending = false;

  constructor(
    private readonly model: AnyModel<SampleState>,
    el: HTMLElement,
  ) {
    this.rpc = new Rpc<SampleRequests>(model);
    this.sample = new SampleViewEl({
      head: model.get("_head"),
      messages: model.get("_initial_messages") ?? [],
      revision: model.get("_revision") ?? 0,
      fetchMessages: (offset, limit) => this.requestMessages(offset, limit),
    });
    this.root.append(this.sample.el);
    el.append(this.root);
    const changed = () => this.changed();
    const events = ["change:_head", "change:_initial_messages", "change:_revision"];
    for (const name of events) model.on(name, changed);
    this.stops.push(() => {
      for (const name of events) model.off(name, changed);
    });
    this.stops.push(watchTheme((t) => this.root.classList.toggle("el-dark", t === "dark")));
  }

  dispose(): void {
    for (const stop of this.stops) stop();
    this.rpc.dispose();
    this.sample.dispose();
    this.root.remove();
  }

  private async requestMessages(offset: number, limit: number): Promise<MessagesReply> {
    const reply = await this.rpc.request("messages", { offset, limit });
    return reply.content;
  }

  /** The traits of one change arrive as separate events: show the sample once, after all. */
  private changed(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.sample.show(
        this.model.get("_head"),
        this.model.get("_initial_messages") ?? [],
        this.model.get("_revision") ?? 0,
      );
    });
  }
}
