"""Many logs read into one frame equal each log read alone, whichever reader takes each one.

`read_samples` gathers short logs' samples in Python lists and builds one frame for all of
them, parses long logs natively into frames of their own, and parses runs of plain logs
natively together, one frame for several logs (`evallens.io._fast`). Each must give the
frame that reading each log alone gives, stacked; and a bad log must leave nothing of
itself behind.
"""

from __future__ import annotations

import io
import json
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import logs_dir, real_log_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evallens.io as eio
from evallens.io import _progress, _read
from evallens.io._logfile import read_log
from evallens.io._read import combine_samples
from evallens.io._samples import samples_frame


def _distinct_real_logs() -> list[Path]:
    """One path per eval among the shared real logs (copies share an eval id)."""
    seen: set[str] = set()
    paths: list[Path] = []
    for path in real_log_paths():
        eval_id = read_log(str(path), samples=False).header["eval"].get("eval_id")
        if eval_id not in seen:
            seen.add(eval_id)
            paths.append(path)
    return paths


DISTINCT = _distinct_real_logs()


def _one_by_one(paths: list[Path]) -> pl.DataFrame:
    """The reference: each log read alone by the row reader, then stacked."""
    return combine_samples([samples_frame(read_log(str(p)))[0] for p in paths])


PYTHON = 2**40
"""`_read_with`: every log read in Python (the reference of the readers below)."""


def _read_with(
    paths: list[Path],
    columnar_bytes: int,
    monkeypatch: pytest.MonkeyPatch,
    batch_bytes: int | None = None,
    parallel: bool | None = False,
) -> pl.DataFrame:
    """Logs whose summaries reach ``columnar_bytes`` parsed natively, whatever they hold;
    with ``batch_bytes``, every log parsed natively together with the next ones until a
    batch holds that many bytes (`PYTHON`: all in one)."""
    monkeypatch.setattr(_read, "COLUMNAR_BYTES", columnar_bytes)
    monkeypatch.setattr(_read, "COLUMNAR_ALWAYS_BYTES", columnar_bytes)
    if batch_bytes is None:
        monkeypatch.setattr(_read, "BATCH_MIN_BYTES", PYTHON)
    else:
        monkeypatch.setattr(_read, "COLUMNAR_ALWAYS_BYTES", PYTHON)
        monkeypatch.setattr(_read, "COLUMNAR_SAMPLE_BYTES", PYTHON)  # whatever they hold
        monkeypatch.setattr(_read, "BATCH_MIN_BYTES", 0)
        monkeypatch.setattr(_read, "BATCH_BYTES", batch_bytes)
    return eio.read_samples(paths, parallel=parallel, progress=False)


def test_every_real_log_at_once_equals_each_read_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    logs_dir()
    together = _read_with(DISTINCT, PYTHON, monkeypatch)  # every log gathered in Python
    assert together.equals(_one_by_one(DISTINCT))
    assert together.height == sum(samples_frame(read_log(str(p)))[0].height for p in DISTINCT)
    # long logs parsed natively wherever the columnar reader takes them: the same frame
    assert _read_with(DISTINCT, 0, monkeypatch).equals(together)
    # every log parsed natively together with the others: one parse, one frame
    assert _read_with(DISTINCT, PYTHON, monkeypatch, batch_bytes=PYTHON).equals(together)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_real_logs_in_any_order_equal_each_read_alone(
    data: st.DataObject, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not DISTINCT:
        pytest.skip("shared real logs not found")
    paths = data.draw(st.lists(st.sampled_from(DISTINCT), min_size=1, max_size=12, unique=True))
    columnar_bytes = data.draw(st.sampled_from([0, 4096, PYTHON]))
    batch_bytes = data.draw(st.sampled_from([None, 1, 20_000, PYTHON]))
    frame = _read_with(paths, columnar_bytes, monkeypatch, batch_bytes)
    assert frame.equals(_one_by_one(paths))


def _write_log(path: Path, summaries: Any, eval_id: str = "E1", task: str = "t") -> Path:
    """A minimal finished .eval log: a header and the summaries as given (any JSON)."""
    header = {
        "version": 2,
        "status": "success",
        "eval": {
            "eval_id": eval_id,
            "task": task,
            "model": "mockllm/model",
            "created": "2025-01-01T00:00:00+00:00",
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", json.dumps(header))
        zf.writestr("summaries.json", json.dumps(summaries))
    path.write_bytes(buffer.getvalue())
    return path


def _summary(i: int, **extra: Any) -> dict[str, Any]:
    return {"id": i, "epoch": 1, "input": f"q{i}", "target": "a", "uuid": f"u{i}", **extra}


def test_a_malformed_log_leaves_nothing_behind(tmp_path: Path) -> None:
    """A log whose summaries break midway is left out whole, named; the others load."""
    good = _write_log(
        tmp_path / "a.eval",
        [_summary(1, metadata={"level": 1}, scores={"s": {"value": 1}})],
        "E1",
    )
    # the first sample is fine and adds columns; the second's usage is not a mapping
    bad = _write_log(
        tmp_path / "b.eval",
        [
            _summary(2, metadata={"only_here": "x"}, scores={"t": {"value": "C"}}),
            _summary(4, model_usage={"mockllm/model": 5}),
        ],
        "E2",
    )
    not_summaries = _write_log(tmp_path / "d.eval", [_summary(5), 5], "E4")
    later = _write_log(tmp_path / "c.eval", [_summary(3, metadata={"level": 2})], "E3")
    with pytest.warns(eio.LogReadWarning, match=r"b\.eval: malformed sample summary") as caught:
        frame = eio.read_samples(tmp_path, progress=False)
    assert len(caught) == 1
    assert f"{not_summaries}: a sample summary is not a JSON object" in str(caught[0].message)
    expected = eio.read_samples([good, later], progress=False)
    assert frame.equals(expected)
    assert "metadata_only_here" not in frame.columns and "score_t" not in frame.columns
    assert frame["metadata_level"].to_list() == [1, 2]
    with pytest.raises(eio.LogReadError, match=r"b\.eval"):
        eio.read_samples(tmp_path, errors="raise", progress=False)
    assert str(bad) not in frame["log"].to_list()


def test_a_longer_copy_after_a_shorter_one_is_the_one_kept(tmp_path: Path) -> None:
    """Two files of one eval: the one with more samples is kept, in the first one's place."""
    partial = _write_log(tmp_path / "b-partial.eval", [_summary(1)], "SAME")
    full = _write_log(tmp_path / "c-full.eval", [_summary(1), _summary(2)], "SAME")
    other = _write_log(tmp_path / "a-other.eval", [_summary(9)], "OTHER")
    with pytest.warns(eio.LogReadWarning, match=r"b-partial\.eval \(same eval as .*c-full"):
        frame = eio.read_samples(tmp_path, progress=False)
    expected = eio.read_samples([other, full], progress=False)
    assert frame.equals(expected)
    assert frame["id"].to_list() == [9, 1, 2]
    assert str(partial.resolve()) not in frame["log"].to_list()


def test_a_column_typed_differently_by_different_logs_reads_as_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numbers in one log and text in another: text, whichever reader took each log."""
    big = [_summary(i, metadata={"grade": i}, scores={"s": {"value": True}}) for i in range(400)]
    _write_log(tmp_path / "a.eval", big, "E1")
    _write_log(
        tmp_path / "b.eval",
        [_summary(1000, metadata={"grade": "A"}, scores={"s": {"value": "C"}})],
        "E2",
    )
    python = _read_with([tmp_path], PYTHON, monkeypatch)
    assert python["metadata_grade"].dtype == pl.String
    assert python["metadata_grade"].to_list() == [*(str(i) for i in range(400)), "A"]
    # the score column holds True (Python's text for it, as samples_df shows it) and C
    assert python["score_s"].to_list() == ["True"] * 400 + ["C"]
    columnar = _read_with([tmp_path], 0, monkeypatch)  # the long log parsed natively
    assert columnar.equals(python)
    # parsed together, the logs disagree on the type: each is read alone instead
    assert _read_with([tmp_path], PYTHON, monkeypatch, batch_bytes=PYTHON).equals(python)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_slow_read_shows_logs_done_in_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        _write_log(tmp_path / f"{i}.eval", [_summary(i)], f"E{i}")
    monkeypatch.setattr(_progress, "SHOW_AFTER", 0.0)  # every read counts as slow
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    frame = eio.read_samples(tmp_path)
    assert frame.height == 3
    shown = terminal.getvalue()
    assert "read_samples: 1/3 logs" in shown
    assert shown.rstrip("\n").split("\r")[-1].startswith("read_samples: 3/3 logs in ")
    assert shown.endswith(" s\n")

    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    eio.read_samples(tmp_path, progress=False)
    eio.read_evals(tmp_path, progress=False)
    assert quiet.getvalue() == ""


def test_a_quick_read_or_a_piped_stderr_shows_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(3):
        _write_log(tmp_path / f"{i}.eval", [_summary(i)], f"E{i}")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(_progress, "SHOW_AFTER", 3600.0)
    eio.read_samples(tmp_path)
    assert terminal.getvalue() == ""
    piped = io.StringIO()  # not a terminal: a log file or a test runner's capture
    monkeypatch.setattr(sys, "stderr", piped)
    monkeypatch.setattr(_progress, "SHOW_AFTER", 0.0)
    eio.read_samples(tmp_path)
    assert piped.getvalue() == ""


def test_a_slow_read_in_a_notebook_shows_a_bar_that_closes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipywidgets
    from IPython import display as ipython_display

    for i in range(4):
        _write_log(tmp_path / f"{i}.eval", [_summary(i)], f"E{i}")
    shown: list[Any] = []
    monkeypatch.setattr(ipython_display, "display", lambda *items, **_: shown.extend(items))
    monkeypatch.setattr(_progress, "in_kernel", lambda: True)
    monkeypatch.setattr(_progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(_progress, "_REDRAW", 0.0)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    eio.read_samples(tmp_path)
    assert len(shown) == 1 and isinstance(shown[0], ipywidgets.HBox)
    bar, label = shown[0].children
    assert isinstance(bar, ipywidgets.IntProgress)
    assert (bar.value, bar.max) == (4, 4)
    assert label.value == "4/4 logs"
    assert shown[0].comm is None  # closed: the bar leaves the cell when the read ends
    assert terminal.getvalue() == ""  # the notebook shows the bar, not text

    shown.clear()
    eio.read_samples(tmp_path, progress=False)
    assert shown == []


def test_progress_never_breaks_a_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A notebook front end that cannot show the bar still gets the frame."""
    from IPython import display as ipython_display

    for i in range(2):
        _write_log(tmp_path / f"{i}.eval", [_summary(i)], f"E{i}")

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("no front end")

    monkeypatch.setattr(ipython_display, "display", broken)
    monkeypatch.setattr(_progress, "in_kernel", lambda: True)
    monkeypatch.setattr(_progress, "SHOW_AFTER", 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert eio.read_samples(tmp_path).height == 2


@pytest.mark.parametrize(
    ("columnar_bytes", "batch_bytes"), [(0, None), (PYTHON, None), (PYTHON, 20_000)]
)
def test_threads_read_the_same_frame(
    columnar_bytes: int, batch_bytes: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Long logs and batches parsed on threads while short ones are read here: in order,
    the same frame."""
    logs_dir()
    serial = _read_with(DISTINCT, columnar_bytes, monkeypatch, batch_bytes)
    monkeypatch.setattr("os.cpu_count", lambda: 4)
    monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))  # idle cores
    assert _read._workers([str(p) for p in DISTINCT], None) > 1
    started: list[int] = []
    real_pool = _read.ThreadPoolExecutor

    def pool(max_workers: int) -> Any:
        started.append(max_workers)
        return real_pool(max_workers=max_workers)

    monkeypatch.setattr(_read, "ThreadPoolExecutor", pool)
    threaded = eio.read_samples(DISTINCT, parallel=None, progress=False)
    assert threaded.equals(serial)
    # threads start only for logs parsed natively
    assert started == ([4] if columnar_bytes == 0 or batch_bytes else [])
    # on a busy machine (no idle core) each batch is parsed in turn: no thread, same frame
    started.clear()
    monkeypatch.setattr("os.getloadavg", lambda: (3.0, 3.0, 3.0))
    assert eio.read_samples(DISTINCT, parallel=None, progress=False).equals(serial)
    assert started == []


def test_a_real_kernel_shows_the_bar_not_text() -> None:
    """In a Jupyter kernel the progress is a widget displayed under the cell, not stderr text."""
    import nbformat
    from nbclient import NotebookClient

    root = logs_dir()
    source = (
        "from evallens.io import _progress\n"
        "_progress.SHOW_AFTER = 0.0  # every read counts as slow\n"
        "import evallens\n"
        f"frame = evallens.read_samples({str(root)!r}, errors='skip')\n"
        "print(frame.height, _progress.in_kernel())\n"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0]["outputs"]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 1  # the bar (with its count), shown once
    streams = {o["name"]: o["text"] for o in outputs if o["output_type"] == "stream"}
    assert "read_samples:" not in streams.get("stderr", "")
    assert streams["stdout"].split()[1] == "True"
    assert int(streams["stdout"].split()[0]) > 0


def test_rows_made_a_frame_in_several_parts_read_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long read is built a part at a time (bounded memory): the frame does not change."""
    logs_dir()
    whole = _read_with(DISTINCT, PYTHON, monkeypatch)
    monkeypatch.setattr(_read, "GATHER_ROWS", 7)
    assert _read_with(DISTINCT, PYTHON, monkeypatch).equals(whole)


@pytest.mark.parametrize("rerun_id", [1, "1"])
def test_a_requeued_sample_is_read_once_from_its_rerun(tmp_path: Path, rerun_id: Any) -> None:
    """The last summary per (id, epoch) wins, at the first one's place; 1 and "1" are one id."""
    first = _summary(1, metadata={"attempt": 1})
    rerun = {**_summary(1, metadata={"attempt": 2}), "id": rerun_id}
    path = _write_log(tmp_path / "a.eval", [first, _summary(2), rerun])
    frame = eio.read_samples(path, progress=False)
    assert frame["metadata_attempt"].to_list() == [2, None]
    assert frame.height == 2
    distinct = _write_log(tmp_path / "b.eval", [_summary(1), {**_summary(1), "epoch": 2}], "E2")
    assert eio.read_samples(distinct, progress=False)["epoch"].to_list() == [1, 2]
