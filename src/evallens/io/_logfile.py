"""Read one Inspect log file, natively: the header and the sample summaries.

An ``.eval`` log is a zip holding ``header.json`` (the eval spec, plan, results and stats),
``summaries.json`` (one small summary per sample) and ``samples/<id>_epoch_<n>.json`` (whole
samples with messages and events). Running logs have no ``header.json`` or ``summaries.json``
yet, only ``_journal/start.json`` and ``_journal/summaries/<n>.json``. A ``.json`` log is the
older single-document format with whole samples inline.

Summaries are all a sample frame needs, so whole samples are read only when a log has no
summaries at all; that keeps reading fast and memory bounded by the output.
"""

from __future__ import annotations

import gc
import json
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from evallens.io._errors import LogReadError
from evallens.io._remote import open_log
from evallens.io._summary import summary_from_sample

_JOURNAL_SUMMARY = re.compile(r"^_journal/summaries/(\d+)\.json$")
_SAMPLE_FILE = re.compile(r"^samples/.+\.json$")

_ZSTD = 93  # zip method id for Zstandard, which newer inspect_ai versions write
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_HEADER_SIGNATURE = 0x04034B50


def read_member(zf: zipfile.ZipFile, name: str) -> bytes:
    """A zip member's bytes; Zstandard members are decoded with pyarrow's codec.

    ``zipfile`` only learns zstd in Python 3.14, and pyarrow (already a dependency)
    ships a zstd codec, so we read the raw member and decode it ourselves.
    """
    info = zf.getinfo(name)
    if info.compress_type != _ZSTD:
        return zf.read(name)
    import pyarrow as pa

    fp = zf.fp
    if fp is None:
        raise ValueError("zip file is closed")
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_HEADER_SIGNATURE:
        raise zipfile.BadZipFile(f"bad local header for member {name}")
    fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    raw = fp.read(info.compress_size)
    if len(raw) != info.compress_size:
        raise EOFError(f"member {name} is truncated")
    try:
        data = pa.Codec("zstd").decompress(raw, decompressed_size=info.file_size)
    except (OSError, pa.ArrowException) as ex:
        raise zipfile.BadZipFile(f"cannot decode zstd member {name}: {ex}") from ex
    return bytes(data.to_pybytes())


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off while logs are read (back on as it was, afterwards).

    Parsing a sample allocates hundreds of thousands of dicts and lists, and every few
    hundred allocations set off a collection that walks the young ones, though nothing
    parsed JSON (or a row of text) can form a cycle; what a log leaves behind is freed by
    reference counting as soon as the next one replaces it. Pausing the collector took
    about a fifth off reading the shared real logs.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_json(data: bytes | memoryview) -> Any:
    """JSON text parsed with the cycle collector paused, by orjson where it can.

    Parsing a sample allocates hundreds of thousands of dicts and lists, and each batch of
    allocations sets off a collection, though nothing parsed JSON makes can form a cycle:
    pausing it took about a fifth off reading the shared real logs, and a third off
    reading one sample of 100k messages (68 MB of JSON) in a kernel holding another.
    orjson parses a quarter faster than ``json`` and reads a decoded buffer in place; what
    it refuses (``NaN``, integers beyond 64 bits) goes to ``json``, which reads them as
    Python does, so the result is the same either way.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            return json.loads(bytes(data))
    finally:
        if enabled:
            gc.enable()


@dataclass
class LogFile:
    """A log's header (as stored) and its sample summaries (``None`` if not read).

    With ``raw=True`` a consolidated ``summaries.json`` is kept as bytes in
    ``summaries_json`` (for the columnar reader); `parsed_summaries` parses it on demand.
    """

    path: str
    header: dict[str, Any]
    summaries: list[dict[str, Any]] | None
    summaries_json: bytes | None = None

    def parsed_summaries(self) -> list[dict[str, Any]]:
        """The summaries as dicts, parsing the raw bytes if that is what was read."""
        if self.summaries is None and self.summaries_json is not None:
            try:
                parsed = parse_json(self.summaries_json)
            except json.JSONDecodeError as ex:
                raise LogReadError(self.path, f"truncated or invalid JSON ({ex})") from ex
            if not isinstance(parsed, list):
                raise LogReadError(self.path, "summaries are not a list")
            if parsed and set(map(type, parsed)) != {dict}:
                raise LogReadError(self.path, "a sample summary is not a JSON object")
            self.summaries = _dedupe(parsed)
            self.summaries_json = None
        return self.summaries or []


def read_log(path: str, *, samples: bool = True, raw: bool = False) -> LogFile:
    """Read a ``.eval`` or ``.json`` log; raise `LogReadError` naming the file if it is bad.

    Args:
        path: The log file.
        samples: Also read the sample summaries (``False`` reads only the header).
        raw: Keep an ``.eval`` log's ``summaries.json`` as bytes, unparsed.
    """
    with reading(path):
        if path.endswith(".json"):
            return _read_json_log(path, samples=samples)
        return _read_eval_log(path, samples=samples, raw=raw)


@contextmanager
def reading(path: str) -> Iterator[None]:
    """Whatever reading ``path`` raises becomes a `LogReadError` naming it and saying why.

    A missing file stays a `FileNotFoundError`, and a `LogReadError` passes unchanged.
    """
    try:
        yield
    except LogReadError:
        raise
    except FileNotFoundError:
        raise
    except zipfile.BadZipFile as ex:
        raise LogReadError(path, f"not a readable .eval zip ({ex})") from ex
    except (zlib.error, EOFError) as ex:
        raise LogReadError(path, f"truncated or corrupt zip member ({ex})") from ex
    except json.JSONDecodeError as ex:
        raise LogReadError(path, f"truncated or invalid JSON ({ex})") from ex
    except UnicodeDecodeError as ex:
        raise LogReadError(path, f"not UTF-8 JSON ({ex})") from ex
    except (OSError, ValueError, KeyError, TypeError, AttributeError, NotImplementedError) as ex:
        raise LogReadError(path, f"{type(ex).__name__}: {ex}") from ex


def _check_header(path: str, header: Any) -> dict[str, Any]:
    if not isinstance(header, dict) or not isinstance(header.get("eval"), dict):
        raise LogReadError(path, "not an Inspect log (no 'eval' section)")
    return header


def _read_json_log(path: str, *, samples: bool) -> LogFile:
    with open_log(path) as f:
        data = parse_json(f.read())
    header = _check_header(path, data)
    raw_samples = header.pop("samples", None) or []
    if not samples:
        return LogFile(path, header, None)
    first_scorer = _first_scorer_name(header)
    summaries = [summary_from_sample(s, first_scorer) for s in raw_samples]
    return LogFile(path, header, summaries)


_EOCD = struct.Struct("<4sHHHHIIH")
_EOCD64_LOCATOR = struct.Struct("<4sIQI")
_EOCD64 = struct.Struct("<4sQHHIIQQQQ")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_CENTRAL_SIGNATURE = b"PK\x01\x02"
_UTF8_NAME = 0x800  # general purpose flag: the member name is UTF-8 (else cp437)

ZipEntry = tuple[int, int, int, int]
"""A zip member's local header offset, compressed size, size and compression method."""


def central_directory(f: BinaryIO) -> bytes | None:
    """A zip's central directory, as bytes; ``None`` whenever anything is unusual.

    ``zipfile`` builds a `ZipInfo` for each of a log's members, one per sample, which
    costs more than reading the one or two members we need; the raw directory can be
    searched for a name instead (`find_zip_entry`). Callers fall back to ``zipfile``
    on ``None``.
    """
    f.seek(0, 2)
    size = f.tell()
    tail_size = min(size, _EOCD.size + 65535 + _EOCD64_LOCATOR.size)
    f.seek(size - tail_size)
    tail = f.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        return None
    _, _, _, _, entries, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, at)
    if cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF or entries == 0xFFFF:
        locator = at - _EOCD64_LOCATOR.size
        if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            return None
        _, _, eocd64_offset, _ = _EOCD64_LOCATOR.unpack_from(tail, locator)
        f.seek(eocd64_offset)
        record = f.read(_EOCD64.size)
        if len(record) < _EOCD64.size or record[:4] != b"PK\x06\x06":
            return None
        fields = _EOCD64.unpack(record)
        cd_size, cd_offset = fields[8], fields[9]
    f.seek(cd_offset)
    directory = f.read(cd_size)
    return directory if len(directory) == cd_size else None


def _entry_at(directory: bytes, record_at: int) -> tuple[ZipEntry, int] | None:
    """The entry of the central record at ``record_at``, and where the next one starts."""
    fields = _CENTRAL.unpack_from(directory, record_at)
    method, compressed, plain = fields[4], fields[8], fields[9]
    name_len, extra_len, comment_len, offset = fields[10], fields[11], fields[12], fields[16]
    name_end = record_at + _CENTRAL.size + name_len
    if 0xFFFFFFFF in (compressed, plain, offset):
        values = _zip64_values(directory[name_end : name_end + extra_len])
        if values is None:
            return None
        if plain == 0xFFFFFFFF:
            plain = values.pop(0)
        if compressed == 0xFFFFFFFF:
            compressed = values.pop(0)
        if offset == 0xFFFFFFFF:
            offset = values.pop(0)
    return (offset, compressed, plain, method), name_end + extra_len + comment_len


def find_zip_entry(directory: bytes, name: str) -> ZipEntry | None:
    """The member called ``name``, found by searching the directory's bytes for it.

    A name repeated in the directory resolves to its last record, as ``zipfile`` and
    inspect_ai resolve it (a requeued sample is logged again under its name). ``None``
    when absent, or when the name is stored in another encoding (see `zip_entries`).
    """
    wanted = name.encode()
    found: ZipEntry | None = None
    start = 0
    while (hit := directory.find(wanted, start)) >= 0:
        start = hit + 1
        record_at = hit - _CENTRAL.size
        if record_at < 0 or directory[record_at : record_at + 4] != _CENTRAL_SIGNATURE:
            continue  # the name inside another member's name or comment
        if _CENTRAL.unpack_from(directory, record_at)[10] != len(wanted):
            continue
        entry = _entry_at(directory, record_at)
        if entry is not None:
            found = entry[0]
    return found


def zip_entries(directory: bytes) -> dict[str, ZipEntry] | None:
    """Every member by name (the last record of a repeated name); ``None`` if malformed."""
    entries: dict[str, ZipEntry] = {}
    at = 0
    while at + _CENTRAL.size <= len(directory):
        if directory[at : at + 4] != _CENTRAL_SIGNATURE:
            return None
        fields = _CENTRAL.unpack_from(directory, at)
        flags, name_len = fields[3], fields[10]
        raw_name = directory[at + _CENTRAL.size : at + _CENTRAL.size + name_len]
        entry = _entry_at(directory, at)
        if entry is None:
            return None
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
        entries.pop(name, None)  # a repeated name moves to its last place, as in namelist()
        entries[name] = entry[0]
        at = entry[1]
    return entries


def _zip64_values(extra: bytes) -> list[int] | None:
    at = 0
    while at + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, at)
        if tag == 1:
            body = extra[at + 4 : at + 4 + length]
            return [v for (v,) in struct.iter_unpack("<Q", body[: len(body) // 8 * 8])]
        at += 4 + length
    return None


def read_zip_entry(f: BinaryIO, entry: ZipEntry, name: str, *, copy: bool = True) -> bytes:
    """The decompressed bytes of one member (stored, deflated or Zstandard).

    ``copy=False`` may give a Zstandard member as a view of the decoded buffer (for
    `parse_json`, which reads it in place: one 68 MB copy less for a long sample).
    """
    offset, compressed, plain, method = entry
    f.seek(offset)
    header = f.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        raise EOFError(f"member {name} is truncated")
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != _LOCAL_HEADER_SIGNATURE:
        raise zipfile.BadZipFile(f"bad local header for member {name}")
    f.seek(offset + _LOCAL_HEADER.size + fields[9] + fields[10])
    data = f.read(compressed)
    if len(data) != compressed:
        raise EOFError(f"member {name} is truncated")
    if method == zipfile.ZIP_STORED:
        return bytes(data)
    if method == zipfile.ZIP_DEFLATED:
        return zlib.decompress(data, -15)
    if method == _ZSTD:
        import pyarrow as pa

        try:
            # the system pool hands the transient buffer straight back: mimalloc, pyarrow's
            # default, keeps it per thread and raises the threaded reader's peak memory
            decoded = pa.Codec("zstd").decompress(
                data, decompressed_size=plain, memory_pool=pa.system_memory_pool()
            )
            if not copy:
                return memoryview(decoded)  # type: ignore[return-value]
            return bytes(decoded.to_pybytes())
        except (OSError, pa.ArrowException) as ex:
            raise zipfile.BadZipFile(f"cannot decode zstd member {name}: {ex}") from ex
    raise NotImplementedError(f"zip compression method {method} in member {name}")


def _read_eval_quick(path: str, *, samples: bool = True) -> LogFile | None:
    """Header (and raw summaries) of a finished log, reading only those members.

    Few reads: a log in object storage is read in two or three requests.
    """
    with open_log(path) as f:
        directory = central_directory(f)
        if directory is None:
            return None
        header_entry = find_zip_entry(directory, "header.json")
        summaries_entry = find_zip_entry(directory, "summaries.json") if samples else None
        if header_entry is None or (samples and summaries_entry is None):
            return None
        header = _check_header(path, parse_json(read_zip_entry(f, header_entry, "header.json")))
        if summaries_entry is None:
            return LogFile(path, header, None)
        summaries = read_zip_entry(f, summaries_entry, "summaries.json")
    return LogFile(path, header, None, summaries)


def _read_eval_log(path: str, *, samples: bool, raw: bool = False) -> LogFile:
    if raw or not samples:
        quick = _read_eval_quick(path, samples=samples)
        if quick is not None:
            return quick
    with open_log(path) as f, zipfile.ZipFile(f) as zf:
        names = zf.namelist()
        name_set = set(names)
        if "header.json" in name_set:
            header = _check_header(path, json.loads(read_member(zf, "header.json")))
        elif "_journal/start.json" in name_set:
            # a log still being written: the start journal has the spec and plan
            start = json.loads(read_member(zf, "_journal/start.json"))
            header = _check_header(path, {"status": "started", **start})
        else:
            raise LogReadError(path, "not an Inspect .eval log (no header.json in the zip)")
        if not samples:
            return LogFile(path, header, None)
        if raw and "summaries.json" in name_set:
            return LogFile(path, header, None, read_member(zf, "summaries.json"))
        return LogFile(path, header, _read_eval_summaries(zf, names, header))


def _read_eval_summaries(
    zf: zipfile.ZipFile, names: list[str], header: dict[str, Any]
) -> list[dict[str, Any]]:
    if "summaries.json" in names:
        summaries = json.loads(read_member(zf, "summaries.json"))
    else:
        journal = sorted(
            (int(m.group(1)), n) for n in names if (m := _JOURNAL_SUMMARY.match(n)) is not None
        )
        if journal:
            summaries = []
            for _, name in journal:
                summaries.extend(json.loads(read_member(zf, name)))
        else:
            # very old logs carry no summaries: summarize the whole samples
            first_scorer = _first_scorer_name(header)
            return [
                summary_from_sample(json.loads(read_member(zf, n)), first_scorer)
                for n in names
                if _SAMPLE_FILE.match(n)
            ]
    if not isinstance(summaries, list):
        raise ValueError("summaries are not a list")
    return _dedupe(summaries)


_ONE_ID_TYPE = ({int}, {str})


def _dedupe(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep the last summary per (id, epoch), at the first one's place, as inspect_ai does.

    A requeued sample's re-run is recorded after its superseded attempt.
    """
    ids = [summary.get("id") for summary in summaries]
    try:
        # integer ids, or text ids, are equal exactly when their text is: the common case
        # needs no text made for each id
        if set(map(type, ids)) in _ONE_ID_TYPE and len(
            set(zip(ids, [summary.get("epoch") for summary in summaries], strict=True))
        ) == len(summaries):
            return summaries
    except TypeError:
        pass  # an unhashable id or epoch: compared as text below
    by_key: dict[tuple[str, Any], dict[str, Any]] = {}
    for summary in summaries:
        by_key[(str(summary.get("id")), summary.get("epoch"))] = summary
    if len(by_key) == len(summaries):
        return summaries
    return list(by_key.values())


def _first_scorer_name(header: dict[str, Any]) -> str | None:
    results = header.get("results") or {}
    scores = results.get("scores") or []
    if scores and isinstance(scores[0], dict):
        name = scores[0].get("name")
        return name if isinstance(name, str) else None
    scorer = results.get("scorer")
    if isinstance(scorer, dict) and isinstance(scorer.get("name"), str):
        return str(scorer["name"])
    return None


def log_files_in(directory: Path) -> list[Path]:
    """Inspect logs under ``directory``, recursively, sorted by path.

    ``.eval`` files always count. A ``.json`` file counts when it starts like an Inspect
    log (``{"version": ...``), so listings such as ``logs.json`` are passed over quietly.
    """
    found: list[Path] = []
    for p in sorted(directory.rglob("*")):
        if not p.is_file():
            continue
        if p.suffix == ".eval":
            found.append(p)
        elif p.suffix == ".json" and _looks_like_json_log(p):
            found.append(p)
    return found


_JSON_LOG_START = re.compile(rb'^\s*\{\s*"version"\s*:')


def _looks_like_json_log(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        return False
    return _JSON_LOG_START.match(head) is not None
