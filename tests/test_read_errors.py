"""Bad and unusual log files: errors="raise" | "warn" | "skip", and nothing good is lost."""

from __future__ import annotations

import json
import re
import shutil
import warnings
import zipfile
from pathlib import Path

import polars as pl
import pytest
from conftest_io import logs_dir

import evallens.io as eio
from evallens.io._logfile import read_member

GOOD_EVAL = Path("control_arena") / "bash_1.eval"
GOOD_JSON = Path("inspect_ai_tests") / "2025-05-12T20-28-26-04-00_security-guide.json"


@pytest.fixture
def good(tmp_path: Path) -> dict[str, Path]:
    """Two good logs copied into a fresh directory."""
    root = logs_dir()
    folder = tmp_path / "logs"
    folder.mkdir()
    paths = {}
    for name, source in (("eval", GOOD_EVAL), ("json", GOOD_JSON)):
        paths[name] = folder / source.name
        shutil.copy(root / source, paths[name])
    return paths


def _bad_files(folder: Path, good: dict[str, Path]) -> dict[str, Path]:
    """One file per way a log can be unreadable."""
    corrupt = folder / "corrupt.eval"
    corrupt.write_bytes(b"PK\x03\x04 this is not really a zip archive" * 10)
    truncated_eval = folder / "truncated.eval"
    data = good["eval"].read_bytes()
    truncated_eval.write_bytes(data[: len(data) // 2])
    truncated_json = folder / "2025-01-01T00-00-00+00-00_truncated.json"
    text = good["json"].read_bytes()
    truncated_json.write_bytes(text[: len(text) // 2])
    not_a_log = folder / "2025-01-01T00-00-00+00-00_not-a-log.json"
    not_a_log.write_text(json.dumps({"version": 2, "hello": "world"}))
    return {
        "corrupt zip": corrupt,
        "truncated .eval": truncated_eval,
        "truncated .json": truncated_json,
        "non-log JSON": not_a_log,
    }


def test_raise_names_the_file(tmp_path: Path, good: dict[str, Path]) -> None:
    for kind, path in _bad_files(tmp_path, good).items():
        with pytest.raises(eio.LogReadError) as info:
            eio.read_samples([good["eval"], path], errors="raise")
        assert str(path) in str(info.value), kind
        assert info.value.path == str(path)
        with pytest.raises(eio.LogReadError, match=re.escape(path.name)):
            eio.read_evals(path, errors="raise")


def test_warn_loads_good_files_and_warns_once_naming_each(
    tmp_path: Path, good: dict[str, Path]
) -> None:
    bad = _bad_files(good["eval"].parent, good)
    expected = eio.read_samples([good["eval"], good["json"]], errors="raise")
    with pytest.warns(eio.LogReadWarning) as record:
        frame = eio.read_samples(good["eval"].parent)
    assert len(record) == 1
    message = str(record[0].message)
    for path in bad.values():
        assert str(path) in message
    assert "not an Inspect log" in message
    assert "zip" in message
    assert sorted(frame.columns) == sorted(expected.columns)
    assert frame.select(expected.columns).sort("sample_id").equals(expected.sort("sample_id"))


def test_skip_is_silent(tmp_path: Path, good: dict[str, Path]) -> None:
    _bad_files(good["eval"].parent, good)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = eio.read_samples(good["eval"].parent, errors="skip")
        evals = eio.read_evals(good["eval"].parent, errors="skip")
    assert frame.height == 3 + 3
    assert evals.height == 2


def test_read_evals_warns_once(good: dict[str, Path]) -> None:
    _bad_files(good["eval"].parent, good)
    with pytest.warns(eio.LogReadWarning) as record:
        evals = eio.read_evals(good["eval"].parent)
    assert len(record) == 1
    assert evals.height == 2


def test_zero_sample_cancelled_and_error_logs_are_not_errors() -> None:
    root = logs_dir()
    odd = [
        root / "inspect_ai_tests" / "2025-05-12T20-28-13-04-00_no-samples.json",
        root / "inspect_ai_tests" / "2025-05-12T20-28-13-04-00_popularity.json",  # cancelled
        root
        / "inspect_ai_tests"
        / "2024-08-29T15-11-18+00-00_popularity_5EAmX6wjMFqea6WY7XHzZp.json",
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        samples = eio.read_samples(odd, errors="raise")
        evals = eio.read_evals(odd, errors="raise")
    assert samples.height == 3  # the cancelled log's three samples
    assert sorted(evals["status"].to_list()) == ["cancelled", "cancelled", "error"]


def test_unknown_new_fields_are_ignored(tmp_path: Path) -> None:
    source = next((logs_dir() / "inspect_flow" / "logs2" / "sub").glob("*.eval"))
    future = tmp_path / "future.eval"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(future, "w") as zout:
        for info in zin.infolist():
            data = read_member(zin, info.filename)
            if info.filename == "header.json":
                header = json.loads(data)
                header["brand_new_section"] = {"x": 1}
                header["eval"]["brand_new_field"] = [1, 2, 3]
                data = json.dumps(header).encode()
            elif info.filename == "summaries.json":
                summaries = json.loads(data)
                for summary in summaries:
                    summary["brand_new_field"] = {"nested": True}
                    summary["model_usage"] = {
                        m: {**u, "brand_new_tokens": 7} for m, u in summary["model_usage"].items()
                    }
                data = json.dumps(summaries).encode()
            zout.writestr(info.filename, data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = eio.read_samples(future, errors="raise")
    original = eio.read_samples(source)
    compare = [c for c in original.columns if c != "log"]
    assert ours.select(compare).equals(original.select(compare))
    assert eio.read_evals(future).drop("log").equals(eio.read_evals(source).drop("log"))


def test_log_still_being_written_reads_from_the_journal(
    tmp_path: Path, good: dict[str, Path]
) -> None:
    """A running log has no header.json or summaries.json yet, only _journal entries."""
    running = tmp_path / "running.eval"
    with zipfile.ZipFile(good["eval"]) as zin, zipfile.ZipFile(running, "w") as zout:
        for info in zin.infolist():
            if info.filename not in ("header.json", "summaries.json", "reductions.json"):
                zout.writestr(info.filename, read_member(zin, info.filename))
    frame = eio.read_samples(running, errors="raise")
    assert frame.height == 3
    assert eio.read_evals(running)["status"].to_list() == ["started"]


def test_clear_errors_for_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"nowhere\.eval"):
        eio.read_samples(tmp_path / "nowhere.eval")
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"notes\.txt"):
        eio.read_samples(text)
    with pytest.raises(ValueError, match="errors must be one of"):
        eio.read_samples(tmp_path, errors="ignore")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="source must be"):
        eio.read_samples(42)


def test_empty_directory_gives_an_empty_frame_with_the_schema(tmp_path: Path) -> None:
    frame = eio.read_samples(tmp_path)
    assert frame.height == 0
    assert frame.columns[:3] == ["eval_id", "sample_id", "log"]
    assert frame["model_usage"].dtype == eio.MODEL_USAGE_DTYPE
    assert eio.read_evals(tmp_path).equals(pl.DataFrame())
