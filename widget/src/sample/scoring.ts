// The Scoring section: with three or more scores, a header laid out as Inspect's
// SampleScoreView says (chips or a sortable grid, shared with the grid's detail panel); then
// every score in full: value, answer, explanation (prose, with citations) and metadata.
import { h } from "../shared/model";
import { renderScores, type SampleScoreView, sortScores, valueText } from "../shared/scores";
import { fieldList, titled } from "./blocks";
import { plainText, richText, type TextContext, textEl } from "./text";
import type { ScoreEntry } from "./types";

function scoreCard(score: ScoreEntry, ctx: TextContext): HTMLElement {
  const card = h("div", "el-sv-score");
  card.dataset.score = score.name;
  const head = h("div", "el-sv-score-head");
  head.append(
    textEl("span", "el-sv-score-name", score.name, ctx.trust),
    textEl("span", "el-sv-score-value", valueText(score.value), ctx.trust),
  );
  card.append(head);
  if (score.answer) card.append(titled("Answer", false, textEl("div", "el-sv-value", score.answer, ctx.trust)));
  if (score.explanation) card.append(titled("Explanation", false, richText(score.explanation, ctx)));
  const meta = Object.entries(score.metadata ?? {});
  if (meta.length) card.append(titled("Metadata", true, fieldList(meta, ctx.trust)));
  return card;
}

export function renderScoring(scores: ScoreEntry[], view: SampleScoreView | null, ctx: TextContext): HTMLElement {
  const wrap = h("div", "el-sv-scoring");
  if (scores.length >= 3) wrap.append(renderScores(scores, view, {}, (s) => plainText(s, ctx.trust)));
  for (const score of sortScores(scores, view?.sort?.column, view?.sort?.dir ?? "asc")) {
    wrap.append(scoreCard(score, ctx));
  }
  return wrap;
}
