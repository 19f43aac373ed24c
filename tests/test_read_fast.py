"""The columnar reader and the row-by-row reader must give identical frames."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest_io import LOGS_DIR, logs_dir, real_log_paths

from evallens.io import _fast
from evallens.io._errors import BadFile
from evallens.io._logfile import LogFile, read_log
from evallens.io._read import _load_samples
from evallens.io._samples import eval_identity, samples_frame

GEN_LOGS = LOGS_DIR.parents[1] / "tools" / "gen_logs.py"


def _both(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    fast = _load_samples(str(path), fast=True)
    rows = _load_samples(str(path), fast=False)
    assert not isinstance(fast, BadFile) and not isinstance(rows, BadFile)
    assert fast.score_map == rows.score_map  # same scorer/score for every column
    assert fast.eval_id == rows.eval_id
    return fast.frame, rows.frame


@pytest.mark.parametrize(
    "path",
    [p for p in real_log_paths() if p.suffix == ".eval"],
    ids=lambda p: p.name[:60],
)
def test_fast_reader_equals_row_reader_on_real_logs(path: Path) -> None:
    fast, rows = _both(path)
    assert fast.equals(rows)
    assert fast.schema == rows.schema


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Logs written by inspect_ai itself (mock model): errors, limits, five scorer kinds."""
    logs_dir()  # the shared tools sit next to the shared logs
    if not GEN_LOGS.exists():
        pytest.skip(f"{GEN_LOGS} not found")
    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [
            sys.executable,
            str(GEN_LOGS),
            "--fast",
            "--out",
            str(out),
            "--models",
            "2",
            "--tasks",
            "1",
            "--samples",
            "40",
            "--epochs",
            "2",
            "--error-rate",
            "0.1",
            "--limit-rate",
            "0.1",
        ],
        check=True,
        capture_output=True,
    )
    return out


def test_fast_reader_handles_generated_logs(generated: Path) -> None:
    paths = sorted(generated.glob("*.eval"))
    assert len(paths) == 2
    for path in paths:
        log = read_log(str(path), raw=True)
        assert log.summaries_json is not None
        built = _fast.fast_samples_frame(log.summaries_json, eval_identity(log))
        assert built is not None, "the columnar reader should take these logs"
        fast, rows = _both(path)
        assert fast.equals(rows)
        assert fast.height == 80
        assert (fast["error"] != "").any() and fast["limit"].is_not_null().any()
        assert {"score_rubric_accuracy", "score_label", "score_judge"} <= set(fast.columns)


def _row_reader(data: bytes) -> pl.DataFrame:
    log = LogFile("mem.eval", {"eval": {"eval_id": "e", "task": "t", "model": "m"}}, None, data)
    return samples_frame(log)[0]


@pytest.mark.parametrize(
    "data",
    [
        b'[{"id": 1, "epoch": 1, "input": "x", "scores": {"s": {"value": NaN}}}]',
        b'[{"id":1,"epoch":1,"input":"x","scores":{"s":{"value":NaN}}}]',
        b'[{"id":1,"epoch":1,"input":"x","scores":{"s":{"value":1}}},'
        b'{"id":2,"epoch":1,"input":"y","scores":{"s":{"value":2.5}}}]',
        b'[{"id":1,"epoch":1,"input":"x","scores":{"s":{"value":"C"}}},'
        b'{"id":2,"epoch":1,"input":"y","scores":{"s":{"value":0.5}}}]',
        b'[{"id":1,"epoch":1,"input":"2024-01-01","metadata":{"when":"2024-01-01T00:00:00"}},'
        b'{"id":"b","epoch":1,"input":"y","metadata":{"when":"later"}}]',
        b'[{"id":1,"epoch":1,"input":"x","metadata":{"list":[{"id":1},{"id":2}]}}]',
        b'[{"id":1,"epoch":1,"input":"x","model_usage":{"a":{"total_tokens":3},'
        b'"b":{"total_tokens":4,"total_cost":0.5}}},{"id":2,"epoch":1,"input":"z"}]',
    ],
)
def test_fast_reader_equals_row_reader_or_declines(data: bytes) -> None:
    identity = eval_identity(
        LogFile("mem.eval", {"eval": {"eval_id": "e", "task": "t", "model": "m"}}, None)
    )
    built = _fast.fast_samples_frame(data, identity)
    if built is not None:
        assert built[0].drop("log").equals(_row_reader(data).drop("log"))


def test_fast_reader_declines_shapes_it_does_not_handle() -> None:
    identity = {"eval_id": "e", "log": "l", "task_name": "t"}
    message_input = b'[{"id":1,"epoch":1,"input":[{"role":"user","content":"hi"}]}]'
    assert _fast.fast_samples_frame(message_input, identity) is None
    duplicated = b'[{"id":1,"epoch":1,"input":"x"},{"id":1,"epoch":1,"input":"y"}]'
    assert _fast.fast_samples_frame(duplicated, identity) is None
