"""read_messages against inspect_ai's messages_df, value for value, on every log there is."""

from __future__ import annotations

import json
import math
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import INSPECT_JSON_NAME, generate_logs, logs_dir

import evallens
from evallens.io import LogReadError, LogReadWarning
from evallens.io._logfile import log_files_in, read_member

# our column → messages_df's (the text-like values must be equal to the letter)
SAME_AS_MESSAGES_DF = {
    "role": "role",
    "text": "content",
    "tool_calls": "tool_calls",
    "tool_call_id": "tool_call_id",
    "tool_call_function": "tool_call_function",
    "tool_call_error": "tool_call_error",
    "source": "source",
}


def _plain(value: Any) -> Any:
    """pandas' missing values (None, NaN, NA) as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    import pandas as pd

    return None if value is pd.NA else value


def _inspect_view(path: Path, tmp: Path) -> tuple[Any, dict[str, tuple[Any, int]]]:
    """messages_df of one log, and its sample_id → (id, epoch) by inspect_ai's functions.

    A .json log inspect_ai would not list (its name lacks a timestamp) is copied to a name
    it lists.
    """
    from inspect_ai.analysis import evals_df, messages_df
    from inspect_ai.analysis._dataframe.samples.extract import auto_sample_id
    from inspect_ai.log import read_eval_log

    if path.suffix == ".json" and not INSPECT_JSON_NAME.match(path.name):
        renamed = tmp / f"2025-01-01T00-00-00+00-00_{path.name}"
        shutil.copy(path, renamed)
        path = renamed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. no plugin for a log's k8s sandbox here
        messages = messages_df(str(path), quiet=True)
        # evals_df's eval id: logs written without one get a stable made-up one
        eval_id = evals_df(str(path), quiet=True)["eval_id"].iloc[0]
        # whole samples: a summary can lack the uuid its sample has
        samples = read_eval_log(str(path)).samples or []
    sample_of = {s.uuid or auto_sample_id(eval_id, s): (s.id, s.epoch) for s in samples}
    return messages, sample_of


def _has_transcripts(path: Path) -> bool:
    """Samples written before 0.3.40 (events under ``transcript``)."""
    if path.suffix == ".json":
        samples = json.loads(path.read_bytes()).get("samples") or []
        return any("transcript" in s for s in samples)
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.startswith("samples/")]
        return any("transcript" in json.loads(read_member(zf, n)) for n in names[:1])


def assert_equals_messages_df(path: Path, tmp: Path) -> int:
    ours = evallens.read_messages(path, errors="raise")
    theirs, sample_of = _inspect_view(path, tmp)
    assert ours.height == len(theirs), path.name
    # inspect_ai gives the event messages of pre-0.3.40 logs random ids as it reads them
    ids_random = _has_transcripts(path)
    for i, (row, other) in enumerate(
        zip(ours.iter_rows(named=True), theirs.to_dict("records"), strict=True)
    ):
        where = f"{path.name} row {i}"
        assert (row["id"], row["epoch"]) == sample_of[other["sample_id"]], where
        assert row["position"] == other["order"] - 1, where
        assert row["log"] == str(path.resolve()), where
        if not ids_random:
            assert row["message_id"] == other["message_id"], where
        for column, their_column in SAME_AS_MESSAGES_DF.items():
            assert row[column] == _plain(other[their_column]), f"{where}: {column}"
    return ours.height


def test_every_real_log_equals_messages_df(tmp_path: Path) -> None:
    logs = log_files_in(logs_dir())
    assert len(logs) >= 30
    rows = sum(assert_equals_messages_df(path, tmp_path) for path in logs)
    assert rows >= 7000


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Logs inspect_ai writes today, in both formats (pooled event inputs, tool calls)."""
    found = {}
    for fmt in ("eval", "json"):
        out = tmp_path_factory.mktemp(f"messages_{fmt}")
        found[fmt] = generate_logs(
            out, "--models", "2", "--tasks", "2", "--samples", "6", "--epochs", "2",
            "--error-rate", "0.2", "--limit-rate", "0.2", "--format", fmt,
        )  # fmt: skip
    return found


def test_generated_logs_equal_messages_df(generated: dict[str, Path], tmp_path: Path) -> None:
    for fmt, folder in generated.items():
        logs = log_files_in(folder)
        assert len(logs) == 4, fmt
        assert sum(assert_equals_messages_df(path, tmp_path) for path in logs) > 0


def test_the_sample_s_own_messages(generated: dict[str, Path]) -> None:
    """messages="sample": each sample's ``messages``, with messages_df's extractors."""
    from inspect_ai.analysis._dataframe.messages.extract import message_text, message_tool_calls
    from inspect_ai.analysis._dataframe.samples.extract import auto_detail_id, auto_sample_id
    from inspect_ai.log import read_eval_log

    paths = [*log_files_in(generated["eval"]), *log_files_in(logs_dir())]
    for path in paths:
        ours = evallens.read_messages(path, messages="sample", errors="raise")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            log = read_eval_log(str(path), resolve_attachments=True)
        expected = []
        for sample in log.samples or []:
            sample_key = sample.uuid or auto_sample_id(log.eval.eval_id, sample)
            for position, m in enumerate(sample.messages):
                error = getattr(m, "error", None)
                expected.append(
                    {
                        "id": sample.id,
                        "epoch": sample.epoch,
                        "position": position,
                        "message_id": m.id or auto_detail_id(sample_key, "message", position),
                        "role": m.role,
                        "text": message_text(m),
                        "tool_calls": message_tool_calls(m),
                        "tool_call_id": getattr(m, "tool_call_id", None),
                        "tool_call_function": getattr(m, "function", None),
                        "tool_call_error": error.message if error else None,
                        "model": getattr(m, "model", None),
                        "source": m.source,
                    }
                )
        assert ours.drop("log").to_dicts() == expected, path.name


def test_bad_logs_are_named_and_good_ones_still_load(
    tmp_path: Path, generated: dict[str, Path]
) -> None:
    good = log_files_in(generated["eval"])[0]
    folder = tmp_path / "logs"
    folder.mkdir()
    shutil.copy(good, folder / good.name)
    corrupt = folder / "corrupt.eval"
    corrupt.write_bytes(b"PK\x03\x04 not a zip at all" * 20)
    truncated = folder / "2025-01-01T00-00-00+00-00_truncated.json"
    data = log_files_in(generated["json"])[0].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    expected = evallens.read_messages(good)
    with pytest.warns(LogReadWarning) as record:
        frame = evallens.read_messages(folder)
    assert len(record) == 1
    message = str(record[0].message)
    assert str(corrupt) in message and str(truncated) in message
    assert frame.drop("log").equals(expected.drop("log"))
    with pytest.raises(LogReadError, match=re.escape(str(corrupt))):
        evallens.read_messages([good, corrupt], errors="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evallens.read_messages(folder, errors="skip").height == expected.height


def test_a_copied_log_is_read_once(tmp_path: Path, generated: dict[str, Path]) -> None:
    good = log_files_in(generated["eval"])[0]
    shutil.copy(good, tmp_path / "copy.eval")
    with pytest.warns(LogReadWarning, match="duplicate"):
        frame = evallens.read_messages([good, tmp_path / "copy.eval"])
    assert frame.height == evallens.read_messages(good).height


def test_worker_processes_give_the_same_frame(generated: dict[str, Path]) -> None:
    serial = evallens.read_messages(generated["eval"], parallel=False)
    assert evallens.read_messages(generated["eval"], parallel=2).equals(serial)


def test_what_read_messages_refuses_or_finds_empty(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no messages"):
        evallens.read_messages(pl.DataFrame({"id": [1]}))
    parquet = tmp_path / "samples.parquet"
    pl.DataFrame({"id": [1]}).write_parquet(parquet)
    with pytest.raises(ValueError, match="holds no messages"):
        evallens.read_messages(parquet)
    with pytest.raises(ValueError, match="'events' or 'sample'"):
        evallens.read_messages(tmp_path, messages="all")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        evallens.read_messages(tmp_path / "nothing-here.eval")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.warns(LogReadWarning, match="no .eval or .json"):
        frame = evallens.read_messages(empty)
    assert frame.height == 0
    assert frame.columns[:4] == ["log", "id", "epoch", "position"]


def test_ids_keep_their_type_until_logs_mix(generated: dict[str, Path]) -> None:
    integers = logs_dir() / "inspect_ai_tests" / "log_formats.json"  # sample id 1
    texts = log_files_in(generated["eval"])[0]  # ids like 'arith_easy-0000'
    assert evallens.read_messages(integers).schema["id"] == pl.Int64
    assert evallens.read_messages(texts).schema["id"] == pl.String
    mixed = evallens.read_messages([integers, texts])
    assert mixed.schema["id"] == pl.String
    assert mixed["id"][0] == "1"
