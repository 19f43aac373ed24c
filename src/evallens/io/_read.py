"""Public readers: logs, directories, parquet files and frames → normalized polars frames."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, Union

import polars as pl

from evallens.frames import as_polars
from evallens.io._errors import (
    BadFile,
    ErrorPolicy,
    LogReadError,
    check_policy,
    report_bad_files,
    warn_reader,
)
from evallens.io._evals import eval_record, headline_score
from evallens.io._fast import fast_samples_frame, fast_samples_frames
from evallens.io._frames import normalize_evals, normalize_samples
from evallens.io._logfile import LogFile, collector_paused, log_files_in, read_log
from evallens.io._progress import Progress
from evallens.io._remote import (
    file_version,
    is_url,
    list_url,
    log_location,
    map_threads,
    open_log,
    remote_workers,
)
from evallens.io._samples import (
    CORE_ORDER,
    SAMPLE_DTYPES,
    SampleRows,
    ScoreMap,
    eval_identity,
    remove_namespace,
    samples_frame,
)

Source = Union[
    str,
    "os.PathLike[str]",
    Sequence[Union[str, "os.PathLike[str]"]],
    pl.DataFrame,
    pl.LazyFrame,
    Any,  # a pandas DataFrame; typed loosely so pandas stays optional
]
"""What the readers accept: a directory, log or parquet path(s), or a polars/pandas frame.

A path may be a URL (``s3://bucket/prefix/``, ``gs://``, any fsspec protocol): a URL
ending in ``/`` is searched for logs as a directory is."""

StorageOptions = dict[str, Any] | None
"""fsspec options for URL sources (``{"anon": True}``, ``{"profile": ...}``, an endpoint)."""

_LOG_SUFFIXES = (".eval", ".json")
_PARQUET_SUFFIXES = (".parquet", ".pq")
_CACHE_VERSION = "2"  # 2: the eval id travels in the metadata

T = TypeVar("T")


class _Resolved:
    """A source split into log files, parquet files, or one in-memory frame."""

    def __init__(self) -> None:
        self.logs: list[str] = []
        self._locations: set[str] = set()  # each log's URL or absolute path
        self.parquet: list[str] = []
        self.frame: pl.DataFrame | None = None
        self.empty_dirs: list[str] = []
        """Directories that held no logs (said so, rather than reading as 0 rows)."""

    def add_log(self, path: Path | str) -> None:
        # The same file named twice (or found twice) is read once.
        text = str(path)
        location = log_location(text)
        if location not in self._locations:
            self._locations.add(location)
            self.logs.append(text)

    def report_empty(self, errors: ErrorPolicy) -> None:
        if self.empty_dirs and errors != "skip":
            warn_reader(
                "no .eval or .json Inspect logs in "
                + ", ".join(self.empty_dirs)
                + " (searched recursively)",
                3,
            )


def _resolve(source: Source, storage_options: StorageOptions = None) -> _Resolved:
    resolved = _Resolved()
    frame = as_polars(source)
    if frame is not None:
        resolved.frame = frame
        return resolved
    if isinstance(source, str | os.PathLike):
        items: Iterable[Any] = [source]
    elif isinstance(source, Sequence):
        items = source
    else:
        raise TypeError(
            "source must be a directory, a log or parquet path, a list of paths, "
            f"or a polars/pandas frame; got {type(source).__name__}"
        )
    for item in items:
        if not isinstance(item, str | os.PathLike):
            raise TypeError(f"expected a path in the source list, got {type(item).__name__}")
        if is_url(item):
            listing = list_url(str(item), storage_options, _LOG_SUFFIXES)
            for url in listing.logs:
                resolved.add_log(url)
            resolved.parquet.extend(listing.parquet)
            if listing.empty:
                resolved.empty_dirs.append(str(item))
            continue
        path = Path(item)
        if path.is_dir():
            found = log_files_in(path)
            if not found:
                resolved.empty_dirs.append(str(path))
            for log in found:
                resolved.add_log(log)
        elif not path.exists():
            raise FileNotFoundError(f"no such log file or directory: {path}")
        elif path.suffix in _PARQUET_SUFFIXES:
            resolved.parquet.append(str(path))
        elif path.suffix in _LOG_SUFFIXES:
            resolved.add_log(path)
        else:
            raise ValueError(
                f"{path}: not a log (.eval, .json) or a parquet file (.parquet); "
                "pass a directory to search it for logs"
            )
    return resolved


@dataclass
class _Loaded:
    """One log read: its samples frame, which scorer each score column holds, its eval id."""

    path: str
    frame: pl.DataFrame
    score_map: ScoreMap
    eval_id: str
    headline: tuple[str, str] | None = None


def _load_samples(path: str, *, fast: bool = True) -> _Loaded | BadFile:
    """One log's samples frame: the columnar reader when it can, else row by row."""
    try:
        log = read_log(path, raw=fast)
        identity = eval_identity(log)
        built = None
        if log.summaries_json is not None:
            built = fast_samples_frame(log.summaries_json, identity)
        frame, score_map = built if built is not None else samples_frame(log)
        return _Loaded(path, frame, score_map, identity["eval_id"], headline_score(log.header))
    except LogReadError as ex:
        return BadFile(path, ex.reason)


def _load_samples_ipc(path: str) -> tuple[bytes, _Loaded] | BadFile:
    """Worker-process variant: Arrow IPC bytes cross the process boundary cheaply."""
    loaded = _load_samples(path)
    if isinstance(loaded, BadFile):
        return loaded
    buffer = io.BytesIO()
    loaded.frame.write_ipc(buffer, compression="uncompressed")
    loaded.frame = pl.DataFrame()  # the rest of the record is small
    return buffer.getvalue(), loaded


COLUMNAR_BYTES = 2**19
"""A log whose summaries are at least this long, and plain (`_columnar`), is parsed natively
into a frame of its own; the others are read in Python and gathered with the other logs'
into one frame at the end (a frame per small log costs more than reading it)."""
COLUMNAR_SAMPLE_BYTES = 2048
"""...plain: at most this many bytes a sample (rich summaries, nested metadata, usually make
the native parser give up after parsing, which costs more than reading them in Python)..."""
COLUMNAR_ALWAYS_BYTES = 8 * 2**20
"""...or at least this long: the native parser is tried whatever the summaries hold."""


BATCH_MIN_BYTES = 2**15
"""Plain summaries at least this long (a few dozen samples) are parsed natively together
with the next logs' (`fast_samples_frames`): one parse and one frame for many logs, where a
frame per log cost more than reading it in Python. Shorter ones are read in Python..."""
BATCH_BYTES = 4 * 2**20
"""...and a batch is parsed once it holds this many bytes of summaries (on a thread when
reading in parallel, while the next logs are read)."""


def _plain(data: bytes) -> bool:
    """At most `COLUMNAR_SAMPLE_BYTES` a sample, judged by the summaries' first 16 KiB.

    Counting over the whole of a long log cost a third of a millisecond a megabyte.
    """
    head = data[: 2**14]
    samples = head.count(b'"epoch"')  # at least one a summary (nested ones add more)
    return samples > 0 and len(head) <= samples * COLUMNAR_SAMPLE_BYTES


def _columnar(data: bytes) -> bool:
    """Whether to parse these summaries natively (the frame is the same either way)."""
    if len(data) < COLUMNAR_BYTES:
        return False
    return len(data) >= COLUMNAR_ALWAYS_BYTES or _plain(data)


def _batchable(data: bytes) -> bool:
    """Whether these summaries may be parsed natively together with other logs'."""
    return BATCH_MIN_BYTES <= len(data) < COLUMNAR_ALWAYS_BYTES and _plain(data)


GATHER_ROWS = 50_000
"""Rows gathered as Python values before they are made a frame: bounds the memory a read of
many small logs holds beyond its frame (one frame per 50,000 rows costs no more time)."""


@dataclass
class _Read:
    """One log as `read_samples` gathers it: parsed summaries, or a frame already built."""

    path: str
    eval_id: str
    rows: int
    headline: tuple[str, str] | None
    identity: dict[str, str]
    summaries: list[dict[str, Any]] | None = None
    frame: pl.DataFrame | None = None
    score_map: ScoreMap | None = None
    batch: tuple[pl.DataFrame, int, int] | None = None
    """Built with other logs: their frame, and where this log's rows start and stop in it."""


def _read_one(path: str) -> _Read | BadFile:
    """Read one log: a long one becomes a frame natively, a short one stays Python values."""
    begun = _begin(path)
    return _finish(begun) if isinstance(begun, _Pending) else begun


@dataclass
class _Pending:
    """A log read but not parsed: its summaries go to the native parser (`_finish`)."""

    read: _Read
    log: LogFile
    batchable: bool = False
    """Whether it may be parsed together with other logs (`_batchable`)."""


def _begin(path: str) -> _Read | _Pending | BadFile:
    """Read a log's header and summaries; parse short summaries here, leave long ones."""
    try:
        log = read_log(path, raw=True)
        identity = eval_identity(log)
        read = _Read(path, identity["eval_id"], 0, headline_score(log.header), identity)
        data = log.summaries_json
        if data is not None and len(data) >= min(BATCH_MIN_BYTES, COLUMNAR_BYTES):
            batchable = _batchable(data)
            if batchable or _columnar(data):
                return _Pending(read, log, batchable)
        read.summaries = log.parsed_summaries()
        read.rows = len(read.summaries)
        return read
    except LogReadError as ex:
        return BadFile(path, ex.reason)


def _finish(pending: _Pending) -> _Read | BadFile:
    """Long summaries parsed natively (off the interpreter lock), or in Python if it declines."""
    read, log = pending.read, pending.log
    try:
        data = log.summaries_json or b""
        # natively when long: a frame for one short log costs more than reading it in Python
        built = fast_samples_frame(data, read.identity) if _columnar(data) else None
        if built is not None:
            read.frame, read.score_map = built
            read.rows = read.frame.height
        else:
            read.summaries = log.parsed_summaries()
            read.rows = len(read.summaries)
        return read
    except LogReadError as ex:
        return BadFile(read.path, ex.reason)


def _finish_many(batch: list[_Pending]) -> list[_Read | BadFile]:
    """Several logs parsed and built together; one by one (`_finish`) if that declines."""
    if len(batch) > 1:
        built = fast_samples_frames(
            [p.log.summaries_json or b"" for p in batch], [p.read.identity for p in batch]
        )
        if built is not None:
            frame, score_map, rows = built
            reads: list[_Read | BadFile] = []
            start = 0
            for pending, count in zip(batch, rows, strict=True):
                read = pending.read
                read.rows, read.score_map = count, score_map
                read.batch = (frame, start, start + count)
                pending.log.summaries_json = None
                reads.append(read)
                start += count
            return reads
    return [_finish(p) for p in batch]


def _workers(paths: Sequence[str], parallel: bool | int | None) -> int:
    if parallel is False or len(paths) < 2:
        return 1
    if isinstance(parallel, int) and not isinstance(parallel, bool):
        return max(1, min(parallel, len(paths)))
    if parallel is None and _total_bytes(paths) > THREADED_BYTES_LIMIT:
        # Large inputs: one log at a time keeps peak memory near the frame's own size
        # (~1.9x measured at 200k samples, against ~2.05x with a thread per core).
        return 1
    cpus = os.cpu_count() or 1
    # one log in flight per core: more threads add little speed but hold more logs'
    # parse buffers at once (peak memory)
    return max(1, min(cpus, 8, len(paths)))


def _threads(workers: int) -> int:
    """Threads that parse batches beside the reading (0: parse them here, in turn).

    Threads only help where cores are idle: on a machine already busy (load average
    over the last minute) they took turns with the reading and other programs, and a
    read took longer than one that parsed each batch in turn (2 shared cores, load 5-7:
    160 logs of 100 samples 0.17 s threaded against 0.14 s in turn).
    """
    if workers < 2:
        return 0
    try:
        busy = os.getloadavg()[0]
    except (OSError, AttributeError):  # not measurable here (Windows has no getloadavg)
        busy = 0.0
    idle = (os.cpu_count() or 1) - round(busy)
    return min(workers, idle) if idle >= 2 else 0


THREADED_BYTES_LIMIT = 64 * 2**20
"""Under ``parallel=None``, logs adding up to more than this are read one at a time."""


def _total_bytes(paths: Sequence[str]) -> int:
    total = 0
    for p in paths:
        try:
            total += os.path.getsize(p)
        except OSError:
            pass  # reported as a bad file when it is read
    return total


def _overlapped(paths: Sequence[str], threads: int) -> Iterator[_Read | BadFile]:
    """Each log in order; plain summaries parsed natively, many logs' at once.

    With ``threads`` (not 0) that parse runs on threads while the next logs are read.

    Short logs are read and parsed here: that is Python work, which threads would only
    take turns at (measured slower on the shared logs). Consecutive logs with plain
    summaries (`_batchable`) are parsed together by pyarrow (`_finish_many`), which parses
    without the interpreter lock, so batches run side by side and beside the Python work.
    No thread starts until a batch or a long log turns up; at most two batches a thread
    are held ahead. A copy of an eval already met is never put in a batch: the reader
    leaves such copies out, and a batch's rows are kept whole.
    """
    pool: ThreadPoolExecutor | None = None
    pending: deque[list[_Read | BadFile] | Future[list[_Read | BadFile]]] = deque()
    batch: list[_Pending] = []
    batch_bytes = 0
    seen: set[str] = set()

    def submit(work: list[_Pending], full: bool = False) -> None:
        nonlocal pool
        # a thread only once a batch filled up (more may follow): parsing the only batch
        # or the last one on a thread would leave this one waiting for it
        if not threads or (pool is None and not full):
            pending.append(_finish_many(work))
        else:
            pool = pool or ThreadPoolExecutor(max_workers=threads)
            pending.append(pool.submit(_finish_many, work))

    try:
        for path in paths:
            begun = _begin(path)
            if isinstance(begun, _Pending) and begun.batchable and begun.read.eval_id not in seen:
                batch.append(begun)
                batch_bytes += len(begun.log.summaries_json or b"")
                if batch_bytes >= BATCH_BYTES:
                    submit(batch, full=True)
                    batch, batch_bytes = [], 0
            else:
                if batch:
                    submit(batch)  # logs stay in order
                    batch, batch_bytes = [], 0
                if isinstance(begun, _Pending):
                    # a long log is work enough for a thread of its own
                    submit([begun], full=len(begun.log.summaries_json or b"") >= COLUMNAR_BYTES)
                else:
                    pending.append([begun])
            if not isinstance(begun, BadFile):
                seen.add(begun.read.eval_id if isinstance(begun, _Pending) else begun.eval_id)
            while pending and (
                len(pending) > 2 * max(threads, 1)
                or not isinstance(pending[0], Future)
                or pending[0].done()
            ):
                head = pending.popleft()
                yield from head.result() if isinstance(head, Future) else head
        if batch:
            submit(batch)
        while pending:
            head = pending.popleft()
            yield from head.result() if isinstance(head, Future) else head
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _read_files(paths: Sequence[str], parallel: bool | int | None) -> Iterator[_Read | BadFile]:
    """Each log read, in order: here, on threads, or (``parallel=True``) in worker processes."""
    if any(is_url(p) for p in paths):
        yield from map_threads(_read_one, paths, remote_workers(parallel))  # mostly waiting
        return
    workers = _workers(paths, parallel)
    if parallel is None:
        yield from _overlapped(paths, _threads(workers))
    elif workers == 1:
        yield from _overlapped(paths, 0)
    else:
        for loaded in _map_processes(paths, workers):
            if isinstance(loaded, BadFile):
                yield loaded
            else:
                frame = loaded.frame
                yield _Read(
                    loaded.path, loaded.eval_id, frame.height, loaded.headline, {}, None, frame,
                    loaded.score_map,
                )  # fmt: skip


def _map_processes(paths: Sequence[str], workers: int) -> list[_Loaded | BadFile]:
    # largest files first so one big log does not finish last on its own
    order = sorted(range(len(paths)), key=lambda i: -os.path.getsize(paths[i]))
    by_index: dict[int, _Loaded | BadFile] = {}
    # spawn, not fork: forking a process whose polars thread pool is running can deadlock
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(_load_samples_ipc, paths[i]): i for i in order}
        # decode each result as it lands and let its bytes go: memory stays near the frame
        for future in as_completed(futures):
            i = futures.pop(future)
            loaded = future.result()
            if isinstance(loaded, BadFile):
                by_index[i] = loaded
            else:
                data, record = loaded
                record.frame = pl.read_ipc(io.BytesIO(data))
                by_index[i] = record
            del loaded, future
    return [by_index[i] for i in range(len(paths))]


class _Gathered:
    """Logs read so far, in order: runs of short logs as one `SampleRows`, long ones as frames."""

    def __init__(self) -> None:
        self.parts: list[pl.DataFrame] = []
        self.score_map: ScoreMap = {}
        self._rows = SampleRows()
        self._span: tuple[pl.DataFrame, int, int] | None = None
        """Rows of a batch's frame taken so far (logs built together, in order)."""

    def add(self, item: _Read) -> BadFile | None:
        """Take one log; a log whose summaries cannot be read is left out and said why."""
        if item.batch is not None:
            frame, start, stop = item.batch
            span = self._span
            if span is not None and span[0] is frame and span[2] == start:
                self._span = (frame, span[1], stop)  # the next log of the same batch
            else:
                self._flush()
                self._span = item.batch
            item.batch = None  # the batch's frame is held here now
            self._scores(item.score_map or {})
            return None
        if item.frame is not None:
            self._flush()
            self.parts.append(item.frame)
            self._scores(item.score_map or {})
            return None
        self._flush_span()
        try:
            self._rows.add(item.identity, item.summaries or [])
        except (AttributeError, TypeError, ValueError, KeyError) as ex:
            return BadFile(item.path, f"malformed sample summary ({type(ex).__name__}: {ex})")
        finally:
            item.summaries = None  # its values now live in the columns
        if self._rows.height >= GATHER_ROWS:
            self._flush()  # Python values cost several times their frame's memory
        return None

    def _scores(self, score_map: ScoreMap) -> None:
        for column, pair in score_map.items():
            self.score_map.setdefault(column, pair)

    def _flush_span(self) -> None:
        if self._span is not None:
            frame, start, stop = self._span
            self.parts.append(frame if stop - start == frame.height else frame[start:stop])
            self._span = None

    def _flush(self) -> None:
        self._flush_span()
        if self._rows.height:
            self.parts.append(self._rows.frame())
            self._scores(self._rows.score_map)
            self._rows = SampleRows()

    def frames(self) -> list[pl.DataFrame]:
        self._flush()
        return self.parts


def _split(loaded: Iterable[T | BadFile], errors: ErrorPolicy) -> tuple[list[T], list[BadFile]]:
    good: list[T] = []
    bad: list[BadFile] = []
    for item in loaded:
        if isinstance(item, BadFile):
            if errors == "raise":
                raise LogReadError(item.path, item.reason)
            bad.append(item)
        else:
            good.append(item)
    return good, bad


def empty_samples_frame() -> pl.DataFrame:
    """A zero-row frame with the core samples schema."""
    schema = {name: SAMPLE_DTYPES.get(name, pl.String()) for name in CORE_ORDER}
    return pl.DataFrame(schema=schema)


def combine_samples(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Stack per-log frames: core columns first, then metadata, then scores (first seen).

    A column typed differently by different frames gets the type `series_from_values`
    gives the values together (whole and fractional numbers → floats, anything else
    mixed → text written as Python writes it), so the frame does not depend on how the
    logs were split between readers.
    """
    if not frames:
        return empty_samples_frame()
    frames = _same_types(frames)
    # no rechunk: copying every log's columns into one buffer would double peak memory
    combined = (
        frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed", rechunk=False)
    )
    # a column no log filled (all missing) has no type yet; text is the honest default
    nulls = [c for c, dtype in combined.schema.items() if dtype == pl.Null]
    if nulls:
        combined = combined.with_columns(pl.col(nulls).cast(pl.String))
    names = combined.columns
    metadata = [c for c in names if c.startswith("metadata_")]
    scores = [c for c in names if c.startswith("score_")]
    core = [c for c in CORE_ORDER if c in names]
    rest = [c for c in names if c not in set(core) | set(metadata) | set(scores)]
    order = core + rest + metadata + scores
    return combined if order == names else combined.select(order)


def _same_types(frames: Sequence[pl.DataFrame]) -> list[pl.DataFrame]:
    """Frames whose shared columns have one dtype each (see `combine_samples`)."""
    from evallens.io._columns import scalar_text

    seen: dict[str, list[pl.DataType]] = {}
    for frame in frames:
        for name, dtype in frame.schema.items():
            if dtype != pl.Null:
                kinds = seen.setdefault(name, [])
                if dtype not in kinds:
                    kinds.append(dtype)
    mixed = {name: kinds for name, kinds in seen.items() if len(kinds) > 1}
    if not mixed:
        return list(frames)
    result: list[pl.DataFrame] = []
    for frame in frames:
        changed: list[pl.Series] = []
        for name, kinds in mixed.items():
            if name not in frame.schema or frame.schema[name] in (pl.Null, pl.String):
                continue
            column = frame[name]
            if all(k.is_numeric() for k in kinds):
                changed.append(column.cast(pl.Float64))
            else:
                texts = [None if v is None else scalar_text(v) for v in column.to_list()]
                changed.append(pl.Series(name, texts, dtype=pl.String))
        result.append(frame.with_columns(changed) if changed else frame)
    return result


def drop_duplicate_logs(loaded: Sequence[T], eval_id: Any, path: Any, size: Any) -> list[T]:
    """One copy per eval: logs sharing an eval id (a copied file) are counted once.

    inspect_ai gives each eval run (a retry included) its own eval id, so two files with
    the same one hold the same run. The copy with more samples is kept (a finished log
    over a partial one), the first given on a tie; a warning names both paths.
    """
    kept: dict[str, T] = {}
    dropped: list[tuple[str, str]] = []
    for item in loaded:
        key = eval_id(item)
        other = kept.get(key)
        if other is None:
            kept[key] = item
            continue
        keep, drop = (item, other) if size(item) > size(other) else (other, item)
        kept[key] = keep
        dropped.append((path(drop), path(keep)))
    if dropped:
        lines = "\n".join(f"  {d} (same eval as {k})" for d, k in dropped)
        noun = "log" if len(dropped) == 1 else "logs"
        warn_reader(f"evallens read {len(dropped)} duplicate {noun} once:\n{lines}", 3)
    return list(kept.values())


def _remember_headlines(loaded: Iterable[_Loaded | _Cached]) -> None:
    from evallens.scores import remember_headlines

    remember_headlines({g.eval_id: g.headline for g in loaded if g.headline is not None})


def read_samples(
    source: Source,
    *,
    errors: ErrorPolicy = "warn",
    parallel: bool | int | None = None,
    storage_options: StorageOptions = None,
    progress: bool = True,
) -> pl.DataFrame:
    """Read samples from Inspect logs or frames into one polars frame (one row per sample × epoch).

    Args:
        source: A directory (searched recursively for ``.eval``/``.json`` logs), a path or
            list of paths to ``.eval``, ``.json`` or ``.parquet`` files, or a polars/pandas
            frame such as ``inspect_ai.analysis.samples_df()`` output. Any of these
            paths may be a URL read through fsspec (``"s3://bucket/logs/"``: a URL
            ending in ``/`` is searched like a directory; needs ``evallens[s3]``, or the
            fsspec package for another store).
        errors: What to do with a log that cannot be read: ``"raise"`` (naming the file),
            ``"warn"`` (load every good file, then warn once listing each bad one and why),
            or ``"skip"`` (silently).
        parallel: ``None`` (default) reads logs in this process, long ones (summaries of
            512 KiB or more) parsed by pyarrow on a few threads meanwhile, until the logs
            add up to more than 64 MiB, when they are read one at a time (peak memory);
            ``True`` or a worker count reads each log in a worker process, which pays
            only for long reads on a machine with idle cores (each process starts in
            about half a second); ``False`` reads one log at a time, which has the lowest
            peak memory (under 2x the returned frame in ``bench/bench_read.py``). Logs at a
            URL are always read on threads (16, or the count given; ``False``: one).
        storage_options: fsspec options for URL sources, such as ``{"anon": True}``
            for a public bucket, ``{"profile": "name"}`` or
            ``{"endpoint_url": "http://localhost:9000"}``; by default the store's own
            configuration (for S3, the ``AWS_*`` environment variables and files).
        progress: A read that takes longer than about a second shows how many logs are
            done out of how many: a progress bar in a notebook, a line of text on stderr
            in a terminal. ``False`` shows nothing.

    Returns:
        A frame whose columns are ``eval_id, sample_id, log, task_name, task_display_name,
        model, model_display_name, id, epoch, input, target, answer, error, limit,
        retries, total_tokens, total_time, working_time, message_count, model_usage``, then
        ``metadata_<key>`` and ``score_<scorer>`` / ``score_<scorer>_<key>`` columns.

    Example:
        >>> import evallens
        >>> samples = evallens.read_samples("logs/")  # doctest: +SKIP
        >>> samples.group_by("model").agg(pl.col("score_match").eq("C").mean())  # doctest: +SKIP
    """
    errors = check_policy(errors)
    resolved = _resolve(source, storage_options)
    if resolved.frame is not None:
        return normalize_samples(resolved.frame)
    resolved.report_empty(errors)
    gathered, kept, bad = _gather_logs(resolved.logs, errors, parallel, progress)
    frames = gathered.frames()
    for path in resolved.parquet:
        frames.append(normalize_samples(_read_parquet(path)))
    combined = combine_samples(frames)
    if resolved.parquet and kept:
        combined = normalize_samples(combined)
    from evallens.scores import remember_headlines, remember_score_columns

    remember_score_columns(combined, gathered.score_map)
    remember_headlines({g.eval_id: g.headline for g in kept if g.headline is not None})
    report_bad_files(bad, errors)
    return combined


def _gather_logs(
    paths: Sequence[str],
    errors: ErrorPolicy,
    parallel: bool | int | None,
    progress: bool,
) -> tuple[_Gathered, list[_Read], list[BadFile]]:
    """Every log's samples, in order, each eval once; the logs kept and the bad files."""
    gathered = _Gathered()
    read: list[_Read] = []
    bad: list[BadFile] = []
    rows_by_eval: dict[str, int] = {}
    reread = False
    # nothing read here forms a cycle: the collector would only walk the parsed summaries
    with (
        collector_paused(),
        Progress("read_samples", len(paths), "logs", enabled=progress) as shown,
    ):
        for item in _read_files(paths, parallel):
            shown.advance()
            if isinstance(item, _Read):
                rows = rows_by_eval.get(item.eval_id)
                if rows is None:
                    # a copy of an eval already read is left out (below); not gathered here
                    failed = gathered.add(item)
                    if failed is None:
                        rows_by_eval[item.eval_id] = item.rows
                        read.append(item)
                        continue
                    item = failed
                else:
                    reread = reread or item.rows > rows  # the later, longer copy is kept
                    item.summaries = None
                    read.append(item)
                    continue
            if errors == "raise":
                raise LogReadError(item.path, item.reason)
            bad.append(item)
    kept = drop_duplicate_logs(read, lambda g: g.eval_id, lambda g: g.path, lambda g: g.rows)
    if reread:
        # rare: a longer copy came after a shorter one, so the gathered rows are wrong
        gathered = _Gathered()
        for item in _read_files([g.path for g in kept], parallel):
            failed = item if isinstance(item, BadFile) else gathered.add(item)
            if failed is not None:
                if errors == "raise":
                    raise LogReadError(failed.path, failed.reason)
                bad.append(failed)
    return gathered, kept, bad


def read_evals(
    source: Source,
    *,
    errors: ErrorPolicy = "warn",
    storage_options: StorageOptions = None,
    progress: bool = True,
) -> pl.DataFrame:
    """Read one row per log: task, model, status, sample counts, headline and per-metric scores.

    Columns follow ``inspect_ai.analysis.evals_df``: ``eval_id, run_id, task_id, log,
    created, task_name, task_display_name, task_version, model, model_display_name, status,
    error_message, total_samples, completed_samples, dataset_samples, epochs,
    message_limit, token_limit, time_limit, working_limit, score_headline_name,
    score_headline_score, score_headline_metric, score_headline_value,
    score_headline_stderr`` and ``score_<score>_<metric>``. Only headers are read.
    ``source``, ``errors`` and ``storage_options`` are as in `read_samples`. A read of many
    logs that takes longer than about a second shows how many are done, as `read_samples`
    does (``progress=False`` shows nothing).

    Example:
        >>> evals = evallens.read_evals("logs/")  # doctest: +SKIP
        >>> evals.select("task_name", "model", "score_headline_value")  # doctest: +SKIP
    """
    errors = check_policy(errors)
    resolved = _resolve(source, storage_options)
    if resolved.frame is not None:
        return normalize_evals(resolved.frame)
    resolved.report_empty(errors)
    records: list[dict[str, Any] | BadFile] = []
    with Progress("read_evals", len(resolved.logs), "logs", enabled=progress) as shown:
        for record in _each_log(_eval_record, resolved.logs):
            records.append(record)
            shown.advance()
    good, bad = _split(records, errors)
    good = drop_duplicate_logs(
        good,
        lambda r: r["eval_id"],
        lambda r: r["log"],
        lambda r: (r.get("status") == "success", r.get("total_samples") or 0),
    )
    frames: list[pl.DataFrame] = []
    if good:
        frames.append(_records_frame(good))
    frames.extend(normalize_evals(_read_parquet(p)) for p in resolved.parquet)
    report_bad_files(bad, errors)
    if not frames:
        return pl.DataFrame()
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")


def _eval_record(path: str) -> dict[str, Any] | BadFile:
    try:
        return eval_record(read_log(path, samples=False))
    except LogReadError as ex:
        return BadFile(path, ex.reason)


def _each_log(func: Callable[[str], T], paths: Sequence[str]) -> Iterable[T]:
    """``func`` over logs in order: lazily one at a time, or on threads when any is remote."""
    if any(is_url(p) for p in paths):
        return map_threads(func, paths)
    return (func(p) for p in paths)


def _read_parquet(path: str) -> pl.DataFrame:
    if is_url(path):
        with open_log(path) as f:
            return pl.read_parquet(f)
    return pl.read_parquet(path)


def _scan_parquet(path: str) -> pl.LazyFrame:
    # a remote parquet file is read through fsspec, with the credentials its logs use
    return _read_parquet(path).lazy() if is_url(path) else pl.scan_parquet(path)


def _records_frame(records: list[dict[str, Any]]) -> pl.DataFrame:
    from evallens.io._columns import series_from_values

    names: list[str] = []
    for record in records:
        names.extend(k for k in record if k not in names)
    columns = [series_from_values(n, [r.get(n) for r in records]) for n in names]
    frame = pl.DataFrame(columns)
    # A column no log filled has no type yet: give it the one it has when filled, so
    # string or number operations on it work (and frames from several reads concatenate).
    untyped = [n for n, dtype in frame.schema.items() if dtype == pl.Null]
    return frame.with_columns(pl.col(n).cast(_evals_dtype(n)) for n in untyped)


_EVALS_DTYPES: dict[str, pl.DataType] = {
    "created": pl.Datetime("us", "UTC"),
    "task_version": pl.Int64(),
    "total_samples": pl.Int64(),
    "completed_samples": pl.Int64(),
    "dataset_samples": pl.Int64(),
    "epochs": pl.Int64(),
    "message_limit": pl.Int64(),
    "token_limit": pl.Int64(),
    "time_limit": pl.Float64(),
    "working_limit": pl.Float64(),
    "score_headline_value": pl.Float64(),
    "score_headline_stderr": pl.Float64(),
}


def _evals_dtype(name: str) -> pl.DataType:
    """The type of an evals-frame column when it has values (metrics are numbers)."""
    if name in _EVALS_DTYPES:
        return _EVALS_DTYPES[name]
    if name.startswith("score_") and not name.startswith("score_headline_"):
        return pl.Float64()
    return pl.String()


def read_viewer_config(
    source: Source, *, errors: ErrorPolicy = "warn", storage_options: StorageOptions = None
) -> dict[str, dict[str, Any]]:
    """The eval author's viewer config (``Task(viewer=...)``) per task name.

    Returns plain dicts with Inspect's field names (``task_samples_view``,
    ``sample_score_view``, ``trust_content``, ...). Tasks whose logs carry no config are
    absent. When several logs of one task carry a config, the most recently created wins.
    Frames and parquet files carry no config, so they give ``{}``. ``source``, ``errors``
    and ``storage_options`` are as in `read_samples`.

    Example:
        >>> config = evallens.read_viewer_config("logs/")  # doctest: +SKIP
        >>> config["my_task"]["task_samples_view"]["sort"]  # doctest: +SKIP
        [{'column': 'score__judge__judge', 'dir': 'desc'}]
    """
    errors = check_policy(errors)
    resolved = _resolve(source, storage_options)
    found = [v for v in _each_log(_viewer_config, resolved.logs) if v is not None]
    good, bad = _split(found, errors)
    report_bad_files(bad, errors)
    configs: dict[str, dict[str, Any]] = {}
    for _, task, viewer in sorted(good, key=lambda item: item[0]):
        configs[task] = viewer
    return configs


def _viewer_config(path: str) -> tuple[str, str, dict[str, Any]] | BadFile | None:
    """A log's viewer config, with its creation time and task; ``None`` if it has none."""
    try:
        header = read_log(path, samples=False).header
    except LogReadError as ex:
        return BadFile(path, ex.reason)
    spec = header["eval"]
    viewer = spec.get("viewer")
    if not isinstance(viewer, dict):
        return None
    return str(spec.get("created") or ""), remove_namespace(str(spec.get("task", ""))), viewer


def _cache_key(path: str) -> str:
    # local: the absolute path, size and mtime in ns; remote: URL, size, ETag and mtime
    name, size, version = file_version(path)
    seed = f"{_CACHE_VERSION}|{name}|{size}|{version}"
    return hashlib.sha1(seed.encode()).hexdigest()


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "evallens" / "samples"


@dataclass
class _Cached:
    """One log converted to parquet in the cache."""

    path: str
    parquet: str
    score_map: ScoreMap
    eval_id: str
    rows: int
    headline: tuple[str, str] | None = None


def _cached_parquet(path: str, cache_dir: Path) -> _Cached | BadFile:
    import pyarrow.parquet as pq

    target = cache_dir / f"{_cache_key(path)}.parquet"
    if target.exists():
        meta = pq.read_metadata(target)
        extra = meta.schema.to_arrow_schema().metadata or {}
        raw = extra.get(b"evallens.score_map", b"{}")
        score_map = {k: (v[0], v[1]) for k, v in json.loads(raw).items()}
        eval_id = extra.get(b"evallens.eval_id", b"").decode()
        head = json.loads(extra.get(b"evallens.headline", b"null"))
        headline = (head[0], head[1]) if head else None
        return _Cached(path, str(target), score_map, eval_id, meta.num_rows, headline)
    loaded = _load_samples(path)
    if isinstance(loaded, BadFile):
        return loaded
    table = loaded.frame.to_arrow()
    table = table.replace_schema_metadata(
        {
            **(table.schema.metadata or {}),
            b"evallens.score_map": json.dumps(loaded.score_map).encode(),
            b"evallens.eval_id": loaded.eval_id.encode(),
            b"evallens.headline": json.dumps(loaded.headline).encode(),
        }
    )
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    pq.write_table(table, partial)
    os.replace(partial, target)  # atomic: a reader never sees half a file
    return _Cached(
        path, str(target), loaded.score_map, loaded.eval_id, table.num_rows, loaded.headline
    )


def scan_samples(
    source: Source,
    *,
    errors: ErrorPolicy = "warn",
    cache_dir: str | os.PathLike[str] | None = None,
    storage_options: StorageOptions = None,
) -> pl.LazyFrame:
    """Samples as a `polars.LazyFrame`, for logs that do not fit in memory at once.

    Each log is converted once to a parquet file in ``cache_dir`` (default
    ``~/.cache/evallens/samples``; keyed by path, size and modification time, so an
    edited log is re-read), one log at a time, and the result scans those files lazily.
    Frames and parquet sources are scanned directly. Logs at a URL are keyed by URL, size,
    ETag and modification time (a changed object is read again), converted on threads,
    and fetched only when not yet in the cache; a remote parquet file is read whole.
    ``source``, ``errors`` and ``storage_options`` are as in `read_samples`.

    Example:
        >>> lazy = evallens.scan_samples("big_logs/")  # doctest: +SKIP
        >>> lazy.filter(pl.col("error") != "").select("id", "model").collect()  # doctest: +SKIP
    """
    errors = check_policy(errors)
    resolved = _resolve(source, storage_options)
    if resolved.frame is not None:
        return normalize_samples(resolved.frame).lazy()
    resolved.report_empty(errors)
    directory = Path(cache_dir) if cache_dir is not None else _default_cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    good, bad = _split(_each_log(lambda p: _cached_parquet(p, directory), resolved.logs), errors)
    good = drop_duplicate_logs(good, lambda g: g.eval_id, lambda g: g.path, lambda g: g.rows)
    report_bad_files(bad, errors)
    scans = [pl.scan_parquet(g.parquet) for g in good]
    scans.extend(_scan_parquet(p) for p in resolved.parquet)
    _remember_headlines(good)
    if good:
        from evallens.scores import remember_score_map

        merged: ScoreMap = {}
        for g in good:
            for column, pair in g.score_map.items():
                merged.setdefault(column, pair)
        remember_score_map(merged)
    if not scans:
        return empty_samples_frame().lazy()
    lazy = scans[0] if len(scans) == 1 else pl.concat(scans, how="diagonal_relaxed")
    names = lazy.collect_schema().names()
    metadata = [c for c in names if c.startswith("metadata_")]
    scores = [c for c in names if c.startswith("score_")]
    core = [c for c in CORE_ORDER if c in names]
    rest = [c for c in names if c not in set(core) | set(metadata) | set(scores)]
    return lazy.select(core + rest + metadata + scores)
