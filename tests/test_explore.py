"""explore() on what users actually have: inspect_ai's own frames, odd and empty logs."""

from __future__ import annotations

import warnings
from pathlib import Path

import polars as pl
import pytest
from conftest_io import generate_logs, logs_dir

import evallens


def _samples_df(path: Path, **kwargs: object) -> pl.DataFrame:
    from inspect_ai.analysis import samples_df

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pl.from_pandas(samples_df(str(path), quiet=True, **kwargs))


def test_inspects_own_frame_with_default_columns_finds_task_and_model_in_its_logs() -> None:
    """samples_df(path) has no task or model column; each row's log names them."""
    path = logs_dir() / "control_arena"
    frame = _samples_df(path)
    assert "task_name" not in frame.columns and "model" not in frame.columns
    ui = evallens.explore(frame)
    assert ui.heatmap is not None
    ours = evallens.explore(path)
    assert ui.heatmap is not None and ours.heatmap is not None
    assert sorted(ui.heatmap.cells["task"].unique()) == sorted(ours.heatmap.cells["task"].unique())
    assert ui.heatmap.cells["n"].sum() == ours.heatmap.cells["n"].sum()
    # the default score is each eval's headline, as with our own reader
    assert ui.heatmap.task_scores["bash_task"] == "score_main_task_correctness"
    assert ours.heatmap.task_scores["bash_task"] == "score_main_task_correctness"


def test_inspects_frame_whose_logs_are_elsewhere_says_which_columns_to_add() -> None:
    frame = _samples_df(logs_dir() / "control_arena" / "bash_1.eval").with_columns(
        pl.lit("/elsewhere/bash_1.eval").alias("log")
    )
    with pytest.raises(ValueError, match=r"no 'task_name' column: .*EvalTask \+ EvalModel"):
        evallens.ScoresHeatmap(frame)
    # the columns it names do the job
    from inspect_ai.analysis import EvalModel, EvalTask, SampleSummary

    full = _samples_df(
        logs_dir() / "control_arena" / "bash_1.eval",
        columns=SampleSummary + EvalTask + EvalModel,
    )
    assert evallens.ScoresHeatmap(full).cells.height == 1


def test_logs_without_scores_show_their_samples_and_say_why_there_is_no_heatmap(
    tmp_path: Path,
) -> None:
    no_scorer = next((logs_dir() / "inspect_ai_tests").glob("*dPiJifoWeEQBrfWsAopzWr.eval"))
    ui = evallens.explore(no_scorer)
    assert ui.heatmap is None and ui.grid.view_count == 10
    assert ui.note is not None and "found 10 samples and no score columns" in ui.note
    assert "score_value" not in ui.note  # there is nothing to name


def test_error_only_logs_say_so(tmp_path: Path) -> None:
    logs = generate_logs(
        tmp_path / "errors", "--models", "1", "--tasks", "1", "--samples", "4",
        "--scorers", "match", "--error-rate", "1.0",
    )  # fmt: skip
    ui = evallens.explore(logs)
    assert ui.heatmap is None and ui.grid.view_count == 4
    assert ui.note is not None and "(4 of the samples ended in an error)" in ui.note


def test_nothing_to_explore_says_what_was_found(tmp_path: Path) -> None:
    empty = next((logs_dir() / "inspect_ai_tests").glob("*no-samples.json"))
    with pytest.raises(
        ValueError, match=r"no-samples\.json: 1 log, none with samples that could be read"
    ):
        evallens.explore(empty)
    with (
        pytest.warns(evallens.io.LogReadWarning),
        pytest.raises(ValueError, match=r"holds no \.eval or \.json Inspect logs"),
    ):
        evallens.explore(tmp_path)
    # a score the user names but the data lacks still raises, naming it
    with pytest.raises(ValueError, match="unknown column 'score_nope'"):
        evallens.explore(evallens.demo_samples(), score_value="score_nope")
