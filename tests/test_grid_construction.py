"""Building a grid holds the user's frame as it is, and what it shows is what it showed.

The grid used to copy every float column (NaN read as missing) and add a status column
when built; those are now computed by the queries that read them. These tests hold the
constructor to not copying, and the rows it serves (sorted, filtered, windowed, a status
and NaN as missing) to a naive oracle that sorts with polars directly. pandas input must
give the grid the same columns and values as the polars frame it came from.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evallens
from evallens.frames import to_frame
from evallens.grid.columns import STATUS
from evallens.grid.model import GridModel
from evallens.grid.query import SortKey
from evallens.wire import ROW

FLOATS = st.one_of(
    st.none(),
    st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 0.5, 1.0, -2.5, 7.0]),
)
ERRORS = st.one_of(st.none(), st.sampled_from(["", "RuntimeError('x')", "CancelledError()"]))
LIMITS = st.one_of(st.none(), st.sampled_from(["", "token", "time"]))


def _status(error: str | None, limit: str | None) -> str | None:
    """Inspect's sample status, one row at a time (the rule the grid derives)."""
    if error:
        return "cancelled" if error.startswith("CancelledError(") else "error"
    return "limit" if limit else None


def _shown(value: Any) -> Any:
    """A value as the grid shows it: NaN and infinities are missing."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


@st.composite
def frames(draw: Any) -> pl.DataFrame:
    n = draw(st.integers(0, 50))
    ints = st.integers(-3, 3)
    return pl.DataFrame(
        {
            "id": draw(st.lists(ints, min_size=n, max_size=n)),
            "score_x": draw(st.lists(FLOATS, min_size=n, max_size=n)),
            "mine": draw(st.lists(FLOATS, min_size=n, max_size=n)),
            "error": draw(st.lists(ERRORS, min_size=n, max_size=n)),
            "limit": draw(st.lists(LIMITS, min_size=n, max_size=n)),
        },
        schema={"id": pl.Int64, "score_x": pl.Float64, "mine": pl.Float64,
                "error": pl.String, "limit": pl.String},
    )  # fmt: skip


def _oracle(frame: pl.DataFrame, column: str, descending: bool, mask: list[bool] | None) -> Any:
    """Rows as a user expects them: NaN missing, sorted by polars directly, missing last,
    ties in frame order; each row's status by the rule above."""
    rows = frame.with_row_index(ROW).with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).alias(c) for c in ("score_x", "mine")
    )
    if mask is not None:
        rows = rows.filter(pl.Series(mask, dtype=pl.Boolean))
    rows = rows.sort(column, descending=descending, nulls_last=True, maintain_order=True)
    return [{**r, STATUS: _status(r["error"], r["limit"])} for r in rows.rows(named=True)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frames(),
    st.sampled_from(["score_x", "mine", "id"]),
    st.booleans(),
    st.data(),
    st.booleans(),
)
def test_windows_equal_a_direct_polars_sort(
    frame: pl.DataFrame, column: str, descending: bool, data: Any, partial: bool
) -> None:
    mask = data.draw(
        st.one_of(st.none(), st.lists(st.booleans(), min_size=frame.height, max_size=frame.height))
    )
    model = GridModel(frame)
    if partial:  # the first window from a top-k, as on a large frame
        model.query._partial_sort_rows = 0
    model.query.set_sort([SortKey(column, descending)])
    if mask is not None:
        model.query.set_mask("filter", pl.Series(mask, dtype=pl.Boolean))
    wanted = _oracle(frame, column, descending, mask)
    fields = [ROW, STATUS, "id", "score_x", "mine", "error", "limit"]
    for offset in (0, 7):
        window = model.query.window(offset, 20, fields)
        got = window.rows(named=True)
        assert got == wanted[offset : offset + 20]
    assert model.query.count == len(wanted)
    # the full order (for scrolling) agrees with the first window's
    assert model.query.view.to_list() == [r[ROW] for r in wanted]
    # a row opened in the detail panel shows the same values
    for r in wanted[:3]:
        got_row = model.query.row(r[ROW])
        assert {k: got_row[k] for k in r} == r


@settings(max_examples=60, deadline=None)
@given(frames(), st.sampled_from(["has_error", "has_limit", "x > 0"]))
def test_filters_read_nan_as_missing(frame: pl.DataFrame, text: str) -> None:
    """A filter sees the values the grid shows (NaN missing), as before."""
    model = GridModel(frame)
    mask = model.filter_mask(pl.col("score_x") > 0)
    shown = [_shown(v) for v in frame.get_column("score_x").to_list()]
    assert mask is not None
    assert mask.to_list() == [None if v is None else v > 0 for v in shown]
    # filter text runs against the same rows
    kept = model.filter_mask(text)
    assert kept is not None and kept.len() == frame.height


def _buffer(series: pl.Series) -> list[int]:
    """Where a column's values are in memory (Arrow export shares numeric buffers)."""
    return [b.address for b in series.to_arrow().buffers() if b is not None]


def test_building_a_grid_copies_no_column_of_the_frame() -> None:
    frame = evallens.synthetic_samples(4, 5, 50).rechunk().with_columns(
        pl.when(pl.col("id") % 7 == 0).then(float("nan")).otherwise(pl.col("total_time"))
        .alias("total_time")
    )  # fmt: skip
    grid = evallens.SampleGrid(frame)
    model = grid._model
    assert grid.data is frame
    held = model.query.df
    # Every column the grid holds is the frame's own (same buffers), floats with NaN too.
    for name, dtype in frame.schema.items():
        if dtype.is_numeric():
            assert _buffer(held.get_column(name)) == _buffer(frame.get_column(name)), name
    # Nothing derived is stored: the status and the NaN-free floats are computed per query.
    assert STATUS not in held.columns
    extra = held.estimated_size() - frame.estimated_size()
    assert extra <= 9 * frame.height  # the row index and the (empty) hit counts only
    # ...and still shown.
    status = model.query.work.take(pl.Series([0, 1], dtype=pl.UInt32), [STATUS])
    assert status.height == 2


def _grid_rows(grid: evallens.SampleGrid, sort: list[dict[str, str]]) -> pl.DataFrame:
    grid.sort = sort
    return grid.view_frame("all")


PANDAS_TEXT = st.one_of(st.none(), st.text(max_size=6))


@st.composite
def pandas_able(draw: Any) -> pl.DataFrame:
    """Frames whose every value pandas holds as it is (ints without missing values)."""
    n = draw(st.integers(1, 40))
    finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
    return pl.DataFrame(
        {
            "id": draw(st.lists(st.integers(-(2**40), 2**40), min_size=n, max_size=n)),
            "note": draw(st.lists(PANDAS_TEXT, min_size=n, max_size=n)),
            "score_x": draw(st.lists(st.one_of(st.none(), finite), min_size=n, max_size=n)),
            "score_y": draw(
                st.lists(st.one_of(st.none(), st.sampled_from(["C", "I", "P"])), min_size=n,
                         max_size=n)
            ),
            "flag": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "my column": draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)),
        },
        schema={"id": pl.Int64, "note": pl.String, "score_x": pl.Float64,
                "score_y": pl.String, "flag": pl.Boolean, "my column": pl.Int64},
    )  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pandas_able(), st.sampled_from(["score_x", "id", "score_y", "note"]), st.booleans())
def test_pandas_input_shows_what_the_polars_frame_shows(
    frame: pl.DataFrame, column: str, descending: bool
) -> None:
    converted = to_frame(frame.to_pandas())
    assert converted.columns == frame.columns  # the user's own columns, nothing added
    assert converted.equals(frame)
    sort = [{"column": column, "dir": "desc" if descending else "asc"}]
    polars_grid = evallens.SampleGrid(frame)
    pandas_grid = evallens.SampleGrid(frame.to_pandas())
    for grid in (polars_grid, pandas_grid):
        grid._repr_mimebundle_()  # displayed: the descriptions are in the state
    assert pandas_grid._column_defs == polars_grid._column_defs
    assert _grid_rows(pandas_grid, sort).equals(_grid_rows(polars_grid, sort))


def test_pandas_odd_columns_convert_as_polars_converts_them() -> None:
    """Nullable ints, categoricals, dates, objects, a named index: as ``pl.from_pandas``."""
    frame = pd.DataFrame(
        {
            "f": [1.0, math.nan, None],
            "i": pd.array([1, None, 3], dtype="Int64"),
            "c": pd.Categorical(["a", "b", "a"]),
            "d": pd.to_datetime(["2024-01-01", None, "2024-01-03"]),
            "o": [{"a": 1}, None, {"a": 2}],
            "b": [True, False, None],
        },
        index=pd.Index([5, 6, 7], name="row"),
    )
    assert to_frame(frame).equals(pl.from_pandas(frame))


def test_pandas_that_arrow_cannot_type_names_the_problem() -> None:
    with pytest.raises(ValueError, match="cannot convert the pandas frame"):
        to_frame(pd.DataFrame({"mixed": [1, "a", object()]}))


@st.composite
def logged(draw: Any) -> tuple[pl.DataFrame, list[bool] | None]:
    """Samples of a few logs: each log's rows together (as readers write them) or mixed."""
    n = draw(st.integers(0, 40))
    logs = draw(st.lists(st.sampled_from(["b.eval", "a.eval", "c.eval", None]), min_size=n,
                         max_size=n))  # fmt: skip
    if draw(st.booleans()):  # together, in an order of their own
        order = draw(st.permutations(["b.eval", "a.eval", "c.eval", None]))
        logs = sorted(logs, key=order.index)
    frame = pl.DataFrame(
        {
            "log": logs,
            "id": draw(st.lists(st.integers(1, 4), min_size=n, max_size=n)),
            "epoch": draw(st.lists(st.integers(1, 2), min_size=n, max_size=n)),
        },
        schema={"log": pl.String, "id": pl.Int64, "epoch": pl.Int64},
    )
    mask = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n)))
    return frame, mask


@settings(max_examples=150, deadline=None)
@given(logged(), st.booleans())
def test_default_order_is_logs_as_given_then_id_then_epoch(case: Any, partial: bool) -> None:
    frame, mask = case
    rows = frame.rows()
    first_seen: dict[Any, int] = {}
    for i, (log, _, _) in enumerate(rows):
        first_seen.setdefault(log, i)
    kept = [i for i in range(len(rows)) if mask is None or mask[i]]
    wanted = sorted(kept, key=lambda i: (first_seen[rows[i][0]], rows[i][1], rows[i][2], i))
    model = GridModel(frame)
    if partial:
        model.query._partial_sort_rows = 0
    if mask is not None:
        model.query.set_mask("filter", pl.Series(mask, dtype=pl.Boolean))
    assert model.query.window(0, 15, ["id"]).get_column(ROW).to_list() == wanted[:15]
    assert model.query.view.to_list() == wanted
