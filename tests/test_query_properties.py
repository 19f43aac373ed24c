"""Property tests: the fast paths of the query engine equal the slow ones.

The first window after a new sort comes from a partial sort (top-k) while the full
permutation is built in the background; both must give the same rows, whatever the data:
missing values, NaN, ties, filters, several keys in either direction. A third, independent
oracle (Python's own stable sort) checks both.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evallens.grid.query import SampleQuery, SortKey
from evallens.wire import ROW

FLOATS = st.one_of(st.none(), st.just(math.nan), st.sampled_from([0.0, 0.5, 1.0, -2.5, 7.0]))
INTS = st.one_of(st.none(), st.integers(-3, 3))
TEXTS = st.one_of(st.none(), st.sampled_from(["a", "b", "B", "", "zz"]))


@st.composite
def cases(draw: Any) -> tuple[pl.DataFrame, list[SortKey], list[bool] | None, int]:
    n = draw(st.integers(0, 60))
    frame = pl.DataFrame(
        {
            "f": draw(st.lists(FLOATS, min_size=n, max_size=n)),
            "i": draw(st.lists(INTS, min_size=n, max_size=n)),
            "s": draw(st.lists(TEXTS, min_size=n, max_size=n)),
        },
        schema={"f": pl.Float64, "i": pl.Int64, "s": pl.String},
    )
    names = draw(st.lists(st.sampled_from(["f", "i", "s"]), min_size=1, max_size=3, unique=True))
    keys = [SortKey(name, draw(st.booleans())) for name in names]
    mask = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n)))
    k = draw(st.integers(1, 70))
    return frame, keys, mask, k


def _compare(a: Any, b: Any, descending: bool) -> int:
    """polars' order: missing last either way; NaN above every number."""
    if a is None or b is None:
        return (a is None) - (b is None)
    if isinstance(a, float) and (math.isnan(a) or math.isnan(b)):
        order = (math.isnan(a)) - (math.isnan(b))
    else:
        order = (a > b) - (a < b)
    return -order if descending else order


def oracle(frame: pl.DataFrame, keys: list[SortKey], mask: list[bool] | None) -> list[int]:
    rows = frame.rows(named=True)

    def cmp(x: int, y: int) -> int:
        for key in keys:
            c = _compare(rows[x][key.column], rows[y][key.column], key.descending)
            if c:
                return c
        return 0

    kept = [r for r in range(len(rows)) if mask is None or mask[r]]
    return sorted(kept, key=functools.cmp_to_key(cmp))  # stable: ties keep frame order


def _query(frame: pl.DataFrame, keys: list[SortKey], mask: list[bool] | None) -> SampleQuery:
    q = SampleQuery(frame, partial_sort_rows=0)  # every new sort answers from a top-k
    q.set_sort(keys)
    if mask is not None:
        q.set_mask("m", pl.Series(mask, dtype=pl.Boolean))
    return q


@settings(max_examples=300, deadline=None)
@given(cases())
def test_first_window_from_the_partial_sort_equals_the_full_sort(case: Any) -> None:
    frame, keys, mask, k = case
    partial = _query(frame, keys, mask).window(0, k)[ROW].to_list()
    full_query = _query(frame, keys, mask)
    full = full_query.view.slice(0, k).to_list()
    assert partial == full == oracle(frame, keys, mask)[:k]
    assert full_query.count == len(oracle(frame, keys, mask))


@settings(max_examples=100, deadline=None)
@given(cases())
def test_default_order_and_the_background_sort_agree(case: Any) -> None:
    frame, keys, mask, k = case
    q = SampleQuery(frame, default_sort=keys, partial_sort_rows=0)
    if mask is not None:
        q.set_mask("m", pl.Series(mask, dtype=pl.Boolean))
    first = q.window(0, k)[ROW].to_list()
    q.warm()  # the full permutation, built on a thread
    assert q.view.slice(0, k).to_list() == first == oracle(frame, keys, mask)[:k]


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_a_sort_by_runs_of_rows_first_sorts_each_run_as_the_whole_sort_does(
    case: Any, data: st.DataObject
) -> None:
    # The default order's shape: a key numbering runs of neighbouring rows (each log's
    # rows together) and keys within them; each run is then sorted on its own.
    frame, keys, mask, k = case
    lengths = data.draw(st.lists(st.integers(1, 8), min_size=1, max_size=12))
    runs = [r for r, n in enumerate(lengths) for _ in range(n)]
    runs = (runs * (frame.height // len(runs) + 1))[: frame.height]  # runs may repeat
    frame = frame.with_columns(pl.Series("run", sorted(runs), dtype=pl.UInt32))
    every = [SortKey("run"), *keys]
    q = SampleQuery(frame, default_sort=every, partial_sort_rows=0, run_key="run")
    if mask is not None:
        q.set_mask("m", pl.Series(mask, dtype=pl.Boolean))
    first = q.window(0, k)[ROW].to_list()
    expected = oracle(frame, every, mask)
    assert q.view.to_list() == expected
    assert first == expected[:k]
    assert q._sort_runs(tuple(every)).equals(q._sort_each_key(tuple(every)))


def test_a_failing_background_sort_surfaces_its_error_and_can_be_retried() -> None:
    frame = pl.DataFrame({"x": [300, 1, 2] * 10})
    # A sort key that fails when computed (300 does not fit an Int8).
    q = SampleQuery(frame, {"bad": pl.col("x").cast(pl.Int8, strict=True)}, partial_sort_rows=10**9)
    q.set_sort([SortKey("bad")])
    q.warm()
    with pytest.raises(pl.exceptions.InvalidOperationError):
        _ = q.view  # waits for the failed thread: raises, does not hang
    assert not q.is_cached([SortKey("bad")])
    with pytest.raises(pl.exceptions.InvalidOperationError):
        _ = q.view  # a second try computes again (nothing stale is left pending)
    q.set_sort([SortKey("x")])
    assert q.window(0, 3)["x"].to_list() == [1, 1, 1]
