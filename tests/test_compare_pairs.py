"""paired(): alignment equals a plain-Python oracle; epochs reduce as Inspect's reducers; errors."""

from __future__ import annotations

import math
import statistics
from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from conftest_io import logs_dir
from hypothesis import HealthCheck, given, settings

import evallens
from evallens.compare.pairs import pass_at_k

MODELS = ["base", "m1", "m2"]


def _oracle(rows: list[dict[str, Any]], baseline: str, higher: bool = True) -> set[tuple]:
    """Pairs by brute force: dictionaries, no joins."""
    by_model: dict[str, dict[tuple, float | None]] = {}
    for r in rows:
        by_model.setdefault(r["model"], {})[(r["task"], r["id"], r["epoch"])] = r["score"]
    base = by_model.get(baseline, {})
    base_tasks = {k[0] for k in base}
    out = set()
    for model, mine in by_model.items():
        if model == baseline:
            continue
        tasks = {k[0] for k in mine} & base_tasks
        keys = {k for k in mine if k[0] in tasks} | {k for k in base if k[0] in tasks}
        for key in keys:
            b, m = base.get(key), mine.get(key)
            if b is None or m is None:
                status, delta = "missing", None
            else:
                delta = m - b
                signed = delta if higher else -delta
                status = "improved" if signed > 0 else "regressed" if signed < 0 else "unchanged"
            out.add((*key, model, b, m, delta, status))
    return out


def _rows(draw: Any) -> list[dict[str, Any]]:
    keys = draw(
        st.sets(
            st.tuples(
                st.sampled_from(MODELS),
                st.sampled_from(["t1", "t2"]),
                st.integers(1, 6),
                st.integers(1, 2),
            ),
            min_size=1,
            max_size=40,
        )
    )
    return [
        {"model": m, "task": t, "id": i, "epoch": e,
         "score": draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 3.0])))}
        for m, t, i, e in sorted(keys)
    ]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), higher=st.booleans())
def test_paired_equals_a_brute_force_oracle(data: st.DataObject, higher: bool) -> None:
    rows = _rows(data.draw)
    df = pl.DataFrame(rows, schema={"model": pl.String, "task": pl.String, "id": pl.Int64,
                                    "epoch": pl.Int64, "score": pl.Float64})  # fmt: skip
    df = df.rename({"score": "score_x", "task": "task_name"})
    expected = _oracle(rows, "base", higher)
    if df["score_x"].null_count() == df.height:
        with pytest.raises(ValueError, match=r"score_x|baseline"):
            evallens.paired(df, baseline="base", score="score_x")
        return
    if "base" not in df["model"].to_list():
        with pytest.raises(evallens.UnknownNameError, match="baseline"):
            evallens.paired(df, baseline="base", score="score_x")
        return
    if not expected:
        with pytest.raises(ValueError, match="no task has samples from both"):
            evallens.paired(df, baseline="base", score="score_x")
        return
    try:
        got = evallens.paired(df, baseline="base", score="score_x", higher_is_better=higher)
    except ValueError as error:
        assert "no overlap on task" in str(error)
        overlap = {(r[0], r[3]) for r in expected if r[4] is not None and r[5] is not None}
        pairs = {(r[0], r[3]) for r in expected}
        assert pairs - overlap
        return
    assert got.height == len(expected)
    assert set(got.select("task", "id", "epoch", "model", "value_baseline", "value",
                          "delta", "status").rows()) == expected  # fmt: skip


def test_scores_go_through_the_one_score_rule() -> None:
    df = pl.DataFrame({
        "task_name": ["t"] * 6, "model": ["a"] * 3 + ["b"] * 3, "id": [1, 2, 3] * 2,
        "epoch": [1] * 6, "score_grade": ["C", "I", "10", "I", "C", "9"],
    })  # fmt: skip
    got = evallens.paired(df, baseline="a").sort("id")
    assert got["value_baseline"].to_list() == [1.0, 0.0, 10.0]
    assert got["value"].to_list() == [0.0, 1.0, 9.0]
    assert got["status"].to_list() == ["regressed", "improved", "regressed"]


def test_errors_name_what_is_wrong() -> None:
    df = evallens.demo_samples()
    with pytest.raises(evallens.UnknownNameError) as info:
        evallens.paired(df, baseline="gpt-4.2")
    assert "openai/gpt-4.1" in str(info.value) and "gpt-4.2" in str(info.value)
    with pytest.raises(ValueError, match=r"'score_input'.*not numeric"):
        evallens.paired(df.with_columns(score_input=pl.col("input")), baseline="gpt-4.1",
                        score="score_input")  # fmt: skip
    with pytest.raises(evallens.ColumnNotFoundError, match="score_judge"):
        evallens.paired(df, baseline="gpt-4.1", score="score_jugde")
    shifted = df.with_columns(
        pl.when(pl.col("model_display_name") == "gpt-4.1").then(pl.col("id") + 10_000)
        .otherwise(pl.col("id")).alias("id")
    )  # fmt: skip
    with pytest.raises(ValueError, match=r"no overlap on task '.*': '.*' has \d+ samples and "
                                         r"baseline 'openai/gpt-4.1' has \d+"):  # fmt: skip
        evallens.paired(shifted, baseline="gpt-4.1", score="score_match")
    twice = pl.concat([df, df.filter(pl.col("model_display_name") == "o4-mini")])
    with pytest.raises(ValueError, match=r"share a task, sample id and epoch.*epochs='reduce'"):
        evallens.paired(twice, baseline="gpt-4.1", score="score_match")


def test_epochs_reduce_like_inspects_reducers() -> None:
    df = evallens.demo_samples()
    got = evallens.paired(df, baseline="gpt-4.1", score="score_judge", epochs="reduce")
    assert "epoch" not in got.columns and {"epochs", "epochs_baseline"} <= set(got.columns)
    keyed = {(r["task_display_name"], r["id"], r["model"]): [] for r in df.iter_rows(named=True)}
    for r in df.iter_rows(named=True):
        if r["score_judge"] is not None:
            keyed[(r["task_display_name"], r["id"], r["model"])].append(float(r["score_judge"]))
    for row in got.sample(200, seed=1).iter_rows(named=True):
        mine = keyed[(row["task"], row["id"], row["model"])]
        base = keyed[(row["task"], row["id"], "openai/gpt-4.1")]
        assert row["value"] == (pytest.approx(statistics.mean(mine)) if mine else None)
        assert row["value_baseline"] == (pytest.approx(statistics.mean(base)) if base else None)
        assert row["epochs"] == (len(mine) or None) or row["epochs"] == len(mine)
    with pytest.raises(ValueError, match="pass_at_2 needs a pass/fail score"):
        evallens.paired(df, baseline="gpt-4.1", score="score_judge", epochs="reduce",
                        reduce="pass_at_2")  # fmt: skip
    with pytest.raises(evallens.UnknownNameError, match="epoch reducer"):
        evallens.paired(df, baseline="gpt-4.1", epochs="reduce", reduce="avg")


def test_pass_at_k_equals_inspects_reducer() -> None:
    from inspect_ai.scorer import Score, pass_at

    for n in range(1, 6):
        for c in range(n + 1):
            for k in range(1, 4):
                scores = [Score(value="C")] * c + [Score(value="I")] * (n - c)
                expected = pass_at(k)(scores).value
                got = pass_at_k(n, c, k)
                if math.isnan(float(expected)):
                    assert got is None, (n, c, k)
                else:
                    assert got == pytest.approx(float(expected)), (n, c, k)


def test_pass_at_reduce_on_binary_scores() -> None:
    df = evallens.demo_samples()
    got = evallens.paired(df, baseline="gpt-4.1", score="score_match", epochs="reduce",
                          reduce="pass_at_1")  # fmt: skip
    mean = evallens.paired(df, baseline="gpt-4.1", score="score_match", epochs="reduce")
    # pass@1 is the mean of the epochs, exactly.
    joined = got.join(mean, on=["task", "id", "model"], suffix="_mean")
    diff = (joined["value"] - joined["value_mean"]).abs().drop_nulls()
    assert diff.max() < 1e-12  # type: ignore[operator]


def test_real_control_arena_runs_pool_with_reduce() -> None:
    """Real logs: one model ran the bash task in several logs (different eval ids)."""
    samples = evallens.read_samples(logs_dir() / "control_arena")
    bash = samples.filter(pl.col("task_name").str.ends_with("bash_task"))
    models = bash["model"].unique().to_list()
    assert len(models) >= 2
    baseline = "anthropic/claude-3-7-sonnet-latest"
    with pytest.raises(ValueError, match="share a task, sample id and epoch"):
        evallens.paired(bash, baseline=baseline, task="task_name")
    got = evallens.paired(bash, baseline=baseline, task="task_name", epochs="reduce")
    assert got.height > 0
    for row in got.iter_rows(named=True):
        if row["delta"] is not None:
            assert math.isclose(row["delta"], row["value"] - row["value_baseline"])
