"""grid.opened: the sample in the detail panel by its keys, both ways; neighbours in view order."""

from __future__ import annotations

import polars as pl
import pytest

import evallens


@pytest.fixture
def grid() -> evallens.SampleGrid:
    return evallens.SampleGrid(evallens.demo_samples())


def test_opened_follows_focused_and_back(grid: evallens.SampleGrid) -> None:
    seen = []
    grid.observe(lambda change: seen.append(change["new"]), "opened")
    grid.focused = 3
    row = grid.data.row(3, named=True)
    assert grid.opened == {"log": row["log"], "id": row["id"], "epoch": row["epoch"]}
    assert seen == [grid.opened]
    other = grid.data.row(10, named=True)
    grid.opened = {"log": other["log"], "id": other["id"], "epoch": other["epoch"]}
    assert grid.focused == 10
    grid.opened = None
    assert grid.focused == -1 and grid.opened is None


def test_opened_rejects_unknown_samples(grid: evallens.SampleGrid) -> None:
    with pytest.raises(ValueError, match="match no sample"):
        grid.opened = {"log": "nope.eval", "id": 1, "epoch": 1}
    with pytest.raises(ValueError, match="missing epoch"):
        grid.opened = {"log": grid.data["log"][0], "id": 1}
    assert grid.focused == -1


def test_neighbours_follow_the_view_order(grid: evallens.SampleGrid) -> None:
    grid.sort = [{"column": "score__judge__judge", "dir": "desc"}]
    grid.filter = pl.col("task_name") == "trivia"
    view = grid._model.query.view.to_list()
    model = grid._model
    assert model.neighbour(view[0], 1) == view[1]
    assert model.neighbour(view[1], -1) == view[0]
    assert model.neighbour(view[0], -1) == -1
    assert model.neighbour(view[-1], 1) == -1
    hidden = next(i for i in range(grid.data.height) if i not in set(view))
    assert model.neighbour(hidden, 1) == view[0]
