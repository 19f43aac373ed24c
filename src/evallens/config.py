"""Inspect's `TaskSamplesView` vocabulary: normalize views and resolve them to columns.

An eval author's view works unchanged: pass an ``inspect_ai.viewer.TaskSamplesView``,
a ``ViewerConfig``, a list of views (the first is the default, as in Inspect), or
the same fields as a plain dict.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from evallens.errors import unknown_name_error
from evallens.scores import ScoreDescriptor

PALETTES: tuple[str, ...] = ("good-high", "good-low", "neutral", "diverging")
ROLES: tuple[str, ...] = ("good", "bad", "warn", "info", "muted")

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
TEXT_FIELDS = ("input", "target", "answer")


@dataclass
class SamplesView:
    """A normalized ``TaskSamplesView``: every field optional, as in Inspect."""

    name: str = "default"
    columns: list[dict[str, Any]] | None = None
    sort: list[dict[str, str]] | None = None
    multiline: bool | None = None
    compact_scores: bool | None = None
    score_labels: dict[str, str] | None = None
    score_color_scales: dict[str, Any] | None = None
    color_scales_enabled: bool | None = None
    sample_score_view: dict[str, Any] | None = field(default=None)


def _plain(obj: Any) -> Any:
    """Pydantic models (inspect_ai's classes) to plain dicts, recursively."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(exclude_none=True)
    if isinstance(obj, Mapping):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def normalize_view(view: Any) -> SamplesView | None:
    """Accept a TaskSamplesView, ViewerConfig, list of views, or dict; None stays None.

    Example:
        >>> normalize_view({"name": "v", "multiline": False}).multiline
        False
    """
    if view is None:
        return None
    if isinstance(view, SamplesView):
        return view
    data = _plain(view)
    if isinstance(data, list):
        return normalize_view(data[0]) if data else None
    if not isinstance(data, dict):
        raise TypeError(f"view must be a TaskSamplesView or a dict, got {type(view).__name__}")
    if VIEWER_CONFIG_FIELDS & set(data):  # a whole ViewerConfig (any of its fields)
        extra = sorted(set(data) - VIEWER_CONFIG_FIELDS)
        if extra:
            raise unknown_name_error("ViewerConfig field", extra[0], sorted(VIEWER_CONFIG_FIELDS))
        inner = normalize_view(data.get("task_samples_view")) or SamplesView()
        inner.sample_score_view = normalize_score_view(data.get("sample_score_view"))
        return inner
    known = set(SamplesView.__dataclass_fields__)
    extra = sorted(set(data) - known)
    if extra:
        raise unknown_name_error("view field", extra[0], sorted(known))
    score_view = normalize_score_view(data.get("sample_score_view"))
    columns = data.get("columns")
    if columns is not None:
        columns = [{"id": c, "visible": True} if isinstance(c, str) else dict(c) for c in columns]
    sort = data.get("sort")
    if sort is not None:
        sort = [
            {"column": s, "dir": "asc"} if isinstance(s, str) else {"dir": "asc", **dict(s)}
            for s in sort
        ]
        for s in sort:
            if s["dir"] not in ("asc", "desc"):
                raise ValueError(f"sort direction must be 'asc' or 'desc', got {s['dir']!r}")
    scales = data.get("score_color_scales")
    if scales is not None:
        scales = {name: normalize_scale(name, spec) for name, spec in scales.items()}
    return SamplesView(
        name=str(data.get("name", "default")),
        columns=columns,
        sort=sort,
        multiline=view_bool("multiline", data.get("multiline")),
        compact_scores=view_bool("compact_scores", data.get("compact_scores")),
        score_labels=dict(data["score_labels"]) if data.get("score_labels") else None,
        score_color_scales=scales,
        color_scales_enabled=view_bool("color_scales_enabled", data.get("color_scales_enabled")),
        sample_score_view=score_view,
    )


VIEWER_CONFIG_FIELDS = frozenset(
    {"task_samples_view", "sample_score_view", "scanner_result_view", "trust_content"}
)
"""The fields of Inspect's ``ViewerConfig`` (any one of them marks a whole config)."""

_TRUE_TEXT = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE_TEXT = frozenset({"0", "off", "f", "false", "n", "no"})


def view_bool(name: str, value: Any) -> bool | None:
    """A view's boolean field, read as Inspect's (pydantic) models read it.

    ``None`` stays unset; booleans, 0/1 and the words pydantic accepts (``"false"``,
    ``"off"``, ``"yes"``, …) are read as booleans; anything else raises.

    Example:
        >>> view_bool("multiline", "false"), view_bool("multiline", 1), view_bool("multiline", None)
        (False, True, None)
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE_TEXT:
            return True
        if text in _FALSE_TEXT:
            return False
    raise ValueError(f"view field {name!r} must be true or false, got {value!r}")


def normalize_score_view(value: Any) -> dict[str, Any] | None:
    """Inspect's ``SampleScoreView`` as a dict; the legacy key ``view`` means ``default``.

    Example:
        >>> normalize_score_view({"view": "grid"})
        {'default': 'grid'}
    """
    if value is None:
        return None
    data = _plain(value)
    if not isinstance(data, dict):
        raise TypeError(f"sample_score_view must be a SampleScoreView or a dict, got {data!r}")
    data = dict(data)
    if "view" in data:
        legacy = data.pop("view")
        data.setdefault("default", legacy)
    return data


def normalize_scale(name: str, spec: Any) -> dict[str, Any]:
    """One ``score_color_scales`` entry as ``{"palette", "min", "max"}`` or ``{"roles": {...}}``."""
    spec = _plain(spec)
    if isinstance(spec, str):
        if spec not in PALETTES:
            raise unknown_name_error(f"palette for score {name!r}:", spec, PALETTES)
        return {"palette": spec, "min": None, "max": None}
    if isinstance(spec, dict) and set(spec) == {"roles"} and isinstance(spec["roles"], dict):
        spec = spec["roles"]  # already normalized: validate it again below
    elif isinstance(spec, dict) and "palette" in spec:
        if spec["palette"] not in PALETTES:
            raise unknown_name_error(f"palette for score {name!r}:", spec["palette"], PALETTES)
        return {"palette": spec["palette"], "min": spec.get("min"), "max": spec.get("max")}
    if isinstance(spec, dict):
        for value, role in spec.items():
            if not isinstance(role, str):
                raise TypeError(f"score_color_scales[{name!r}][{value!r}] must be a role name")
            if role not in ROLES:
                raise unknown_name_error(f"role for {name!r} value {value!r}:", role, ROLES)
        return {"roles": {str(k): v for k, v in spec.items()}}
    raise TypeError(f"score_color_scales[{name!r}] must be a palette, ScoreColorScale or role map")


@dataclass
class Column:
    """A column the grid can show: its Inspect-style id and the frame column behind it."""

    id: str
    field: str
    label: str
    kind: Literal["status", "id", "text", "number", "duration", "score", "other"]
    default_visible: bool
    score: ScoreDescriptor | None = None

    def describe(self, df: pl.DataFrame | None = None) -> dict[str, Any]:
        """The JSON the front end receives for this column.

        Given the frame, numeric columns also get the one ``format`` all their cells
        use and ``chars``, the width in characters of their longest value (ids too),
        both from the whole column, so neither changes as the user scrolls.
        """
        out: dict[str, Any] = {
            "id": self.id,
            "field": self.field,
            "label": self.label,
            "kind": self.kind,
        }
        if df is not None and self.field in df.columns and self.kind != "duration":
            values = df.get_column(self.field)
            fmt = number_format(values)
            if fmt is not None:
                out["format"] = fmt
            if fmt is not None or self.kind == "id":
                out["chars"] = _widest(values, fmt)
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


FIXED_DIGITS_MAX = 5
"""Beyond this many decimals a column's numbers are shown in scientific notation."""


def number_format(values: pl.Series) -> dict[str, Any] | None:
    """How every number in a column is shown, chosen once from the column's range.

    ``{"notation": "fixed", "digits": d}`` shows at most ``d`` decimals, enough for
    three significant digits of the smallest non-zero magnitude; when that takes more
    than ``FIXED_DIGITS_MAX`` decimals (or values reach 1e15) the whole column is
    ``scientific`` instead, so 9.17e-7 never sits beside 0.0000012. None for
    columns that do not hold numbers.

    Example:
        >>> number_format(pl.Series([0.5, 0.25]))
        {'notation': 'fixed', 'digits': 3}
        >>> number_format(pl.Series([0.5, 9.17e-7]))
        {'notation': 'scientific', 'digits': 2}
    """
    if not values.dtype.is_numeric():
        return None
    if values.dtype.is_integer():
        return {"notation": "fixed", "digits": 0}
    floats = values.cast(pl.Float64)
    finite = floats.filter(floats.is_finite())
    magnitudes = finite.abs().filter(finite != 0)
    if magnitudes.is_empty() or bool((finite == finite.round(0)).all()):
        return {"notation": "fixed", "digits": 0}
    smallest, largest = float(magnitudes.min()), float(magnitudes.max())  # type: ignore[arg-type]
    digits = max(0, 2 - math.floor(math.log10(smallest)))
    if digits > FIXED_DIGITS_MAX or largest >= 1e15:
        return {"notation": "scientific", "digits": 2}
    return {"notation": "fixed", "digits": digits}


def _widest(values: pl.Series, fmt: dict[str, Any] | None) -> int:
    """Characters in the column's longest value as shown (an estimate that errs wide)."""
    if fmt is None:
        longest = values.cast(pl.String).str.len_chars().max()
        return int(longest) if isinstance(longest, int) else 0
    if values.dtype.is_integer():  # exact digits, even beyond 2**53; room for separators
        texts = [str(v) for v in (values.min(), values.max()) if v is not None]
        return max((len(t) + (len(t) - 1) // 3 for t in texts), default=0)
    floats = values.cast(pl.Float64)
    finite = floats.filter(floats.is_finite())
    if finite.is_empty():
        return 0
    spec = f".{fmt['digits']}e" if fmt["notation"] == "scientific" else f",.{fmt['digits']}f"
    return max(len(format(float(v), spec)) for v in (finite.min(), finite.max()))  # type: ignore[arg-type]


def _has_values(df: pl.DataFrame, col: str) -> bool:
    if col not in df.columns:
        return False
    s = df.get_column(col)
    if s.dtype == pl.String:
        return bool((s.str.len_chars() > 0).any())
    if s.dtype.is_numeric():
        return bool((s.fill_null(0) != 0).any())
    return s.null_count() < s.len()


def available_columns(df: pl.DataFrame, scores: Sequence[ScoreDescriptor]) -> list[Column]:
    """Every column the grid can show, in Inspect's default order, with default visibility.

    As in Inspect: ``epoch`` shows only with more than one epoch; ``error``,
    ``limit``, ``retries`` only when the data has them. Beyond Inspect: task and
    model show when the frame mixes several, and metadata columns are available.
    """
    cols: list[Column] = []
    score_fields = {s.column for s in scores}
    has_error = _has_values(df, "error")
    has_limit = _has_values(df, "limit")

    def builtin(cid: str, kind: Any, visible: bool) -> None:
        fld = BUILTIN_FIELDS[cid]
        if cid == "sampleUuid" and fld not in df.columns:
            fld = "sample_id"  # read_samples keeps the uuid there, as samples_df does
        if fld in df.columns or (cid == "sampleStatus" and (has_error or has_limit)):
            cols.append(Column(cid, fld, BUILTIN_LABELS[cid], kind, visible))

    builtin("sampleStatus", "status", has_error or has_limit)
    for multi in ("task_name", "model"):
        if multi in df.columns:
            shown = df.get_column(multi).n_unique() > 1
            label = "Task" if multi == "task_name" else "Model"
            display = "task_display_name" if multi == "task_name" else "model_display_name"
            fld = display if display in df.columns else multi
            cols.append(Column(multi, fld, label, "other", shown))
    builtin("sampleId", "id", True)
    builtin("sampleUuid", "other", False)
    builtin("epoch", "number", "epoch" in df.columns and df.get_column("epoch").n_unique() > 1)
    for cid in TEXT_FIELDS:
        builtin(cid, "text", True)
    for s in scores:
        # As Inspect's grid: a lone score column is just "Score" (its scorer name adds nothing).
        label = "Score" if len(scores) == 1 else s.name
        cols.append(Column(s.view_id, s.column, label, "score", True, s))
    builtin("tokens", "number", True)
    builtin("duration", "duration", True)
    builtin("retries", "number", _has_values(df, "retries"))
    builtin("error", "text", has_error)
    builtin("limit", "other", has_limit)
    taken = {c.field for c in cols} | {c.id for c in cols} | set(BUILTIN_FIELDS.values())
    taken |= score_fields | HIDDEN_FIELDS
    for name in df.columns:
        if name not in taken and not name.startswith("__"):
            kind: Any = "number" if df.schema[name].is_numeric() else "other"
            cols.append(Column(name, name, name, kind, False))
    return cols


@dataclass
class ResolvedView:
    """A view checked against the data: what the grid shows before any user change."""

    columns: list[dict[str, Any]]
    sort: list[dict[str, str]]
    multiline: bool
    compact_scores: bool
    color_scales_enabled: bool
    score_labels: dict[str, str]
    score_color_scales: dict[str, Any]
    sample_score_view: dict[str, Any] | None


def _score_lookup(columns: Sequence[Column]) -> dict[str, Column]:
    """Score columns by every name a user may use: view id, score name, frame column."""
    out: dict[str, Column] = {}
    for c in columns:
        if c.score is not None:
            out.setdefault(c.score.name, c)
            out[c.id] = c
            out[c.field] = c
    return out


def resolve_column_id(cid: str, columns: Sequence[Column]) -> Column:
    """The column a view entry names; accepts view ids and frame column names."""
    for c in columns:
        if c.id == cid or c.field == cid:
            return c
    raise unknown_name_error("column", cid, [c.id for c in columns])


def _known(cid: str, columns: Sequence[Column]) -> bool:
    return any(cid in (c.id, c.field) for c in columns)


def resolve_view(
    view: SamplesView | None, columns: Sequence[Column], *, strict: bool = True
) -> ResolvedView:
    """Apply an eval author's view to the available columns (built-in defaults fill gaps).

    With ``strict`` (a view the user passes), unknown column ids, sort columns or score
    names raise a ValueError naming them with the close matches. Without it (a view read
    from the logs), what this data lacks is left out with one warning, as Inspect ignores
    ids it does not know. Either way, a view whose columns are *all* unknown (written for
    a different log shape) falls back to the default columns with a warning.
    """
    v = view or SamplesView()
    ids = [c.id for c in columns]
    lookup = _score_lookup(columns)
    ignored: list[str] = []

    def keep(cid: str, is_known: bool) -> bool:
        if is_known or strict:
            return True
        ignored.append(cid)
        return False

    order: list[dict[str, Any]]
    entries = [e for e in (v.columns or []) if keep(e["id"], _known(e["id"], columns))]
    if v.columns and not any(_known(e["id"], columns) for e in v.columns):
        warnings.warn(
            f"view {v.name!r}: none of its columns ({', '.join(e['id'] for e in v.columns)}) "
            "exist in this data; showing the default columns",
            stacklevel=3,
        )
        ignored.clear()
        entries = []
    if entries:
        order = []
        for e in entries:
            col = resolve_column_id(e["id"], columns)
            order.append({"id": col.id, "visible": bool(e.get("visible", True))})
        named = {e["id"] for e in order}
        # Columns the view does not name stay available in the menu, hidden.
        order += [{"id": c.id, "visible": False} for c in columns if c.id not in named]
    else:
        order = [{"id": c.id, "visible": c.default_visible} for c in columns]
    sort = [
        {"column": resolve_column_id(s["column"], columns).id, "dir": s["dir"]}
        for s in (v.sort or [])
        if keep(s["column"], _known(s["column"], columns))
    ]
    score_names = sorted({c.score.name for c in columns if c.score is not None})
    labels = {k: t for k, t in (v.score_labels or {}).items() if keep(k, k in lookup)}
    scales = {k: t for k, t in (v.score_color_scales or {}).items() if keep(k, k in lookup)}
    for key in [*labels, *scales]:
        if key not in lookup:
            raise unknown_name_error("score", key, score_names or ids)
    if ignored:
        warnings.warn(
            f"view {v.name!r} from the logs names what this data lacks; ignored: "
            + ", ".join(dict.fromkeys(ignored)),
            stacklevel=3,
        )
    return ResolvedView(
        columns=order,
        sort=sort,
        multiline=True if v.multiline is None else v.multiline,
        compact_scores=bool(v.compact_scores),
        color_scales_enabled=True if v.color_scales_enabled is None else v.color_scales_enabled,
        score_labels=labels,
        score_color_scales=scales,
        sample_score_view=v.sample_score_view,
    )
