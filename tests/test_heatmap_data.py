"""heatmap cells, order and selection: cells equal polars group means; axis order and colour domain follow inspect_viz."""

from __future__ import annotations

import json
import math
from pathlib import Path

import polars as pl
import pytest
from conftest_io import LOGS_DIR, require

import evallens
from evallens.heatmap.cells import aggregate, color_domain, resolve_columns
from evallens.heatmap.order import axis_order
from evallens.heatmap.selection import cell_codes, selection_codes
from evallens.scores import score_values

DATA = LOGS_DIR / "inspect_viz_docs"


def _frame(name: str) -> pl.DataFrame:
    return pl.read_parquet(require(DATA / name))


def _plot_domain_sort(cells: pl.DataFrame, key: str, reverse: bool) -> list[str]:
    """Observable Plot's domain sort, written out: keys in data order, stable ascending
    by the sum of the cell values, then reversed when asked."""
    keys = cells.get_column(key).unique(maintain_order=True).to_list()
    sums = {k: 0.0 for k in keys}
    for k, v in cells.select(key, "value").iter_rows():
        if v is not None and not math.isnan(v):
            sums[k] += v
    ordered = sorted(keys, key=lambda k: sums[k])
    return ordered[::-1] if reverse else ordered


def _inspect_viz_sort(path: Path, sort: str) -> dict:
    """The sort channels inspect_viz's scores_heatmap puts in its plot spec."""
    inspect_viz = pytest.importorskip("inspect_viz")
    from inspect_viz.view import scores_heatmap

    component = scores_heatmap(inspect_viz.Data.from_file(str(path)), sort=sort)  # type: ignore[arg-type]

    def find(node: object) -> dict | None:
        if isinstance(node, str) and node.lstrip().startswith("{"):
            node = json.loads(node)
        if isinstance(node, dict):
            sort_spec = node.get("sort")
            if isinstance(sort_spec, dict) and "x" in sort_spec:
                return sort_spec
            node = list(node.values())
        if isinstance(node, list):
            for child in node:
                found = find(child)
                if found is not None:
                    return found
        return None

    found = find(component._create_spec())
    assert found is not None, "no sort in inspect_viz's plot spec"
    return found


@pytest.mark.parametrize("name", ["evals.parquet", "benchmarks.parquet"])
def test_cells_equal_polars_group_means(name):
    df = _frame(name)
    cols = resolve_columns(df)
    data = aggregate(df, cols)
    expected = df.group_by(cols.task, cols.model).agg(
        pl.col("score_headline_value").mean().alias("value"), pl.len().alias("n")
    )
    joined = data.cells.join(
        expected.rename({cols.task: "task", cols.model: "model"}),
        on=["task", "model"],
        how="full",
        coalesce=True,
    )
    assert joined.height == data.cells.height == expected.height
    assert (joined["value"] - joined["value_right"]).abs().max() < 1e-12
    assert (joined["n"] == joined["n_right"]).all()


def test_fallbacks_and_shapes_match_the_issue():
    evals = _frame("evals.parquet")
    cols = resolve_columns(evals)
    # evals.parquet has no task_display_name: inspect_viz falls back to task_name.
    assert (cols.task, cols.model) == ("task_name", "model_display_name")
    data = aggregate(evals, cols)
    assert (len(data.tasks), len(data.models), data.cells.height) == (5, 4, 20)
    assert cols.stderr == "score_headline_stderr" and cols.log_viewer == "log_viewer"

    bench = _frame("benchmarks.parquet")
    data = aggregate(bench, resolve_columns(bench, model_name="model"))
    assert (len(data.tasks), len(data.models)) == (4, 92)
    assert len(data.tasks) * len(data.models) - data.cells.height == 119


@pytest.mark.parametrize("name", ["evals.parquet", "benchmarks.parquet"])
@pytest.mark.parametrize("sort", ["ascending", "descending"])
def test_sort_matches_inspect_viz_definition(name, sort):
    df = _frame(name)
    spec = _inspect_viz_sort(DATA / name, sort)
    assert spec["x"]["reduce"] == spec["y"]["reduce"] == "sum"
    data = aggregate(df, resolve_columns(df))
    x, y = axis_order(data, sort)
    assert x == _plot_domain_sort(data.cells, "task", spec["x"]["reverse"])
    assert y == _plot_domain_sort(data.cells, "model", spec["y"]["reverse"])
    # Vertical swaps the axes, the rule stays the same per axis.
    vx, vy = axis_order(data, sort, "vertical")
    assert vx == _plot_domain_sort(data.cells, "model", spec["x"]["reverse"])
    assert vy == _plot_domain_sort(data.cells, "task", spec["y"]["reverse"])


def test_ascending_puts_the_highest_top_right():
    df = pl.DataFrame(
        {
            "task_name": ["a", "a", "b", "b"],
            "model": ["m1", "m2", "m1", "m2"],
            "score_headline_value": [0.1, 0.2, 0.3, 0.9],
        }
    )
    data = aggregate(df, resolve_columns(df))
    x, y = axis_order(data, "ascending")
    assert (x[-1], y[0]) == ("b", "m2")
    x, y = axis_order(data, "descending")
    assert (x[0], y[-1]) == ("b", "m2")
    assert axis_order(data, None) == (["a", "b"], ["m1", "m2"])
    assert axis_order(data, {"x": ["b", "a"], "model": ["m2"]}) == (["b", "a"], ["m2", "m1"])
    with pytest.raises(ValueError, match="unknown task 'c'"):
        axis_order(data, {"x": ["c"]})


def test_color_domain_rule():
    assert color_domain(pl.Series([0.0, 1.0])) == (0.0, 1.0)
    assert color_domain(pl.Series([0.3, 0.4])) == (0.0, 1.0)
    assert color_domain(pl.Series([-0.5, 0.4])) == (-0.5, 0.4)
    assert color_domain(pl.Series([2.0, 9.0, None])) == (2.0, 9.0)
    assert color_domain(pl.Series([], dtype=pl.Float64)) == (0.0, 1.0)


def test_samples_frame_means_counts_stderr_and_passfail():
    df = evallens.demo_samples()
    cols = resolve_columns(df)
    assert cols.level == "samples" and cols.score == "score_match"  # first pass/fail score
    data = aggregate(df, cols)
    expected = (
        df.with_columns(v=pl.col("score_match").replace_strict({"C": 1.0, "I": 0.0}, default=None))
        .group_by("task_display_name", "model_display_name")
        .agg(
            pl.col("v").mean().alias("mean"),
            pl.col("v").count().alias("n"),
            (pl.col("v").std() / pl.col("v").count().sqrt()).alias("se"),
        )
        .rename({"task_display_name": "task", "model_display_name": "model"})
    )
    joined = data.cells.join(expected, on=["task", "model"])
    assert joined.height == data.cells.height == 96
    assert (joined["value"] - joined["mean"]).abs().max() < 1e-12
    assert (joined["n"] == joined["n_right"]).all()
    assert (joined["stderr"] - joined["se"]).abs().max() < 1e-12
    judge = aggregate(df, resolve_columns(df, score_value="judge"))  # a scorer name is enough
    assert judge.domain == (1.0, 10.0)


def test_missing_and_nan_cells_are_empty_not_zero():
    df = pl.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "task_name": ["a", "a", "b", None],
            "model": ["m1", "m1", "m2", "m1"],
            "score_x": [float("nan"), None, 0.5, 1.0],
        }
    )
    data = aggregate(df, resolve_columns(df, score_value="score_x"))
    cells = {(t, m): v for t, m, v in data.cells.select("task", "model", "value").iter_rows()}
    assert cells == {("a", "m1"): None, ("b", "m2"): 0.5}  # (a, m2) and (b, m1) absent
    assert data.cells.filter(pl.col("task") == "a")["n"].to_list() == [0]


def test_bad_input_names_the_column():
    df = evallens.demo_samples()
    with pytest.raises(ValueError, match=r"unknown column 'score_jugde'.*'score_judge'"):
        resolve_columns(df, score_value="score_jugde")
    with pytest.raises(ValueError, match=r"unknown column 'modle'.*'model'"):
        resolve_columns(df, model_name="modle")
    with pytest.raises(
        ValueError, match=r"'input' \(String\) is not numeric: it holds other values"
    ):
        score_values(df, "input")
    with pytest.raises(
        ValueError, match=r"'model_usage' \(.*\) is not numeric: it holds (list|object) values"
    ):
        score_values(df, "model_usage")
    with pytest.raises(ValueError, match="no numeric or pass/fail score"):
        resolve_columns(pl.DataFrame({"id": [1], "task_name": ["t"], "model": ["m"]}))


def test_cell_codes_and_selection_codes():
    df = evallens.synthetic_samples(3, 4, 5)
    cols = resolve_columns(df)
    data = aggregate(df, cols)
    codes = cell_codes(df, cols.task, cols.model, data.tasks, data.models)
    assert codes.null_count() == 0 and codes.n_unique() == 12
    pick = [{"task": data.tasks[2], "model": data.models[1]}]
    mask = codes.is_in(selection_codes(pick, data.tasks, data.models))
    expected = (pl.col("task_display_name") == data.tasks[2]) & (
        pl.col("model_display_name") == data.models[1]
    )
    assert mask.to_list() == df.select(expected).to_series().to_list()
