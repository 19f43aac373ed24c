"""Inspect chat messages (as JSON) → the view's messages: parts, tool calls and their results.

A sample may hold 100k messages; the view asks for windows of them. So the pairing of
tool calls with the tool messages answering them is indexed once per sample
(`ToolCallIndex`, one pass over roles and ids), and a window converts only its own
messages (`message_window`).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, cast

from evallens.io._attachments import Resolver
from evallens.sample.types import Message, Part, Role, ToolCall

DATA_PREVIEW_CHARS = 200
"""``data:`` URIs inside parts the view does not know are cut to this, with their length."""


_POSITIONS = 1 << 20
"""Calls per message a key can tell apart (a call's key is ``message * _POSITIONS + position``)."""


class ToolCallIndex:
    """Which tool message answers each tool call, and which call each tool message answers.

    A tool message answers the latest earlier call with its ``tool_call_id`` that no
    other tool message answered yet (providers may reuse ids across turns). Calls are
    keyed by one integer, not tuples: at 100k messages, tuples made the garbage collector
    walk the whole sample once more (~90 ms).

    The messages are paired in one pass, as far as a question needs: the first window of
    a long sample reads its first messages, not all of them (a call's answer is usually
    the next message; one never answered sends the pass to the end, once).

    Example:
        >>> index = ToolCallIndex([
        ...     {"role": "assistant", "tool_calls": [{"id": "c1", "function": "ls", "arguments": {}}]},
        ...     {"role": "tool", "tool_call_id": "c1", "content": "a.txt"},
        ... ])
        >>> index.result(0, 0), index.call(1)
        (1, (0, 0))
    """

    def __init__(self, messages: Sequence[Mapping[str, Any]]) -> None:
        self._results: dict[int, int] = {}  # call key → index of the tool message answering it
        self._calls: dict[int, int] = {}  # tool message index → key of the call it answers
        self._pending: dict[str | int, int] = {}  # call id → key of its latest unanswered call
        self._open: set[int] = set()  # keys of calls a later tool message may still answer
        # A LazyArray's elements are read unconverted (only roles and ids are needed here).
        raw = getattr(messages, "raw", None)
        self._rest: Iterator[Any] | None = iter(raw() if raw is not None else messages)
        self._read = 0  # messages paired so far

    def _scan(self, until: int) -> None:
        """Pair messages up to index ``until`` (exclusive), or to the end."""
        rest = self._rest
        if rest is None:
            return
        pending, opened = self._pending, self._open
        i = self._read
        for message in itertools.islice(rest, max(0, until - i)):
            get = getattr(message, "get", None)
            if get is None:  # not an object: no role
                i += 1
                continue
            role = get("role")
            if role == "assistant":
                calls = itertools.islice(_calls_of(get("tool_calls")), _POSITIONS)
                for position, call in enumerate(calls):
                    call_get = getattr(call, "get", None)
                    call_id = call_get("id") if call_get is not None else None
                    if isinstance(call_id, str | int):
                        key = i * _POSITIONS + position
                        earlier = pending.get(call_id)
                        if earlier is not None:
                            opened.discard(earlier)  # no tool message can answer it now
                        pending[call_id] = key
                        opened.add(key)
            elif role == "tool":
                answers = get("tool_call_id")
                answered = pending.pop(answers, None) if isinstance(answers, str | int) else None
                if answered is not None:
                    opened.discard(answered)
                    self._results[answered] = i
                    self._calls[i] = answered
            i += 1
        if i < until:
            self._rest = None  # every message is paired
        self._read = i

    def follow(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Go on pairing from ``messages``: the same messages, held another way.

        The sequence read so far is let go (a packed sample frees its parsed messages).
        """
        if self._rest is not None:
            self._rest = itertools.islice(iter(messages), self._read, None)

    def result(self, message: int, position: int) -> int | None:
        """Index of the tool message answering call ``position`` of ``message``, if any."""
        key = message * _POSITIONS + position
        self._scan(message + 1)
        step = 64
        while key in self._open and self._rest is not None:
            self._scan(self._read + step)
            step *= 2
        return self._results.get(key)

    def call(self, tool_message: int) -> tuple[int, int] | None:
        """The (message, position) of the call a tool message answers, if any."""
        self._scan(tool_message + 1)
        key = self._calls.get(tool_message)
        return None if key is None else divmod(key, _POSITIONS)


def pretty_json(value: Any) -> str:
    """Tool call arguments as indented JSON text.

    Example:
        >>> print(pretty_json({"cmd": "ls -la", "timeout": 30}))
        {
          "cmd": "ls -la",
          "timeout": 30
        }
    """
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def resolved(value: Any, attachments: Mapping[str, str] | None, walk: str) -> Any:
    """A copy of a message or tool call with its ``attachment://`` references replaced.

    ``walk`` is ``"message"`` or ``"tool_call"``. References are replaced where inspect_ai
    replaces them, by the reader's own rules (`evallens.io._attachments.Resolver`), so a
    sample read with its messages left for their window shows what one read whole shows.

    Example:
        >>> resolved({"role": "user", "content": "attachment://ab"}, {"ab": "hi"}, "message")
        {'role': 'user', 'content': 'hi'}
    """
    if not attachments:
        return value
    value = copy.deepcopy(value)  # the sample held stays as read
    getattr(Resolver(dict(attachments)), walk)(value)
    return value


def _shorten_data(value: Any) -> Any:
    """``data:`` URIs (media bytes) cut to a preview that says how long they were."""
    if isinstance(value, str):
        if value.startswith("data:") and len(value) > DATA_PREVIEW_CHARS:
            return f"{value[:DATA_PREVIEW_CHARS]}… ({len(value):,} characters)"
        return value
    if isinstance(value, Mapping):
        return {k: _shorten_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten_data(v) for v in value]
    return value


def _image_part(source: Any) -> Part:
    """An image is shown only from a ``data:`` URI: the view never fetches anything."""
    text = source if isinstance(source, str) else ""
    if text.startswith("data:"):
        mime = text[5:].split(";", 1)[0].split(",", 1)[0] or "image"
        return {"type": "image", "src": text, "alt": f"image ({mime})"}
    shown = text if len(text) <= DATA_PREVIEW_CHARS else text[:DATA_PREVIEW_CHARS] + "…"
    return {"type": "image", "src": None, "alt": f"image: {shown}" if shown else "image"}


def content_parts(content: Any) -> list[Part]:
    """A message's ``content`` (a string or a list of content parts) as the view's parts.

    Text stays as it is; reasoning shows its text, or when the provider redacted it (or
    left it empty) its summary, as Inspect's viewer does; images keep only ``data:``
    sources; any other part becomes its JSON (no ``internal`` or empty fields, media
    bytes shortened).

    Example:
        >>> content_parts([{"type": "text", "text": "Hi"},
        ...                {"type": "reasoning", "reasoning": "gAAA", "summary": "Adding", "redacted": True},
        ...                {"type": "image", "image": "https://example.com/cat.png"}])  # doctest: +NORMALIZE_WHITESPACE
        [{'type': 'text', 'text': 'Hi'},
         {'type': 'reasoning', 'text': 'Adding', 'redacted': True},
         {'type': 'image', 'src': None, 'alt': 'image: https://example.com/cat.png'}]
    """
    if content is None:
        return []
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    if not isinstance(content, list):
        return [{"type": "other", "text": json.dumps(content, ensure_ascii=False, default=str)}]
    parts: list[Part] = []
    for item in content:
        kind = item.get("type") if isinstance(item, Mapping) else None
        if kind == "text" and isinstance(item.get("text"), str):
            parts.append({"type": "text", "text": item["text"]})
        elif kind == "reasoning":
            redacted = item.get("redacted") is True
            reasoning = item.get("reasoning")
            text = "" if redacted or not isinstance(reasoning, str) else reasoning
            summary = item.get("summary")
            if not text and isinstance(summary, str):
                text = summary
            parts.append({"type": "reasoning", "text": text, "redacted": redacted})
        elif kind == "image":
            parts.append(_image_part(item.get("image")))
        else:
            shown = item
            if isinstance(item, Mapping):
                shown = {k: v for k, v in item.items() if k != "internal" and v is not None}
            text = json.dumps(_shorten_data(shown), ensure_ascii=False, default=str)
            parts.append({"type": "other", "text": text})
    return parts


def _text_length(part: Part) -> int:
    return len(part["alt"]) if part["type"] == "image" else len(part["text"])


def _calls_of(value: Any) -> Any:
    """A message's ``tool_calls`` to iterate.

    A log's malformed ones (text, ``true``, a number) are no calls.
    """
    if value is None or isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return ()
    return value


def _tool_calls(message: Mapping[str, Any], i: int, index: ToolCallIndex) -> list[ToolCall]:
    calls: list[ToolCall] = []
    for position, call in enumerate(_calls_of(message.get("tool_calls"))):
        if not isinstance(call, Mapping):
            continue
        calls.append(
            {
                "id": str(call.get("id", "")),
                "function": str(call.get("function", "")),
                "arguments": pretty_json(call.get("arguments")),
                "result_index": index.result(i, position),
            }
        )
    return calls


def to_message(
    messages: Sequence[Mapping[str, Any]],
    i: int,
    index: ToolCallIndex,
    attachments: Mapping[str, str] | None = None,
) -> Message:
    r"""Message ``i`` of a sample as the view shows it.

    Example:
        >>> messages = [
        ...     {"role": "assistant", "content": "", "tool_calls": [
        ...         {"id": "c1", "function": "bash", "arguments": {"cmd": "ls"}}]},
        ...     {"role": "tool", "tool_call_id": "c1", "content": "",
        ...      "error": {"type": "timeout", "message": "timed out"}},
        ... ]
        >>> tool = to_message(messages, 1, ToolCallIndex(messages))
        >>> tool["function"], tool["call_arguments"], tool["error"]
        ('bash', '{\n  "cmd": "ls"\n}', 'timed out')
    """
    message = messages[i]
    if attachments:
        message = resolved(message, attachments, "message")
    role = message.get("role")
    parts = content_parts(message.get("content"))
    calls = _tool_calls(message, i, index) if role == "assistant" else []
    tool_call_id = function = call_arguments = error = None
    if role == "tool":
        tool_call_id = message.get("tool_call_id")
        function = message.get("function")
        answered = index.call(i)
        if answered is not None:
            call = messages[answered[0]]["tool_calls"][answered[1]]
            call = resolved(call, attachments, "tool_call")
            call_arguments = pretty_json(call.get("arguments"))
            function = function or call.get("function")
        failure = message.get("error")
        if isinstance(failure, Mapping):
            error = str(failure.get("message", ""))
        elif failure is not None:
            error = str(failure)
    chars = sum(_text_length(p) for p in parts) + sum(len(c["arguments"]) for c in calls)
    return {
        "index": i,
        "id": message.get("id"),
        "role": cast(Role, role),  # as the log has it
        "parts": parts,
        "tool_calls": calls or None,
        "tool_call_id": tool_call_id,
        "function": function,
        "call_arguments": call_arguments,
        "error": error,
        "model": message.get("model") if role == "assistant" else None,
        "chars": chars + len(error or ""),
    }


def message_window(
    messages: Sequence[Mapping[str, Any]],
    index: ToolCallIndex,
    offset: int,
    limit: int,
    attachments: Mapping[str, str] | None = None,
) -> list[Message]:
    """Messages ``offset .. offset + limit`` (clipped to the sample)."""
    start = max(0, offset)
    stop = min(len(messages), start + max(0, limit))
    return [to_message(messages, i, index, attachments) for i in range(start, stop)]
