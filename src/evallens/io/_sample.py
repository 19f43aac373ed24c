"""One whole sample from a log, as plain JSON data, reading only that sample's bytes.

An ``.eval`` log keeps each sample in its own zip member, ``samples/<id>_epoch_<n>.json``
(inspect_ai writes the id as ``f"{id}"``, unescaped), so one member is found by name in the
zip's central directory and decompressed alone. A ``.json`` log is indexed once
(`json_log_index`) and only the sample's byte span is parsed.
"""

from __future__ import annotations

import os
import re
import zipfile
from typing import Any

from evallens.errors import UnknownNameError, unknown_name_error
from evallens.io._attachments import resolve_sample
from evallens.io._errors import LogReadError
from evallens.io._json_index import SampleKey, json_log_index
from evallens.io._lazy_json import parse_lazily
from evallens.io._logfile import (
    central_directory,
    find_zip_entry,
    parse_json,
    read_member,
    read_zip_entry,
    reading,
    zip_entries,
)
from evallens.io._remote import is_url, open_log, remote_file

_SAMPLE_MEMBER = re.compile(r"^samples/(.*)_epoch_(\d+)\.json$", re.DOTALL)
_SCORER_PLACEHOLDER = "88F74D2C"  # inspect_ai's key for the one unnamed score of old logs

# EvalSample's fields whose default is empty, in its order: present in every sample read,
# as in ``EvalSample.model_dump()``, whatever inspect_ai version wrote the log.
_NONE, _LIST, _DICT = 0, 1, 2
_SAMPLE_DEFAULTS: tuple[tuple[str, int], ...] = (
    ("choices", _NONE),
    ("description", _NONE),
    ("sandbox", _NONE),
    ("files", _NONE),
    ("setup", _NONE),
    ("messages", _LIST),
    ("scores", _NONE),
    ("metadata", _DICT),
    ("store", _DICT),
    ("events", _LIST),
    ("timelines", _NONE),
    ("model_usage", _DICT),
    ("role_usage", _DICT),
    ("model_fallbacks", _NONE),
    ("started_at", _NONE),
    ("completed_at", _NONE),
    ("total_time", _NONE),
    ("working_time", _NONE),
    ("uuid", _NONE),
    ("invalidation", _NONE),
    ("error", _NONE),
    ("error_retries", _NONE),
    ("attachments", _DICT),
    ("events_data", _NONE),
    ("limit", _NONE),
    ("turn_count", _NONE),
    ("token_limit", _NONE),
    ("token_limit_type", _NONE),
    ("token_limit_usage", _NONE),
    ("message_limit", _NONE),
    ("time_limit", _NONE),
)
_SCORE_DEFAULTS: tuple[tuple[str, int], ...] = (
    ("answer", _NONE),
    ("explanation", _NONE),
    ("reason", _NONE),
    ("metadata", _NONE),
    ("history", _LIST),
)


def sample_member(sample_id: int | str, epoch: int) -> str:
    """The zip member inspect_ai writes a sample to (``samples/<id>_epoch_<epoch>.json``)."""
    return f"samples/{sample_id}_epoch_{epoch}.json"


def read_sample(
    log: str | os.PathLike[str],
    id: int | str,
    epoch: int = 1,
    *,
    storage_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Read one whole sample from an Inspect log, as plain JSON data.

    Only that sample is read: one zip member of an ``.eval`` log, or one byte span of a
    ``.json`` log (found by an index built on the first call and kept per path, size and
    modification time). ``attachment://`` references are replaced by their content and
    model events get back the input messages the log pools, wherever inspect_ai's
    ``read_eval_log_sample(..., resolve_attachments=True)`` does so, so the result equals
    that sample's ``model_dump(mode="json")`` in every field the log holds. Fields the
    log predates are present with inspect_ai's empty defaults (``None``, ``[]``, ``{}``),
    as is each score's ``answer``, ``explanation``, ``reason``, ``metadata`` and
    ``history``. Timestamps are kept as logged (inspect_ai converts them to UTC).

    Args:
        log: An ``.eval`` or ``.json`` log file, or its URL (``s3://bucket/x.eval``,
            read through fsspec: only the sample's byte ranges of a large ``.eval``).
        id: The sample id. ``1`` and ``"1"`` find the same sample: ids are matched as
            text, as inspect_ai names ``.eval`` members (``samples/<id>_epoch_<n>.json``).
        epoch: The epoch (1-based).
        storage_options: fsspec options for a URL, as in `read_samples` (by default, those
            it was last listed with).

    Returns:
        The sample as a dict: ``id``, ``epoch``, ``input``, ``target``, ``messages``,
        ``output``, ``scores``, ``metadata``, ``store``, ``events``, ``model_usage``,
        ``total_time``, ``working_time``, ``uuid``, ``error``, ``limit``, ... with
        ``attachments`` empty. Messages repeated across model events are one object each.

    Raises:
        FileNotFoundError: No file at ``log``.
        UnknownNameError: The log has no such sample (the message lists close ids), or no
            such epoch of it.
        LogReadError: The log, or this sample in it, cannot be read (the message names the
            file and says why).

    Example:
        >>> import json, pathlib, tempfile, evallens
        >>> log = pathlib.Path(tempfile.mkdtemp()) / "2025-01-01T00-00-00+00-00_hello.json"
        >>> sample = {"id": "q1", "epoch": 1, "input": "Say hello", "target": "hello",
        ...           "messages": [{"role": "user", "content": "Say hello"},
        ...                        {"role": "assistant", "content": "attachment://a1"}],
        ...           "attachments": {"a1": "hello there"}}
        >>> _ = log.write_text(json.dumps({"version": 2, "eval": {}, "samples": [sample]}))
        >>> evallens.read_sample(log, "q1")["messages"][1]["content"]
        'hello there'
    """
    return read_sample_data(log, id, epoch, storage_options=storage_options)


def read_sample_data(
    log: str | os.PathLike[str],
    id: int | str,
    epoch: int = 1,
    *,
    lazy: bool = False,
    storage_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """`read_sample`, optionally leaving the messages' references for their reader.

    ``lazy`` leaves the messages' and events' ``attachment://`` references (and
    ``attachments``) for a reader that resolves what it shows, a window at a time.
    """
    path = os.fspath(log)
    if isinstance(id, bool) or not isinstance(id, int | str):
        raise TypeError(f"sample id must be an int or a str, got {type(id).__name__}")
    if isinstance(epoch, bool) or not isinstance(epoch, int):
        raise TypeError(f"epoch must be an int, got {type(epoch).__name__}")
    if is_url(path):
        remote_file(path, storage_options)  # as it is now: missing, or changed since listed
    elif os.path.isdir(path):
        raise ValueError(f"{path}: a directory; read_sample reads one .eval or .json log")
    elif not os.path.isfile(path):
        raise FileNotFoundError(f"no such log file: {path}")
    with reading(path):
        if path.endswith(".json"):
            data, addresses = _json_sample_bytes(path, id, epoch)
        else:
            data, addresses = _eval_sample_bytes(path, id, epoch)
    if data is None:
        raise _unknown_sample(id, epoch, addresses)
    with reading(path):
        # Left lazy, a long sample's messages become Python values a window at a time.
        sample = parse_lazily(data) if lazy else None
        if sample is None:
            sample = parse_json(data)
        if not isinstance(sample, dict):
            raise LogReadError(path, f"sample {id!r} epoch {epoch} is not a JSON object")
        return whole_sample(path, sample, lazy=lazy)


def whole_sample(path: str, sample: dict[str, Any], *, lazy: bool = False) -> dict[str, Any]:
    """A parsed sample as inspect_ai reads it: deprecated fields moved, references resolved."""
    _migrate(path, sample)
    resolve_sample(sample, lazy=lazy)
    for name, empty in _SAMPLE_DEFAULTS:
        if name not in sample:
            sample[name] = _empty(empty)
    if isinstance(sample["scores"], dict):
        for score in sample["scores"].values():
            if isinstance(score, dict):
                _complete_score(score)
    return sample


def _empty(kind: int) -> Any:
    return [] if kind == _LIST else {} if kind == _DICT else None


def _migrate(path: str, sample: dict[str, Any]) -> None:
    """What inspect_ai's ``EvalSample`` does with fields older logs wrote differently."""
    if "score" in sample:
        if "scores" in sample:
            raise LogReadError(path, "a sample has both 'score' and 'scores'")
        sample["scores"] = {_SCORER_PLACEHOLDER: sample.pop("score")}
    if "transcript" in sample:
        transcript = sample.pop("transcript") or {}
        sample["events"] = transcript.get("events", [])
        sample["attachments"] = transcript.get("content", {})
    sandbox = sample.get("sandbox")
    if isinstance(sandbox, list) and sandbox:
        sample["sandbox"] = {"type": sandbox[0], "config": sandbox[1] if len(sandbox) > 1 else None}


def _complete_score(score: dict[str, Any]) -> None:
    # logs written before scores had a reason keep it in metadata (as inspect_ai reads it)
    metadata = score.get("metadata")
    if score.get("reason") is None and isinstance(metadata, dict):
        lifted = metadata.get("unscored_reason")
        if lifted is not None:
            score["reason"] = lifted
    for name, empty in _SCORE_DEFAULTS:
        if name not in score:
            score[name] = _empty(empty)


def _eval_sample_bytes(
    path: str, sample_id: int | str, epoch: int
) -> tuple[bytes | None, list[SampleKey]]:
    """The sample's member bytes, or ``None`` and every sample the zip holds."""
    name = sample_member(sample_id, epoch)
    with open_log(path) as f:
        directory = central_directory(f)
        if directory is not None:
            entry = find_zip_entry(directory, name)
            if entry is not None:
                return read_zip_entry(f, entry, name, copy=False), []
            # not there, or its name is stored in another encoding: read every name
            entries = zip_entries(directory)
            if entries is not None:
                if name in entries:
                    return read_zip_entry(f, entries[name], name, copy=False), []
                return None, _addresses(entries)
    with open_log(path) as f, zipfile.ZipFile(f) as zf:
        names = zf.namelist()
        if name in names:
            return read_member(zf, name), []
        return None, _addresses(names)


def _addresses(names: Any) -> list[SampleKey]:
    """(id text, epoch) of each sample member among zip member ``names``."""
    found: list[SampleKey] = []
    for name in names:
        match = _SAMPLE_MEMBER.match(name)
        if match is not None:
            found.append((match.group(1), int(match.group(2))))
    return found


def _json_sample_bytes(
    path: str, sample_id: int | str, epoch: int
) -> tuple[bytes | None, list[SampleKey]]:
    index = json_log_index(path)
    span = index.spans.get((str(sample_id), epoch))
    if span is None:
        return None, list(index.spans)
    start, end = span
    with open_log(path) as f:
        f.seek(start)
        data = f.read(end - start)
    if len(data) != end - start:
        raise EOFError("the log is shorter than when it was indexed")
    return data, []


def _unknown_sample(
    sample_id: int | str, epoch: int, addresses: list[SampleKey]
) -> UnknownNameError:
    """No such sample: name the close ids, or the epochs the id does have."""
    text = str(sample_id)
    epochs = sorted({e for i, e in addresses if i == text})
    if epochs:
        return UnknownNameError(
            f"epoch of sample {sample_id!r}:", str(epoch), [str(e) for e in epochs]
        )
    return unknown_name_error("sample id", text, list(dict.fromkeys(i for i, _ in addresses)))
