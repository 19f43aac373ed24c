"""Logs in object storage: ``s3://``, ``gs://``, ``memory://``, any fsspec protocol.

A URL is listed through fsspec as a local directory is walked (``.eval`` logs, and
``.json`` files that start like an Inspect log, under the prefix, recursively). Each remote
file found is remembered with the filesystem that listed it and its version (ETag, size,
modification time), so the readers open it with the same credentials, caches are keyed by
its version (a changed object is read again) and rows name it by its URL.

Small objects are fetched whole in one request; a larger ``.eval`` is opened as a seekable
remote file, so reading its summaries or one sample fetches only those byte ranges.
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TypeVar

from evallens.io._errors import LogReadError

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")

WHOLE_BYTES = 2**20
"""Remote objects up to this size are fetched whole, in one request, and kept in memory.

Read in ranges, a log's summaries take one or two requests (the zip's tail, then the header
and summaries) and a sample one or two more; fetched whole, one. Whole costs
``size / bandwidth`` more, ranges a round trip more: even near ``rtt * bandwidth``, ~1 MB
(30 ms at 50 MB/s, 80 ms at 10 MB/s). bench/bench_read_remote.py on the shared real logs
(42 logs, 12.4 MB; load 6-10 on 2 cores): whole 12.4 MB in 51 requests, 0.52 s at 50 MB/s
and 1.37 s at 10 MB/s; ranges 2.4 MB in 53, 0.50 s and 0.99 s; this threshold 5.4 MB in 52,
0.42 s and 0.82 s. Small logs are kept whole so that opening one of their samples again (a
click in the grid) needs no fetch."""
BLOCK_BYTES = 256 * 2**10
"""Read-ahead of a larger remote file: a member's local header and its data in one request
(a 1 MB block fetched 1.1 MB to open one sample of a 2.7 MB log; this one 0.33 MB)."""
REMOTE_THREADS = 16
"""Remote files read at once: the time goes in waiting for the store, not in Python."""

_PACKAGES = {
    "s3": "s3fs",
    "s3a": "s3fs",
    "gs": "gcsfs",
    "gcs": "gcsfs",
    "az": "adlfs",
    "abfs": "adlfs",
    "abfss": "adlfs",
}
_STORE_MODULES = ("botocore", "aiobotocore", "aiohttp", "s3fs", "gcsfs", "google", "adlfs", "azure")
"""Where a store's own errors come from (not OSError): a network failure mid-read."""
_CREDENTIAL_ERRORS = ("NoCredentialsError", "PartialCredentialsError", "DefaultCredentialsError")

T = TypeVar("T")
R = TypeVar("R")


def is_url(path: object) -> bool:
    """Whether ``path`` names a file through a protocol (``s3://bucket/key``)."""
    return isinstance(path, str) and _URL.match(path) is not None


def log_location(path: str) -> str:
    """How a log is named in the frames: its URL, or its absolute local path."""
    return path if is_url(path) else os.path.abspath(path)


@dataclass
class RemoteFile:
    """One remote object: its filesystem and path there, size and version."""

    url: str
    fs: Any = field(repr=False)
    path: str
    size: int
    version: str
    info: dict[str, Any] = field(repr=False, default_factory=dict)
    """As the store described it (given to a seekable file: no second request for it)."""


_known: dict[str, RemoteFile] = {}
_known_lock = threading.Lock()


def _remember(remote: RemoteFile) -> RemoteFile:
    with _known_lock:
        _known[remote.url] = remote
    return remote


def _version(info: dict[str, Any]) -> str:
    """What changes when the object does: its ETag or checksum, and its modification time."""
    parts = [
        str(info[key])
        for key in ("ETag", "etag", "md5Hash", "crc32c", "VersionId", "generation")
        if info.get(key) is not None
    ]
    for key in ("LastModified", "last_modified", "mtime", "updated", "created"):
        if info.get(key) is not None:
            parts.append(str(info[key]))
            break
    return "|".join(parts)


def filesystem(url: str, storage_options: dict[str, Any] | None = None) -> tuple[Any, str]:
    """The fsspec filesystem for ``url`` and the path on it; clear errors when one is missing."""
    protocol = url.split("://", 1)[0].lower()
    package = _PACKAGES.get(protocol)
    install = "pip install 'evallens[s3]'" if package == "s3fs" else f"pip install {package}"
    try:
        import fsspec
    except ImportError as ex:
        raise ImportError(
            f"reading {url} needs fsspec"
            + (f" and {package}: {install}" if package else ": pip install fsspec")
        ) from ex
    try:
        fs, path = fsspec.core.url_to_fs(url, **(storage_options or {}))
    except ImportError as ex:
        need = package or f"the fsspec package for {protocol}://"
        hint = install if package else str(ex)
        raise ImportError(f"reading {url} needs {need}: {hint}") from ex
    except ValueError as ex:
        raise ValueError(f"{url}: {ex}") from ex
    return fs, path


@contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """Errors from the store, said in terms of ``url``: missing, forbidden, no credentials."""
    try:
        yield
    except FileNotFoundError as ex:
        raise FileNotFoundError(f"no such log file or directory: {url} ({ex})") from ex
    except PermissionError as ex:
        raise PermissionError(
            f"{url}: access denied ({ex}); check the credentials and the bucket's policy"
        ) from ex
    except (ImportError, OSError):
        raise
    except Exception as ex:
        if type(ex).__name__ in _CREDENTIAL_ERRORS:
            raise PermissionError(
                f"{url}: no credentials to read it ({ex}). Set them as the store's library "
                "expects (for S3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile), "
                "or pass storage_options={'anon': True} for a public bucket"
            ) from ex
        raise OSError(f"{url}: {type(ex).__name__}: {ex}") from ex


@dataclass
class Listing:
    """What a URL holds: logs, parquet files, and whether a folder held no logs."""

    logs: list[str] = field(default_factory=list)
    parquet: list[str] = field(default_factory=list)
    empty: bool = False


def list_url(
    url: str, storage_options: dict[str, Any] | None, log_suffixes: Sequence[str]
) -> Listing:
    """The logs at ``url``: the object itself, or every log under it as a prefix."""
    fs, root = filesystem(url, storage_options)
    listing = Listing()
    with storage_errors(url):
        fs.invalidate_cache()  # list the store as it is now, as a directory walk would
        info = None if url.endswith("/") else _info_or_none(fs, root)
        is_file = info is not None and info.get("type") == "file"
        found = {} if is_file else fs.find(root, detail=True)
    if info is not None and is_file:
        remote = _remember(_remote_file(fs, root, info))
        if url.endswith((".parquet", ".pq")):
            listing.parquet.append(remote.url)
        elif url.endswith(tuple(log_suffixes)):
            listing.logs.append(remote.url)
        else:
            raise ValueError(
                f"{url}: not a log (.eval, .json) or a parquet file (.parquet); "
                "name a prefix ending in / to search it for logs"
            )
        return listing
    if not found:
        raise FileNotFoundError(f"no such log file or directory: {url} (nothing under it)")
    files = sorted(
        (
            _remote_file(fs, path, item)
            for path, item in found.items()
            if item.get("type") == "file"
        ),
        key=lambda r: r.path.split("/"),  # the order a local walk gives (by path parts)
    )
    candidates = [r for r in files if r.url.endswith((".eval", ".json"))]
    # a .json file counts when it starts like an Inspect log, as in a local folder
    keep = map_threads(lambda r: r.url.endswith(".eval") or _looks_like_log(r), candidates)
    for remote, kept in zip(candidates, keep, strict=True):
        if kept:
            listing.logs.append(_remember(remote).url)
    listing.empty = not listing.logs
    return listing


def _info_or_none(fs: Any, path: str) -> dict[str, Any] | None:
    try:
        info: dict[str, Any] = fs.info(path)
    except FileNotFoundError:
        return None
    return info


def _remote_file(fs: Any, path: str, info: dict[str, Any]) -> RemoteFile:
    size = int(info.get("size") or 0)
    return RemoteFile(fs.unstrip_protocol(path), fs, path, size, _version(info), info)


_JSON_LOG_START = re.compile(rb'^\s*\{\s*"version"\s*:')


def _looks_like_log(remote: RemoteFile) -> bool:
    try:
        if remote.size <= WHOLE_BYTES:  # fetched whole now, it is read from memory after
            head = _whole(remote)[:64]
        else:
            head = remote.fs.cat_file(remote.path, start=0, end=64)
    except Exception:  # reported as a bad file if it is read; here, it is not a log
        return False
    return _JSON_LOG_START.match(head) is not None


def remote_file(url: str, storage_options: dict[str, Any] | None = None) -> RemoteFile:
    """The object at ``url`` as it is now (asked of the store: it may have changed).

    Without ``storage_options``, the filesystem that last listed it is used (the one a
    frame's rows were read with), else fsspec's defaults.
    """
    known = _known.get(url)
    if storage_options is None and known is not None:
        fs, path = known.fs, known.path
    else:
        fs, path = filesystem(url, storage_options)
    with storage_errors(url):
        fs.invalidate_cache(path)
        info = fs.info(path)
    if info.get("type") != "file":
        raise ValueError(f"{url}: a directory; name one .eval or .json log")
    return _remember(_remote_file(fs, path, info))


def known_file(url: str) -> RemoteFile:
    """The object at ``url`` as last listed or asked (asked now if it never was)."""
    known = _known.get(url)
    return known if known is not None else remote_file(url)


@contextmanager
def open_log(path: str) -> Iterator[BinaryIO]:
    """A log opened for reading: a local file, or a remote object (whole, or seekable).

    A remote object gone since it was listed, or a store failing mid-read, is an error
    about this log (`LogReadError`, or an `OSError` that `reading` names it by), so the
    other logs still load.
    """
    if not is_url(path):
        with open(path, "rb") as f:
            yield f
        return
    try:
        remote = known_file(path)
        if remote.size <= WHOLE_BYTES:
            yield io.BytesIO(_whole(remote))
            return
        with remote.fs.open(
            remote.path, "rb", block_size=BLOCK_BYTES, cache_type="readahead", size=remote.size
        ) as f:
            if isinstance(getattr(type(f), "details", None), property):
                # what the listing said: no request to ask again; S3 reads only that version
                f.details = remote.info
            yield f
    except FileNotFoundError as ex:
        raise LogReadError(path, f"no longer in the store ({ex})") from ex
    except Exception as ex:
        if type(ex).__module__.split(".")[0] in _STORE_MODULES and not isinstance(ex, OSError):
            raise OSError(f"{type(ex).__name__}: {ex}") from ex
        raise


HELD_BYTES = 64 * 2**20
"""Small remote objects kept after reading (by URL and version), so opening a sample again,
or reading the same logs again, does not fetch them again."""
_held: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_held_lock = threading.Lock()


def _whole(remote: RemoteFile) -> bytes:
    key = (remote.url, remote.version)
    with _held_lock:
        data = _held.get(key)
        if data is not None:
            _held.move_to_end(key)
            return data
    # a range, even of the whole: without one s3fs asks for the size first (one more request)
    data = bytes(remote.fs.cat_file(remote.path, start=0, end=remote.size)) if remote.size else b""
    with _held_lock:
        for old in [k for k in _held if k[0] == remote.url]:
            del _held[old]  # an older version of the object
        _held[key] = data
        total = sum(len(v) for v in _held.values())
        while total > HELD_BYTES and len(_held) > 1:
            total -= len(_held.popitem(last=False)[1])
    return data


def clear_held() -> None:
    """Let go of every remote object kept in memory."""
    with _held_lock:
        _held.clear()


def file_version(path: str) -> tuple[str, int, str]:
    """A log's name, size and version (local: modification time in ns): cache keys."""
    if is_url(path):
        remote = known_file(path)
        return remote.url, remote.size, remote.version
    stat = os.stat(path)
    return os.path.abspath(path), stat.st_size, str(stat.st_mtime_ns)


def current_version(path: str) -> tuple[str, int, str]:
    """`file_version`, asking the store again for a remote file (it may have changed)."""
    if is_url(path):
        remote = remote_file(path)
        return remote.url, remote.size, remote.version
    return file_version(path)


def file_size(path: str) -> int:
    """A log's size in bytes (0 when it cannot be told: it is reported when read)."""
    try:
        return known_file(path).size if is_url(path) else os.path.getsize(path)
    except (OSError, ValueError):
        return 0


def map_threads(
    func: Callable[[T], R], items: Sequence[T], workers: int = REMOTE_THREADS
) -> list[R]:
    """``func`` over ``items`` on threads, in order (for remote reads, which mostly wait)."""
    workers = max(1, min(workers, len(items)))
    if workers == 1:
        return [func(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers) as threads:
        return list(threads.map(func, items))


def remote_workers(parallel: bool | int | None) -> int:
    """Threads for remote files under a reader's ``parallel=`` argument."""
    if parallel is False:
        return 1
    if isinstance(parallel, int) and not isinstance(parallel, bool):
        return max(1, parallel)
    return REMOTE_THREADS
