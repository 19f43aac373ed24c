"""A grid is built without reading whole columns; what it reads later equals the eager answer.

The constructor reads the schema, the logs' runs and early-exit probes; score kinds and
bounds, number formats, the query and the first rows are worked out when the grid is first
displayed (`SampleGrid._settle`) or used. Each shortcut taken on the way is held here to the
plain computation it replaces, and the first display's state to what an eager build gives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evallens
from evallens.grid import columns as grid_columns
from evallens.grid import widget as grid_widget
from evallens.grid.columns import any_row
from evallens.grid.format import number_stats
from evallens.grid.model import GridModel
from evallens.scores import describe_column, describe_scores

NUMBERS = st.one_of(
    st.none(),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0]),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.integers(-5, 5).map(float),
)
TEXT = st.one_of(st.none(), st.sampled_from(["C", "I", "P", "N", "", "7", "10", "n/a", "x"]))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


@st.composite
def score_frames(draw: Any) -> pl.DataFrame:
    n = draw(st.integers(0, 40))
    floats = draw(st.lists(NUMBERS, min_size=n, max_size=n))
    ints = draw(st.lists(st.one_of(st.none(), st.integers(-2, 3)), min_size=n, max_size=n))
    texts = draw(st.lists(TEXT, min_size=n, max_size=n))
    flags = draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n))
    zero_one = st.sampled_from([None, 0.0, 1.0, math.nan, math.inf, -math.inf])
    bits = draw(st.lists(zero_one, min_size=n, max_size=n))
    return pl.DataFrame(
        {"id": list(range(n)), "score_f": floats, "score_i": ints, "score_t": texts,
         "score_b": flags, "score_z": bits, "mine": floats},
        schema={"id": pl.Int64, "score_f": pl.Float64, "score_i": pl.Int64,
                "score_t": pl.String, "score_b": pl.Boolean, "score_z": pl.Float64,
                "mine": pl.Float64},
    )  # fmt: skip


@pytest.fixture
def no_background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Grids settle only when used (no thread settles them ahead), so the test sees when."""

    class Inline:
        def __init__(self, **_kwargs: Any) -> None:
            pass

        def start(self) -> None:
            pass

    monkeypatch.setattr(grid_widget.threading, "Thread", Inline)


@SETTINGS
@given(score_frames())
def test_settled_scores_equal_describing_each_column(frame: pl.DataFrame) -> None:
    # The model describes scores with the bounds number_stats read: the same descriptors.
    model = GridModel(frame)
    assert model.scores == describe_scores(frame)
    for s in model.scores:
        assert (s.kind, s.min, s.max) == tuple(describe_column(frame[s.column]).get(k) for k in ("kind", "min", "max"))  # fmt: skip


def _stats_oracle(values: list[float | None]) -> tuple[Any, Any, Any, bool]:
    """Bounds, least non-zero magnitude and wholeness of the finite values, by numpy."""
    finite = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if finite.size == 0:
        return None, None, None, True
    nonzero = np.abs(finite[finite != 0])
    least = float(nonzero.min()) if nonzero.size else None
    return float(finite.min()), float(finite.max()), least, bool(np.all(finite == np.round(finite)))


@SETTINGS
@given(st.lists(NUMBERS, max_size=40))
def test_number_stats_equal_numpy(values: list[float | None]) -> None:
    # The least magnitude is taken from the bounds when the column keeps one sign.
    stats = number_stats(pl.DataFrame({"v": values}, schema={"v": pl.Float64}), ["v"])["v"]
    lo, hi, least, whole = _stats_oracle(values)
    assert (stats.lo, stats.hi, stats.smallest) == (lo, hi, least)
    assert stats.integral == whole


@SETTINGS
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=60),
    at_least=st.integers(0, 3),
)
def test_probes_equal_reading_every_row(
    values: list[int | None], at_least: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(grid_columns, "_FIRST_SLICE", 2)  # many slices, even on short columns
    series = pl.Series("v", values, dtype=pl.Int64)
    assert any_row(series, lambda s: s >= at_least) == bool((series >= at_least).any())
    present = grid_columns._first_present(series, at_least + 1)
    assert present.to_list() == series.drop_nulls().head(at_least + 1).to_list()
    assert grid_columns._varies(series) == (series.n_unique() > 1)


@SETTINGS
@given(frame=score_frames())
def test_first_display_shows_what_an_eager_build_shows(
    frame: pl.DataFrame, no_background: None
) -> None:
    grid = evallens.SampleGrid(frame)
    assert not grid._settled and not grid._model.settled  # nothing read yet
    grid._repr_mimebundle_()  # displayed
    assert grid._settled
    eager = GridModel(frame)
    eager.settle()
    assert grid._column_defs == eager.column_defs()
    eager.apply([], "")
    assert grid._initial == eager.window(0, grid_widget.FIRST_WINDOW, grid.columns)


def test_a_grid_inside_a_box_is_settled_by_its_page(no_background: None) -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    assert not grid._settled
    reply = grid._handlers["settle"]({"type": "settle", "id": 1}, [])
    assert reply == ({}, []) and grid._settled and grid._initial
    assert any("format" in d for d in grid._column_defs)  # numbers' formats are there


def test_python_use_before_display_settles_what_it_needs(no_background: None) -> None:
    frame = evallens.demo_samples()
    grid = evallens.SampleGrid(frame)
    assert [s.kind for s in grid.scores] == [s.kind for s in describe_scores(frame)]
    grid.sort = [{"column": "score_judge", "dir": "desc"}]  # a view change: the state is complete
    assert grid._settled and grid._initial
    assert grid.view_count == frame.height


@SETTINGS
@given(values=st.lists(NUMBERS, max_size=30))
def test_a_float_column_read_as_it_is_when_it_has_nothing_to_hide(values: list[Any]) -> None:
    # Columns without NaN or infinities skip the derived copy: what a query reads is the same.
    from evallens.grid.columns import work_frame
    from evallens.grid.query import missing_if_not_finite

    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    work = work_frame(frame)
    expected = frame.select(missing_if_not_finite("x")).to_series()
    assert work.get_column("x").equals(expected)
    assert (
        work.select(pl.col("x").sort(nulls_last=True))
        .to_series()
        .equals(expected.sort(nulls_last=True))
    )
