// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GridView } from "../src/grid/view";
import { SampleViewEl } from "../src/sample/element";
import { highlightMatches } from "../src/sample/highlight";
import { gridModel, settle, stubResizeObserver } from "./fake_model";
import { EVIL, frame, head, messages } from "./sample_fixtures";

const views: { dispose(): void }[] = [];

beforeAll(stubResizeObserver);

afterEach(() => {
  for (const view of views.splice(0)) view.dispose();
  document.body.innerHTML = "";
  localStorage.clear();
  delete (window as unknown as { __pwned?: number }).__pwned;
});

describe("highlightMatches", () => {
  it("marks every occurrence, longest first where two start together, as text", () => {
    const el = document.createElement("div");
    el.innerHTML = "<p>an error, an <b>Error</b> and errors</p>";
    expect(highlightMatches(el, ["error", "Error", "errors", ""])).toBe(3);
    expect([...el.querySelectorAll("mark")].map((m) => m.textContent)).toEqual(["error", "Error", "errors"]);
    expect(el.textContent).toBe("an error, an Error and errors");
  });

  it("never parses what it marks", () => {
    const el = document.createElement("div");
    el.textContent = `before ${EVIL} after`;
    expect(highlightMatches(el, [EVIL])).toBe(1);
    expect(el.querySelector("mark")?.textContent).toBe(EVIL);
    expect(el.querySelector("img, script")).toBeNull();
  });
});

describe("SampleViewEl.markHit", () => {
  it("scrolls to the hit's message and marks what matched there", async () => {
    const count = 200;
    const view = new SampleViewEl({
      head: head({ message_count: count }),
      messages: messages(0, 50),
      revision: 1,
      fetchMessages: async (offset, limit) => ({ revision: 1, offset, messages: messages(offset, offset + limit) }),
    });
    views.push(view);
    document.body.append(view.el);
    view.markHit(120, ["message 121"]);
    for (let i = 0; i < 5; i++) await frame();
    const hit = view.el.querySelector<HTMLElement>(".el-sv-hit");
    expect(hit?.dataset.index).toBe("120");
    expect(hit?.querySelector("mark.el-sv-match")?.textContent).toBe("message 121");
    expect(view.el.querySelectorAll("mark").length).toBe(1); // only the hit's message
  });
});

describe("the search box's transcript mode", () => {
  function open() {
    const model = gridModel({ _revision: 1, _total: 5, _count: 5 });
    model.kernel = true;
    const el = document.createElement("div");
    document.body.append(el);
    const view = new GridView(model, el);
    views.push(view);
    model.answer(model.requests("ping")[0]);
    const input = el.querySelector<HTMLInputElement>(".el-search") as HTMLInputElement;
    const mode = el.querySelector<HTMLButtonElement>(".el-search-mode") as HTMLButtonElement;
    return { model, el, input, mode };
  }

  it("takes the typed text to transcript_search, then back", async () => {
    const { model, input, mode } = open();
    input.value = "err(or)?";
    mode.click();
    await settle();
    expect(mode.getAttribute("aria-pressed")).toBe("true");
    expect(model.requests("set_view")[0].view).toEqual({ search: "", transcript_search: "err(or)?" });
    mode.click();
    await settle();
    expect(model.requests("set_view")[1].view).toEqual({ transcript_search: "", search: "err(or)?" });
    expect(mode.getAttribute("aria-pressed")).toBe("false");
  });

  it("follows Python: the mode, the Hits column and the samples it could not search", () => {
    const { model, el, input, mode } = open();
    model.emit("_transcript_info", { searched: 3, unsearched: 2 });
    model.emit("transcript_search", "(?i)flag");
    expect(input.value).toBe("(?i)flag");
    expect(mode.getAttribute("aria-pressed")).toBe("true");
    expect(el.querySelector(".el-th[data-column='__hits']")?.textContent).toContain("Hits");
    expect(el.querySelector(".el-search-note")?.textContent).toBe(
      "2 of 5 samples not searched: their logs are not on this machine",
    );
    model.emit("transcript_search", "");
    expect(el.querySelector(".el-th[data-column='__hits']")).toBeNull();
  });

  it("a pattern the kernel refuses stays in the box, marked, and the notice says why", async () => {
    const { model, el, input, mode } = open();
    mode.click();
    await settle();
    model.answer(model.requests("set_view")[0]);
    await settle();
    input.value = "a(b";
    input.dispatchEvent(new Event("input"));
    await new Promise((r) => setTimeout(r, 250));
    const [, request] = model.requests("set_view");
    expect(request.view).toEqual({ transcript_search: "a(b" });
    model.receive({ type: "error", id: request.id, message: "invalid regular expression 'a(b' at position 1" });
    await settle();
    expect(input.value).toBe("a(b");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(el.querySelector(".el-notice")?.textContent).toContain("at position 1");
  });
});
