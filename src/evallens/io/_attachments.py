"""Resolve a sample's ``attachment://`` references and event pools, as inspect_ai does.

inspect_ai condenses a sample before logging it: text longer than 100 characters in events
and images anywhere move into the sample's ``attachments`` map and are replaced by
``attachment://<hash>``, and each model event's input messages (and the messages of its
provider call) move into ``events_data`` pools, replaced by ranges into them. Reading a
sample with ``resolve_attachments=True`` reverses both (``inspect_ai.log._condense.
resolve_sample_attachments``).

This module does the same on the parsed JSON, without building pydantic models. It walks
exactly the fields inspect_ai's walker walks, because the condenser used that same walker
to write the references: a field it skips (a message's tool calls when its content is a
plain string, the deprecated nested events of a tool or subtask event, metadata, store)
keeps its text as logged. Parsed JSON is fresh, so values are rewritten in place.
"""

from __future__ import annotations

from typing import Any

ATTACHMENT_PROTOCOL = "attachment://"
_OLD_PROTOCOL = "tc://"  # the earlier name of the same references
_MAX_DEPTH = 240  # inspect_ai's MAX_JSON_VALUE_DEPTH: deeper JSON is replaced by a marker
_DEPTH_MARKER = "<max nesting depth exceeded>"
_MEDIA_FIELDS = {"image": "image", "audio": "audio", "video": "video", "document": "document"}
_CALL_MESSAGE_KEY = "messages"  # where a provider request keeps messages unless call_key says


class Resolver:
    """Swaps references for their content; one per sample (its attachments map)."""

    def __init__(self, attachments: dict[str, str]) -> None:
        self.attachments = attachments

    def text(self, value: str) -> str:
        if value.startswith(_OLD_PROTOCOL):
            value = ATTACHMENT_PROTOCOL + value[len(_OLD_PROTOCOL) :]
        if value.startswith(ATTACHMENT_PROTOCOL):
            return self.attachments.get(value[len(ATTACHMENT_PROTOCOL) :], value)
        return value

    def json(self, value: Any, depth: int = 0) -> Any:
        """Any JSON value: every string in it, keys excepted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            if depth >= _MAX_DEPTH:
                return _DEPTH_MARKER
            for i, item in enumerate(value):
                value[i] = self.json(item, depth + 1)
        elif isinstance(value, dict):
            if depth >= _MAX_DEPTH:
                return _DEPTH_MARKER
            for key, item in value.items():
                value[key] = self.json(item, depth + 1)
        return value

    def field(self, holder: dict[str, Any], key: str) -> None:
        """One string field, when it is there and is a string."""
        value = holder.get(key)
        if isinstance(value, str):
            holder[key] = self.text(value)

    def messages(self, messages: Any) -> None:
        if isinstance(messages, list):
            for message in messages:
                self.message(message)

    def message(self, message: Any) -> None:
        if not isinstance(message, dict):
            return
        content = message.get("content")
        if isinstance(content, str):
            # inspect_ai leaves the tool calls of a plain-text message as they are
            message["content"] = self.text(content)
            return
        if message.get("role") == "assistant":
            calls = message.get("tool_calls")
            if calls:
                for call in calls:
                    self.tool_call(call)
            else:
                message["tool_calls"] = None
        if isinstance(content, list):
            for part in content:
                self.content(part)

    def tool_call(self, call: Any) -> None:
        if not isinstance(call, dict):
            return
        if isinstance(call.get("arguments"), dict):
            self.json(call["arguments"])
        view = call.get("view")
        if isinstance(view, dict) and view.get("content"):
            self.field(view, "content")

    def content(self, part: Any) -> None:
        if not isinstance(part, dict):
            return
        kind = part.get("type")
        if kind == "text":
            self.field(part, "text")
        elif kind in _MEDIA_FIELDS:
            self.field(part, _MEDIA_FIELDS[kind])
        elif kind == "reasoning":
            self.field(part, "reasoning")
        elif kind == "tool_use":
            for key in ("arguments", "result"):
                if key in part:
                    part[key] = self.json(part[key])
            if part.get("error"):
                self.field(part, "error")
        elif kind == "data" and "data" in part:
            part["data"] = self.json(part["data"])

    def tool_result(self, result: Any) -> None:
        """Only media: a result's text stays inline in the log (it repeats the tool message)."""
        for part in result if isinstance(result, list) else [result]:
            if isinstance(part, dict) and part.get("type") in _MEDIA_FIELDS:
                self.content(part)

    def events(self, events: Any) -> None:
        if isinstance(events, list):
            for event in events:
                if isinstance(event, dict):
                    self.event(event)

    def event(self, event: dict[str, Any]) -> None:
        # A tool or subtask event's own ``events`` are deprecated and read back as plain
        # dicts, which inspect_ai's walker passes over, so they are left as logged.
        kind = event.get("event")
        if kind == "model":
            self.model_event(event)
        elif kind == "tool":
            if isinstance(event.get("arguments"), dict):
                self.json(event["arguments"])
            self.tool_result(event.get("result"))
        elif kind in ("state", "store"):
            for change in event.get("changes") or []:
                if isinstance(change, dict) and "value" in change:
                    change["value"] = self.json(change["value"])
        elif kind == "info" and "data" in event:
            event["data"] = self.json(event["data"])
        elif kind == "sample_init":
            sample = event.get("sample")
            if isinstance(sample, dict):
                if isinstance(sample.get("input"), str):
                    sample["input"] = self.text(sample["input"])
                else:
                    self.messages(sample.get("input"))
            if "state" in event:
                event["state"] = self.json(event["state"])

    def model_event(self, event: dict[str, Any]) -> None:
        for tool in event.get("tools") or []:
            if isinstance(tool, dict):
                self.field(tool, "description")
        self.messages(event.get("input"))
        output = event.get("output")
        if isinstance(output, dict):
            for choice in output.get("choices") or []:
                if isinstance(choice, dict):
                    self.message(choice.get("message"))
        call = event.get("call")
        if isinstance(call, dict):
            if isinstance(call.get("request"), dict):
                self.json(call["request"])
            response = call.get("response")
            call["response"] = self.json(response) if response else None


def _expand(refs: Any, pool: list[Any]) -> list[Any]:
    """Range-encoded pool references (``[[start, end), ...]``) → the pooled values."""
    expanded: list[Any] = []
    for start, end in refs:
        expanded.extend(pool[start:end])
    return expanded


def _expand_pools(events: list[Any], messages: list[Any], calls: list[Any]) -> None:
    """Put each model event's pooled input and call messages back (top-level events only)."""
    for event in events:
        if not isinstance(event, dict) or event.get("event") != "model":
            continue
        if messages and event.get("input_refs") is not None:
            event["input"] = _expand(event["input_refs"], messages)
            event["input_refs"] = None
        call = event.get("call")
        if calls and isinstance(call, dict) and call.get("call_refs"):
            request = call.get("request")
            request = dict(request) if isinstance(request, dict) else {}
            request[call.get("call_key") or _CALL_MESSAGE_KEY] = _expand(call["call_refs"], calls)
            call["request"] = request
            call["call_refs"] = None
            call["call_key"] = None


def resolver_for(sample: dict[str, Any]) -> Resolver:
    """The resolver of a parsed sample's references (its ``attachments`` map)."""
    attachments = sample.get("attachments")
    return Resolver(attachments if isinstance(attachments, dict) else {})


def expand_pooled_inputs(sample: dict[str, Any]) -> None:
    """Give each model event back its pooled input messages, unresolved (call pools stay).

    For readers that resolve only the messages they use, each once (pooled messages are
    shared between events).
    """
    pools = sample.get("events_data")
    events = sample.get("events")
    if isinstance(pools, dict) and isinstance(events, list):
        _expand_pools(events, pools.get("messages") or [], [])


def resolve_sample(sample: dict[str, Any], *, lazy: bool = False) -> dict[str, Any]:
    """A parsed sample with every reference resolved, in place (and returned).

    Afterwards ``attachments`` is ``{}`` and ``events_data`` is ``None``, as after
    inspect_ai's ``resolve_sample_attachments(sample, "full")``. Messages expanded from
    the pools are shared between the model events that used them (as they are in
    inspect_ai's resolved sample), not copied per event.

    ``lazy`` resolves only the input and keeps ``attachments``, for a reader that resolves
    the messages it shows, a window at a time (the sample view: resolving 100k messages
    up front cost more than parsing them).
    """
    resolver = resolver_for(sample)
    if lazy:
        if not isinstance(sample.get("input"), str):
            resolver.messages(sample.get("input"))
        return sample
    pools = sample.get("events_data")
    pooled_messages: list[Any] = []
    pooled_calls: list[Any] = []
    if isinstance(pools, dict):
        # pool entries may hold references too: resolve them once, before they are shared
        pooled_messages = pools.get("messages") or []
        resolver.messages(pooled_messages)
        pooled_calls = [resolver.json(call) for call in pools.get("calls") or []]
    events = sample.get("events")
    if isinstance(events, list):
        resolver.events(events)
        _expand_pools(events, pooled_messages, pooled_calls)
    for retry in sample.get("error_retries") or []:
        if isinstance(retry, dict):
            resolver.events(retry.get("events"))
    if not isinstance(sample.get("input"), str):
        resolver.messages(sample.get("input"))
    resolver.messages(sample.get("messages"))
    sample["attachments"] = {}
    sample["events_data"] = None
    return sample
