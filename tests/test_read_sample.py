"""read_sample: one whole sample, equal to inspect_ai's read_eval_log_sample on every log.

The oracle is ``read_eval_log_sample(path, id, epoch, resolve_attachments=True)`` dumped
with ``model_dump(mode="json")``; both sides go through a JSON round trip. read_sample
returns what the log holds, so the comparison allows exactly what pydantic adds or changes
while it builds the model (see ``assert_same_sample``), and nothing else.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import shutil
import warnings
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest_io import generate_logs, logs_dir
from hypothesis import given, settings
from hypothesis import strategies as st

import evallens
from evallens.errors import UnknownNameError
from evallens.io import LogReadError
from evallens.io import _json_index as json_index
from evallens.io._logfile import log_files_in, read_member
from evallens.io._sample import whole_sample

SAMPLES_PER_LOG = 25  # enough to meet every shape a log has; the biggest logs hold 100

# Fields pydantic fills in while reading a log that lacks them, with a value it makes up
# then and there (so the log cannot hold it): read_sample leaves them out.
INVENTED_ON_READ = {
    "completion": "ModelOutput sets it from the first choice's text when it is empty",
    "working_start": "events logged before the field existed get the time of reading",
    "uuid": "events of pre-0.3.40 'transcript' logs get a fresh random uuid",
    "id": "messages of pre-0.3.40 'transcript' logs get a fresh random id",
    "type": "ToolCall's default, 'function'",
}


def _inspect_sample(path: Path, sample_id: Any, epoch: int) -> Any:
    from inspect_ai.log import read_eval_log_sample

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. no plugin for a log's k8s sandbox here
        sample = read_eval_log_sample(str(path), sample_id, epoch, resolve_attachments=True)
    return json.loads(json.dumps(sample.model_dump(mode="json")))


def _addresses(path: Path) -> list[tuple[Any, int]]:
    """(id, epoch) of each sample, as inspect_ai lists them."""
    from inspect_ai.log import read_eval_log_sample_summaries

    return [(s.id, s.epoch) for s in read_eval_log_sample_summaries(str(path))]


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {} or value == "" or value is False


def _same_instant(ours: Any, theirs: Any) -> bool:
    """Timestamps as logged (any offset) against inspect_ai's, converted to UTC."""
    if not (isinstance(ours, str) and isinstance(theirs, str)):
        return False
    try:
        return datetime.fromisoformat(ours) == datetime.fromisoformat(theirs)
    except ValueError:
        return False


def assert_same_sample(ours: Any, theirs: Any, where: str = "", depth: int = 0) -> None:
    """``ours`` equals ``theirs`` but for what pydantic adds or changes on reading.

    Allowed: a field missing from ours when theirs holds an empty default or a value made
    up on reading (INVENTED_ON_READ); a timestamp at another UTC offset (inspect_ai
    converts them to UTC); a sandbox spec where theirs has None (inspect_ai drops a spec
    whose sandbox type has no plugin installed, as k8s here); top-level keys EvalSample
    does not define (kept as logged, e.g. 2025's ``message_pool``, which inspect_ai drops).
    """
    from inspect_ai.log import EvalSample

    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in ours.keys() - theirs.keys():
            assert depth == 0 and key not in EvalSample.model_fields, f"{where}/{key} extra"
        for key in theirs.keys() - ours.keys():
            assert _empty(theirs[key]) or key in INVENTED_ON_READ, (
                f"{where}/{key} missing: {theirs[key]!r:.200}"
            )
        for key in ours.keys() & theirs.keys():
            assert_same_sample(ours[key], theirs[key], f"{where}/{key}", depth + 1)
    elif isinstance(ours, list) and isinstance(theirs, list):
        assert len(ours) == len(theirs), f"{where}: {len(ours)} items against {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            assert_same_sample(a, b, f"{where}[{i}]", depth + 1)
    elif isinstance(ours, float) and isinstance(theirs, float) and math.isnan(ours):
        assert math.isnan(theirs), where
    elif ours != theirs:
        sandbox_dropped = where.endswith("/sample/sandbox") and theirs is None
        assert sandbox_dropped or _same_instant(ours, theirs), (
            f"{where}: {ours!r:.200} != {theirs!r:.200}"
        )


def _check_log(path: Path, limit: int | None = SAMPLES_PER_LOG) -> int:
    addresses = _addresses(path)[:limit]
    for sample_id, epoch in addresses:
        ours = json.loads(json.dumps(evallens.read_sample(path, sample_id, epoch)))
        assert_same_sample(
            ours, _inspect_sample(path, sample_id, epoch), f"{path.name}:{sample_id}"
        )
    return len(addresses)


def test_every_real_log_equals_read_eval_log_sample() -> None:
    logs = log_files_in(logs_dir())
    assert len(logs) >= 30
    checked = sum(_check_log(path) for path in logs)
    assert checked >= 200


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """Logs inspect_ai writes today (pooled events, attachments, errors, limits), both formats."""
    found: dict[str, list[Path]] = {}
    for fmt in ("eval", "json"):
        out = tmp_path_factory.mktemp(f"sample_{fmt}")
        generate_logs(
            out, "--models", "1", "--tasks", "2", "--samples", "8", "--epochs", "2",
            "--error-rate", "0.2", "--limit-rate", "0.2", "--format", fmt,
            "--scorers", "match,closeness,judge,rubric,label,scan_answer_check",
        )  # fmt: skip
        found[fmt] = log_files_in(out)
    return found


def test_generated_logs_equal_read_eval_log_sample(generated: dict[str, list[Path]]) -> None:
    for fmt, logs in generated.items():
        assert logs, fmt
        assert sum(_check_log(path, None) for path in logs) == 2 * 8 * 2


def test_pooled_inputs_and_attachments_are_resolved(generated: dict[str, list[Path]]) -> None:
    path = generated["eval"][0]
    sample_id, epoch = _addresses(path)[0]
    with zipfile.ZipFile(path) as zf:
        raw = json.loads(zf.read(f"samples/{sample_id}_epoch_{epoch}.json"))
    assert raw["events_data"]["messages"]  # what there is to undo
    sample = evallens.read_sample(path, sample_id, epoch)
    assert sample["attachments"] == {} and sample["events_data"] is None
    assert "attachment://" not in json.dumps(sample)
    model_events = [e for e in sample["events"] if e["event"] == "model"]
    assert model_events and all(e["input"] and e["input_refs"] is None for e in model_events)


def test_json_log_index_reads_what_json_load_reads(generated: dict[str, list[Path]]) -> None:
    logs = generated["json"] + [p for p in log_files_in(logs_dir()) if p.suffix == ".json"]
    for path in logs:
        document = json.loads(path.read_bytes())
        index = json_index.json_log_index(str(path))
        data = path.read_bytes()
        for sample in document.get("samples") or []:
            start, end = index.spans[(str(sample["id"]), sample["epoch"])]
            assert json.loads(data[start:end]) == sample
            expected = json.loads(json.dumps(whole_sample(str(path), sample)))
            ours = json.loads(json.dumps(evallens.read_sample(path, sample["id"], sample["epoch"])))
            assert ours == expected


def test_json_log_index_is_built_once_per_version(
    generated: dict[str, list[Path]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / generated["json"][0].name
    shutil.copy(generated["json"][0], path)
    scans = []
    scan = json_index.scan_json_log
    monkeypatch.setattr(json_index, "scan_json_log", lambda f: scans.append(1) or scan(f))
    (sample_id, epoch), *_ = _addresses(path)
    first = evallens.read_sample(path, sample_id, epoch)
    assert evallens.read_sample(path, sample_id, epoch) == first
    assert len(scans) == 1
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert evallens.read_sample(path, sample_id, epoch) == first
    assert len(scans) == 2  # an edited log is indexed again


TEXT = st.text(alphabet=st.sampled_from('ab"\\/{}[]:, \n\t\u00e9\u2603\U0001f600'), max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    ids=st.lists(st.integers(0, 10**6) | TEXT, unique_by=str, max_size=6),
    extra=st.dictionaries(TEXT, JSON, max_size=3),
    header=JSON,
    chunk=st.integers(1, 64),
    indent=st.none() | st.integers(0, 2),
    ascii_only=st.booleans(),
)
def test_json_index_finds_every_sample_whatever_the_bytes(
    ids: list[Any],
    extra: dict[str, Any],
    header: Any,
    chunk: int,
    indent: int | None,
    ascii_only: bool,
) -> None:
    # decoy ids deeper down (as messages have) must not be taken for the sample's
    decoys = [{"id": "decoy", "epoch": 99, "content": header}]
    samples = [{**extra, "id": i, "epoch": 1, "messages": decoys, "input": header} for i in ids]
    document = {"version": 2, "eval": {"x": header}, "samples": samples, "after": [header]}
    data = json.dumps(document, indent=indent, ensure_ascii=ascii_only).encode()
    index = json_index.scan_json_log(io.BytesIO(data), chunk_size=chunk)
    assert [str(i) for i in index.ids] == [str(s["id"]) for s in samples]
    for sample in samples:
        start, end = index.spans[(str(sample["id"]), 1)]
        assert json.loads(data[start:end]) == sample


def test_ids_are_matched_as_inspect_names_members(
    tmp_path: Path, generated: dict[str, list[Path]]
) -> None:
    from inspect_ai.log import read_eval_log, write_eval_log

    log = read_eval_log(str(generated["eval"][0]))
    assert log.samples
    tricky = ["a b/c", "naïve ☃", "x_epoch_2", 'quo"te\\', "[br{ack}ets]", 7]
    log.samples = log.samples[: len(tricky)]
    for sample, new_id in zip(log.samples, tricky, strict=True):
        sample.id = new_id
    for suffix in (".eval", ".json"):
        path = tmp_path / f"2025-01-01T00-00-00+00-00_tricky{suffix}"
        write_eval_log(log, str(path))
        for new_id in tricky:
            ours = json.loads(json.dumps(evallens.read_sample(path, new_id)))
            assert_same_sample(ours, _inspect_sample(path, new_id, 1), f"{suffix}:{new_id}")
        assert evallens.read_sample(path, "7")["id"] == 7  # ids match as text, as members do


def test_unknown_log_and_sample_say_what_is_there(generated: dict[str, list[Path]]) -> None:
    missing = Path("/no/such/dir/log.eval")
    with pytest.raises(FileNotFoundError, match=re.escape("/no/such/dir/log.eval")):
        evallens.read_sample(missing, 1)
    for path in (generated["eval"][0], generated["json"][0]):
        ids = sorted({str(i) for i, _ in _addresses(path)})
        with pytest.raises(UnknownNameError) as info:
            evallens.read_sample(path, ids[0] + "0")
        assert info.value.kind == "sample id"
        assert ids[0] in info.value.near
        assert "did you mean" in str(info.value)
        with pytest.raises(UnknownNameError, match=r"epoch .*'9'.*available: 1, 2"):
            evallens.read_sample(path, ids[0], 9)
    with pytest.raises(ValueError, match="a directory"):
        evallens.read_sample(generated["eval"][0].parent, 1)
    with pytest.raises(TypeError, match="sample id"):
        evallens.read_sample(generated["eval"][0], 1.5)  # type: ignore[arg-type]


def _rewrite_member(source: Path, target: Path, name: str, data: bytes) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            kept = data if info.filename == name else read_member(old, info.filename)
            new.writestr(info.filename, kept)


def test_a_bad_sample_names_the_file_and_spares_the_others(
    tmp_path: Path, generated: dict[str, list[Path]]
) -> None:
    source = generated["eval"][0]
    (bad_id, bad_epoch), (good_id, good_epoch), *_ = _addresses(source)
    broken = tmp_path / "broken.eval"
    _rewrite_member(source, broken, f"samples/{bad_id}_epoch_{bad_epoch}.json", b'{"id": 1, "inp')
    with pytest.raises(LogReadError, match=re.escape(str(broken))) as info:
        evallens.read_sample(broken, bad_id, bad_epoch)
    assert info.value.path == str(broken) and "JSON" in info.value.reason
    # only the asked-for member is read: a neighbour's damage does not matter
    assert evallens.read_sample(broken, good_id, good_epoch)["id"] == good_id

    truncated = tmp_path / "truncated.eval"
    truncated.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(LogReadError, match=re.escape(str(truncated))):
        evallens.read_sample(truncated, good_id, good_epoch)


def test_a_bad_json_sample_spares_the_others(
    tmp_path: Path, generated: dict[str, list[Path]]
) -> None:
    source = generated["json"][0]
    document = json.loads(source.read_bytes())
    first, second = document["samples"][:2]
    first["metadata"] = {"note": "BROKEN"}
    path = tmp_path / source.name
    # an invalid escape inside a string: the index still sees the sample's bounds
    path.write_bytes(json.dumps(document).encode().replace(b'"BROKEN"', b'"\\q"'))
    with pytest.raises(LogReadError, match=source.name):
        evallens.read_sample(path, first["id"], first["epoch"])
    assert evallens.read_sample(path, second["id"], second["epoch"])["id"] == second["id"]
    cut = tmp_path / ("cut-" + source.name)
    cut.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    with pytest.raises(LogReadError, match="cut-"):
        evallens.read_sample(cut, first["id"], first["epoch"])
