"""Inspect's `TaskSamplesView` vocabulary: normalize views and resolve them to columns.

An eval author's view works unchanged: pass an ``inspect_ai.viewer.TaskSamplesView``,
a ``ViewerConfig``, a list of views (the first is the default, as in Inspect; the grid
offers the others by name), or the same fields as a plain dict.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from evallens.errors import unknown_name_error
from evallens.grid.columns import Column, resolve_column_id
from evallens.io import read_viewer_config

PALETTES: tuple[str, ...] = ("good-high", "good-low", "neutral", "diverging")
ROLES: tuple[str, ...] = ("good", "bad", "warn", "info", "muted")
BUILT_IN_VIEW = "Default"
"""The name of the view a grid shows when neither the user nor the logs give one."""


@dataclass
class SamplesView:
    """A normalized ``TaskSamplesView``: every field optional, as in Inspect.

    ``name`` is required there; `normalize_views` gives one to views that lack it.
    """

    name: str = ""
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
    """The first (default) view of what `normalize_views` accepts; None stays None.

    Example:
        >>> normalize_view({"name": "v", "multiline": False}).multiline
        False
    """
    views = normalize_views(view)
    return views[0] if views else None


def normalize_views(view: Any) -> list[SamplesView]:
    """Accept a TaskSamplesView, ViewerConfig, list of views, or dict; None gives none.

    Every view gets a name a user can pick it by: a view without one is ``"View 1"``,
    ``"View 2"``... by its place in the list, and a repeated name gets a number
    (``"judge"``, ``"judge (2)"``). A ViewerConfig's ``sample_score_view`` goes with each.

    Example:
        >>> [v.name for v in normalize_views([{"name": "judge"}, {}, {"name": "judge"}])]
        ['judge', 'View 2', 'judge (2)']
    """
    if view is None:
        return []
    if isinstance(view, SamplesView):
        return [view]
    data = _plain(view)
    if isinstance(data, list):
        return _named([_one_view(item) for item in data])
    if not isinstance(data, dict):
        raise TypeError(f"view must be a TaskSamplesView or a dict, got {type(view).__name__}")
    if VIEWER_CONFIG_FIELDS & set(data):  # a whole ViewerConfig (any of its fields)
        extra = sorted(set(data) - VIEWER_CONFIG_FIELDS)
        if extra:
            raise unknown_name_error("ViewerConfig field", extra[0], sorted(VIEWER_CONFIG_FIELDS))
        views = normalize_views(data.get("task_samples_view")) or [SamplesView(BUILT_IN_VIEW)]
        score_view = normalize_score_view(data.get("sample_score_view"))
        for inner in views:
            inner.sample_score_view = score_view
        return views
    return _named([_one_view(data)])


def _named(views: list[SamplesView]) -> list[SamplesView]:
    """Views with a name each, unique: ``View <n>`` for none, ``<name> (2)`` for a repeat."""
    taken: set[str] = set()
    for place, v in enumerate(views, start=1):
        base = v.name.strip() or f"View {place}"
        name, count = base, 1
        while name in taken:
            count += 1
            name = f"{base} ({count})"
        v.name = name
        taken.add(name)
    return views


def _one_view(view: Any) -> SamplesView:
    """One TaskSamplesView (or its fields as a dict), checked and normalized."""
    if isinstance(view, SamplesView):
        return view
    data = _plain(view)
    if not isinstance(data, dict):
        raise TypeError(f"view must be a TaskSamplesView or a dict, got {type(view).__name__}")
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
    name = data.get("name")
    return SamplesView(
        name="" if name is None else str(name),
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
    v = view or SamplesView(BUILT_IN_VIEW)
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


def views_from_logs(df: pl.DataFrame, logs: pl.Series | None = None) -> list[SamplesView]:
    """The eval author's TaskSamplesViews, read from the logs the frame came from.

    ``logs``: the frame's ``log`` values, when a shorter list of them is known (each at
    least once, e.g. one per run of rows).
    """
    if "log" not in df.columns:
        return []
    logs = df.get_column("log") if logs is None else logs
    paths = [p for p in logs.unique().drop_nulls().to_list()[:64] if Path(p).exists()]
    if not paths:
        return []
    try:
        configs = read_viewer_config(paths)
    except Exception:  # a view is a nicety; the grid must still open
        return []
    return views_of_tasks(configs)


def views_of_tasks(configs: Mapping[str, Any]) -> list[SamplesView]:
    """The views a grid over several tasks offers, given each task's ``ViewerConfig``.

    Tasks whose config has no sample list view (nor a ``sample_score_view``) do not
    count. When the others carry the same views, those are offered; when they differ,
    none is, with a warning: Inspect's viewer applies a task's views to that task's own
    sample list only, and its list of samples across tasks uses its built-in view.

    Example:
        >>> views = views_of_tasks({"a": {"task_samples_view": [{"name": "x"}, {"name": "y"}]},
        ...                         "b": {"trust_content": False}})
        >>> [v.name for v in views]
        ['x', 'y']
    """
    offered: dict[str, list[SamplesView]] = {}
    for task, config in configs.items():
        data = _plain(config)
        if isinstance(data, dict) and any(
            data.get(k) is not None for k in ("task_samples_view", "sample_score_view")
        ):
            offered[task] = normalize_views(data)
    distinct = _distinct(offered.values())
    if len(distinct) > 1:
        warnings.warn(
            f"tasks {', '.join(sorted(offered))} carry different sample list views; "
            "showing the built-in view, as Inspect's viewer does for samples of several "
            "tasks (pass view= to choose one)",
            stacklevel=5,
        )
        return []
    return distinct[0] if distinct else []


def _distinct(lists: Iterable[list[SamplesView]]) -> list[list[SamplesView]]:
    """Each different list once, in order (views are compared field by field)."""
    out: list[list[SamplesView]] = []
    for views in lists:
        if views not in out:
            out.append(views)
    return out


def view_state(v: ResolvedView) -> dict[str, Any]:
    """The traits a resolved view sets (``_default_view`` holds the eval's own)."""
    return {
        "columns": [dict(c) for c in v.columns],
        "sort": [dict(s) for s in v.sort],
        "multiline": v.multiline,
        "compact_scores": v.compact_scores,
        "color_scales_enabled": v.color_scales_enabled,
        "score_labels": dict(v.score_labels),
        "score_color_scales": dict(v.score_color_scales),
    }
