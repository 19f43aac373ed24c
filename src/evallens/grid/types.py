"""What SampleGrid's kernel and browser say to each other (mirrors ``widget/src/grid/types.ts``).

Keys are snake_case on both sides. Requests from the browser carry ``type`` and ``id``;
the reply repeats both (see `evallens.base.EvalLensWidget`), so stale answers can be
dropped. Row windows travel as Arrow IPC bytes in the message's buffers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

if TYPE_CHECKING:  # the sample view's types import the grid's view rules
    from evallens.sample.types import SampleViewData

from evallens.scores import ScoreKind

ColumnKind = Literal["status", "id", "text", "number", "duration", "score", "other", "pills"]
"""``pills``: a score's values over a sample's epochs (grouped rows, `evallens.grid.epochs`)."""


class ScoreInfo(TypedDict):
    """A score column's meaning, for painting its cells."""

    scorer: str
    name: str
    type: ScoreKind
    min: float | None
    max: float | None
    categories: list[str] | None


class NumberFormat(TypedDict):
    """How every number of a column is shown."""

    notation: Literal["fixed", "scientific"]
    digits: int


class ColumnDef(TypedDict):
    """One column the grid can show (the ``_column_defs`` trait)."""

    id: str
    field: str
    label: str
    kind: ColumnKind
    score: NotRequired[ScoreInfo]
    format: NotRequired[NumberFormat]
    chars: NotRequired[int]
    """Characters in the column's longest value as shown (numeric columns and ids)."""
    group: NotRequired[str]
    """The Columns menu's group (``metadata``)."""
    nested: NotRequired[bool]
    """Holds objects the Columns menu offers to break out into columns of their own."""


class ColumnState(TypedDict):
    """A column's place and visibility in the view (the ``columns`` trait)."""

    id: str
    visible: bool


class SortEntry(TypedDict):
    """One key of the sort (the ``sort`` trait)."""

    column: str
    dir: Literal["asc", "desc"]


class ViewState(TypedDict):
    """The parts of the view a user can change (``_default_view`` holds the eval's own)."""

    columns: list[ColumnState]
    sort: list[SortEntry]
    multiline: bool
    compact_scores: bool
    color_scales_enabled: bool
    score_labels: dict[str, str]
    score_color_scales: dict[str, Any]


# -- messages ------------------------------------------------------------------------------
class WindowRequest(TypedDict):
    """Rows ``offset .. offset+limit`` of the view; ``viewport`` is the first row on screen."""

    type: Literal["window"]
    id: int
    offset: int
    limit: int
    viewport: NotRequired[int]


class WindowReply(TypedDict):
    """The window's rows are in the buffer; ``revision`` says which view they belong to."""

    revision: int
    offset: int
    count: int


class NeighbourRequest(TypedDict):
    """The source row ``step`` places from ``row`` in the view's order; ``{"row"}`` back (-1: none)."""

    type: Literal["neighbour"]
    id: int
    row: int
    step: int


class RowsBetweenRequest(TypedDict):
    """Source rows of view positions ``start .. end`` (a range selection); uint32 bytes back."""

    type: Literal["rows_between"]
    id: int
    start: int
    end: int


class DetailRequest(TypedDict):
    """One sample, whole, for the detail panel."""

    type: Literal["detail"]
    id: int
    row: int


class DetailScore(TypedDict):
    """One score of the sample shown in the detail panel."""

    name: str
    scorer: str
    column: str
    type: ScoreKind
    value: Any


CompareStatus = Literal["improved", "regressed", "unchanged", "missing"]


class CompareSide(TypedDict):
    """One of two compared samples: a heading (untrusted text), its values and its scores."""

    label: str
    sample: dict[str, Any]
    scores: list[DetailScore]
    sample_view: NotRequired[SampleViewData | None]
    """The side's whole sample, when its log is on this machine."""


class CompareDetail(TypedDict):
    """A paired row's two samples, baseline first, and how the pair changed."""

    status: CompareStatus
    delta: float | None
    sides: list[CompareSide]


class TranscriptHit(TypedDict):
    """Where the transcript search's first hit in a sample is, and the text it matched."""

    index: int
    """The message's index in the sample's messages."""
    matches: list[str]
    """Distinct strings the pattern matched in that message (at most 20), to highlight."""


class DetailReply(TypedDict):
    """The sample's values (integers beyond 2**53 as their digits) and its scores.

    ``compare`` is there when the row pairs two samples (see `GridModel.compare_detail`).
    """

    row: int
    sample: dict[str, Any]
    scores: list[DetailScore]
    compare: NotRequired[CompareDetail | None]
    sample_view: NotRequired[SampleViewData | None]
    transcript_hit: NotRequired[TranscriptHit]


class SetViewRequest(TypedDict):
    """View edits the browser asks the kernel to apply, all or nothing."""

    type: Literal["set_view"]
    id: int
    view: dict[str, Any]


class PreviewSortRequest(TypedDict):
    """A header pressed, not yet released: the rows its sort would show, nothing changed.

    The reply is a `Refresh` (without its ``type``) of the revision the rows on hand have;
    the rows of that sort follow in its buffer. The click that follows is a ``set_view``.
    """

    type: Literal["preview_sort"]
    id: int
    sort: list[SortEntry]


class Refresh(TypedDict):
    """Sent by the kernel when the view changed: the rows at the user's place follow."""

    type: Literal["refresh"]
    revision: int
    count: int
    offset: int
    sort: list[SortEntry]
    timing: NotRequired[dict[str, float]]
    """When the kernel got the request, started the refresh and had the rows (ms since the
    epoch), for the page's trace (``widget/src/shared/trace.ts``)."""
