"""Logs parsed natively together (one parse, one frame for many) read as each log alone.

`read_samples` parses runs of logs with plain summaries in one pyarrow call and builds one
frame for them (`evallens.io._fast.fast_samples_frames`). Logs that disagree (a score that
is text in one and a number in another, nested metadata) make it decline, and each is read
alone. Either way the frame must be the one the Python reader gives; that reader is checked
against inspect_ai's ``samples_df`` here and in ``test_read_samples.py``.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import generate_logs, plain, same_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_read_gather import PYTHON, _read_with, _write_log

import evallens.io as eio
from evallens.io import _read

inspect_analysis = pytest.importorskip("inspect_ai.analysis")


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each task scored by another scorer (text grades, bools, dicts), errors and limits."""
    return generate_logs(
        tmp_path_factory.mktemp("varied"),
        *("--models", "2", "--tasks", "3", "--samples", "8", "--epochs", "2"),
        *("--error-rate", "0.15", "--limit-rate", "0.15", "--vary-scorers"),
        "--scorers",
        "match,closeness,judge,rubric,label,judge_text,scan_answer_check,scan_effort",
    )


@pytest.fixture(scope="module")
def cloned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three models by two tasks, every default scorer, long enough to be batched."""
    return generate_logs(
        tmp_path_factory.mktemp("cloned"),
        *("--fast", "--models", "3", "--tasks", "2", "--samples", "30", "--epochs", "2"),
        *("--error-rate", "0.1", "--limit-rate", "0.1"),
    )


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool]]:
    """Each batch parsed: how many logs, and whether it was taken (not declined)."""
    batches: list[tuple[int, bool]] = []
    real = _read.fast_samples_frames

    def spy(datas: list[bytes], identities: list[dict[str, str]]) -> Any:
        built = real(datas, identities)
        batches.append((len(datas), built is not None))
        return built

    monkeypatch.setattr(_read, "fast_samples_frames", spy)
    return batches


@pytest.mark.parametrize("kind", ["varied", "cloned"])
@pytest.mark.parametrize("batch_bytes", [PYTHON, 60_000])
@pytest.mark.parametrize("parallel", [False, None])
def test_generated_logs_parsed_together_equal_python_reads(
    kind: str,
    batch_bytes: int,
    parallel: bool | None,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder: Path = request.getfixturevalue(kind)
    paths = sorted(folder.glob("*.eval"))
    assert len(paths) == 6
    python = _read_with(paths, PYTHON, monkeypatch)
    batches = _spy(monkeypatch)
    if parallel is None:  # batches on threads, whatever else runs on this machine
        monkeypatch.setattr("os.cpu_count", lambda: 4)
        monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))
    together = _read_with(paths, PYTHON, monkeypatch, batch_bytes, parallel)
    assert together.equals(python)
    assert together.height == python.height > 0
    assert batches and all(taken for _, taken in batches), batches
    if batch_bytes == PYTHON:
        assert batches == [(6, True)]  # one parse, one frame for all six logs


def test_the_default_read_batches_logs_and_agrees_with_samples_df(
    cloned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without settings changed, these logs are parsed together; the cells are samples_df's."""
    batches = _spy(monkeypatch)
    ours = eio.read_samples(cloned, progress=False)
    assert batches == [(6, True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs: Any = inspect_analysis.samples_df(
            str(cloned),
            columns=inspect_analysis.SampleSummary
            + inspect_analysis.EvalModel
            + inspect_analysis.EvalTask,
            quiet=True,
        )
    assert ours.height == len(theirs) == 360
    assert (ours["error"] != "").any() and ours["limit"].is_not_null().any()
    shared = [c for c in ours.columns if c in theirs.columns and c not in {"log", "sample_id"}]
    dict_scores = [c for c in theirs.columns if c.startswith("score_") and c not in ours.columns]
    assert dict_scores == ["score_rubric"]
    by_id = theirs.set_index("sample_id")
    mismatches = []
    for row in ours.iter_rows(named=True):
        reference = by_id.loc[row["sample_id"]]
        for column in shared:
            if not same_value(column, row[column], reference[column]):
                mismatches.append((row["sample_id"], column, row[column], reference[column]))
        text = reference["score_rubric"]  # missing where the sample errored
        for key, value in ({} if plain(text) is None else json.loads(text)).items():
            if plain(row[f"score_rubric_{key}"]) != plain(value):
                mismatches.append((row["sample_id"], key, row[f"score_rubric_{key}"], value))
    assert not mismatches, mismatches[:5]


_TEXT = st.text(max_size=12)
_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    _TEXT,
)
# a log's value for a key is drawn from one of these: mostly one kind a key, as real logs
# write them (nested values and mixed kinds make the native reader decline)
_VALUES = st.sampled_from(
    [
        st.integers(0, 9),
        st.floats(0, 1),
        st.one_of(st.integers(0, 9), st.floats(0, 1)),
        st.sampled_from(["C", "I", " spaced  text ", "ünïcode", "a\n\tb"]),
        _TEXT,
        st.booleans(),
        st.none(),
    ]
    * 3
    + [
        _SCALAR,
        st.dictionaries(st.sampled_from(["x", "y"]), _SCALAR, max_size=2),  # nested
        st.lists(st.integers(0, 3), max_size=2),
    ]
)


@st.composite
def _shape(draw: st.DrawFn) -> dict[str, Any]:
    """What a log's summaries hold: each key's kind of value, text or number ids, targets."""
    return {
        "metadata": {key: draw(_VALUES) for key in draw(st.sets(st.sampled_from("abc")))},
        "scores": {
            "s": draw(_VALUES),
            "d": st.dictionaries(st.sampled_from(["p", "q"]), draw(_VALUES), min_size=1),
        },
        "text_ids": draw(st.booleans()),
        "targets": draw(st.sampled_from([_TEXT, st.lists(_TEXT, max_size=2)])),
        # rows with two models' usage: their order is each row's own (the batch declines)
        "models": st.lists(
            st.sampled_from(["m1", "m2"]), unique=True, max_size=draw(st.sampled_from([1, 1, 2]))
        ),
    }


@st.composite
def _log(draw: st.DrawFn, index: int, shape: dict[str, Any]) -> list[dict[str, Any]]:
    """One log's summaries of the shape given (now and then a shape of its own): keys that
    come and go row by row, usage by one model or two, re-runs of an (id, epoch)."""
    if draw(st.integers(0, 5)) == 0:
        shape = draw(_shape())  # logs that disagree: the batch declines
    summaries = []
    for row in range(draw(st.integers(1, 5))):
        summary: dict[str, Any] = {
            "id": f"s{row}" if shape["text_ids"] else row,
            "epoch": draw(st.integers(1, 2)),
            "input": draw(_TEXT),
            "target": draw(shape["targets"]),
        }
        if draw(st.booleans()):
            summary["uuid"] = f"u{index}-{row}"
        summary["metadata"] = {
            key: draw(values) for key, values in shape["metadata"].items() if draw(st.booleans())
        }
        summary["scores"] = {
            name: {"value": draw(values), "answer": draw(st.one_of(st.none(), _TEXT))}
            for name, values in shape["scores"].items()
            if draw(st.booleans())
        }
        summary["model_usage"] = {
            m: {"input_tokens": draw(st.integers(0, 99)), "total_tokens": draw(st.integers(0, 999))}
            for m in draw(shape["models"])
        }
        if draw(st.booleans()):
            summary["error"] = draw(_TEXT)
        if draw(st.booleans()):
            summary["limit"] = draw(st.sampled_from(["token", "time", None]))
        summary["total_time"] = draw(st.one_of(st.none(), st.integers(0, 9), st.floats(0, 9)))
        summaries.append(summary)
    return summaries


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_logs_parsed_together_equal_python_reads(
    data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = data.draw(st.integers(2, 5))
    batch_bytes = data.draw(st.sampled_from([300, PYTHON]))
    shape = data.draw(_shape())
    with tempfile.TemporaryDirectory() as folder:
        paths = [
            _write_log(
                Path(folder) / f"{i}.eval", data.draw(_log(i, shape)), f"E{i}", f"task{i % 2}"
            )
            for i in range(count)
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # metadata too big for a cell, and the like
            python = _read_with(paths, PYTHON, monkeypatch)
            together = _read_with(paths, PYTHON, monkeypatch, batch_bytes)
    assert together.equals(python), (together, python)
    assert together.schema == python.schema


def test_logs_that_disagree_are_read_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A score that is text in one log and a number in the next: the batch declines."""
    summary = {"id": 1, "epoch": 1, "input": "q", "target": "a"}
    _write_log(tmp_path / "a.eval", [{**summary, "scores": {"s": {"value": 3}}}], "E1")
    _write_log(tmp_path / "b.eval", [{**summary, "scores": {"s": {"value": "C"}}}], "E2")
    python = _read_with([tmp_path], PYTHON, monkeypatch)
    batches = _spy(monkeypatch)
    together = _read_with([tmp_path], PYTHON, monkeypatch, PYTHON)
    assert batches == [(2, False)]
    assert together.equals(python)
    assert together["score_s"].to_list() == ["3", "C"]
    assert together["score_s"].dtype == pl.String
