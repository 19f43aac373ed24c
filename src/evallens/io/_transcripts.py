"""Every message's searchable text, per log, kept for the next search (transcript search).

A transcript search looks at each sample's own conversation (``sample.messages``, what the
sample view shows; not the model calls' inputs ``read_messages`` lists by default), so a
hit's position is the message's index in `read_sample`'s ``messages``. A message's
searchable text is, joined by newlines and leaving out the empty ones: its text (text
parts joined by newlines, as `read_messages`' ``text``), its tool calls as
``function(arg='value')`` one per line (``tool_calls``) and its tool error.

Reading a log's text costs a parse of every sample; searching it again costs a regex pass.
So a log's text is kept in `transcript_cache`, keyed by its path, size and modification
time (a log rewritten since is read again), least recently used first out once the text
held passes `TranscriptCache.max_bytes` (1 GiB by default; a log larger than that on its
own is searched but not kept).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, TypedDict

import polars as pl

from evallens.io._attachments import resolver_for
from evallens.io._logfile import collector_paused, parse_json, reading
from evallens.io._message_rows import (
    _TOOL_CALL_WIDTH,
    _function_call,
    message_text,
    tool_calls_text,
    tool_error,
)
from evallens.io._messages import _LogSamples
from evallens.io._remote import current_version

DEFAULT_CACHE_BYTES = 2**30
"""What `transcript_cache` holds at most by default: 1 GiB of message text and keys."""


def searchable_text(message: dict[str, Any]) -> str:
    """What a transcript search matches in one message: text, tool calls, tool error."""
    calls = _calls_text(message) if message.get("tool_calls") is not None else None
    error = tool_error(message) if message.get("role") == "tool" else None
    text = message_text(message)
    if not calls and not error:
        return text
    return "\n".join(part for part in (text, calls, error) if part)


def _calls_text(message: dict[str, Any]) -> str | None:
    """`tool_calls_text`, sooner for the usual calls (text arguments on one short line)."""
    calls = message.get("tool_calls")
    if message.get("role") != "assistant" or type(calls) is not list:
        return tool_calls_text(message)
    lines: list[str] = []
    for call in calls:
        if type(call) is not dict:
            continue
        name, arguments = str(call.get("function")), call.get("arguments")
        if type(arguments) is dict and all(type(v) is str for v in arguments.values()):
            joined = ", ".join([f"{k}='{v}'" for k, v in arguments.items()])
            if len(joined) <= _TOOL_CALL_WIDTH - 3 - len(name):
                lines.append(f"{name}({joined})")
                continue
        lines.append(_function_call(name, arguments))
    return "\n".join(lines)


def quick_text(message: dict[str, Any]) -> str:
    """`searchable_text`, sooner for the usual messages (text content, an assistant's calls)."""
    content = message.get("content")
    if type(content) is str:
        calls = message.get("tool_calls")
        if not calls:
            if message.get("role") != "tool" or not (
                message.get("error") or message.get("tool_error")
            ):
                return content
        elif type(calls) is list and message.get("role") == "assistant":
            lines = _calls_text(message) or ""
            return f"{content}\n{lines}" if content and lines else content or lines
    return searchable_text(message)


@dataclass(frozen=True)
class LogTexts:
    """One log's messages: which sample each belongs to, its index there, its text."""

    samples: pl.DataFrame
    """One row per sample, in the log's order: ``id`` (as text) and ``epoch``."""
    messages: pl.DataFrame
    """One row per message: ``sample`` (a row of `samples`), ``position``, ``text``."""

    @property
    def nbytes(self) -> int:
        return int(self.samples.estimated_size() + self.messages.estimated_size())


def read_log_texts(path: str) -> LogTexts:
    """The searchable text of every message of every sample of a log (see `searchable_text`).

    Raises ``FileNotFoundError`` or ``LogReadError`` naming the log.
    """
    ids: list[str] = []
    epochs: list[int] = []
    owners: list[int] = []
    positions: list[int] = []
    texts: list[str] = []
    with collector_paused(), reading(path), _LogSamples(path, parse_json) as log:
        for sample in log.samples():
            messages = sample.get("messages")
            if not isinstance(messages, list):
                continue
            transcript = sample.get("transcript")
            if isinstance(transcript, dict) and "attachments" not in sample:
                sample["attachments"] = transcript.get("content", {})  # before 0.3.40
            # Nothing to resolve without attachments: the common case skips the walk.
            resolve = resolver_for(sample).message if sample.get("attachments") else None
            owner = len(ids)
            ids.append(str(sample.get("id")))
            epochs.append(int(sample.get("epoch") or 1))
            owners_add, positions_add, texts_add = owners.append, positions.append, texts.append
            for position, message in enumerate(messages):
                if type(message) is not dict:
                    continue
                if resolve is not None:
                    resolve(message)
                owners_add(owner)
                positions_add(position)
                texts_add(quick_text(message))
    return LogTexts(
        pl.DataFrame({"id": ids, "epoch": epochs}, schema={"id": pl.String, "epoch": pl.Int64}),
        pl.DataFrame(
            {"sample": owners, "position": positions, "text": texts},
            schema={"sample": pl.UInt32, "position": pl.UInt32, "text": pl.String},
        ),
    )


class CacheInfo(TypedDict):
    logs: int
    messages: int
    bytes: int
    max_bytes: int


class TranscriptCache:
    """Logs' message text by (path, size, mtime), least recently used out past `max_bytes`.

    Example:
        >>> import evallens
        >>> evallens.transcript_cache.clear()
        >>> evallens.transcript_cache.info()["logs"]
        0
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        """Text held at most, in bytes (polars' estimate); set it to hold more or less."""
        self._held: OrderedDict[tuple[str, int, str], LogTexts] = OrderedDict()

    def texts(self, path: str) -> LogTexts:
        """The log's message text: kept from an earlier read while the file is unchanged."""
        key = current_version(path)  # a remote log's ETag is asked for again
        absolute = key[0]
        held = self._held.get(key)
        if held is not None:
            self._held.move_to_end(key)
            return held
        texts = read_log_texts(absolute)
        for old in [k for k in self._held if k[0] == absolute]:
            del self._held[old]  # the file changed since
        if texts.nbytes <= self.max_bytes:
            self._held[key] = texts
            self._trim()
        return texts

    def clear(self) -> None:
        """Let go of every log's text."""
        self._held.clear()

    def info(self) -> CacheInfo:
        """How much is held: logs, messages, bytes, and the bound."""
        return {
            "logs": len(self._held),
            "messages": sum(t.messages.height for t in self._held.values()),
            "bytes": sum(t.nbytes for t in self._held.values()),
            "max_bytes": self.max_bytes,
        }

    def _trim(self) -> None:
        total = sum(t.nbytes for t in self._held.values())
        while total > self.max_bytes and self._held:
            _, dropped = self._held.popitem(last=False)
            total -= dropped.nbytes


transcript_cache = TranscriptCache()
"""The process's one cache of logs' message text (every grid's transcript search uses it)."""
