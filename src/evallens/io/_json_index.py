"""Where each sample of a ``.json`` log lies in the file, found once and remembered.

A ``.json`` log is one JSON document with every whole sample inline, so reading one
sample by parsing the file costs the whole file every time. Instead the file is scanned
once for the byte span of each element of its top-level ``"samples"`` array (and each
sample's ``id`` and ``epoch``); a sample is then read by parsing only its own bytes. The
scan reads the file in chunks and never builds the document: a regular expression steps
from one string or bracket to the next (strings are matched whole, escapes included, so
brackets inside text are never counted), and only the sample objects' own keys are looked
at. The index is kept in-process per (path, size, modification time), so an edited log is
scanned again.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, BinaryIO

from evallens.io._remote import file_version, open_log

_CHUNK = 1 << 20
_CACHED_LOGS = 32

# a whole string (escapes included), a bracket, or a quote whose string ends past the buffer
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]|"', re.DOTALL)
_BLANK = re.compile(rb"[ \t\r\n]*")
_COLON = ord(":")
_QUOTE = ord('"')
_OBJECT, _ARRAY, _OBJECT_END = ord("{"), ord("["), ord("}")
_OPENING = (_OBJECT, _ARRAY)
_NUMBER = re.compile(rb"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_SAMPLES_KEY = b'"samples"'
_ADDRESS_KEYS = {b'"id"': "id", b'"epoch"': "epoch"}

SampleKey = tuple[str, int]
"""A sample's id as text (how ``.eval`` member names spell it) and its epoch."""


@dataclass(frozen=True)
class JsonLogIndex:
    """Byte spans of a ``.json`` log's samples, and their ids in file order."""

    spans: dict[SampleKey, tuple[int, int]]
    ids: list[Any]


class _NeedMore(Exception):
    """The buffer ends inside what is being read: read on and look again."""


class _Scan:
    """The scanner's state between chunks (JSON nesting, the sample being read)."""

    def __init__(self) -> None:
        self.depth = 0
        self.depth_one_key = b""
        self.in_samples = False
        self.done = False
        self.sample_start = -1
        self.address: dict[str, Any] = {}
        self.pending: str | None = None  # "id" or "epoch" whose string value comes next
        self.found: list[tuple[Any, Any, int, int]] = []

    def feed(self, buffer: bytes, base: int, eof: bool) -> int:
        """Consume ``buffer`` (starting at file offset ``base``); return how much was used."""
        for match in _TOKEN.finditer(buffer):
            at = match.start()
            first = buffer[at]
            try:
                if first == _QUOTE:
                    if match.end() - at == 1:  # a string the buffer cuts short
                        if eof:
                            raise ValueError(f"unterminated string at byte {base + at}")
                        return at
                    # most strings lie deeper than the keys we look at: skip them fast
                    if self.pending is not None or self.depth == 1 or self.depth == 3:
                        self._string(match.group(), buffer, match.end(), eof)
                elif first in _OPENING:
                    self._open(first, base + at)
                else:
                    self._close(first, base + match.end())
                    if self.done:
                        return match.end()
            except _NeedMore:
                return at
        return len(buffer)

    def _open(self, bracket: int, offset: int) -> None:
        self.depth += 1
        if self.depth == 2 and bracket == _ARRAY and self.depth_one_key == _SAMPLES_KEY:
            self.in_samples = True
        elif self.in_samples and self.depth == 3 and bracket == _OBJECT:
            self.sample_start = offset
            self.address = {}

    def _close(self, bracket: int, end: int) -> None:
        if self.in_samples and self.depth == 3 and bracket == _OBJECT_END:
            self.found.append(
                (self.address.get("id"), self.address.get("epoch"), self.sample_start, end)
            )
        elif self.in_samples and self.depth == 2:
            self.in_samples = False
            self.done = True  # whatever follows the samples is not needed
        self.depth -= 1

    def _string(self, token: bytes, buffer: bytes, end: int, eof: bool) -> None:
        if self.pending is not None:
            self.address[self.pending] = json.loads(token)
            self.pending = None
            return
        at_sample_level = self.in_samples and self.depth == 3
        if self.depth != 1 and not at_sample_level:
            return
        after = _next_byte(buffer, end, eof)
        if after is None or buffer[after] != _COLON:
            return  # a string value, not a key
        if self.depth == 1:
            self.depth_one_key = token
            return
        name = _ADDRESS_KEYS.get(token)
        if name is None:
            return
        value_at = _next_byte(buffer, after + 1, eof)
        if value_at is None:
            return
        if buffer[value_at] == _QUOTE:
            self.pending = name  # the value is the next token
            return
        number = _NUMBER.match(buffer, value_at)
        if number is None:
            return  # neither a number nor a string: not an id inspect_ai writes
        if number.end() == len(buffer) and not eof:
            raise _NeedMore
        self.address[name] = json.loads(number.group())


def _next_byte(buffer: bytes, at: int, eof: bool) -> int | None:
    """Where the next non-blank byte from ``at`` is; ``None`` at the end of the file."""
    blank = _BLANK.match(buffer, at)
    found = blank.end() if blank else at
    if found < len(buffer):
        return found
    if eof:
        return None
    raise _NeedMore


def scan_json_log(f: BinaryIO, chunk_size: int = _CHUNK) -> JsonLogIndex:
    """Index an open ``.json`` log by scanning it once, ``chunk_size`` bytes at a time."""
    scan = _Scan()
    buffer = b""
    base = 0
    read_size = chunk_size
    while not scan.done:
        chunk = f.read(read_size)
        eof = not chunk
        buffer += chunk
        used = scan.feed(buffer, base, eof)
        if eof or scan.done:
            break
        base += used
        buffer = buffer[used:]
        # a string longer than a chunk is re-matched from its start after each read:
        # reading at least as much again as is carried keeps that linear
        read_size = max(chunk_size, len(buffer))
    if not scan.done and scan.depth != 0:
        raise ValueError("the JSON ends before its samples do (truncated?)")
    spans: dict[SampleKey, tuple[int, int]] = {}
    ids: list[Any] = []
    for sample_id, epoch, start, end in scan.found:
        if not isinstance(sample_id, int | str) or not isinstance(epoch, int):
            continue  # a sample without an id and epoch cannot be asked for
        ids.append(sample_id)
        spans.setdefault((str(sample_id), epoch), (start, end))  # the first, as inspect_ai
    return JsonLogIndex(spans, ids)


_cache: OrderedDict[tuple[str, int, str], JsonLogIndex] = OrderedDict()
_cache_lock = threading.Lock()


def json_log_index(path: str) -> JsonLogIndex:
    """The index of the ``.json`` log at ``path``, scanned once per path, size and mtime."""
    key = file_version(path)
    with _cache_lock:
        index = _cache.get(key)
        if index is not None:
            _cache.move_to_end(key)
            return index
    with open_log(path) as f:
        index = scan_json_log(f)
    with _cache_lock:
        _cache[key] = index
        while len(_cache) > _CACHED_LOGS:
            _cache.popitem(last=False)
    return index
