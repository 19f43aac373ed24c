"""One score rule everywhere, on real logs: text grades and tasks with their own scorers.

Judges that write grades as text ('0'…'10', 'I') and directories whose tasks are each
scored by a different scorer once gave wrong answers that looked right (grades sorted as
text, blank heatmap columns, models silently dropped). Oracles: inspect_ai's own
``value_to_float`` and the metrics inspect_ai computed into each log's header.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest

import evallens


def headline_means(logs: Path) -> dict[tuple[str, str], tuple[str, float]]:
    """(task, model) -> (scorer, first metric) as inspect_ai wrote them into each log."""
    from inspect_ai.log import list_eval_logs, read_eval_log

    out = {}
    for info in list_eval_logs(str(logs)):
        log = read_eval_log(info, header_only=True)
        assert log.results is not None
        score = log.results.scores[0]
        metric = next(iter(score.metrics.values()))
        task = log.eval.task.split("/")[-1]
        out[(task, log.eval.model)] = (score.scorer, metric.value)
    return out


def test_a_grid_sorts_text_grades_as_numbers() -> None:
    df = pl.DataFrame(
        {
            "id": list(range(9)),
            "input": ["q"] * 9,
            "score_grade": ["10", "9", "8", "6", "3", "2", "1", "0", "I"],
        }
    )
    grid = evallens.SampleGrid(df)
    grid.sort = [{"column": "score_grade", "dir": "desc"}]
    assert grid.visible_rows()["score_grade"].to_list() == [
        "10", "9", "8", "6", "3", "2", "1", "0", "I"
    ]  # fmt: skip
    (column,) = [c for c in grid._column_defs if "score" in c]
    assert (column["score"]["type"], column["score"]["min"], column["score"]["max"]) == (
        "numeric",
        0.0,
        10.0,
    )
    grid.score_color_scales = {"grade": "good-high"}  # accepted: the score is numeric


def test_text_grades_from_real_logs_sort_and_average_as_inspect_counts_them(
    text_grade_logs: Path,
) -> None:
    from inspect_ai.scorer import value_to_float

    to_float = value_to_float()
    samples = evallens.read_samples(text_grade_logs)
    assert "I" in samples["score_judge_text"].to_list()  # the odd letter is there

    grid = evallens.SampleGrid(samples)
    grid.sort = [{"column": "score__judge_text__judge_text", "dir": "desc"}]
    shown = [v for v in grid.visible_rows()["score_judge_text"].to_list() if v is not None]
    as_numbers = [to_float(v) for v in shown]
    assert as_numbers == sorted(as_numbers, reverse=True)

    ui = evallens.explore(text_grade_logs)  # used to say "pass score_value="
    assert ui.heatmap.columns["score"] == "score_judge_text"
    expected = headline_means(text_grade_logs)
    for task, model, value in ui.heatmap.cells.select("task", "model", "value").iter_rows():
        scorer, mean = expected[(task, model)]
        assert scorer == "judge_text"
        assert value == pytest.approx(mean)
    # the same column, forced, is numeric to the heatmap too
    forced = evallens.ScoresHeatmap(samples, score_value="score_judge_text")
    assert forced.cells["value"].to_list() == ui.heatmap.cells["value"].to_list()


def test_each_task_shows_its_own_scorer(per_task_scorer_logs: Path) -> None:
    samples = evallens.read_samples(per_task_scorer_logs)
    heatmap = evallens.ScoresHeatmap(samples)
    assert heatmap.columns["score"] is None  # no one score for every task
    assert heatmap.task_scores == {
        "arith_easy": "score_match",
        "arith_hard": "score_closeness",
        "trivia": "score_judge_text",
    }
    cells = heatmap.cells
    assert cells.height == 6 and cells["n"].min() > 0  # no blank column
    expected = headline_means(per_task_scorer_logs)
    for task, model, value in cells.select("task", "model", "value").iter_rows():
        scorer, mean = expected[(task, model)]
        assert heatmap.task_scores[task] == f"score_{scorer}"
        assert value == pytest.approx(mean)
    spec = heatmap._spec
    assert spec["task_scores"] == heatmap.task_scores  # the tooltip and legend say so

    # score_value= still forces one score for every task
    forced = evallens.ScoresHeatmap(samples, score_value="score_match")
    assert forced.columns["score"] == "score_match" and forced._spec["task_scores"] is None
    assert forced.cells.filter(pl.col("task") != "arith_easy")["n"].to_list() == [0] * 4


def test_success_by_limit_counts_every_task_that_has_a_success_score(
    per_task_scorer_logs: Path,
) -> None:
    samples = evallens.read_samples(per_task_scorer_logs)
    with pytest.warns(UserWarning, match=r"trivia.*no pass/fail"):
        chart = evallens.ScoresByLimit(samples)
    assert sorted(chart.models) == sorted(samples["model"].unique().to_list())
    # every sample of the two tasks with a 0–1 score counts: none silently dropped
    scored = samples.filter(
        pl.col("task_name").is_in(["arith_easy", "arith_hard"])
        & (pl.col("score_match").is_not_null() | pl.col("score_closeness").is_not_null())
    )
    counts = chart.data.group_by("model").agg(pl.col("count").first())
    expected = scored.group_by("model").len()
    assert dict(counts.iter_rows()) == dict(expected.iter_rows())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evallens.ScoresByLimit(samples, score="score_match")  # forced: no warning


def test_floats_in_one_log_and_letters_in_another_are_one_score_everywhere() -> None:
    """The heatmap once refused what the limits chart accepted: now both read it alike."""
    frame = pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "task_name": ["t"] * 6,
            "model": ["a", "a", "a", "b", "b", "b"],
            "score_x": ["0.5", "1.0", "0.25", "C", "I", "C"],
            "total_tokens": [10, 20, 30, 10, 20, 30],
        }
    )
    heatmap = evallens.ScoresHeatmap(frame, score_value="score_x")
    means = dict(heatmap.cells.select("model", "value").iter_rows())
    assert means == {"a": pytest.approx(1.75 / 3), "b": pytest.approx(2 / 3)}
    curve = evallens.scores_by_limit_df(frame, "score_x", steps=3)
    at_max = curve.filter(pl.col("total_tokens") == 30)
    assert dict(at_max.select("model", "success_rate").iter_rows()) == means
    grid = evallens.SampleGrid(frame)
    grid.sort = [{"column": "score_x", "dir": "desc"}]
    assert grid.visible_rows()["score_x"].to_list() == ["1.0", "C", "C", "0.5", "0.25", "I"]
