"""A widget that is closed and no longer referenced is freed, with the data it holds.

Researchers re-run cells all day: each run makes new widgets over samples that may hold
millions of rows, or a transcript of 100k messages. If something kept the old widgets
alive, a kernel would grow with every run until it died.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest

import evallens
from evallens.link import links


def _demo() -> pl.DataFrame:
    demo = evallens.demo_samples()
    return demo.filter(pl.col("task_name") == demo["task_name"][0])


def _sample() -> dict[str, Any]:
    return {
        "id": 1,
        "epoch": 1,
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
        "scores": {"match": {"value": "C"}},
    }


MAKERS: dict[str, Callable[[], Any]] = {
    "SampleGrid": lambda: evallens.SampleGrid(_demo()),
    "ScoresHeatmap": lambda: evallens.ScoresHeatmap(_demo()),
    "ScoresByLimit": lambda: evallens.ScoresByLimit(_demo(), limit_column="total_tokens"),
    "SampleView": lambda: evallens.SampleView(_sample()),
    "explore": lambda: evallens.explore(_demo()),
    "compare": lambda: evallens.compare(_demo(), baseline=str(_demo()["model_display_name"].min())),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_a_closed_widget_nobody_holds_is_freed(name: str) -> None:
    widget = MAKERS[name]()
    gone = weakref.ref(widget)
    widget.close()
    del widget
    gc.collect()
    assert gone() is None, f"a closed {name} is still alive: something holds it"


@pytest.mark.parametrize("name", ["explore", "compare"])
def test_closing_a_composite_closes_the_widgets_inside(name: str) -> None:
    composite = MAKERS[name]()
    inside = [weakref.ref(w) for w in (composite.heatmap, composite.grid)]
    composite.close()
    del composite
    gc.collect()
    assert [ref() for ref in inside] == [None, None]


def test_a_new_baseline_frees_the_views_it_replaces() -> None:
    comparison = MAKERS["compare"]()
    before = [weakref.ref(w) for w in (comparison.heatmap, comparison.grid)]
    comparison.baseline = sorted(comparison.picker.options)[-1]
    gc.collect()
    assert [ref() for ref in before] == [None, None]
    assert comparison.grid.comm is not None  # the new views are open
    comparison.close()


def test_closing_a_linked_widget_ends_the_link_and_the_grid_shows_every_sample() -> None:
    samples = _demo()
    heatmap, grid = evallens.ScoresHeatmap(samples), evallens.SampleGrid(samples)
    evallens.link(heatmap, grid)
    heatmap.selection = [
        {"task": samples["task_display_name"][0], "model": samples["model_display_name"][0]}
    ]
    assert grid.view_count < samples.height
    heatmap.close()
    assert (heatmap, grid) not in links()
    assert grid.view_count == samples.height
    grid.close()


def test_closing_a_linked_grid_ends_the_link_without_refiltering_it() -> None:
    samples = _demo()
    heatmap, grid = evallens.ScoresHeatmap(samples), evallens.SampleGrid(samples)
    evallens.link(heatmap, grid)
    heatmap.selection = [
        {"task": samples["task_display_name"][0], "model": samples["model_display_name"][0]}
    ]
    revision, shown = grid._revision, grid.view_count
    grid.close()
    assert (heatmap, grid) not in links()
    assert (grid._revision, grid.view_count) == (revision, shown)  # no refresh on the way out
    heatmap.selection = []  # the heatmap no longer reaches the closed grid
    assert grid.view_count == shown
    heatmap.close()


def test_a_closed_grid_drops_its_sort_orders_and_still_answers_from_python() -> None:
    # The notebook's output history keeps a closed widget: what it kept for its page goes.
    grid = evallens.SampleGrid(evallens.demo_samples())
    sorts = [{"column": "score__closeness__closeness", "dir": "desc"}]
    grid.group_epochs = True
    grid.group_epochs = False
    grid.sort = sorts
    expected = grid.view_frame()
    query = grid._model.query
    assert query.is_cached(query._keys)
    grid.close()
    assert not query._perms and query._view is None
    assert grid.view_frame().equals(expected)  # sorted again, not kept
    assert not query._perms
