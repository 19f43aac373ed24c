"""Messages of many logs as one polars frame: one row per message, ``messages_df``'s values.

Each sample is parsed with the standard library's JSON parser and its messages are read off
the parsed data; no pydantic models are built, which is where ``messages_df`` spends its
time. Logs are found, read in parallel and reported when bad exactly as `read_samples` does.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from evallens.io._columns import series_from_values
from evallens.io._errors import BadFile, ErrorPolicy, LogReadError, check_policy, report_bad_files
from evallens.io._logfile import (
    central_directory,
    collector_paused,
    read_member,
    read_zip_entry,
    reading,
    zip_entries,
)
from evallens.io._message_rows import (
    event_messages,
    message_text,
    sample_messages,
    tool_calls_text,
    tool_error,
)
from evallens.io._progress import Progress
from evallens.io._read import Source, StorageOptions, _resolve, _split, drop_duplicate_logs
from evallens.io._remote import (
    file_size,
    is_url,
    log_location,
    map_threads,
    open_log,
    remote_workers,
)
from evallens.io._summary import auto_message_id, auto_sample_id, eval_id_of

Which = Literal["events", "sample"]
"""Which messages a sample's rows are: its model calls' (as ``messages_df``) or its own."""

MESSAGE_COLUMNS: dict[str, pl.DataType] = {
    "log": pl.String(),
    "id": pl.String(),  # the ids' own type when they share one (integer ids stay integers)
    "epoch": pl.Int64(),
    "position": pl.Int64(),
    "message_id": pl.String(),
    "role": pl.String(),
    "text": pl.String(),
    "tool_calls": pl.String(),
    "tool_call_id": pl.String(),
    "tool_call_function": pl.String(),
    "tool_call_error": pl.String(),
    "model": pl.String(),
    "source": pl.String(),
}
_ROW_COLUMNS = tuple(name for name in MESSAGE_COLUMNS if name not in ("log", "id"))
_PARALLEL_BYTES = 32 * 2**20
"""Under ``parallel=None``, logs adding up to more than this may be parsed in worker processes."""
_PARALLEL_CPUS = 4
"""...on machines with at least this many cores: on 2 (shared with other work) worker
processes were no faster than one at 46 and 92 MB of logs, after their start-up."""


@dataclass
class _LogMessages:
    """One log's message rows, and its eval id (to spot copies of a log)."""

    path: str
    eval_id: str
    frame: pl.DataFrame


def read_messages(
    source: Source,
    *,
    messages: Which = "events",
    errors: ErrorPolicy = "warn",
    parallel: bool | int | None = None,
    storage_options: StorageOptions = None,
    progress: bool = True,
) -> pl.DataFrame:
    """Read the messages of Inspect logs into one polars frame, one row per message.

    By default the rows are the messages ``inspect_ai.analysis.messages_df`` lists: every
    message a sample's model calls read or wrote, scorer and monitor calls included, the
    first time each is seen (``messages="sample"`` lists each sample's own conversation
    instead). The text columns hold exactly the values ``messages_df`` gives; the frame
    comes from parsing the logs' JSON directly, many times faster.

    Args:
        source: What `read_samples` takes: a directory (searched recursively for ``.eval``
            and ``.json`` logs), a log path, or a list of them. Frames and parquet files
            hold no messages, so they are refused.
        messages: ``"events"`` (default): the messages of the sample's model events, each
            event's input then its output, de-duplicated by message id (or by role, text
            and tool calls when a message has no id), as ``messages_df`` lists them.
            ``"sample"``: the sample's ``messages``, as `read_sample` returns them.
        errors: What to do with a log that cannot be read: ``"raise"`` (naming the file),
            ``"warn"`` (read the good logs, then warn once naming each bad one and why),
            or ``"skip"``.
        parallel: ``None`` (default) parses logs in this process, or in worker processes
            when they add up to more than 32 MiB and the machine has 4 cores or more (JSON
            parsing holds the GIL, so threads would not help); ``True`` or a worker count
            always uses worker processes; ``False`` never does. Logs at a URL are read
            on threads, as `read_samples` reads them.
        storage_options: fsspec options for URL sources, as in `read_samples`.
        progress: A read that takes longer than about a second shows how many logs are
            done out of how many (a progress bar in a notebook, text on stderr in a
            terminal); ``False`` shows nothing.

    Returns:
        A frame with columns ``log`` (absolute path, or URL), ``id`` (the sample id in its own
        type), ``epoch``, ``position`` (the message's 0-based place among its sample's
        rows; with ``messages="sample"``, its index in the sample's ``messages``),
        ``message_id`` (made up as ``messages_df`` does when the log has none), ``role``,
        ``text`` (text content, parts joined by newlines), ``tool_calls``
        (``function(arg='value')``, one call per line), ``tool_call_id``,
        ``tool_call_function``, ``tool_call_error``, ``model`` and ``source``. Samples come
        in log order, then by epoch and id as inspect_ai sorts them.

    Example:
        >>> import json, pathlib, tempfile, evallens
        >>> log = pathlib.Path(tempfile.mkdtemp()) / "2025-01-01T00-00-00+00-00_hello.json"
        >>> said = [{"id": "m1", "role": "user", "content": "Say hello"},
        ...         {"id": "m2", "role": "assistant", "content": "hello", "model": "mockllm"}]
        >>> sample = {"id": 1, "epoch": 1, "input": "Say hello", "target": "hello",
        ...           "messages": said,
        ...           "events": [{"event": "model", "input": said[:1],
        ...                       "output": {"choices": [{"message": said[1]}]}}]}
        >>> _ = log.write_text(json.dumps({"version": 2, "eval": {}, "samples": [sample]}))
        >>> evallens.read_messages(log).select("id", "position", "role", "text", "model").rows()
        [(1, 0, 'user', 'Say hello', None), (1, 1, 'assistant', 'hello', 'mockllm')]
    """
    errors = check_policy(errors)
    if messages not in ("events", "sample"):
        raise ValueError(f"messages must be 'events' or 'sample', got {messages!r}")
    resolved = _resolve(source, storage_options)
    if resolved.frame is not None or resolved.parquet:
        raise ValueError(
            "read_messages reads Inspect logs (.eval, .json): a frame or a parquet file "
            "holds no messages"
        )
    resolved.report_empty(errors)
    with Progress("read_messages", len(resolved.logs), "logs", enabled=progress) as shown:
        read = _map_logs(resolved.logs, messages, parallel, shown)
    good, bad = _split(read, errors)
    good = drop_duplicate_logs(
        good, lambda g: g.eval_id, lambda g: g.path, lambda g: g.frame.height
    )
    report_bad_files(bad, errors)
    frames = [g.frame for g in good]
    if not frames:
        return pl.DataFrame(schema=MESSAGE_COLUMNS)
    if len(frames) == 1:
        return frames[0]
    return pl.concat(frames, how="vertical_relaxed")


def _frame(path: str, rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=MESSAGE_COLUMNS)
    values = list(zip(*rows, strict=True))
    ids = series_from_values("id", list(values[0]))
    return pl.DataFrame(
        [
            pl.Series("log", [path] * len(rows), dtype=pl.String),
            ids.cast(pl.String) if ids.dtype == pl.Null else ids,
            *(
                pl.Series(name, values[i], dtype=MESSAGE_COLUMNS[name])
                for i, name in enumerate(_ROW_COLUMNS, start=1)
            ),
        ]
    )


def _workers(paths: Sequence[str], parallel: bool | int | None) -> int:
    if parallel is False or len(paths) < 2:
        return 1
    if isinstance(parallel, int) and not isinstance(parallel, bool):
        return max(1, min(parallel, len(paths)))
    cpus = os.cpu_count() or 1
    if parallel is None and (
        cpus < _PARALLEL_CPUS or sum(_size(p) for p in paths) <= _PARALLEL_BYTES
    ):
        return 1  # starting worker processes costs more than parsing a little JSON
    return max(1, min(cpus, 8, len(paths)))


def _size(path: str) -> int:
    return file_size(path)  # 0 when unknown: reported as a bad file when it is read


def _map_logs(
    paths: Sequence[str], which: Which, parallel: bool | int | None, shown: Progress
) -> list[_LogMessages | BadFile]:
    if any(is_url(p) for p in paths):
        lock = threading.Lock()

        def read(path: str) -> _LogMessages | BadFile:
            out = _log_messages(path, which)
            with lock:
                shown.advance()
            return out

        return map_threads(read, paths, remote_workers(parallel))
    workers = _workers(paths, parallel)
    if workers == 1:
        done: list[_LogMessages | BadFile] = []
        for path in paths:
            done.append(_log_messages(path, which))
            shown.advance()
        return done
    # largest first, so one big log does not finish last on its own
    order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
    by_index: dict[int, _LogMessages | BadFile] = {}
    # spawn, not fork: forking a process whose polars thread pool is running can deadlock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_log_messages_ipc, paths[i], which): i for i in order}
        for future in as_completed(futures):
            result = future.result()
            if isinstance(result, tuple):
                path, eval_id, data = result
                by_index[futures.pop(future)] = _LogMessages(
                    path, eval_id, pl.read_ipc(io.BytesIO(data))
                )
            else:
                by_index[futures.pop(future)] = result
            shown.advance()
    return [by_index[i] for i in range(len(paths))]


def _log_messages_ipc(path: str, which: Which) -> tuple[str, str, bytes] | BadFile:
    """Worker-process variant: the rows cross the process boundary as Arrow IPC bytes."""
    read = _log_messages(path, which)
    if isinstance(read, BadFile):
        return read
    buffer = io.BytesIO()
    read.frame.write_ipc(buffer, compression="uncompressed")
    return read.path, read.eval_id, buffer.getvalue()


def _log_messages(path: str, which: Which) -> _LogMessages | BadFile:
    try:
        with collector_paused(), reading(path), _LogSamples(path) as log:
            eval_id = eval_id_of(log.spec)
            # one sample parsed at a time: only its rows outlive it
            blocks = [(_inspect_order(s), _sample_rows(eval_id, s, which)) for s in log.samples()]
    except LogReadError as ex:
        return BadFile(path, ex.reason)
    blocks.sort(key=lambda block: block[0])
    absolute = log_location(path)
    return _LogMessages(
        absolute, eval_id, _frame(absolute, [r for _, rows in blocks for r in rows])
    )


def _inspect_order(sample: dict[str, Any]) -> tuple[Any, str]:
    """inspect_ai's sample order: by epoch, then id (numbers zero-padded, so 2 before 10)."""
    sample_id = sample.get("id")
    return (
        sample.get("epoch") or 0,
        sample_id if isinstance(sample_id, str) else str(sample_id).zfill(20),
    )


class _LogSamples:
    """An open log: its eval spec, and its samples parsed one at a time (by ``parse``)."""

    def __init__(self, path: str, parse: Callable[[bytes], Any] = json.loads) -> None:
        self.path = path
        self._parse = parse
        self.spec: dict[str, Any] = {}
        self._stack = ExitStack()
        self._document: dict[str, Any] | None = None
        self._member: Callable[[str], bytes] = lambda name: b""
        self._names: list[str] = []

    def __enter__(self) -> _LogSamples:
        try:
            self._open()
        except BaseException:
            self._stack.close()  # __exit__ is not called when __enter__ raises
            raise
        return self

    def _open(self) -> None:
        if self.path.endswith(".json"):
            with open_log(self.path) as f:
                document = json.loads(f.read())
            if not isinstance(document, dict):
                raise LogReadError(self.path, "not an Inspect log (not a JSON object)")
            self._document = document
            header = document
        else:
            header = self._open_eval()
        spec = header.get("eval") if isinstance(header, dict) else None
        if not isinstance(spec, dict):
            raise LogReadError(self.path, "not an Inspect log (no 'eval' section)")
        self.spec = spec

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _open_eval(self) -> Any:
        f = self._stack.enter_context(open_log(self.path))
        directory = central_directory(f)
        entries = zip_entries(directory) if directory is not None else None
        if entries is not None:
            self._names = list(entries)
            self._member = lambda name: read_zip_entry(f, entries[name], name)
        else:
            zf = self._stack.enter_context(zipfile.ZipFile(f))
            self._names = list(dict.fromkeys(zf.namelist()))  # a re-logged sample once
            self._member = lambda name: read_member(zf, name)
        # a running log has no header yet; its start journal holds the spec
        for name in ("header.json", "_journal/start.json"):
            if name in self._names:
                return json.loads(self._member(name))
        raise LogReadError(self.path, "not an Inspect .eval log (no header.json in the zip)")

    def samples(self) -> Iterator[dict[str, Any]]:
        if self._document is not None:
            for sample in self._document.get("samples") or []:
                if isinstance(sample, dict):
                    yield sample
            return
        for name in self._names:
            if name.startswith("samples/") and name.endswith(".json"):
                sample = self._parse(self._member(name))
                if not isinstance(sample, dict):
                    raise LogReadError(self.path, f"{name} is not a JSON object")
                yield sample


def _sample_rows(eval_id: str, sample: dict[str, Any], which: Which) -> list[tuple[Any, ...]]:
    """One row per listed message, in `MESSAGE_COLUMNS` order (``log`` left out)."""
    transcript = sample.pop("transcript", None)
    if isinstance(transcript, dict):  # logs before 0.3.40 kept events under a transcript
        sample["events"] = transcript.get("events", [])
        sample["attachments"] = transcript.get("content", {})
    if which == "events":
        listed = event_messages(sample, ids_invented=transcript is not None)
    else:
        listed = sample_messages(sample)
    sample_id, epoch = sample.get("id"), sample.get("epoch")
    sample_key: str | None = None
    rows: list[tuple[Any, ...]] = []
    for position, message in enumerate(listed):
        message_id = message.get("id")
        if message_id is None:
            if sample_key is None:
                sample_key = sample.get("uuid") or auto_sample_id(eval_id, sample_id, epoch)
            message_id = auto_message_id(sample_key, position)
        rows.append(
            (
                sample_id,
                epoch,
                position,
                message_id,
                message.get("role"),
                message_text(message),
                tool_calls_text(message),
                message.get("tool_call_id"),
                message.get("function"),
                tool_error(message),
                message.get("model"),
                message.get("source"),
            )
        )
    return rows
