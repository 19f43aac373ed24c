"""SampleView's rules without a comm: one sample's head, and its messages in windows.

A `SampleModel` is built once per sample (a dict as ``EvalSample.model_dump(mode="json")``
gives it). Building it reads the scores, the viewer config and the tool-call pairing;
messages are converted only when a window asks for them.
"""

from __future__ import annotations

import marshal
from collections.abc import Mapping, Sequence
from typing import Any, cast, overload

from evallens.errors import unknown_name_error
from evallens.grid.view import VIEWER_CONFIG_FIELDS, normalize_score_view
from evallens.io._lazy_json import LazyArray
from evallens.sample.messages import ToolCallIndex, message_window
from evallens.sample.scanners import ScannerViews, is_scan
from evallens.sample.types import (
    ErrorInfo,
    Head,
    Info,
    LimitInfo,
    Message,
    SampleScoreView,
    ScanEntry,
    ScoreEntry,
    ScoreViewSort,
)
from evallens.wire import json_safe

MAX_WINDOW = 500
"""Most messages one request returns."""


def trust_content(value: Any) -> bool:
    """``ViewerConfig.trust_content`` as Inspect reads it: unset is trusted, non-booleans are not.

    Example:
        >>> trust_content(None), trust_content(False), trust_content("true")
        (True, False, False)
    """
    if value is None:
        return True
    return value if isinstance(value, bool) else False


def _plain_config(config: Any) -> dict[str, Any]:
    if config is None:
        return {}
    if hasattr(config, "model_dump"):
        config = config.model_dump(mode="json")
    if not isinstance(config, Mapping):
        raise TypeError(f"viewer_config must be a ViewerConfig or a dict, got {config!r}")
    return dict(config)


def score_view(value: Any, *, strict: bool = False) -> SampleScoreView | None:
    """Inspect's ``SampleScoreView`` as ``{"default", "sort"}`` (None: the viewer decides).

    A sort without a column is no sort. Values Inspect does not know raise when
    ``strict`` (a config the user passes) and are dropped otherwise (read from a log).

    Example:
        >>> score_view({"view": "grid", "sort": {"column": "value"}})
        {'default': 'grid', 'sort': {'column': 'value', 'dir': 'asc'}}
    """
    data = normalize_score_view(value)
    if data is None:
        return None

    def check(name: str, got: Any, allowed: tuple[str, ...]) -> Any:
        if got is None or got in allowed:
            return got
        if strict:
            raise unknown_name_error(f"sample_score_view {name}", str(got), allowed)
        return None

    default = check("default", data.get("default"), ("chips", "grid"))
    sort = data.get("sort")
    if sort is not None and not isinstance(sort, Mapping):
        if strict:
            raise TypeError(
                f"sample_score_view sort is a dict with 'column' and 'dir', got {sort!r}"
            )
        sort = None
    order: ScoreViewSort | None = None
    if sort is not None:
        column = check("sort column", sort.get("column"), ("name", "value"))
        direction = check("sort dir", sort.get("dir", "asc"), ("asc", "desc"))
        if column is not None:
            order = {"column": column, "dir": direction or "asc"}
    return {"default": default, "sort": order}


def _error(value: Any) -> ErrorInfo | None:
    if isinstance(value, Mapping):
        traceback = value.get("traceback")
        return {
            "message": str(value.get("message", "")),
            "traceback": traceback if isinstance(traceback, str) else None,
        }
    return {"message": str(value), "traceback": None} if value else None


def _limit(value: Any) -> LimitInfo | None:
    if isinstance(value, Mapping):
        limit = value.get("limit")
        return {
            "type": str(value.get("type", "")),
            "limit": limit if isinstance(limit, int | float) else None,
        }
    return {"type": str(value), "limit": None} if value else None


def _info(sample: Mapping[str, Any]) -> Info:
    usage = sample.get("model_usage") or None
    total_tokens = None
    if isinstance(usage, Mapping):
        # Unset counts (a log written with or without them) are not shown.
        usage = {
            m: {k: v for k, v in u.items() if v is not None} if isinstance(u, Mapping) else u
            for m, u in usage.items()
        }
        total_tokens = sum(int(u.get("total_tokens") or 0) for u in usage.values())
    retries = sample.get("retries")
    if not isinstance(retries, int):
        previous = sample.get("error_retries")
        retries = len(previous) if isinstance(previous, list) else None
    return {
        "model_usage": json_safe(usage),
        "total_time": sample.get("total_time"),
        "working_time": sample.get("working_time"),
        "retries": retries,
        "total_tokens": total_tokens,
    }


class SampleModel:
    """One sample as SampleView shows it: the head, and messages by window.

    Args:
        sample: The sample as JSON (``EvalSample.model_dump(mode="json")``).
        log: The log it came from (shown, and a key for the browser).
        viewer_config: The task's ``ViewerConfig`` (a dict or Inspect's model).
        task: The task's name, when known.
        model: The model's name, when known.
        strict: Check the viewer config and raise on what Inspect's viewer would drop
            (for a config the user passes); a config read from a log is honoured as far
            as it can be read.

    Example:
        >>> model = SampleModel({
        ...     "id": 7, "epoch": 1, "target": "4",
        ...     "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}],
        ...     "scores": {"match": {"value": "C", "answer": "4"}},
        ... }, log="logs/arith.eval")
        >>> model.head["message_count"], [s["name"] for s in model.head["scores"]]
        (2, ['match'])
        >>> [m["parts"][0]["text"] for m in model.messages(0, 50)]
        ['2+2?', '4']
    """

    def __init__(
        self,
        sample: Mapping[str, Any],
        *,
        log: str = "",
        viewer_config: Any = None,
        task: str | None = None,
        model: str | None = None,
        strict: bool = True,
    ) -> None:
        if not isinstance(sample, Mapping):
            raise TypeError(f"a sample is a dict (EvalSample.model_dump()), got {sample!r}")
        self._sample = sample
        config = _plain_config(viewer_config)
        if strict:
            extra = sorted(set(config) - VIEWER_CONFIG_FIELDS)
            if extra:
                raise unknown_name_error(
                    "ViewerConfig field", extra[0], sorted(VIEWER_CONFIG_FIELDS)
                )
        messages = sample.get("messages")
        self._messages: Sequence[Mapping[str, Any]] = (
            messages if isinstance(messages, list | LazyArray) else []
        )
        self._index = ToolCallIndex(self._messages)
        self._attachments: Mapping[str, str] = sample.get("attachments") or {}
        views = ScannerViews(config.get("scanner_result_view"), strict=strict)
        scores: list[ScoreEntry] = []
        scans: list[ScanEntry] = []
        for name, score in (sample.get("scores") or {}).items():
            entry = _score_entry(str(name), score)
            if is_scan(score):
                scans.append({**entry, "sections": views.sections(str(name))})
            else:
                scores.append(entry)
        self.head: Head = {
            "log": log,
            "id": cast(str | int, json_safe(sample.get("id"))),
            "epoch": int(sample.get("epoch") or 1),
            "task": task,
            "model": model,
            "target": sample.get("target"),
            "trust_content": trust_content(config.get("trust_content")),
            "message_count": len(self._messages),
            "scores": scores,
            "sample_score_view": score_view(config.get("sample_score_view"), strict=strict),
            "scans": scans,
            "metadata": json_safe(sample.get("metadata")),
            "info": _info(sample),
            "error": _error(sample.get("error")),
            "limit": _limit(sample.get("limit")),
        }

    @property
    def sample(self) -> Mapping[str, Any]:
        """The sample as read (its messages and events made Python values if they are not)."""
        unread = (PackedList, LazyArray)
        if not isinstance(self._messages, unread):
            return self._sample
        events = self._sample.get("events")
        return {
            **self._sample,
            "messages": self._messages.unpacked(),
            "events": events.unpacked() if isinstance(events, unread) else events,
        }

    def pack(self) -> None:
        """Keep the messages (and events) as bytes, each unpacked when a window shows it.

        A parsed sample of 100k messages is millions of Python objects, and the cycle
        collector walks every one of them at each full collection for as long as the
        sample is held (a widget holds it until it is closed); bytes it never walks.
        Call it once the first window has gone. Messages read lazily (`LazyArray`) are not
        Python objects yet: they stay as they are.
        """
        if isinstance(self._messages, PackedList | LazyArray):
            return
        self._messages = PackedList(self._messages)
        self._index.follow(self._messages)
        events = self._sample.get("events")
        rest = {k: v for k, v in self._sample.items() if k not in ("messages", "events")}
        self._sample = {
            **rest,
            "events": PackedList(events) if isinstance(events, list) else events,
        }

    def messages(self, offset: int, limit: int) -> list[Message]:
        """Messages ``offset .. offset + limit`` (at most `MAX_WINDOW`), as the view shows them."""
        limit = min(int(limit), MAX_WINDOW)
        return message_window(self._messages, self._index, int(offset), limit, self._attachments)


def _score_entry(name: str, score: Any) -> ScoreEntry:
    if not isinstance(score, Mapping):
        score = {"value": score}  # very old logs stored bare values
    return {
        "name": name,
        "value": json_safe(score.get("value")),
        "answer": _text(score.get("answer")),
        "explanation": _text(score.get("explanation")),
        "metadata": json_safe(score.get("metadata")),
    }


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


class PackedList(Sequence[Any]):
    """A list of JSON-like values kept as ``marshal`` bytes, unpacked one at a time.

    ``marshal`` keeps every value a parsed log holds exactly (NaN too) and reads fast; the
    bytes are made and read in this process only.

    Example:
        >>> packed = PackedList([{"role": "user", "content": "hi"}, {"n": float("nan")}])
        >>> len(packed), packed[0]["content"], str(packed[1]["n"])
        (2, 'hi', 'nan')
    """

    def __init__(self, values: Sequence[Any]) -> None:
        self._packed = [marshal.dumps(v) for v in values]

    def __len__(self) -> int:
        return len(self._packed)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [marshal.loads(b) for b in self._packed[i]]
        return marshal.loads(self._packed[i])

    def unpacked(self) -> list[Any]:
        """Every value, unpacked."""
        return [marshal.loads(b) for b in self._packed]
