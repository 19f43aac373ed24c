"""Which messages a sample's rows are, and each message's columns, as ``messages_df`` has them.

``inspect_ai.analysis.messages_df`` does not list a sample's ``messages``: it lists every
message the sample's model calls read or wrote (each model event's input, then its output),
the first time each is seen, so scorer and monitor calls appear too. A message is the same
as one seen before when its id is (or, without an id, when its role, text and tool calls
are); an assistant message repeating the one before it is dropped. The text columns follow
its extractors (``message_text``, ``message_tool_calls`` with ``format_function_call``).
All of it is mirrored here on parsed JSON, so the values are equal to the letter.
"""

from __future__ import annotations

import pprint
from collections.abc import Iterable
from textwrap import indent
from typing import Any

from evallens.io._attachments import expand_pooled_inputs, resolver_for

_TOOL_CALL_WIDTH = 1000  # messages_df formats tool calls 1000 characters wide


def message_text(message: dict[str, Any]) -> str:
    """The message's text: its string content, or its text parts joined by newlines."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "\n".join(
        str(part.get("text"))
        for part in content
        if isinstance(part, dict) and part.get("type") == "text"
    )


def tool_calls_text(message: dict[str, Any]) -> str | None:
    """An assistant message's tool calls as ``function(arg=value, ...)``, one per line."""
    calls = message.get("tool_calls")
    if message.get("role") != "assistant" or calls is None:
        return None
    return "\n".join(
        _function_call(str(call.get("function")), call.get("arguments"))
        for call in calls
        if isinstance(call, dict)
    )


def _function_call(name: str, arguments: Any) -> str:
    """inspect_ai's ``format_function_call`` (wrapping one argument per line when long)."""
    items = arguments.items() if isinstance(arguments, dict) else ()
    parts = [f"{key}={_argument(value)}" for key, value in items]
    joined = ", ".join(parts)
    if len(joined) <= _TOOL_CALL_WIDTH - 1 - len(name) - 2:
        return f"{name}({joined})"
    wrapped = indent(",\n".join(parts), "    ")
    return f"{name}(\n{wrapped}\n)"


def _argument(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list | tuple | dict):
        return pprint.pformat(value, width=_TOOL_CALL_WIDTH)
    return str(value)


def tool_error(message: dict[str, Any]) -> str | None:
    """A tool message's error text (older logs wrote it as ``tool_error``)."""
    error = message.get("error")
    if isinstance(error, dict):
        text = error.get("message")
        return None if text is None else str(text)
    legacy = message.get("tool_error")
    return str(legacy) if legacy else None


def _as_transcript(message: dict[str, Any]) -> str:
    """inspect_ai's ``message_as_str``: what tells apart two messages without ids."""
    role = message.get("role")
    text = message_text(message)
    content = text.strip() if text else ""
    calls = message.get("tool_calls")
    if role == "assistant" and calls is not None:
        entry = f"{role}:\n{content}\n"
        for call in calls:
            arguments = call.get("arguments")
            if isinstance(arguments, dict):
                listed = "\n".join(f"{k}: {v}" for k, v in arguments.items())
                entry += f"\nTool Call: {call.get('function')}\nArguments:\n{listed}"
            else:
                entry += f"\nTool Call: {call.get('function')}\nArguments: {arguments}"
        return entry
    if role == "tool" and (message.get("error") is not None or message.get("tool_error")):
        function = message.get("function") or "unknown"
        return f"{role}:\n{content}\n\nError in tool call '{function}':\n{tool_error(message)}\n"
    return f"{role}:\n{content}\n"


def event_messages(sample: dict[str, Any], *, ids_invented: bool) -> list[dict[str, Any]]:
    """The sample's messages as ``messages_df`` lists them, references resolved.

    Args:
        sample: The parsed sample (its ``events`` and ``events_data`` as logged).
        ids_invented: The sample's events came from a pre-0.3.40 ``transcript``, which
            inspect_ai validates without its reading context, so every message logged
            without an id is given a fresh random one: no two of them are the same.
    """
    resolver = resolver_for(sample)
    events = sample.get("events")
    if not isinstance(events, list):
        return []
    expand_pooled_inputs(sample)
    walked: set[int] = set()
    seen: set[Any] = set()
    listed: list[dict[str, Any]] = []
    for message in _model_messages(events):
        key = message.get("id")
        if key:
            if key in seen:
                continue  # a repeat: no need to resolve it (every input repeats the history)
        elif ids_invented:
            key = object()
        if id(message) not in walked:  # pooled messages are shared: resolve each once
            walked.add(id(message))
            resolver.message(message)
        if not key:  # without an id, the resolved text tells messages apart
            key = ("transcript", _as_transcript(message))
        if key not in seen:
            seen.add(key)
            listed.append(message)
    return _without_repeated_assistant(listed)


def _model_messages(events: list[Any]) -> Iterable[dict[str, Any]]:
    for event in events:
        if not isinstance(event, dict) or event.get("event") != "model":
            continue
        for message in event.get("input") or []:
            if isinstance(message, dict):
                yield message
        output = event.get("output")
        choices = output.get("choices") if isinstance(output, dict) else None
        if choices and isinstance(choices[0], dict) and isinstance(choices[0].get("message"), dict):
            yield choices[0]["message"]


def _without_repeated_assistant(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop an assistant message equal to the one before (a re-built conversation)."""
    kept: list[dict[str, Any]] = []
    for message in messages:
        if kept and message.get("role") == "assistant" and kept[-1].get("role") == "assistant":
            before = kept[-1]
            if message_text(message) == message_text(before) and _functions(message) == _functions(
                before
            ):
                continue
        kept.append(message)
    return kept


def _functions(message: dict[str, Any]) -> list[Any]:
    return [call.get("function") for call in message.get("tool_calls") or []]


def sample_messages(sample: dict[str, Any]) -> list[dict[str, Any]]:
    """The sample's own ``messages`` (its conversation), references resolved."""
    messages = sample.get("messages")
    if not isinstance(messages, list):
        return []
    resolver = resolver_for(sample)
    listed = [m for m in messages if isinstance(m, dict)]
    for message in listed:
        resolver.message(message)
    return listed
