// A saved page (`evallens.save_html`): the widgets' own front ends, each on a PageModel
// seeded with its traits, a grid's kernel answered in the page (serve.ts, answer.ts), and a
// heatmap's clicks filtering its grid as `evallens.link` does. Nothing here reaches the
// network: the data is in the page (payload.ts).
import type { AnyModel, RenderProps } from "@anywidget/types";
import grid from "../grid/index";
import type { GridState } from "../grid/types";
import heatmap from "../heatmap/index";
import type { CellRef, HeatmapState } from "../heatmap/types";
import limit from "../limit/index";
import { h } from "../shared/model";
import { GridAnswers, type GridFacts, type LongTexts, type ScoreSpec } from "./answer";
import { PageModel } from "./model";
import { type BlobRef, type Payload, readPayload, type UintRef, uints } from "./payload";
import { GridServer } from "./serve";
import { decodeTable, type TableSpec } from "./table";

type Kind = "grid" | "heatmap" | "limit";
type Layout = { box: "row" | "column"; children: Layout[] } | { widget: string } | { note: string };

interface PageState {
  title: string;
  saved: string;
  notes: string[];
  layout: Layout;
  widgets: Record<string, { kind: Kind; state: Record<string, unknown> }>;
}

/** A grid's facts as `evallens.page.grid` wrote them. */
interface FactsJson {
  rows: TableSpec;
  default_order: UintRef;
  ranks: Record<string, UintRef>;
  unsortable: Record<string, string>;
  long: Record<string, LongTexts>;
  json: GridFacts["json"];
  detail_fields: string[];
  search: GridFacts["search"];
  scores: ScoreSpec[];
  links: { source: string; name: string; tasks: string[]; models: string[]; codes: UintRef }[];
  total: number;
}

const RENDER: Record<Kind, { render?: unknown }> = { grid, heatmap, limit };

/** Trait values with their blobs as the DataViews a widget manager hands over. */
function traits(state: Record<string, unknown>, payload: Payload<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(state)) {
    if (value && typeof value === "object" && "$blob" in value) {
      const bytes = payload.blob(value as BlobRef).slice();
      out[name] = new DataView(bytes.buffer);
    } else {
      out[name] = value;
    }
  }
  return out;
}

function gridFacts(json: FactsJson, payload: Payload<unknown>, model: PageModel<GridState>): GridFacts {
  return {
    rows: decodeTable(json.rows, payload),
    defaultOrder: uints(payload, json.default_order),
    ranks: new Map(Object.entries(json.ranks).map(([field, ref]) => [field, uints(payload, ref)])),
    unsortable: json.unsortable,
    fieldOf: new Map(model.get("_column_defs").map((c) => [c.id, c.field])),
    long: json.long,
    json: json.json,
    detailFields: json.detail_fields,
    search: json.search,
    scores: json.scores,
    links: json.links.map((l) => ({
      source: l.source,
      tasks: l.tasks,
      models: l.models,
      codes: uints(payload, l.codes),
    })),
  };
}

function render<S extends object>(kind: Kind, model: AnyModel<S>, el: HTMLElement): void {
  const props = {
    model,
    el,
    signal: new AbortController().signal,
    host: {
      getWidget: () => Promise.reject(new Error("a saved page has no other widgets")),
      getModel: () => Promise.reject(new Error("a saved page has no other models")),
    },
    experimental: { invoke: () => Promise.reject(new Error("a saved page has no kernel")) },
  } as unknown as RenderProps<S>;
  const fn = RENDER[kind].render as (p: RenderProps<S>) => unknown;
  void fn(props);
}

/** Say, under a grid, when a search may have missed text longer than the page holds. */
function searchNote(server: GridServer, el: HTMLElement): void {
  const query = server.query();
  const missed = server.answers.uncertain(query.search, server.answers.searchMask(query.search));
  el.hidden = missed === 0;
  el.textContent = missed
    ? `${missed.toLocaleString("en-US")} more samples have text longer than this page holds; the search could not look at all of it.`
    : "";
}

export async function startPage(): Promise<void> {
  const root = document.getElementById("evallens-page");
  if (!root) return;
  const page = await readPayload<PageState>("evallens-state");
  const data = readPayload<Record<string, FactsJson>>("evallens-data");
  const { title, saved, notes, widgets } = page.json;

  const head = h("header", "el-page-head");
  head.append(h("h1", "el-page-title", title));
  const kinds = new Set(Object.values(widgets).map((w) => w.kind));
  const about = [
    `Saved ${saved} from evallens. It works offline, on the data as it was then.`,
    ...(kinds.has("grid")
      ? [
          "Sorting, search, filters and each sample's fields work here; whole transcripts (messages, tool calls) need the logs in a notebook.",
        ]
      : []),
    ...notes,
  ];
  for (const note of about) head.append(h("p", "el-page-note", note));
  root.append(head);

  const models = new Map<string, PageModel<object>>();
  for (const [id, w] of Object.entries(widgets)) models.set(id, new PageModel(traits(w.state, page)));

  // A grid's requests wait for its data; the liveness ping is answered at once.
  const servers = new Map<string, Promise<GridServer>>();
  const notesEl = new Map<string, HTMLElement>();
  for (const [id, w] of Object.entries(widgets)) {
    if (w.kind !== "grid") continue;
    const model = models.get(id) as PageModel<GridState>;
    const server = data.then((d) => {
      const s = new GridServer(model, new GridAnswers(gridFacts(d.json[id], d, model)));
      for (const link of d.json[id].links) {
        const source = models.get(link.source) as PageModel<HeatmapState> | undefined;
        if (!source) continue;
        s.follow(link.source, source.get("selection"), false);
        source.on("change:selection", () => s.follow(link.source, source.get("selection") as CellRef[]));
      }
      const note = notesEl.get(id);
      if (note) {
        s.onChange = () => searchNote(s, note);
        searchNote(s, note);
      }
      return s;
    });
    model.answerer = (content, reply) => {
      if (content.type === "ping") return reply({ type: "ping", id: content.id });
      void server.then(() => model.send(content));
    };
    servers.set(id, server);
  }

  const place = (node: Layout, parent: HTMLElement) => {
    if ("box" in node) {
      const box = h("div", `el-page-box el-page-${node.box}`);
      for (const child of node.children) place(child, box);
      parent.append(box);
    } else if ("note" in node) {
      parent.append(h("p", "el-page-note", node.note));
    } else {
      const el = h("div", "el-page-widget");
      const kind = widgets[node.widget].kind;
      if (kind === "grid") {
        const note = h("p", "el-page-note el-page-search-note");
        note.hidden = true;
        notesEl.set(node.widget, note);
        parent.append(note);
      }
      parent.append(el);
      render(kind, models.get(node.widget) as AnyModel<object>, el);
    }
  };
  place(page.json.layout, root);
  root.dataset.ready = "rendered";

  const ready = Promise.all(servers.values());
  (globalThis as { evallensPage?: unknown }).evallensPage = {
    /** For tests and the curious: each grid's answers, once its data is read. */
    grids: async () => Object.fromEntries((await ready).map((s, i) => [[...servers.keys()][i], s.answers])),
  };
  await ready;
  root.dataset.ready = "answering";
}

void startPage();
