"""read_evals against inspect_ai's evals_df, and read_viewer_config on a real log format."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import logs_dir, plain, real_log_paths

import evallens.io as eio

inspect_analysis = pytest.importorskip("inspect_ai.analysis")
inspect_log = pytest.importorskip("inspect_ai.log")


@pytest.mark.parametrize("path", real_log_paths(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_evals_agree_with_evals_df(path: Path) -> None:
    # an EvalLog object, so evals_df reads .json logs whatever their file name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs: Any = inspect_analysis.evals_df(
            inspect_log.read_eval_log(str(path), header_only=True), quiet=True
        )
    ours = eio.read_evals(path, errors="raise")
    assert ours.height == 1
    shared = [c for c in ours.columns if c in theirs.columns and c != "log"]
    assert {"eval_id", "task_name", "model", "status", "created"} <= set(shared)
    # every per-metric column evals_df makes, we make too
    metrics = [c for c in theirs.columns if c.startswith("score_")]
    assert set(metrics) <= set(ours.columns)
    mismatches = [
        (c, ours[c][0], theirs[c].iloc[0])
        for c in shared
        if plain(ours[c][0]) != plain(theirs[c].iloc[0])
    ]
    assert not mismatches
    assert ours["model_display_name"][0] == ours["model"][0]


def test_directory_gives_one_row_per_eval() -> None:
    """One row per log, except copies of one eval (inspect_ai's own eval ids say which)."""
    eval_ids = {
        inspect_log.read_eval_log(str(p), header_only=True).eval.eval_id for p in real_log_paths()
    }
    assert len(eval_ids) < len(real_log_paths())  # the shared logs hold one such pair
    with pytest.warns(eio.LogReadWarning, match=r"1 duplicate log once:\n.*popularity"):
        evals = eio.read_evals(logs_dir())
    assert evals.height == len(eval_ids)
    assert set(evals["eval_id"].to_list()) == eval_ids
    # of an errored run and its successful copy, the success is kept
    copies = evals.filter(pl.col("log").str.contains("2024-08-29T15-11-1"))
    assert copies["status"].to_list() == ["success"]
    assert evals["created"].dtype == pl.Datetime("us", "UTC")
    # (the one errored log is the copy dropped above)
    assert {"success", "cancelled"} <= set(evals["status"].to_list())
    limits = {"message_limit", "token_limit", "time_limit", "working_limit"}
    assert limits <= set(evals.columns)


def test_columns_no_log_filled_are_typed() -> None:
    """All-empty columns used to stay Null-typed, so string operations on them raised."""
    evals = eio.read_evals(logs_dir() / "inspect_ai_tests" / "log_streaming.eval")
    assert evals["error_message"].dtype == pl.String
    assert evals["token_limit"].dtype == pl.Int64
    assert evals.select(pl.col("error_message").str.contains("x")).height == 1
    assert not any(dtype == pl.Null for dtype in evals.schema.values())


def test_evals_frames_get_display_names() -> None:
    path = logs_dir() / "inspect_viz_docs" / "gpqa_diamond.parquet"
    evals = eio.read_evals(path)
    assert evals.height == 18
    assert evals["task_display_name"].null_count() == 0
    assert evals["model_display_name"].null_count() == 0
    pandas_frame = evals.drop("model_display_name").to_pandas()
    again = eio.read_evals(pandas_frame)
    assert again["model_display_name"].to_list() == again["model"].to_list()


def test_viewer_config_per_task(tmp_path: Path) -> None:
    from inspect_ai.viewer import (
        TaskSamplesColumn,
        TaskSamplesSort,
        TaskSamplesView,
        ViewerConfig,
    )

    source = logs_dir() / "inspect_ai_tests" / "log_streaming.eval"
    log = inspect_log.read_eval_log(str(source))
    viewer = ViewerConfig(
        task_samples_view=TaskSamplesView(
            name="by match",
            columns=[TaskSamplesColumn(id="sampleId"), TaskSamplesColumn.score("match")],
            sort=[TaskSamplesSort.score("match", dir="desc")],
            score_color_scales={"match": {"C": "good", "I": "bad"}},
        )
    )
    log.eval.viewer = viewer
    configured = tmp_path / "configured.eval"
    inspect_log.write_eval_log(log, str(configured))
    plain_copy = tmp_path / "plain.eval"
    plain_copy.write_bytes((logs_dir() / "control_arena" / "bash_1.eval").read_bytes())

    configs = eio.read_viewer_config(tmp_path)
    assert list(configs) == ["popularity"]  # bash_task has no viewer config
    view = configs["popularity"]["task_samples_view"]
    assert view["name"] == "by match"
    assert view["sort"] == [{"column": "score__match__match", "dir": "desc"}]
    assert [c["id"] for c in view["columns"]] == ["sampleId", "score__match__match"]
    assert view["score_color_scales"] == {"match": {"C": "good", "I": "bad"}}
    # plain dicts that inspect_ai itself accepts back
    assert ViewerConfig.model_validate(configs["popularity"]) == viewer


def test_viewer_config_of_frames_is_empty() -> None:
    assert eio.read_viewer_config(pl.DataFrame({"id": [1]})) == {}
