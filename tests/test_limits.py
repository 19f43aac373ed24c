"""scores_by_limit_df: same numbers as inspect_viz's, without its side effects."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest
from conftest_io import SHARED, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import evallens
from evallens.limit import curves
from evallens.limit.curves import limit_grid, scores_by_limit_df

DOCS = SHARED / "data" / "logs" / "inspect_viz_docs"
GEN_LOGS = SHARED / "tools" / "gen_logs.py"
RESULT = ["success_rate", "standard_error", "other_termination_rate", "count"]


def inspect_viz_reference(pdf: pd.DataFrame, score: str, **kwargs: object) -> pl.DataFrame:
    from inspect_viz.view import scores_by_limit_df as reference

    # inspect_viz drops rows and rewrites the score column in place: give it a copy
    return pl.from_pandas(reference(pdf.copy(), score, **kwargs))  # type: ignore[arg-type]


def assert_same_curves(
    expected: pl.DataFrame, actual: pl.DataFrame, limit: str, *, check_log: bool = True
) -> None:
    assert actual.height == expected.height
    assert actual["model"].to_list() == expected["model"].to_list()
    # the grid is bit-identical, so samples on a grid point fall on the same side
    assert actual[limit].to_list() == expected[limit].to_list()
    assert actual["count"].to_list() == expected["count"].to_list()
    for name in ("success_rate", "standard_error", "other_termination_rate"):
        np.testing.assert_allclose(
            actual[name].to_numpy(), expected[name].to_numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )
    if check_log and "log" in expected.columns:
        assert actual["log"].to_list() == expected["log"].to_list()


@pytest.fixture(scope="module")
def writing_bench() -> pd.DataFrame:
    pdf = pd.read_parquet(require(DOCS / "writing_bench_samples.parquet"))
    # inspect_viz groups tasks by task_id, which this samples_df export lacks (one eval per model)
    pdf["task_id"] = pdf["eval_id"]
    # the judge score is 1-10: success is the judge's 7 or more
    pdf["success"] = (pdf["score_multi_scorer_wrapper"] >= 7).astype(float)
    return pdf


@pytest.mark.parametrize(
    ("limit", "scale", "steps"),
    [("total_tokens", "auto", 100), ("total_time", "auto", 100), ("working_time", "linear", 37)],
)
def test_matches_inspect_viz_on_writing_bench(
    writing_bench: pd.DataFrame, limit: str, scale: str, steps: int
) -> None:
    # no total_tokens column here: tokens come from the evaluated model's model_usage entry
    expected = inspect_viz_reference(
        writing_bench, "success", limit=limit, scale=scale, steps=steps
    )
    frame = pl.from_pandas(writing_bench)
    before = frame.clone()
    actual = scores_by_limit_df(frame, "success", limit=limit, scale=scale, steps=steps)  # type: ignore[arg-type]
    assert_same_curves(expected, actual, limit)
    assert_frame_equal(frame, before)
    assert actual["model_display_name"].null_count() == 0


def test_pandas_input_is_left_untouched(writing_bench: pd.DataFrame) -> None:
    before = writing_bench.copy()
    scores_by_limit_df(writing_bench, "success")
    pd.testing.assert_frame_equal(writing_bench, before)


@pytest.fixture(scope="module")
def generated_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require(GEN_LOGS)
    out = tmp_path_factory.mktemp("limit_logs")
    subprocess.run(
        [sys.executable, str(GEN_LOGS), "--out", str(out), "--models", "2", "--tasks", "3",
         "--samples", "12", "--epochs", "2", "--limit-rate", "0.15", "--error-rate", "0",
         "--scorers", "match,closeness,judge", "--seed", "3"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return out


@pytest.mark.parametrize("limit", ["total_tokens", "total_time", "working_time"])
def test_matches_inspect_viz_on_generated_logs(generated_logs: Path, limit: str) -> None:
    from inspect_ai.analysis import EvalInfo, EvalModel, EvalTask, SampleSummary, samples_df

    pdf = samples_df(generated_logs, columns=EvalInfo + EvalTask + EvalModel + SampleSummary)
    assert (pdf["limit"] == "token").any(), "the logs should contain token-limit hits"
    expected = inspect_viz_reference(pdf, "score_match", limit=limit)
    frame = pl.from_pandas(pdf)
    before = frame.clone()
    assert_same_curves(expected, scores_by_limit_df(frame, "score_match", limit=limit), limit)
    assert_frame_equal(frame, before)
    # evallens' own reader (no task_id: tasks are told apart by eval_id, one per log);
    # its rows come in another order, so the "first log per model" may be another one
    ours = scores_by_limit_df(evallens.read_samples(generated_logs), "score_match", limit=limit)
    assert_same_curves(expected, ours, limit, check_log=False)


def test_matches_inspect_viz_on_synthetic_samples() -> None:
    frame = evallens.synthetic_samples(3, 4, 60)
    assert frame["limit"].is_not_null().any()
    before = frame.clone()
    pdf = frame.with_columns(
        task_id=pl.col("eval_id"),
        sample_id=pl.format("{}-{}-{}", "eval_id", "id", "epoch"),
        model_usage=pl.concat_str(
            pl.lit('{"'), "model", pl.lit('": {"total_tokens": '), "total_tokens", pl.lit("}}")
        ),
    ).to_pandas()
    for limit in ("total_tokens", "total_time"):
        expected = inspect_viz_reference(pdf, "score_match", limit=limit, steps=50)
        actual = scores_by_limit_df(frame, "score_match", limit=limit, steps=50)
        assert_same_curves(expected, actual, limit)
    assert_frame_equal(frame, before)


def test_total_tokens_alone_is_enough() -> None:
    # no total_time / working_time / model_usage / sample_id: inspect_viz would refuse this
    frame = pl.DataFrame(
        {
            "model": ["a", "a", "a", "b", "b"],
            "total_tokens": [10, 20, 30, 10, 40],
            "score": ["C", "I", "C", "C", "P"],
        }
    )
    out = scores_by_limit_df(frame, "score", scale="linear", steps=4)
    assert out.columns == ["total_tokens", "model", *RESULT]
    assert out["total_tokens"].to_list() == [10.0, 10.0, 20.0, 20.0, 30.0, 30.0, 40.0, 40.0]
    a = out.filter(pl.col("model") == "a")["success_rate"].to_list()
    assert a == pytest.approx([1 / 3, 1 / 3, 2 / 3, 2 / 3])
    b = out.filter(pl.col("model") == "b")["success_rate"].to_list()
    assert b == pytest.approx([0.5, 0.5, 0.5, 0.75])
    # no task column: no other-termination rate to average
    assert out["other_termination_rate"].is_nan().all()


def test_other_termination_rate_is_averaged_over_tasks() -> None:
    frame = pl.DataFrame(
        {
            "model": ["m"] * 6,
            "task_name": ["t1", "t1", "t2", "t2", "t2", "t2"],
            "total_tokens": [1, 5, 1, 1, 1, 9],
            "score": [0, 1, 0, 1, 1, 1],
        }
    )
    out = scores_by_limit_df(frame, "score", scale="linear", steps=2)
    # at L = 1 nobody stopped strictly below the limit; at L = 9 t1 has 1 of 2 failed
    # below it and t2 1 of 4: the rate is the mean over tasks, (0.5 + 0.25) / 2
    assert out["other_termination_rate"].to_list() == pytest.approx([0.0, 0.375])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([True, False, True, None], [1.0, 0.0, 1.0]),
        ([1, 0, 1, 0], [1.0, 0.0, 1.0, 0.0]),
        ([1.0, 0.5, 0.0, float("nan")], [1.0, 0.5, 0.0]),
        (["C", "I", "P", "N"], [1.0, 0.0, 0.5, 0.0]),
        (["yes", "No", "TRUE", "false"], [1.0, 0.0, 1.0, 0.0]),
        (["1", "0", "0.25", None], [1.0, 0.0, 0.25]),
    ],
)
def test_score_coercion(values: list[object], expected: list[float]) -> None:
    frame = pl.DataFrame(
        {"model": ["m"] * len(values), "total_tokens": [5] * len(values)}
    ).with_columns(pl.Series("score", values, strict=False))
    out = scores_by_limit_df(frame, "score", steps=1)
    assert out["count"].to_list() == [len(expected)]  # missing scores are dropped, not zeroes
    assert out["success_rate"].to_list() == pytest.approx([sum(expected) / len(expected)])


def test_categorical_scores_are_coerced() -> None:
    frame = pl.DataFrame(
        {"model": ["m"] * 3, "total_tokens": [4, 4, 4], "score": ["C", "C", "I"]},
        schema_overrides={"score": pl.Categorical},
    )
    assert scores_by_limit_df(frame, "score", steps=1)["success_rate"].to_list() == pytest.approx(
        [2 / 3]
    )


def test_bad_scores_name_the_column_and_type() -> None:
    frame = evallens.synthetic_samples(2, 2, 10)
    with pytest.raises(ValueError, match=r"score_judge.*Int64.*\[\d+\.0, \d+\.0\]"):
        scores_by_limit_df(frame, "score_judge")
    with pytest.raises(ValueError, match=r"'score'.*String.*'maybe'"):
        scores_by_limit_df(
            pl.DataFrame({"model": ["m", "m"], "total_tokens": [1, 2], "score": ["C", "maybe"]}),
            "score",
        )
    with pytest.raises(ValueError, match=r"'score'.*List"):
        scores_by_limit_df(
            pl.DataFrame({"model": ["m"], "total_tokens": [1], "score": [[1]]}), "score"
        )


def test_unknown_columns_list_near_matches() -> None:
    frame = evallens.synthetic_samples(2, 2, 10)
    with pytest.raises(
        ValueError, match=r"unknown column 'score_mach'.*did you mean 'score_match'"
    ):
        scores_by_limit_df(frame, "score_mach")
    with pytest.raises(ValueError, match=r"unknown column 'total_tokes'.*'total_tokens'"):
        scores_by_limit_df(frame, "score_match", limit="total_tokes")
    with pytest.raises(ValueError, match=r"unknown column 'tsk'"):
        scores_by_limit_df(frame, "score_match", task="tsk")
    with pytest.raises(ValueError, match="scale"):
        scores_by_limit_df(frame, "score_match", scale="loglog")  # type: ignore[arg-type]


def test_limit_grid_matches_numpy() -> None:
    for lo, hi in [(24929.0, 6_345_671.0), (0.37, 812.5), (3.0, 3.0)]:
        assert (
            limit_grid(lo, hi, "log", 100) == np.logspace(np.log10(lo), np.log10(hi), 100).tolist()
        )
        assert limit_grid(lo, hi, "linear", 100) == np.linspace(lo, hi, 100).tolist()
    assert limit_grid(1, 99, "auto", 3) == [1.0, 50.0, 99.0]  # < 2 decades: linear
    assert limit_grid(0, 1000, "auto", 3) == [0.0, 500.0, 1000.0]  # log cannot start at 0
    with pytest.raises(ValueError, match="log scale"):
        limit_grid(0, 1000, "log", 3)


def test_big_frame_is_fast_enough_to_be_vectorized() -> None:
    # 100k samples x 100 limits would be 10M rows if expanded; the result stays tiny
    frame = evallens.synthetic_samples(4, 10, 2500)
    out = scores_by_limit_df(frame, "score_match")
    assert out.height == 4 * 100
    assert out.group_by("model").agg(pl.col("count").n_unique())["count"].to_list() == [1] * 4
    # success can only grow with the budget
    assert (
        out.sort("model", "total_tokens")
        .group_by("model")
        .agg((pl.col("success_rate").diff().drop_nulls() >= -1e-12).all())["success_rate"]
        .all()
    )
    full = out.filter(pl.col("total_tokens") == pl.col("total_tokens").max())
    by_model = frame.group_by("model").agg((pl.col("score_match") == "C").mean().alias("rate"))
    joined = full.join(by_model, on="model")
    np.testing.assert_allclose(joined["success_rate"].to_numpy(), joined["rate"].to_numpy())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    scale=st.sampled_from(["log", "linear", "auto"]),
    steps=st.integers(1, 12),
)
def test_usage_binned_to_the_limits_gives_the_same_curves(
    data: st.DataObject, scale: str, steps: int
) -> None:
    # the group-bys run on usage binned to the limits (a stand-in on the same side of every
    # limit); the curves must be those of grouping by each distinct usage value
    n = data.draw(st.integers(1, 40))
    base = data.draw(st.sampled_from([1.0, 3.0, 0.1]))
    usage = data.draw(
        st.lists(
            st.one_of(
                st.integers(1, 2000).map(lambda k: k * base),
                st.floats(0.05, 5000, allow_nan=False),
            ),
            min_size=n,
            max_size=n,
        )
    )
    limits = curves.limit_grid(min(usage), max(usage), scale, steps)
    # samples sitting exactly on limits (the log grid's points are not round numbers)
    usage = [limits[k % len(limits)] if k % 3 == 0 else u for k, u in enumerate(usage)]
    limits = curves.limit_grid(min(usage), max(usage), scale, steps)
    frame = pl.DataFrame(
        {
            "model": data.draw(st.lists(st.sampled_from(["a", "b"]), min_size=n, max_size=n)),
            curves._USAGE: usage,
            curves._SCORE: data.draw(
                st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=n, max_size=n)
            ),
            curves._TASK: data.draw(
                st.lists(st.sampled_from(["t1", "t2", None]), min_size=n, max_size=n)
            ),
        }
    )
    lazy = nw.from_native(frame.lazy())

    def curve(binned: bool) -> pl.DataFrame:
        sums, failed, tasks = curves.aggregates(lazy, limits if binned else None)
        return curves.curves_from_sums(sums, failed, tasks, limits, extras=None, limit="L")

    assert_frame_equal(curve(True), curve(False), check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
