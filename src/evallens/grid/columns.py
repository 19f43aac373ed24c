"""The columns a grid can show: Inspect's built-in ids, score columns, the rest of the frame.

Each `Column` pairs an Inspect column id (``sampleId``, ``score__judge__judge``) with the
frame column behind it, and describes itself to the front end (label, kind, score
bounds, one number format for the whole column).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import polars as pl

from evallens.errors import unknown_name_error
from evallens.grid.format import NumberStats, format_of, number_stats, widest
from evallens.grid.query import Frame, WorkFrame, missing_if_not_finite
from evallens.grid.types import ColumnDef
from evallens.scores import ScoreDescriptor

STATUS = "__status"
"""Derived column: 'cancelled', 'error', 'limit' or missing per sample (Inspect's sampleStatus)."""

# Inspect's built-in column ids and the normalized frame column each one shows.
BUILTIN_FIELDS: dict[str, str] = {
    "sampleStatus": STATUS,
    "sampleId": "id",
    "sampleUuid": "uuid",
    "epoch": "epoch",
    "input": "input",
    "target": "target",
    "answer": "answer",
    "tokens": "total_tokens",
    "duration": "total_time",
    "retries": "retries",
    "error": "error",
    "limit": "limit",
}
BUILTIN_LABELS: dict[str, str] = {
    "sampleStatus": "",
    "sampleId": "Id",
    "sampleUuid": "UUID",
    "epoch": "Epoch",
    "input": "Input",
    "target": "Target",
    "answer": "Answer",
    "tokens": "Tokens",
    "duration": "Duration",
    "retries": "Retries",
    "error": "Error",
    "limit": "Limit",
}
# Frame columns that are plumbing, not something to show as a column of their own.
HIDDEN_FIELDS = {"eval_id", "log", "model_usage", "task_display_name", "model_display_name"}
# What Inspect's frames hold (samples_df, evals_df columns, and evallens' readers): offered in
# the Columns menu, hidden at first. A frame column outside it is the user's own: shown.
INSPECT_FIELDS = frozenset({
    # samples (SampleSummary) and evallens' own reader
    "sample_id", "uuid", "id", "epoch", "input", "choices", "target", "description", "answer",
    "model_usage", "total_tokens", "total_time", "working_time", "message_count", "turn_count",
    "token_limit_usage", "error", "limit", "limit_reason", "retries", "fallbacks",
    # evals (EvalColumns)
    "eval_id", "eval_set_id", "run_id", "task_id", "log", "created", "tags", "git_origin",
    "git_commit", "packages", "metadata", "task_name", "task_display_name", "task_description",
    "task_version", "task_file", "task_attribs", "solver", "solver_args", "sandbox_type",
    "sandbox_config", "model", "model_display_name", "model_base_url", "model_args",
    "model_generate_config", "model_roles", "dataset_name", "dataset_location",
    "dataset_samples", "dataset_sample_ids", "dataset_shuffled", "epochs", "epochs_reducer",
    "approval", "review", "sentinel", "message_limit", "token_limit", "token_limit_type",
    "turn_limit", "time_limit", "working_limit", "status", "error_message", "error_traceback",
    "total_samples", "completed_samples",
    # inspect_ai.analysis prepare() operations (model_info, log_viewer, frontier)
    "model_organization_name", "model_family", "model_snapshot", "model_release_date",
    "model_knowledge_cutoff_date", "log_viewer", "frontier",
    # messages_df and events_df
    "message_id", "order", "role", "source", "content", "tool_call_id", "tool_call_function",
    "tool_call_error", "event_id", "event", "span_id", "timestamp", "completed",
    "working_start",
})  # fmt: skip
INSPECT_PREFIXES = ("task_arg_", "score_", "metadata_", "model_event_", "tool_event_")
_INDEX = re.compile(r"Unnamed: \d+|index|level_\d+")
"""What pandas leaves of an index written out with a frame: plumbing, never shown at first."""
METADATA = "metadata"
"""The Columns menu's group for a sample's metadata (``metadata_*``, and what they break out into)."""
TEXT_FIELDS = ("input", "target", "answer")


@dataclass
class Column:
    """A column the grid can show: its Inspect-style id and the frame column behind it."""

    id: str
    field: str
    label: str
    kind: Literal["status", "id", "text", "number", "duration", "score", "other", "pills"]
    default_visible: bool
    score: ScoreDescriptor | None = None
    group: str | None = None
    """The Columns menu's group (`METADATA`), or None."""
    nested: bool = False
    """Holds objects (JSON text or structs) that `break_out` can make columns of."""

    def describe(
        self, df: Frame | None = None, stats: Mapping[str, NumberStats] | None = None
    ) -> ColumnDef:
        """The JSON the front end receives for this column.

        Given the frame, numeric columns also get the one ``format`` all their cells
        use and ``chars``, the width in characters of their longest value (ids too),
        both from the whole column, so neither changes as the user scrolls. ``stats``
        (from `number_stats` over every column at once) saves a pass per column.
        """
        out: ColumnDef = {
            "id": self.id,
            "field": self.field,
            "label": self.label,
            "kind": self.kind,
        }
        if df is not None and self.field in df.columns and self.kind != "duration":
            if stats is None:
                stats = number_stats(df, [self.field])
            numbers = stats.get(self.field)
            if numbers is not None:
                out["format"] = format_of(numbers)
            if numbers is not None or self.kind == "id":
                out["chars"] = widest(df.get_column(self.field), numbers)
        if self.group is not None:
            out["group"] = self.group
        if self.nested:
            out["nested"] = True
        if self.score is not None:
            s = self.score
            out["score"] = {
                "scorer": s.scorer,
                "name": s.name,
                "type": s.kind,
                "min": s.min,
                "max": s.max,
                "categories": list(s.categories) if s.categories else None,
            }
        return out


_FIRST_SLICE = 4096
"""Rows an early-exit probe reads first; each later slice is four times as long."""
_SPREAD = 256
"""Rows an early-exit probe tests first, spread evenly over the column."""


class Probed(Protocol):
    """What the early-exit probes read of a column.

    A ``pl.Series``, or a column read by parts (`evallens.frames.LateText`) so that a
    probe converts only the rows it tests.
    """

    @property
    def dtype(self) -> Any:
        """The column's polars type."""

    def len(self) -> int:
        """Rows in the column."""

    def null_count(self) -> int:
        """Missing values."""

    def gather_every(self, n: int) -> pl.Series:
        """Every ``n``-th row from the first."""

    def slice(self, offset: int, length: int | None = None) -> pl.Series:
        """``length`` rows from ``offset``."""

    def head(self, n: int = 10) -> pl.Series:
        """The first ``n`` rows."""


Probes = Mapping[str, Probed]
"""Columns to probe by parts instead of reading them whole from the frame, by name."""


def _probed(df: Frame, name: str, probes: Probes | None) -> Probed:
    return probes[name] if probes and name in probes else df.get_column(name)


def any_row(values: Probed, test: Callable[[pl.Series], pl.Series]) -> bool:
    """Whether ``test`` (row-wise, boolean) holds for some row, reading slices until it does.

    Rows spread over the whole column are tested first, then slices from the top: most
    answers are found at once, so a probe rarely reads a whole column; when no row passes,
    every row has been tested, as ``test(values).any()`` would.

    Example:
        >>> any_row(pl.Series([0] * 10_000 + [3]), lambda s: s > 2)
        True
    """
    n = values.len()
    if n > _FIRST_SLICE and test(values.gather_every(max(1, n // _SPREAD))).any():
        return True
    start, size = 0, _FIRST_SLICE
    while start < values.len():
        if test(values.slice(start, size)).any():
            return True
        start, size = start + size, size * 4
    return False


def _has_values(df: Frame, col: str, probes: Probes | None = None) -> bool:
    if col not in df.columns:
        return False
    s = _probed(df, col, probes)
    if s.null_count() == s.len():  # known without reading the values
        return False
    if s.dtype == pl.String:
        return any_row(s, lambda v: v.str.len_bytes() > 0)
    if s.dtype.is_numeric():
        return any_row(s, lambda v: v.fill_null(0) != 0)
    return True


def _varies(values: Probed) -> bool:
    """More than one distinct value (missing counts as one): a comparison, not a hash."""
    if values.len() <= 1:
        return False
    first = values.head(1)[0]
    return any_row(values, lambda v: v.ne_missing(first))


def available_columns(
    df: Frame, scores: Sequence[ScoreDescriptor], probes: Probes | None = None
) -> list[Column]:
    """Every column the grid can show, in Inspect's default order, with default visibility.

    As in Inspect: ``epoch`` shows only with more than one epoch; ``error``,
    ``limit``, ``retries`` only when the data has them. Beyond Inspect: task and
    model show when the frame mixes several, metadata columns are available (in their own
    group), and a frame's columns that Inspect's frames do not have (the user's own) show.
    ``probes``: columns the probes read by parts (`Probed`), not from ``df``.
    """
    cols: list[Column] = []
    score_fields = {s.column for s in scores}
    has_error = _has_values(df, "error", probes)
    has_limit = _has_values(df, "limit", probes)

    def builtin(cid: str, kind: Any, visible: bool) -> None:
        fld = BUILTIN_FIELDS[cid]
        if cid == "sampleUuid" and fld not in df.columns:
            fld = "sample_id"  # read_samples keeps the uuid there, as samples_df does
        if fld in df.columns or (cid == "sampleStatus" and (has_error or has_limit)):
            cols.append(Column(cid, fld, BUILTIN_LABELS[cid], kind, visible))

    builtin("sampleStatus", "status", has_error or has_limit)
    for multi in ("task_name", "model"):
        if multi in df.columns:
            shown = _varies(_probed(df, multi, probes))
            label = "Task" if multi == "task_name" else "Model"
            display = "task_display_name" if multi == "task_name" else "model_display_name"
            fld = display if display in df.columns else multi
            cols.append(Column(multi, fld, label, "other", shown))
    builtin("sampleId", "id", True)
    builtin("sampleUuid", "other", False)
    builtin("epoch", "number", "epoch" in df.columns and _varies(_probed(df, "epoch", probes)))
    for cid in TEXT_FIELDS:
        builtin(cid, "text", True)
    for s in scores:
        # As Inspect's grid: a lone score column is just "Score" (its scorer name adds nothing).
        label = "Score" if len(scores) == 1 else s.name
        cols.append(Column(s.view_id, s.column, label, "score", True, s))
    builtin("tokens", "number", True)
    builtin("duration", "duration", True)
    builtin("retries", "number", _has_values(df, "retries", probes))
    builtin("error", "text", has_error)
    builtin("limit", "other", has_limit)
    taken = {c.field for c in cols} | {c.id for c in cols} | set(BUILTIN_FIELDS.values())
    taken |= score_fields | HIDDEN_FIELDS
    for name in df.columns:
        if name not in taken and not name.startswith("__"):
            cols.append(extra_column(df, name, probes))
    return cols


def is_metadata(name: str) -> bool:
    """A sample's metadata: ``metadata_<key>`` (and ``<column>.<key>`` broken out of one)."""
    return name.startswith("metadata_")


def extra_column(df: Frame, name: str, probes: Probes | None = None) -> Column:
    """A frame column beyond Inspect's built-in ones: hidden when Inspect's frames have it."""
    dtype = df.schema[name]
    kind: Any = "number" if dtype.is_numeric() else "other"
    inspect_own = (
        name in INSPECT_FIELDS or name.startswith(INSPECT_PREFIXES) or _INDEX.fullmatch(name)
    )
    metadata = is_metadata(name)
    return Column(
        name, name, name, kind, not inspect_own,
        group=METADATA if metadata else None,
        # only text and structs can hold objects (reading others would compute derived forms)
        nested=(dtype == pl.String or isinstance(dtype, pl.Struct))
        and holds_objects(_probed(df, name, probes)),
    )  # fmt: skip


_PROBE = 200
"""Values a text column is sampled at to tell whether it holds JSON objects."""


def holds_objects(values: Probed) -> bool:
    """Whether a column holds objects to break out: structs, or JSON objects as text."""
    if isinstance(values.dtype, pl.Struct):
        return True
    if values.dtype != pl.String:
        return False
    texts = _first_present(values, _PROBE * 5)
    for text in texts.filter(texts.str.starts_with("{")).head(_PROBE):
        try:
            if isinstance(json.loads(text), dict):
                return True
        except ValueError:
            continue
    return False


def _first_present(values: Probed, n: int) -> pl.Series:
    """The first ``n`` values that are not missing, reading only as many rows as it takes.

    The same as ``values.drop_nulls().head(n)``, which copies every present value first.
    """
    if values.null_count() == 0:
        return values.head(n)
    start, size, found = 0, max(n, _FIRST_SLICE), []
    count = 0
    while start < values.len() and count < n:
        part = values.slice(start, size).drop_nulls()
        found.append(part)
        count += part.len()
        start, size = start + size, size * 4
    return pl.concat(found).head(n) if found else values.head(0)


def resolve_column_id(cid: str, columns: Sequence[Column]) -> Column:
    """The column a view entry names; accepts view ids and frame column names."""
    for c in columns:
        if c.id == cid or c.field == cid:
            return c
    raise unknown_name_error("column", cid, [c.id for c in columns])


def work_frame(df: pl.DataFrame, late: Mapping[str, pl.Expr] | None = None) -> WorkFrame:
    """The frame the grid queries: ``df`` as it is, NaN/inf missing, a sample status.

    Both are derived where a query reads them (`WorkFrame`), never stored. Status, first match wins: 'cancelled', 'error', 'limit', else missing.
    ``late``: columns whose values ``df`` does not hold yet, each as the expression that
    reads them (derived columns too; the status reads ``error`` and ``limit`` from there).
    """
    late = dict(late or {})
    fixes = {n: missing_if_not_finite(n) for n, t in df.schema.items() if t.is_float()}
    status_parts = []
    if "error" in df.columns:
        err = late.get("error", pl.col("error")).cast(pl.String)
        has_error = err.is_not_null() & (err != "")
        # As Inspect's viewer: an error's type is the text before its first "(", and a
        # CancelledError means the sample was cancelled, not that it failed.
        status_parts.append((has_error & err.str.starts_with("CancelledError("), "cancelled"))
        status_parts.append((has_error, "error"))
    if "limit" in df.columns:
        lim = late.get("limit", pl.col("limit")).cast(pl.String)
        status_parts.append((lim.is_not_null() & (lim != ""), "limit"))
    status: pl.Expr = pl.lit(None, dtype=pl.String)
    for cond, label in reversed(status_parts):
        status = pl.when(cond).then(pl.lit(label)).otherwise(status)
    return WorkFrame(df, {**fixes, **late, STATUS: status})
