"""Header histograms: counts of the rows in view, and the ranges brushed on them.

Every count is held to plain Python counting over the same rows (an independent oracle),
and a brushed range keeps exactly the rows its bars counted.
"""

from __future__ import annotations

import bisect
import itertools
import math
from typing import Any

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import evallens
from evallens.grid.histograms import BINS
from evallens.scores import value_expr


def _hist(grid: evallens.SampleGrid, cid: str) -> dict[str, Any]:
    return next(h for h in grid.header_histograms() if h["id"] == cid)


def _oracle_bins(values: list[float | None], lo: float, hi: float) -> list[int]:
    """Bar i holds the values from its edge lo + i * width up to the next edge (the last
    bar up to hi); a range too narrow for distinct edges (or a width whose reciprocal
    overflows) is one bar."""
    width = (hi - lo) / BINS if hi > lo else 1.0
    edges = [lo + i * width for i in range(BINS + 1)]
    distinct = (
        width > 0 and math.isfinite(1 / width) and all(a < b for a, b in itertools.pairwise(edges))
    )
    counts = [0] * BINS
    for v in values:
        if v is not None and math.isfinite(v):
            bar = bisect.bisect_right(edges[:BINS], v) - 1 if distinct else 0
            counts[min(BINS - 1, max(0, bar))] += 1
    return counts


def test_counts_are_the_rows_in_view_as_plain_python_counts_them() -> None:
    samples = evallens.demo_samples()
    grid = evallens.SampleGrid(samples)
    grid.filter = pl.col("model") == "openai/gpt-4.1"
    shown = samples.filter(pl.col("model") == "openai/gpt-4.1")
    match = _hist(grid, "score__match__match")
    assert match["type"] == "categories"
    assert match["labels"] == ["I", "C"]  # by value: I = 0 before C = 1, never as text
    grades = shown["score_match"].to_list()
    assert match["counts"] == [grades.count("I"), grades.count("C")]
    assert match["missing"] == grades.count(None)

    judge = _hist(grid, "score__judge__judge")  # a 1-10 rating: a bar per value
    assert judge["labels"] == [str(i) for i in range(1, 11)]
    ratings = shown["score_judge"].to_list()
    assert judge["counts"] == [ratings.count(i) for i in range(1, 11)]

    close = _hist(grid, "score__closeness__closeness")
    assert close["type"] == "bins"
    everything = samples["score_closeness"].drop_nulls()
    assert (close["min"], close["max"]) == (everything.min(), everything.max())  # all rows
    assert close["counts"] == _oracle_bins(
        shown["score_closeness"].to_list(), close["min"], close["max"]
    )


def test_a_brushed_range_keeps_exactly_the_rows_its_bars_counted() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    close = _hist(grid, "score__closeness__closeness")
    grid.ranges = {"score__closeness__closeness": {"bins": [4, 9]}}
    assert grid.view_count == sum(close["counts"][4:10])
    after = _hist(grid, "score__closeness__closeness")
    assert after["counts"][4:10] == close["counts"][4:10]
    assert sum(after["counts"]) == grid.view_count


def test_clicked_values_and_numbers_from_python_filter_as_the_data_says() -> None:
    samples = evallens.demo_samples()
    grid = evallens.SampleGrid(samples)
    grid.ranges = {"score__match__match": {"values": ["C"]}}
    assert grid.view_count == (samples["score_match"] == "C").sum()
    grid.ranges = {"score__judge__judge": {"min": 3, "max": 5}}
    assert grid.view_count == samples["score_judge"].is_between(3, 5).sum()
    # the filter read back holds the range, and keeps the same rows on the frame
    assert samples.filter(grid.filter).height == grid.view_count
    grid.filter = pl.col("task_name") == "trivia"  # a filter set is the whole filter
    assert grid.ranges == {}


def test_wrong_ranges_say_what_is_wrong() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    with pytest.raises(ValueError, match="unknown column with a histogram 'score__judge'"):
        grid.ranges = {"score__judge": {"min": 1, "max": 2}}
    with pytest.raises(ValueError, match="unknown value of 'score__match__match' 'c'"):
        grid.ranges = {"score__match__match": {"values": ["c"]}}
    with pytest.raises(ValueError, match=r"min 5\.0 above max 1\.0"):
        grid.ranges = {"score__judge__judge": {"min": 5, "max": 1}}
    with pytest.raises(ValueError, match="binned histogram"):
        grid.ranges = {"score__match__match": {"bins": [0, 1]}}
    assert grid.ranges == {}


def test_histograms_follow_the_shown_columns_and_the_toggle() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    assert grid._histograms == []  # nothing counted until a page (or Python) asks
    ids = [h["id"] for h in grid.header_histograms()]
    assert "score__match__match" in ids and "input" not in ids
    grid.columns = [{"id": "sampleId"}, {"id": "score__match__match"}]
    assert [h["id"] for h in grid._histograms] == ["score__match__match"]
    grid.histograms = False
    assert grid._histograms == []


FRAMES = st.lists(
    st.tuples(
        st.one_of(
            st.none(),
            st.floats(-5, 5, allow_nan=False),
            # ranges too narrow for distinct edges, and values on edges
            st.sampled_from([0.0, 5e-324, 1e-310, -5e-324, 0.1, 0.35, 0.7]),
        ),
        st.one_of(st.none(), st.sampled_from(["C", "I", "P", "N"])),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=80,
)


@settings(max_examples=80, deadline=None)
@given(FRAMES, st.integers(0, BINS - 1), st.integers(0, BINS - 1), st.integers(0, 3))
def test_any_brush_on_any_frame_keeps_the_rows_its_bars_count(
    rows: list[tuple[Any, Any, int]], a: int, b: int, group: int
) -> None:
    frame = pl.DataFrame(
        {
            "id": list(range(len(rows))),
            "score_x": [r[0] for r in rows],
            "score_g": [r[1] for r in rows],
            "g": [r[2] for r in rows],
        },
        schema={"id": pl.Int64, "score_x": pl.Float64, "score_g": pl.String, "g": pl.Int64},
    )
    grid = evallens.SampleGrid(frame)
    grid.filter = pl.col("g") != group
    shown = frame.filter(pl.col("g") != group)
    hists = {h["id"]: h for h in grid.header_histograms()}
    x = hists.get("score__x__x")
    if x is not None:
        assert sum(x["counts"]) + x["missing"] == shown.height
        if x["type"] == "bins":
            assert x["counts"] == _oracle_bins(shown["score_x"].to_list(), x["min"], x["max"])
            first, last = min(a, b), max(a, b)
            grid.ranges = {"score__x__x": {"bins": [first, last]}}
            assert grid.view_count == sum(x["counts"][first : last + 1])
            grid.ranges = {}
    g = hists.get("score__g__g")
    if g is not None:
        # bars: every grade of the whole frame, by its value (then its text)
        worth = dict(
            zip(
                frame["score_g"].to_list(),
                frame.select(value_expr("score_g", pl.String()))["score_g"].to_list(),
                strict=True,
            )
        )
        grades = sorted({t for t in worth if t is not None}, key=lambda t: (worth[t], t))
        assert g["labels"] == grades
        assert g["counts"] == [shown["score_g"].to_list().count(t) for t in grades]


def test_ranges_do_not_outlive_a_switch_between_epochs_and_grouped_samples() -> None:
    """A range is over the rows shown (epochs, or grouped samples by their means): toggling
    grouping clears it, in both directions, and leaves no hidden filter behind."""
    samples = evallens.demo_samples()
    grid = evallens.SampleGrid(samples)
    grid.ranges = {"tokens": {"min": 0, "max": 500}}
    grid.group_epochs = True
    assert grid.ranges == {}
    grouped = grid.view_count
    grid.ranges = {}
    assert grid.view_count == grouped  # nothing hidden stays
    grid.ranges = {"score__match__match": {"bins": [8, 11]}}
    assert grid.view_count < grouped
    assert grid.filter is None  # grouped ranges keep grouped rows: not part of `filter`
    grid.group_epochs = False
    assert grid.ranges == {} and grid.view_count == samples.height
    grid.ranges = {"score__match__match": {"values": ["I"]}}
    grid.group_epochs = True  # a value range of the epochs' rows does not break grouping
    grid.sort = [{"column": "sampleId", "dir": "desc"}]
    assert grid.view_count == grouped


def test_text_categories_count_their_own_values_and_a_value_on_an_edge_starts_a_bar() -> None:
    frame = pl.DataFrame(
        {
            "id": list(range(300)),
            "score_grade": ["A", "B", "C", "D", None] * 60,
            "score_x": [0.0, 0.5, 1.0] * 100,  # 0.5 is the edge of bar 10 of 20
        }
    )
    grid = evallens.SampleGrid(frame)
    grade = _hist(grid, "score__grade__grade")
    assert sum(grade["counts"]) == 240 and grade["missing"] == 60
    x = _hist(grid, "score__x__x")
    assert x["counts"][0] == x["counts"][10] == x["counts"][19] == 100


def test_duration_has_a_histogram() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    ids = [h["id"] for h in grid.header_histograms()]
    assert "duration" in ids
    grid.ranges = {"duration": {"min": 0, "max": 30}}
    assert grid.view_count == evallens.demo_samples()["total_time"].is_between(0, 30).sum()


def test_a_sort_keeps_the_counts_and_a_filter_recounts() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    before = grid.header_histograms()
    grid.sort = [{"column": "score__judge__judge", "dir": "desc"}]
    assert grid.header_histograms() == before
    grid.filter = pl.col("model") == "openai/gpt-4.1"
    after = _hist(grid, "score__match__match")
    assert sum(after["counts"]) + after["missing"] == grid.view_count


def test_counts_over_every_row_are_kept_and_still_the_rows_counts() -> None:
    samples = evallens.demo_samples()
    grid = evallens.SampleGrid(samples)
    heatmap = evallens.ScoresHeatmap(samples)
    evallens.link(heatmap, grid)
    everything = grid.header_histograms()
    grades = samples["score_match"].to_list()
    for task, model in zip(heatmap.x_order[:2], heatmap.y_order[:2], strict=True):
        heatmap.selection = [{"task": task, "model": model}]
        match = _hist(grid, "score__match__match")
        assert sum(match["counts"]) + match["missing"] == grid.view_count < samples.height
        heatmap.selection = []  # back to every row: the kept counts, which are every row's
        assert grid._histograms == everything
        match = _hist(grid, "score__match__match")
        assert match["counts"] == [grades.count("I"), grades.count("C")]
    shown = [c["id"] for c in grid.columns if c["visible"]]
    assert everything == grid._model.histograms.counts(shown, None)


# -- the counts read from the frame's own columns equal the plain counts ------------------------
EDGY = st.one_of(
    st.none(),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 0.0, 0.05, 0.25, 0.5, 1.0, 2.0]),
    st.floats(-3, 3, allow_nan=False),
)


@st.composite
def counted_frames(draw: Any) -> tuple[pl.DataFrame, list[bool] | None]:
    n = draw(st.integers(1, 60))

    def column(values: Any) -> list[Any]:
        return draw(st.lists(values, min_size=n, max_size=n))

    frame = pl.DataFrame(
        {
            "id": list(range(n)),
            "score_f": column(EDGY),
            "score_b": column(st.one_of(st.none(), st.sampled_from([0.0, 1.0, math.nan]))),
            "score_i": column(st.one_of(st.none(), st.integers(-3, 9))),
            "score_w": column(st.one_of(st.none(), st.integers(-(10**6), 10**6))),
            "score_t": column(st.one_of(st.none(), st.sampled_from(["C", "I", "P", "", "x"]))),
            "score_ok": column(st.one_of(st.none(), st.booleans())),
            "mine": column(st.one_of(st.none(), st.floats(-1e3, 1e3, allow_nan=False))),
        },
        schema={"id": pl.Int64, "score_f": pl.Float64, "score_b": pl.Float64,
                "score_i": pl.Int64, "score_w": pl.Int64, "score_t": pl.String,
                "score_ok": pl.Boolean, "mine": pl.Float64},
    )  # fmt: skip
    mask = draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=n, max_size=n)))
    return frame, mask


def _by_expressions(grid: evallens.SampleGrid, ids: list[str], mask: Any) -> list[Any]:
    """The counts as the expressions give them over the derived frame (NaN missing)."""
    histograms = grid._model.histograms
    shapes = [histograms.shape(i) for i in ids]
    rows = histograms._work.select(list(dict.fromkeys(s.column.field for s in shapes)))
    if mask is not None:
        rows = rows.filter(pl.Series(mask))
    out = []
    for s in shapes:
        present = (s.raw if s.type == "categories" else s.value).is_not_null().sum()
        counted, n = rows.select(s.counter(), present.alias("n")).row(0)
        out.append(s.histogram(counted, rows.height, int(n)))
    return out


def _numpy_bins(values: list[Any], lo: float, hi: float) -> list[int]:
    """numpy's histogram over the same edges (its bars are [a, b), the last [a, b])."""
    width = (hi - lo) / BINS if hi > lo else 1.0
    edges = [lo + i * width for i in range(BINS)] + [max(lo + BINS * width, hi)]
    finite = np.array([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    return [int(n) for n in np.histogram(finite, bins=edges)[0]]


@settings(max_examples=200, deadline=None)
@given(counted_frames())
def test_counts_from_the_frames_own_columns_equal_the_expressions_and_numpy(
    case: tuple[pl.DataFrame, list[bool] | None],
) -> None:
    frame, mask = case
    grid = evallens.SampleGrid(frame)
    histograms = grid._model.histograms
    ids = histograms.ids()
    fast = histograms.counts(ids, None if mask is None else pl.Series(mask))
    assert fast == _by_expressions(grid, ids, mask)
    shown = frame if mask is None else frame.filter(pl.Series(mask))
    for h in fast:
        field = histograms.shape(h["id"]).column.field
        values = shown[field].to_list()
        if h["type"] == "bins":
            assert h["counts"] == _numpy_bins(values, h["min"], h["max"])
        elif field != "score_t":  # numbers and booleans: a bar per value the frame holds
            present = [v for v in frame[field].to_list() if v is not None and v == v]
            present = [v for v in present if not isinstance(v, float) or math.isfinite(v)]
            labels = [
                str(v).lower() if isinstance(v, bool) else str(v) for v in sorted(set(present))
            ]
            assert h["labels"] == labels  # booleans as polars writes them
            assert h["counts"] == [values.count(v) for v in sorted(set(present))]
        assert sum(h["counts"]) + h["missing"] == shown.height


def test_awkward_columns_get_their_histograms() -> None:
    """A column named ``count`` (the counts' own field name), a score with no values at
    all (polars' Null type), and a range so narrow its edges cannot be told apart."""
    base = evallens.synthetic_samples(2, 2, 5)
    n = base.height
    frame = base.with_columns(
        count=pl.Series([i * 0.37 for i in range(n)]),
        score_t=pl.Series([5e-324 * (i % 2) for i in range(n)]),
        score_z=pl.lit(None),
    )
    grid = evallens.SampleGrid(frame)
    hists = {h["id"]: h for h in grid.header_histograms()}
    assert hists["count"]["counts"] == _oracle_bins(frame["count"].to_list(), 0.0, 0.37 * (n - 1))
    narrow = hists["score__t__t"]
    assert narrow["type"] == "bins" and narrow["counts"] == [n] + [0] * (BINS - 1)
    grid.ranges = {"score__t__t": {"bins": [0, 0]}}
    assert grid.view_count == n
    grid.ranges = {"count": {"bins": [0, 1]}}
    assert grid.view_count == sum(hists["count"]["counts"][:2])
    empty = hists["score__z__z"]
    assert sum(empty["counts"]) == 0 and empty["missing"] == n
