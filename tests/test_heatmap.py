"""ScoresHeatmap widget: spec, selection trait, masks, link/unlink, explore, bad input."""

from __future__ import annotations

import polars as pl
import pytest
from conftest_io import LOGS_DIR, require

import evallens
from evallens.explore import Explorer
from evallens.link import links


@pytest.fixture(scope="module")
def samples() -> pl.DataFrame:
    return evallens.synthetic_samples(3, 4, 10)


def _cell_filter(cells: list[dict[str, str]]) -> pl.Expr:
    cond = pl.lit(False)
    for c in cells:
        cond = cond | (
            (pl.col("task_display_name") == c["task"])
            & (pl.col("model_display_name") == c["model"])
        )
    return cond


def test_spec_defaults_follow_inspect_viz(samples):
    hm = evallens.ScoresHeatmap(samples)
    assert hm.width == 700 and hm.height == round(700 / 1.618)
    spec = hm._spec
    assert spec["scheme"] == "viridis" and spec["legend"] is True and spec["tip"] is True
    assert spec["domain"] == [0.0, 1.0] and spec["score"] == "score_match"
    assert spec["x"] == hm.x_order and spec["y"] == hm.y_order and spec["tasks_on_x"]
    assert len(spec["cells"]) == 12 and spec["unit"] == "samples"
    assert hm.columns == {
        "task": "task_display_name",
        "model": "model_display_name",
        "score": "score_match",
    }
    vertical = evallens.ScoresHeatmap(
        samples, orientation="vertical", legend=None, width=400, color_scheme="Blues"
    )
    assert vertical._spec["tasks_on_x"] is False and vertical._spec["legend"] is False
    assert vertical.height == round(400 / 1.618) and vertical._spec["scheme"] == "blues"
    assert set(vertical.x_order) == set(samples["model_display_name"].unique())


def test_pandas_and_attributes(samples):
    hm = evallens.ScoresHeatmap(
        samples.to_pandas(), score_value="score_judge", color_domain=[0, 10], cell={"text": None}
    )
    assert hm._spec["domain"] == [0.0, 10.0] and hm._spec["cell"]["text"] is None
    with pytest.raises(TypeError, match="color_domian"):
        evallens.ScoresHeatmap(samples, color_domian=[0, 1])
    with pytest.raises(ValueError, match="unknown color scheme 'virdis'; did you mean 'viridis'"):
        evallens.ScoresHeatmap(samples, color_scheme="virdis")
    with pytest.raises(ValueError, match="not a CSS colour"):
        evallens.ScoresHeatmap(samples, cell={"text": "red; background: url(https://x.org/a)"})
    with pytest.raises(ValueError, match="orientation"):
        evallens.ScoresHeatmap(samples, orientation="diagonal")  # type: ignore[arg-type]


def test_selection_is_validated_and_normalized(samples):
    hm = evallens.ScoresHeatmap(samples)
    t, m = hm.x_order[0], hm.y_order[0]
    seen = []
    hm.observe(lambda c: seen.append(c["new"]), ["selection"])
    hm.selection = [(t, m), {"task": t, "model": m}]
    assert hm.selection == [{"task": t, "model": m}] and seen == [hm.selection]
    with pytest.raises(ValueError, match="unknown model 'nope'"):
        hm.selection = [{"task": t, "model": "nope"}]
    with pytest.raises(ValueError, match="needs 'task' and 'model'"):
        hm.selection = [{"task": t}]
    assert hm.selection == [{"task": t, "model": m}]


def test_mask_selects_exactly_the_cells(samples):
    hm = evallens.ScoresHeatmap(samples)
    assert hm.selection_mask(samples) is None
    pick = [
        {"task": hm.x_order[0], "model": hm.y_order[1]},
        {"task": hm.x_order[2], "model": hm.y_order[0]},
    ]
    hm.selection = pick
    mask = hm.selection_mask(samples)
    assert mask is not None
    assert mask.to_list() == samples.select(_cell_filter(pick)).to_series().to_list()
    with pytest.raises(ValueError, match="unknown column 'task_display_name'"):
        hm.selection_mask(samples.drop("task_display_name"))


def test_link_filters_composes_and_unlinks(samples):
    hm = evallens.ScoresHeatmap(samples)
    grid = evallens.SampleGrid(samples)
    evallens.link(hm, grid)
    evallens.link(hm, grid)  # a no-op
    assert sum(1 for s, g in links() if s is hm and g is grid) == 1
    pick = [{"task": hm.x_order[1], "model": hm.y_order[2]}]
    hm.selection = pick
    assert grid.view_count == samples.filter(_cell_filter(pick)).height
    assert grid.visible_rows().equals(samples.filter(_cell_filter(pick)))
    grid.filter = pl.col("score_judge") > 5
    expected = samples.filter(_cell_filter(pick) & (pl.col("score_judge") > 5))
    assert grid.view_count == expected.height
    grid.sort = [{"column": "score__judge__judge", "dir": "desc"}]
    assert grid.visible_rows()["score_judge"].to_list() == sorted(
        expected["score_judge"].to_list(), reverse=True
    )
    grid.filter = None
    hm.selection = []
    assert grid.view_count == samples.height
    hm.selection = pick
    evallens.unlink(hm, grid)
    assert grid.view_count == samples.height
    hm.selection = []
    assert grid.view_count == samples.height
    evallens.unlink(hm, grid)  # unlinking twice is harmless


def test_link_rejects_what_cannot_filter(samples):
    grid = evallens.SampleGrid(samples)
    with pytest.raises(TypeError, match="cannot filter a grid"):
        evallens.link(object(), grid)  # type: ignore[arg-type]
    evals_like = pl.DataFrame({"task_name": ["a"], "model": ["m"], "score_headline_value": [0.5]})
    hm = evallens.ScoresHeatmap(evals_like)  # tasks by task_name, models by model
    other = evallens.SampleGrid(samples.drop("task_name"))
    with pytest.raises(ValueError, match="unknown column 'task_name'"):
        evallens.link(hm, other)


def test_codes_are_cached_per_frame(samples):
    hm = evallens.ScoresHeatmap(samples)
    hm.selection_mask(samples)
    first = hm._model._codes[id(samples)]
    hm.selection = [{"task": hm.x_order[0], "model": hm.y_order[0]}]
    hm.selection_mask(samples)
    assert hm._model._codes[id(samples)] is first


def test_explore_links_heatmap_and_grid():
    ui = evallens.explore()
    assert isinstance(ui, Explorer) and ui.children == (ui.heatmap, ui.grid)
    total = ui.grid.view_count
    ui.heatmap.selection = [{"task": "Trivia", "model": "gpt-4.1"}]
    assert ui.grid.view_count == 200
    ui.heatmap.selection = []
    assert ui.grid.view_count == total == 19_200
    frame = evallens.synthetic_samples(2, 2, 5)
    ui = evallens.explore(frame, score_value="score_closeness", sort=None)
    assert ui.heatmap.columns["score"] == "score_closeness"
    assert ui.heatmap.x_order == frame["task_display_name"].unique(maintain_order=True).to_list()


def test_real_logs_through_explore():
    files = sorted(require(LOGS_DIR / "inspect_ai_tests").rglob("*.eval"))[:3]
    assert files
    ui = evallens.explore([str(f) for f in files])
    assert ui.grid.view_count == ui.grid.data.height > 0
    assert set(ui.heatmap.cells["task"]) == set(ui.grid.data["task_display_name"].drop_nulls())
    first = ui.heatmap.cells.row(0, named=True)
    ui.heatmap.selection = [{"task": first["task"], "model": first["model"]}]
    expected = ui.grid.data.filter(
        (pl.col("task_display_name") == first["task"])
        & (pl.col("model_display_name") == first["model"])
    )
    assert ui.grid.view_count == expected.height
