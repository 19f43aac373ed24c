"""Epochs grouped by sample: the grouped rows against plain Python and inspect_ai's reducers."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import generate_logs
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_series_equal

import evallens
from evallens.grid.epochs import EpochGroups
from evallens.grid.model import GridModel
from evallens.grid.sorting import log_runs
from evallens.scores import describe_scores

LOGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "logs"
MULTI_EPOCH_LOGS = [
    LOGS / "inspect_ai_tests" / "log_streaming.eval",
    LOGS / "metr_inspect_action" / "small.eval",
    LOGS / "inspect_flow" / "logs1",
]
LETTERS = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}


def number(value: Any) -> float | None:
    """A score value as a number, written out again by hand (the oracle's own rule)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if text in LETTERS:
        return LETTERS[text]
    try:
        return float(text)
    except ValueError:
        return None


def oracle(frame: pl.DataFrame, score: str, keys: list[str]) -> dict[tuple[Any, ...], dict]:
    """Per sample: epochs, mean, values in epoch order, variance, disagreement, (n, c)."""
    epochs: dict[tuple[Any, ...], list[tuple[int, Any]]] = defaultdict(list)
    for row in frame.iter_rows(named=True):
        epochs[tuple(row[k] for k in keys)].append((row["epoch"], row[score]))
    out = {}
    for key, pairs in epochs.items():
        pairs.sort(key=lambda p: p[0])
        values = [v for _, v in pairs]
        scored = [n for n in (number(v) for v in values) if n is not None]
        out[key] = {
            "epochs": len(values),
            "values": values,
            "mean": statistics.fmean(scored) if scored else None,
            "variance": statistics.pvariance(scored) if len(scored) >= 2 else None,
            "disagree": len(set(scored)) > 1,
            "n": len(scored),
            "c": sum(scored),
        }
    return out


def grouped_rows(groups: EpochGroups, score: str) -> dict[tuple[Any, ...], dict]:
    cols = [*groups.keys, "epochs", score, "epoch_values", "epoch_variance"]
    if groups.binary:
        cols.append("pass_at_k")
    out = {}
    disagree = groups.disagree.to_list() if groups.disagree is not None else []
    for i, row in enumerate(groups.frame.select(cols).iter_rows(named=True)):
        out[tuple(row[k] for k in groups.keys)] = {**row, "disagree": disagree[i]}
    return out


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9)
    )


def check_against_oracle(frame: pl.DataFrame) -> EpochGroups:
    scores = describe_scores(frame)
    groups = EpochGroups(frame, scores)
    assert groups.score is not None
    score = groups.score.column
    want = oracle(frame, score, groups.keys)
    got = grouped_rows(groups, score)
    assert got.keys() == want.keys()
    for key, w in want.items():
        g = got[key]
        assert g["epochs"] == w["epochs"], key
        assert close(g[score], w["mean"]), (key, g[score], w["mean"])
        assert g["epoch_values"] == w["values"], key
        assert close(g["epoch_variance"], w["variance"]), key
        assert g["disagree"] == w["disagree"], key
    # Every numeric score is a mean, not only the primary one.
    for s in scores:
        if s.is_numeric and s.column != score:
            other = oracle(frame, s.column, groups.keys)
            for key, w in other.items():
                assert close(got_mean(groups, key, s.column), w["mean"])
    return groups


def got_mean(groups: EpochGroups, key: tuple[Any, ...], column: str) -> float | None:
    cond = pl.lit(True)
    for k, v in zip(groups.keys, key, strict=True):
        cond = cond & (pl.col(k) == v)
    return groups.frame.filter(cond).get_column(column)[0]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    out = generate_logs(
        tmp_path_factory.mktemp("epochs") / "logs",
        "--models", "2", "--tasks", "2", "--samples", "6", "--epochs", "3",
        "--error-rate", "0.1", "--fast", "--seed", "11",
    )  # fmt: skip
    return evallens.read_samples(out)


def test_generated_logs_against_plain_python_and_inspect_reducers(generated):
    from inspect_ai.scorer import Score, mean_score, pass_at

    assert generated.get_column("epoch").max() == 3
    groups = check_against_oracle(generated)
    assert groups.score is not None and groups.binary  # match: C/I
    score = groups.score.column
    assert groups.k == 3
    rows = grouped_rows(groups, score)
    compared = 0
    for key, w in oracle(generated, score, groups.keys).items():
        if w["n"] != w["epochs"]:
            continue  # Inspect's reducers take no missing epochs
        epochs = [Score(value=v) for v in w["values"]]
        assert close(rows[key][score], float(mean_score()(epochs).value))
        for k in (1, 2, 3):
            expected = float(pass_at(k)(epochs).value)
            got = EpochGroups(generated, groups_scores(generated), k=k)
            assert close(grouped_rows(got, score)[key]["pass_at_k"], expected), (key, k)
        compared += 1
    assert compared > 5


def groups_scores(frame: pl.DataFrame) -> list:
    return describe_scores(frame)


@pytest.mark.parametrize("path", MULTI_EPOCH_LOGS, ids=lambda p: p.name)
def test_real_multi_epoch_logs(path: Path):
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    frame = evallens.read_samples(path)
    assert frame.get_column("epoch").max() > 1
    groups = check_against_oracle(frame)
    assert groups.count == frame.select(groups.keys).unique().height


@st.composite
def epoch_frames(draw: st.DrawFn) -> pl.DataFrame:
    rows = []
    letters = draw(st.booleans())
    # as many epochs for every sample (the usual log, reduced as a table) or not (grouped)
    even = draw(st.one_of(st.none(), st.integers(1, 4)))
    for log in ("a", "b"):
        for sid in range(draw(st.integers(1, 4))):
            count = even or draw(st.integers(1, 4))
            epochs = draw(st.permutations(range(1, count + 1)))
            for epoch in epochs:
                value: Any = draw(
                    st.one_of(st.none(), st.sampled_from(["C", "I"]))
                    if letters
                    else st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 3.0]))
                )
                rows.append({"log": log, "id": sid, "epoch": epoch, "score_x": value})
    if draw(st.booleans()):  # logs interleaved, not each in one run: the hash path
        rows = draw(st.permutations(rows))
    ids = pl.String if draw(st.booleans()) else pl.Int64  # text ids: the hash path too
    if ids == pl.String:
        rows = [{**r, "id": f"s{r['id']}"} for r in rows]
    dtype = pl.String if letters else pl.Float64
    return pl.DataFrame(
        rows, schema={"log": pl.String, "id": ids, "epoch": pl.Int64, "score_x": dtype}
    )


@settings(max_examples=120, deadline=None)
@given(epoch_frames(), st.lists(st.booleans(), min_size=40, max_size=40))
def test_grouped_rows_and_filters_property(frame: pl.DataFrame, bits: list[bool]):
    if frame.get_column("score_x").null_count() == frame.height:
        return  # no numeric score to group by
    groups = check_against_oracle(frame)
    # A filter over epochs keeps the samples with some epoch in it.
    mask = pl.Series([bits[i % len(bits)] for i in range(frame.height)])
    kept = groups.project(mask)
    assert kept is not None
    want = {
        (r["log"], r["id"]) for r, m in zip(frame.iter_rows(named=True), mask, strict=True) if m
    }
    got = {
        (r["log"], r["id"])
        for r, k in zip(groups.frame.iter_rows(named=True), kept, strict=True)
        if k
    }
    assert got == want
    # Each sample's rows are its epochs, in order.
    for i, rows in enumerate(groups.rows.to_list()):
        picked = frame[rows]
        assert picked.get_column("epoch").to_list() == sorted(picked.get_column("epoch"))
        assert picked.select("log", "id").unique().height == 1
        assert set(groups.group_of.gather(rows).to_list()) == {i}


def frame_with_epochs() -> pl.DataFrame:
    return pl.DataFrame({
        "log": ["a"] * 7,
        "task_name": ["t"] * 7,
        "model": ["m"] * 7,
        "id": [1, 1, 1, 2, 2, 3, 4],
        "epoch": [3, 1, 2, 2, 1, 1, 1],
        "input": ["one", "one", "one", "two", "two", "three", "four"],
        "score_match": ["C", "I", "C", "C", "C", None, "I"],
        "score_judge": [1.0, 3.0, 8.0, 2.0, None, 5.0, 9.0],
    })  # fmt: skip


def test_widget_toggle_sort_disagree_filter_selection_and_back():
    grid = evallens.SampleGrid(frame_with_epochs())
    grid.selected = [("a", 2, 1)]
    grid.group_epochs = True
    assert grid.view_count == 4 and grid._total == 4
    ids = [c["id"] for c in grid.columns]
    at = ids.index("score__match__match")
    assert ids[at + 1 : at + 5] == ["epochs", "epoch_values", "epoch_variance", "pass_at_k"]
    # The selection is every epoch of the selected samples, in Python and as rows.
    assert sorted(grid.selected) == [("a", 2, 1), ("a", 2, 2)]
    assert grid.selected_samples().get_column("epoch").to_list() == [1, 2]
    # Sorting by a mean (text grades count as numbers), missing last.
    grid.sort = [{"column": "score__match__match", "dir": "desc"}]
    assert grid.view_frame("all").get_column("id").to_list() == [2, 1, 4, 3]
    assert grid.view_frame("all").get_column("score_match").to_list()[:3] == [1.0, 2 / 3, 0.0]
    grid.sort = [{"column": "epoch_values", "dir": "asc"}]  # pills sort by their mean
    assert grid.view_frame("all").get_column("id").to_list() == [4, 1, 2, 3]
    grid.epochs_disagree = True
    assert grid.view_frame("all").get_column("id").to_list() == [1]
    grid.epochs_disagree = False
    # A filter is a rule over epochs: a sample shows when one of its epochs passes.
    grid.filter = pl.col("score_judge") > 7
    assert sorted(grid.view_frame("all").get_column("id").to_list()) == [1, 4]
    grid.filter = None
    grid.search = "thr"
    assert grid.view_frame("all").get_column("id").to_list() == [3]
    grid.search = ""
    # Back: the epochs' rows, the grouped columns gone, the sort kept where it still applies.
    grid.sort = [{"column": "score__judge__judge", "dir": "asc"}]
    grid.group_epochs = False
    assert grid.view_count == 7 and grid._total == 7
    assert not {"epochs", "epoch_values", "pass_at_k"} & {c["id"] for c in grid.columns}
    assert grid.sort == [{"column": "score__judge__judge", "dir": "asc"}]
    assert sorted(grid.selected) == [("a", 2, 1), ("a", 2, 2)]


def test_heatmap_link_filters_grouped_rows():
    df = evallens.synthetic_samples(2, 12, 8)
    assert df.get_column("epoch").max() == 2  # some tasks split their samples over 2 epochs
    heatmap, grid = evallens.ScoresHeatmap(df), evallens.SampleGrid(df)
    evallens.link(heatmap, grid)
    grid.group_epochs = True
    task = df.filter(pl.col("epoch") == 2).get_column("task_display_name")[0]
    model = heatmap.y_order[0]
    heatmap.selection = [{"task": task, "model": model}]
    shown = grid.view_frame("all")
    assert set(shown.get_column("task_display_name")) == {task}
    assert set(shown.get_column("model_display_name")) == {model}
    cell = df.filter(
        (pl.col("task_display_name") == task) & (pl.col("model_display_name") == model)
    )
    assert grid.view_count == cell.select("log", "id").unique().height
    heatmap.selection = []
    assert grid.view_count == df.select("log", "id").unique().height


def test_settings_from_python_are_checked():
    grid = evallens.SampleGrid(frame_with_epochs())
    grid.epochs_score = "judge"
    grid.group_epochs = True
    assert "pass_at_k" not in {c["id"] for c in grid.columns}  # judge is not 0/1
    assert any(c["id"] == "epoch_values" for c in grid._column_defs)
    with pytest.raises(ValueError, match="pass_k"):
        grid.pass_k = 0
    with pytest.raises(ValueError):
        grid.epochs_score = "nope"
    grid.epochs_score = "match"
    grid.pass_k = 2
    labels = {d["id"]: d["label"] for d in grid._column_defs}
    assert labels["pass_at_k"] == "pass@2"
    no_epochs = evallens.SampleGrid(pl.DataFrame({"id": [1], "score_x": [1.0]}))
    with pytest.raises(ValueError, match="epoch"):
        no_epochs.group_epochs = True
    assert no_epochs.group_epochs is False


def test_grouped_model_base_is_untouched():
    df = frame_with_epochs()
    base = GridModel(df)
    EpochGroups(df, base.scores)
    assert base.source is df and base.query.count == 7


def test_grouped_model_sets_up_what_a_grid_model_has():
    """GroupedModel sets up GridModel's parts itself (over rows made where read): a part
    GridModel gains must be set up there too."""
    from evallens.grid.epochs import GroupedModel

    base = GridModel(frame_with_epochs())
    grouped = GroupedModel(base, EpochGroups(base.source, base.scores))
    missing = set(vars(base)) - set(vars(grouped)) - {"_source"}  # its `source` is its own
    assert not missing


def test_grouped_rows_take_filter_text_histogram_ranges_and_transcript_search(generated):
    """What the grid offers beside grouping keeps working with it: Inspect filter text and
    the transcript search are rules over epochs (some epoch passes), a brushed range keeps
    grouped rows by their mean."""
    grid = evallens.SampleGrid(generated)
    grid.group_epochs = True
    samples = grid._model.query.count
    grid.filter = "epoch == 1"
    assert grid.view_count == samples  # every sample has an epoch 1
    grid.filter = None
    hist = next(h for h in grid.header_histograms() if h["type"] == "categories")
    label = hist["labels"][-1]
    grid.ranges = {hist["id"]: {"values": [label]}}
    assert grid.view_count == hist["counts"][-1]
    grid.ranges = {}
    grid.transcript_search = "."
    assert grid.view_count == samples  # every sample has a message
    grid.transcript_search = ""
    grid.group_epochs = False
    assert grid.view_count == generated.height


@st.composite
def ordered_epoch_frames(draw: st.DrawFn) -> pl.DataFrame:
    """Frames as readers write them (logs together, ids then epochs rising: samples are
    runs of rows) or shuffled, even or uneven, with gaps in epochs and missing scores."""
    rows = []
    letters = draw(st.booleans())
    even = draw(st.one_of(st.none(), st.integers(1, 4)))
    for log in ("a", "b", "c")[: draw(st.integers(1, 3))]:
        for sid in sorted(draw(st.sets(st.integers(0, 30), min_size=1, max_size=6))):
            count = even or draw(st.integers(1, 4))
            for epoch in sorted(draw(st.sets(st.integers(1, 6), min_size=count, max_size=count))):
                value: Any = draw(
                    st.one_of(st.none(), st.sampled_from(["C", "I", "P"]))
                    if letters
                    else st.one_of(st.none(), st.sampled_from([0.0, 1.0, 0.25, 3.0]))
                )
                rows.append({"log": log, "id": sid, "epoch": epoch, "score_x": value,
                             "score_y": draw(st.one_of(st.none(), st.floats(-5, 5)))})  # fmt: skip
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))
    schema = {"log": pl.String, "id": pl.Int64, "epoch": pl.Int64,
              "score_x": pl.String if letters else pl.Float64, "score_y": pl.Float64}  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


@settings(max_examples=120, deadline=None)
@given(
    ordered_epoch_frames(),
    st.integers(0, 40),
    st.integers(1, 12),
    st.sampled_from([None, "score_x", "score_y", "epoch_values", "epoch_variance", "epochs"]),
    st.booleans(),
    st.lists(st.booleans(), min_size=30, max_size=30),
)
def test_grouped_windows_equal_the_whole_reduction(
    frame: pl.DataFrame, offset: int, limit: int, sort: str | None, disagree: bool, bits: list[bool]
):
    """A window reduces only its samples; it shows what reducing every sample shows."""
    if frame.get_column("score_x").null_count() == frame.height:
        return
    grid = evallens.SampleGrid(frame)
    if bits[0]:  # a filter over epochs
        grid.filter = pl.Series([bits[i % len(bits)] for i in range(frame.height)])
    grid.group_epochs = True
    grid.epochs_disagree = disagree
    if sort is not None and sort in {c["id"] for c in grid.columns}:
        grid.sort = [{"column": sort, "dir": "desc" if bits[1] else "asc"}]
    model = grid._model
    shown = [c["id"] for c in grid.columns if c["visible"]]
    fields = [model.column(c).field for c in shown]
    got = model.query.window(offset, limit, fields)
    # the eager answer: every column of every sample made, then the same view's rows
    whole = model.groups.frame
    view = model.query.view.slice(offset, limit)
    want = whole[view].select(f for f in fields if f in whole.columns)
    assert got.get_column("__row").to_list() == view.to_list()
    for name in want.columns:
        g, w = got.get_column(name), want.get_column(name)
        if w.dtype.is_float():  # the grid shows NaN as missing
            w = w.fill_nan(None)
        assert_series_equal(g, w, check_names=False)
    # the default order's first rows read only the first samples, as they are in the whole
    head = model._work.head_lazy([pl.col("id"), pl.col("score_y")], limit).collect()
    assert head.equals(whole.with_row_index("__row").head(limit).select(head.columns))
    # the grouped logs' runs (the default order's first rows) are those of the whole frame
    runs = model.groups.log_runs()
    assert runs is not None and runs.equals(log_runs(whole))
    # and the reductions against the by-hand oracle
    check_against_oracle(frame)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["C", "I", "P", "N", "", "nan", "None", "inf", None]), min_size=1))
def test_pass_fail_letters_read_as_the_score_rule_reads_them(values: list[str | None]):
    """The grouped means read pass/fail letters by equality; the one rule trims and parses."""
    from evallens.grid.epochs import _value
    from evallens.scores import descriptor_value_expr

    frame = pl.DataFrame({"score_x": values}, schema={"score_x": pl.String})
    (score,) = describe_scores(frame)
    if score.kind != "passfail":
        return
    fast = frame.select(_value(score, pl.String())).to_series()
    rule = frame.select(descriptor_value_expr(score, pl.String()).fill_nan(None)).to_series()
    assert_series_equal(fast, rule, check_names=False)
