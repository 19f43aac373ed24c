"""The kernel-side query engine: sort permutations, masks, windows, wire format."""

from __future__ import annotations

import math

import polars as pl
import pyarrow as pa
import pytest

from evallens.errors import unknown_name_error
from evallens.grid.query import SampleQuery, SortKey
from evallens.wire import ROW, to_ipc, wire_frame


@pytest.fixture
def frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [10, 9, 2, 1, 100],
            "score": [0.5, None, 0.1, 0.9, 0.5],
            "name": ["b", "a", None, "c", "d"],
        }
    )


def test_sorts_numbers_as_numbers_with_missing_last_both_ways(frame: pl.DataFrame) -> None:
    q = SampleQuery(frame)
    q.set_sort([SortKey("id")])
    assert q.window(0, 10)["id"].to_list() == [1, 2, 9, 10, 100]
    q.set_sort([SortKey("score")])
    assert q.window(0, 10)["score"].to_list() == [0.1, 0.5, 0.5, 0.9, None]
    q.set_sort([SortKey("score", descending=True)])
    assert q.window(0, 10)["score"].to_list() == [0.9, 0.5, 0.5, 0.1, None]


def test_multi_column_sort_breaks_ties_with_later_keys(frame: pl.DataFrame) -> None:
    q = SampleQuery(frame)
    q.set_sort([SortKey("score", True), SortKey("id", True)])
    assert q.window(0, 3)["id"].to_list() == [1, 100, 10]


def test_permutations_are_cached_per_key_list(frame: pl.DataFrame) -> None:
    q = SampleQuery(frame)
    keys = (SortKey("id"),)
    assert not q.is_cached(keys)
    q.set_sort(keys)
    _ = q.view
    assert q.is_cached(keys)


def test_masks_compose_with_sort(frame: pl.DataFrame) -> None:
    q = SampleQuery(frame)
    q.set_sort([SortKey("id", True)])
    q.set_mask("a", q.mask_for(pl.col("score") >= 0.5))
    q.set_mask("b", q.mask_for(pl.col("id") < 50))
    assert q.window(0, 10)["id"].to_list() == [10, 1]
    assert q.count == 2
    q.set_mask("b", None)
    assert q.window(0, 10)["id"].to_list() == [100, 10, 1]


def test_window_carries_source_row_and_position_lookup(frame: pl.DataFrame) -> None:
    q = SampleQuery(frame)
    q.set_sort([SortKey("id")])
    win = q.window(1, 2)
    assert win[ROW].to_list() == [2, 1]
    assert q.position_of(4) == 4
    assert q.row(4)["id"] == 100


def test_wire_frame_is_simple_and_safe() -> None:
    df = pl.DataFrame(
        {
            ROW: pl.Series([0, 1], dtype=pl.UInt32),
            "n": [1, 2],
            "f": [math.nan, math.inf],
            "t": ["x" * 1000, None],
            "nested": [{"a": 1}, {"a": 2}],
            "lst": [[1, 2], [3]],
        }
    )
    wire = wire_frame(df, preview_chars=10)
    assert wire["n"].dtype == pl.Int64  # exact: the browser reads int64 (BigInt beyond 2**53)
    assert wire["f"].to_list() == [None, None]
    assert wire["t"].to_list() == ["x" * 10, None]
    assert wire["nested"].to_list() == ['{"a": 1}', '{"a": 2}']
    assert wire["lst"].to_list() == ["[1, 2]", "[3]"]
    table = pa.ipc.open_stream(to_ipc(wire)).read_all()
    assert table.num_rows == 2


def test_unknown_name_error_lists_near_matches() -> None:
    err = unknown_name_error("column", "scroe_judge", ["score_judge", "score_match", "input"])
    assert "scroe_judge" in str(err)
    assert "did you mean 'score_judge'" in str(err)


def test_wire_frame_sends_dates_times_durations_and_categories_as_text() -> None:
    import datetime as dt

    df = pl.DataFrame(
        {
            "d": [dt.date(2024, 1, 2)],
            "t": [dt.datetime(2024, 1, 2, 3)],
            "du": [dt.timedelta(seconds=3)],
            "tm": [dt.time(1, 2)],
            "c": pl.Series(["a"], dtype=pl.Categorical),
            "n": pl.Series([None], dtype=pl.Null),
        }
    )
    wire = wire_frame(df)
    assert all(t == pl.String for t in wire.schema.values())
    assert wire.row(0) == (
        "2024-01-02",
        "2024-01-02 03:00:00.000000",
        "PT3S",
        "01:02:00",
        "a",
        None,
    )


def test_cached_sort_orders_stay_within_their_byte_budget_newest_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import evallens.grid.query as query

    frame = pl.DataFrame({"a": [3, 1, 2, 5, 4], "b": [1, 1, 0, 0, 1], "c": [9, 8, 7, 6, 5]})
    one = pl.Series([0] * frame.height, dtype=pl.UInt32).estimated_size()
    monkeypatch.setattr(query, "_PERM_CACHE_BYTES", 2 * one)  # room for two orders
    q = SampleQuery(frame, partial_sort_rows=10**9)
    for name in ("a", "b", "c"):
        q.set_sort([SortKey(name)])
        assert q.window(0, 5)[name].to_list() == sorted(frame[name].to_list())
    assert [q.is_cached([SortKey(n)]) for n in ("a", "b", "c")] == [False, True, True]
    q.set_sort([SortKey("a")])  # sorted again when asked for again
    assert q.window(0, 5)["a"].to_list() == [1, 2, 3, 4, 5]
    assert [q.is_cached([SortKey(n)]) for n in ("a", "b", "c")] == [True, False, True]
    monkeypatch.setattr(query, "_PERM_CACHE_BYTES", 0)  # the newest stays, whatever its size
    q.set_sort([SortKey("b")])
    assert q.window(0, 5)["b"].to_list() == [0, 0, 1, 1, 1]
    assert [q.is_cached([SortKey(n)]) for n in ("a", "b", "c")] == [False, True, False]
