// Samples for the sample view's tests: heads, messages, a widget model whose kernel the test
// plays, and a way to answer the view's requests for messages.

import type { Message, SampleHead, SampleState } from "../src/sample/types";
import { SampleWidgetView } from "../src/sample/view";
import { FakeModel, type Sent, settle } from "./fake_model";

export const EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

export function message(index: number, over: Partial<Message> = {}): Message {
  const text = `message ${index + 1}`;
  return {
    index,
    id: `m${index}`,
    role: index % 2 === 0 ? "user" : "assistant",
    parts: [{ type: "text", text }],
    tool_calls: null,
    tool_call_id: null,
    function: null,
    call_arguments: null,
    error: null,
    model: null,
    chars: text.length,
    ...over,
  };
}

/** Messages [from, to) as the kernel would send them. */
export function messages(from: number, to: number, label = ""): Message[] {
  const out: Message[] = [];
  for (let i = from; i < to; i++) {
    const text = `${label}message ${i + 1}`;
    out.push(message(i, { parts: [{ type: "text", text }], chars: text.length }));
  }
  return out;
}

export function head(over: Partial<SampleHead> = {}): SampleHead {
  return {
    log: "logs/run.eval",
    id: 7,
    epoch: 1,
    task: "arith",
    model: "mockllm/model",
    target: "42",
    trust_content: true,
    message_count: 0,
    scores: [],
    sample_score_view: null,
    scans: [],
    metadata: null,
    info: null,
    error: null,
    limit: null,
    ...over,
  };
}

export function sampleModel(h: SampleHead, initial: Message[], revision = 1): FakeModel<SampleState> {
  return new FakeModel<SampleState>({ _head: h, _initial_messages: initial, _revision: revision });
}

const opened: SampleWidgetView[] = [];

/** The widget on a page, as anywidget would render it. */
export function openWidget(model: FakeModel<SampleState>) {
  const el = document.createElement("div");
  document.body.append(el);
  const view = new SampleWidgetView(model, el);
  opened.push(view);
  const scroller = el.querySelector<HTMLElement>(".el-sv-scroller");
  return { el, view, scroller };
}

export function closeAll(): void {
  for (const view of opened.splice(0)) view.dispose();
  document.body.innerHTML = "";
}

/** Answer a `messages` request with the messages it asked for (of `revision`). */
export function answerMessages(model: FakeModel<SampleState>, request: Sent, revision: number, label = ""): void {
  const offset = Number(request.offset);
  const limit = Number(request.limit);
  model.answer(request, { revision, offset, messages: messages(offset, offset + limit, label) });
}

/** Let a frame pass (the list draws on animation frames) and answers be handled. */
export async function frame(): Promise<void> {
  await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
  await settle();
}

/** Indices of the messages in the DOM. */
export function drawn(el: HTMLElement): number[] {
  return [...el.querySelectorAll<HTMLElement>(".el-sv-msg")].map((m) => Number(m.dataset.index));
}
