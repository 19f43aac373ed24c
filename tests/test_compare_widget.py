"""ScoresHeatmap(baseline=) and compare(): what the user sees equals the paired statistics."""

from __future__ import annotations

import polars as pl
import pytest

import evallens
from evallens.compare.rows import BASELINE, COMPARED, DELTA


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    return evallens.demo_samples()


@pytest.fixture(scope="module")
def ui(demo: pl.DataFrame) -> evallens.Comparison:
    return evallens.compare(demo, baseline="gpt-4.1")


def test_delta_heatmap_cells_are_the_paired_stats(demo: pl.DataFrame) -> None:
    hm = evallens.ScoresHeatmap(demo, baseline="gpt-4.1", score_value="score_judge")
    assert hm.baseline == "gpt-4.1"
    assert "gpt-4.1" not in hm.y_order  # the baseline has no cells
    stats = evallens.paired_stats(
        demo, baseline="gpt-4.1", score="score_judge", by="model_display_name"
    )
    cells = hm.cells.join(stats, on=["task", "model"])
    assert cells.height == stats.height == hm.cells.height
    assert (cells["value"] - cells["mean_delta"]).abs().max() == 0
    assert (cells["n"] == cells["n_right"]).all()
    spec = hm._spec
    lo, hi = spec["domain"]
    assert lo == -hi and hi == pytest.approx(cells["mean_delta"].abs().max())
    assert spec["scheme"] == "diverging" and spec["baseline"] == "gpt-4.1"
    assert spec["score"] == "Δ score_judge vs gpt-4.1"
    # deltas line up with cells: each cell's CI brackets its value.
    for cell, delta in zip(spec["cells"], spec["deltas"], strict=True):
        low, high, improved, regressed, p, significant = delta
        assert low <= cell[2] <= high
        assert significant == (low > 0 or high < 0)
        assert 0 <= p <= 1 and improved >= 0 and regressed >= 0


def test_delta_heatmap_needs_samples_and_a_known_baseline(demo: pl.DataFrame) -> None:
    evals = demo.group_by("task_name", "model").agg(pl.col("score_judge").mean())
    with pytest.raises(ValueError, match="samples frame"):
        evallens.ScoresHeatmap(evals.rename({"score_judge": "score_headline_value"}), baseline="x")
    with pytest.raises(evallens.UnknownNameError, match=r"did you mean 'gpt-4\.1'"):
        evallens.ScoresHeatmap(demo, baseline="gpt-4.l")


def test_plain_heatmap_is_unchanged(demo: pl.DataFrame) -> None:
    hm = evallens.ScoresHeatmap(demo)
    assert hm.baseline is None and hm.stats is None
    assert hm._spec["baseline"] is None and hm._spec["deltas"] is None
    assert hm._spec["scheme"] == "viridis"


def test_clicking_a_cell_shows_its_pairs_regressions_first(ui: evallens.Comparison) -> None:
    ui.status = "all"
    ui.heatmap.selection = [{"task": "Trivia", "model": "o4-mini"}]
    shown = ui.shown()
    pairs = evallens.paired(evallens.demo_samples(), baseline="gpt-4.1")
    expected = pairs.filter((pl.col("task") == "Trivia") & (pl.col("model") == "openai/o4-mini"))
    assert shown.height == expected.height
    deltas = shown[DELTA].drop_nulls().to_list()
    assert deltas == sorted(deltas) and deltas[0] < 0
    assert shown["status"][0] == "regressed"
    counts = expected["status"].value_counts()
    want = {str(k): int(v) for k, v in counts.iter_rows()}
    assert ui.status_counts() == want
    labels = dict((v, k) for k, v in ui.chips.options)
    assert labels["regressed"] == f"Regressed {want['regressed']:,}"
    assert labels["all"] == f"All {expected.height:,}"


def test_status_chip_keeps_one_status(ui: evallens.Comparison) -> None:
    ui.heatmap.selection = [{"task": "Trivia", "model": "o4-mini"}]
    ui.status = "improved"
    shown = ui.shown()
    assert shown.height == ui.status_counts()["improved"]
    assert set(shown["status"]) == {"improved"}
    assert (shown[COMPARED] > shown[BASELINE]).all()
    ui.heatmap.selection = []
    assert ui.grid.view_count == ui.status_counts()["improved"]
    ui.status = "all"
    assert ui.grid.view_count == ui.pairs.height
    with pytest.raises(ValueError, match="status is one of"):
        ui.status = "better"


def test_detail_shows_both_sides(ui: evallens.Comparison) -> None:
    ui.heatmap.selection = [{"task": "Trivia", "model": "o4-mini"}]
    row = int(ui.grid._model.query.view[0])
    values = ui.grid.data.row(row, named=True)
    detail = ui.grid._model.detail(row)["compare"]
    assert detail is not None
    base, other = detail["sides"]
    assert base["label"] == "gpt-4.1 (baseline)" and other["label"] == "o4-mini"
    assert base["sample"]["answer"] == values["answer_baseline"]
    assert other["sample"]["answer"] == values["answer"]
    assert base["scores"][0]["value"] == values[BASELINE]
    assert detail["status"] == values["status"] and detail["delta"] == values[DELTA]
    ui.heatmap.selection = []


def test_selected_samples_are_paired_rows(ui: evallens.Comparison) -> None:
    ui.heatmap.selection = [{"task": "Trivia", "model": "o4-mini"}]
    ui.status = "regressed"
    view = ui.grid._model.query.view.to_list()
    ui.grid.selected = view[:3]
    picked = ui.selected_samples()
    assert picked.height == 3
    assert set(picked["status"]) == {"regressed"}
    assert {"answer", "answer_baseline", BASELINE, COMPARED, DELTA} <= set(picked.columns)
    ui.status = "all"
    ui.heatmap.selection = []
    ui.grid.selected = []


def test_picking_another_baseline_compares_against_it(demo: pl.DataFrame) -> None:
    ui = evallens.compare(demo, baseline="gpt-4.1")
    ui.status = "regressed"
    ui.picker.value = "o4-mini"
    assert ui.baseline == "o4-mini" and ui.heatmap.baseline == "o4-mini"
    assert "o4-mini" not in ui.heatmap.y_order and "gpt-4.1" in ui.heatmap.y_order
    assert ui.status == "regressed"
    assert ui.grid.view_count == ui.status_counts()["regressed"]
    assert "o4-mini (baseline)" in ui.grid.score_labels.values()
    ui.baseline = "gpt-4.1"
    assert ui.heatmap.baseline == "gpt-4.1"
    assert repr(ui).startswith("Comparison(7 models vs 'gpt-4.1' on 12 tasks")


def test_compare_reduces_epochs_and_takes_a_lower_is_better_score(demo: pl.DataFrame) -> None:
    ui = evallens.compare(demo, baseline="gpt-4.1", epochs="reduce", score="score_judge")
    assert "epoch" not in ui.pairs.columns and ui.grid.view_count == ui.pairs.height
    worse = evallens.compare(demo, baseline="gpt-4.1", score="score_judge", higher_is_better=False)
    assert worse.grid.sort == [{"column": "score__delta__delta", "dir": "desc"}]
    first = worse.shown().row(0, named=True)
    assert first["status"] == "regressed" and first[DELTA] > 0


def test_pairs_missing_a_sample_keep_distinct_keys(demo: pl.DataFrame) -> None:
    """A pair whose compared sample does not exist has no log of its own: keys still differ."""
    lacking = demo.filter(
        ~((pl.col("id") == 5) & pl.col("model_display_name").is_in(["o4-mini", "claude-sonnet-4"]))
    )
    ui = evallens.compare(lacking, baseline="gpt-4.1")
    gone = ui.pairs.filter(pl.col("value").is_null() & (pl.col("id") == 5))
    assert gone.height > 0 and set(gone["status"]) == {"missing"}
    rows = [i for i, r in enumerate(ui.grid.data.iter_rows(named=True)) if r["log"] is None]
    ui.grid.selected = rows[:4]
    keys = ui.grid.selected
    assert len(set(keys)) == len(keys) == min(4, len(rows))
    ui.grid.selected = []
    ui.grid.selected = keys  # the keys name the same rows again
    assert ui.selected_samples().height == len(keys)
    assert sorted(ui.grid._model.keys.rows_for_keys(keys)) == sorted(rows[:4])


def test_a_compared_row_carries_both_transcripts(per_task_scorer_logs) -> None:  # type: ignore[no-untyped-def]
    """With the logs on this machine, each side of a pair opens its whole sample."""
    samples = evallens.read_samples(per_task_scorer_logs)
    baseline = samples["model"].unique().sort()[0]
    ui = evallens.compare(samples, baseline=baseline, by="model")
    row = int(ui.grid._model.query.view[0])
    values = ui.grid.data.row(row, named=True)
    detail = ui.grid._model.detail(row)["compare"]
    assert detail is not None
    views = [side.get("sample_view") for side in detail["sides"]]
    assert all(v is not None for v in views)
    base, other = views
    assert base is not None and other is not None
    assert base["head"]["log"].endswith(str(values["log_baseline"]).split("/")[-1])
    assert other["head"]["log"].endswith(str(values["log"]).split("/")[-1])
    assert base["head"]["id"] == other["head"]["id"] == values["id"]
    full = evallens.read_sample(values["log"], values["id"], values["epoch"])
    assert other["head"]["message_count"] == len(full["messages"])
    window = ui.grid._model.samples.messages(row, 1, 0, 5)
    assert window["revision"] == other["revision"]
    assert [m["index"] for m in window["messages"]] == list(range(min(5, len(full["messages"]))))
