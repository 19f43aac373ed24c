// The one stand-in for anywidget's model in the tests: typed traits, change events, and a
// kernel on the other end of the custom messages that the test plays by hand.
import type { AnyModel } from "@anywidget/types";
import { vi } from "vitest";
import type { GridState } from "../src/grid/types";

/** Any callback is accepted (AnyModel's `on` takes several shapes); each is called with
 * what the widget manager would pass it. */
type Handler = (...args: never[]) => void;
type Call = (...args: unknown[]) => void;

/** A message the widget sent: `{ type, id, ...body }`. */
export interface Sent {
  type: string;
  id?: number;
  [key: string]: unknown;
}

export class FakeModel<S extends object> implements AnyModel<S> {
  /** How often the widget called save_changes (sent its traits to the kernel). */
  saves = 0;
  /** Messages the widget sent, oldest first. */
  readonly sent: Sent[] = [];
  /** False: no kernel behind the page, so sending throws as the widget manager does. */
  kernel = true;
  readonly widget_manager = {
    get_model: (): Promise<never> => Promise.reject(new Error("no other models in tests")),
  };
  private readonly handlers = new Map<string, Call[]>();

  constructor(readonly state: S) {}

  get<K extends keyof S>(key: K): S[K] {
    return this.state[key];
  }

  /** Unlike the widget manager's model, no `change:` event follows: a test plays a change
   * that the widget should hear with `emit`. */
  set<K extends keyof S>(key: K, value: S[K]): void {
    this.state[key] = value;
  }

  save_changes(): void {
    this.saves++;
  }

  on(event: string, callback: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), callback as Call]);
  }

  off(event?: string | null, callback?: Handler | null): void {
    for (const [name, list] of this.handlers) {
      if (event && name !== event) continue;
      this.handlers.set(name, callback ? list.filter((fn) => fn !== callback) : []);
    }
  }

  send(content: object): void {
    if (!this.kernel) throw new Error("the comm is closed");
    this.sent.push(content as Sent);
  }

  /** Python sets a trait: the value changes and the widget hears `change:<name>`. */
  emit<K extends keyof S & string>(name: K, value: S[K]): void {
    this.state[name] = value;
    for (const fn of this.handlers.get(`change:${name}`) ?? []) fn();
  }

  /** The kernel sends a message (an answer carries its request's id). */
  receive(content: object, buffers: ArrayBufferView[] = []): void {
    const views = buffers.map((b) => new DataView(b.buffer, b.byteOffset, b.byteLength));
    for (const fn of this.handlers.get("msg:custom") ?? []) fn(content, views);
  }

  /** The kernel answers a request the widget sent. */
  answer(request: Sent, content: object = {}, buffers: ArrayBufferView[] = []): void {
    this.receive({ type: request.type, id: request.id, ...content }, buffers);
  }

  /** Requests of one type the widget sent, oldest first. */
  requests(type: string): Sent[] {
    return this.sent.filter((m) => m.type === type);
  }
}

/** A grid's model as the kernel first sends it (no columns, no rows), with `over` on top. */
export function gridModel(over: Partial<GridState> = {}): FakeModel<GridState> {
  const view = { columns: [], sort: [], multiline: true, compact_scores: false, color_scales_enabled: true };
  const labels = { score_labels: {}, score_color_scales: {} };
  return new FakeModel<GridState>({
    ...view,
    ...labels,
    search: "",
    ranges: {},
    histograms: false,
    _histograms: [],
    view_name: "",
    _views: [],
    _filter_text: "",
    _filter_from_python: false,
    transcript_search: "",
    _transcript_info: null,
    focused: -1,
    _selected_rows: new DataView(new ArrayBuffer(0)),
    _column_defs: [],
    _default_view: { ...view, ...labels },
    _sample_score_view: null,
    _storage_key: "",
    _initial: new DataView(new ArrayBuffer(0)),
    _revision: 0,
    _count: 0,
    _total: 0,
    _unit: "samples",
    _settled: true,
    height: 460,
    group_epochs: false,
    epochs_disagree: false,
    ...over,
  });
}

/** Let everything the page has in flight (answers being handled) run to its end. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** jsdom lays nothing out and has no ResizeObserver; the grid only needs to be told when to
 * look again, so a silent one stands in (call in `beforeAll`). */
export function stubResizeObserver(): void {
  vi.stubGlobal(
    "ResizeObserver",
    class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  );
}
