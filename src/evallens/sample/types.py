"""What SampleView's kernel and browser say to each other (mirrors ``widget/src/sample/types.ts``).

Keys are snake_case on both sides. ``_head`` holds everything but the messages;
``_initial_messages`` the first window; the browser asks for more with a
`MessagesRequest` and drops replies whose ``revision`` is not the current one.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

Role = Literal["system", "user", "assistant", "tool"]


# -- messages ------------------------------------------------------------------------------
class TextPart(TypedDict):
    """Text (markdown when the content is trusted)."""

    type: Literal["text"]
    text: str


class ReasoningPart(TypedDict):
    """A model's reasoning; when ``redacted`` the text is its summary (or empty)."""

    type: Literal["reasoning"]
    text: str
    redacted: bool


class ImagePart(TypedDict):
    """An image: ``src`` is a ``data:`` URI, or None for anything else (never fetched)."""

    type: Literal["image"]
    src: str | None
    alt: str


class OtherPart(TypedDict):
    """A part the view does not know (audio, video, document, tool_use, ...), as JSON text."""

    type: Literal["other"]
    text: str


Part = TextPart | ReasoningPart | ImagePart | OtherPart


class ToolCall(TypedDict):
    """A tool call of an assistant message and where its result is."""

    id: str
    function: str
    arguments: str
    """Pretty JSON text."""
    result_index: int | None
    """Index of the tool message answering it, if any."""


class Message(TypedDict):
    """One chat message; ``index`` is 0-based and shown as ``M{index + 1}``."""

    index: int
    id: str | None
    role: Role
    parts: list[Part]
    tool_calls: list[ToolCall] | None
    tool_call_id: str | None
    """Tool messages: the call they answer."""
    function: str | None
    """Tool messages: the function called."""
    call_arguments: str | None
    """Tool messages: that call's arguments (pretty JSON)."""
    error: str | None
    """Tool messages: the tool's error message."""
    model: str | None
    chars: int
    """Characters of text: the parts (an image's alt text), tool call arguments, the error."""


class MessagesRequest(TypedDict):
    """Messages ``offset .. offset + limit`` (limit at most 500)."""

    type: Literal["messages"]
    id: int
    offset: int
    limit: int


class MessagesReply(TypedDict):
    """A window of messages; ``revision`` says which sample they belong to."""

    revision: int
    offset: int
    messages: list[Message]


class SampleViewData(TypedDict):
    """A whole sample as a host panel receives it: head, first messages, revision."""

    head: Head
    messages: list[Message]
    revision: int


# -- scores and scans ----------------------------------------------------------------------
class ScoreEntry(TypedDict):
    """One score of the sample, named by its key in ``sample.scores``."""

    name: str
    value: Any
    answer: str | None
    explanation: str | None
    metadata: dict[str, Any] | None


BuiltinName = Literal["explanation", "label", "value", "validation", "answer"]


class BuiltinSection(TypedDict):
    """One of a scan's built-in sections (``metadata`` is `MetadataSection`).

    ``label`` and ``collapsed`` are Inspect's ``ScannerResultField`` overrides (e.g. an
    explanation headed "Rationale"), sent when the view sets them.
    """

    kind: BuiltinName
    label: NotRequired[str | None]
    collapsed: NotRequired[bool]


class MetadataSection(TypedDict):
    """The generic metadata dump, leaving out ``hidden_keys``.

    Those are keys promoted to their own section or excluded by the view, and the
    scanner's own bookkeeping (``scanner_references``, ``scanner_content``), which
    Inspect's viewer leaves out of a scan's metadata too.
    """

    kind: Literal["metadata"]
    hidden_keys: list[str]


class MetadataKeySection(TypedDict):
    """One metadata key promoted to its own section (``label`` None: show the key)."""

    kind: Literal["metadata_key"]
    key: str
    label: str | None
    collapsed: bool


Section = BuiltinSection | MetadataSection | MetadataKeySection


class ScanEntry(ScoreEntry):
    """A scanner's score (its metadata has ``scanner_references``) and its sections in order."""

    sections: list[Section]


class ScoreViewSort(TypedDict):
    """The score panel's default sort."""

    column: Literal["name", "value"]
    dir: Literal["asc", "desc"]


class SampleScoreView(TypedDict):
    """Inspect's ``SampleScoreView``: how the score panel starts."""

    default: Literal["chips", "grid"] | None
    sort: ScoreViewSort | None


# -- the head ------------------------------------------------------------------------------
class Info(TypedDict):
    """Usage and timing."""

    model_usage: dict[str, dict[str, Any]] | None
    total_time: float | None
    working_time: float | None
    retries: int | None
    total_tokens: int | None


class ErrorInfo(TypedDict):
    """The error that ended the sample."""

    message: str
    traceback: str | None


class LimitInfo(TypedDict):
    """The limit the sample hit."""

    type: str
    limit: float | None


class Head(TypedDict):
    """Everything about the sample except its messages (the ``_head`` trait)."""

    log: str
    id: str | int
    epoch: int
    task: str | None
    model: str | None
    target: str | list[str] | None
    trust_content: bool
    message_count: int
    scores: list[ScoreEntry]
    sample_score_view: SampleScoreView | None
    scans: list[ScanEntry]
    metadata: dict[str, Any] | None
    info: Info
    error: ErrorInfo | None
    limit: LimitInfo | None
