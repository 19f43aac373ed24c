"""SampleGrid: the virtualized, sortable sample list."""

from __future__ import annotations

import array
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import traitlets

from evallens.base import EvalLensWidget, bundle, bytes_from_json
from evallens.config import (
    STATUS,
    Column,
    ResolvedView,
    SamplesView,
    available_columns,
    normalize_scale,
    normalize_view,
    resolve_column_id,
    resolve_view,
)
from evallens.errors import unknown_name_error
from evallens.frames import to_frame
from evallens.io import read_viewer_config
from evallens.query import ROW, SampleQuery, SortKey, window_ipc
from evallens.scores import ScoreDescriptor, describe_scores, descriptor_value_expr

FIRST_WINDOW = 100
"""Rows in the widget's initial state: enough to fill a tall grid without the kernel."""

KEY_COLUMNS = ("log", "id", "epoch")
"""A sample's identity: the log it came from, its id, its epoch."""

VIEW_TRAITS = (
    "columns",
    "sort",
    "search",
    "multiline",
    "compact_scores",
    "color_scales_enabled",
    "score_labels",
    "score_color_scales",
)
"""Traits the browser asks the kernel to set (``set_view``) instead of setting them itself."""


def _working_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The frame the grid queries: NaN/inf as missing, a derived sample status.

    Status, first match wins: 'cancelled', 'error', 'limit', else missing.
    """
    fixes = [
        pl.when(pl.col(n).is_finite()).then(pl.col(n)).otherwise(None).alias(n)
        for n, t in df.schema.items()
        if t.is_float()
    ]
    status_parts = []
    if "error" in df.columns:
        err = pl.col("error").cast(pl.String)
        has_error = err.is_not_null() & (err != "")
        # As Inspect's viewer: an error's type is the text before its first "(", and a
        # CancelledError means the sample was cancelled, not that it failed.
        status_parts.append((has_error & err.str.starts_with("CancelledError("), "cancelled"))
        status_parts.append((has_error, "error"))
    if "limit" in df.columns:
        lim = pl.col("limit").cast(pl.String)
        status_parts.append((lim.is_not_null() & (lim != ""), "limit"))
    status: pl.Expr = pl.lit(None, dtype=pl.String)
    for cond, label in reversed(status_parts):
        status = pl.when(cond).then(pl.lit(label)).otherwise(status)
    return df.with_columns(*fixes, status.alias(STATUS))


def _exact_in_js(value: Any) -> Any:
    """A value for a JSON message: integers beyond 2**53 as their digits (JSON.parse rounds them)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53 - 1:
        return str(value)
    return value


def _sort_expr(column: Column, dtype: Any) -> pl.Expr | None:
    """How a column sorts when its stored type would sort wrongly."""
    if column.score is not None and dtype == pl.String and column.score.is_numeric:
        # Pass/fail letters and grades stored as text ('10', '9', … 'I') sort as numbers.
        return descriptor_value_expr(column.score, dtype)
    if column.id == "sampleId" and dtype == pl.String:
        # Ids as text (logs that mix id types): numeric ids in numeric order ('9' < '10').
        text = pl.col(column.field)
        return pl.when(text.str.contains(r"^[0-9]{1,19}$")).then(text.str.zfill(20)).otherwise(text)
    return None


LOG_ORDER = "__log_order"
"""Sort key of the default order: each log where it first appears in the frame."""


def _default_sort(df: pl.DataFrame) -> tuple[list[SortKey], dict[str, pl.Expr]]:
    """Inspect's sample list order: by id, then epoch (within each log, logs as given)."""
    keys: list[SortKey] = []
    exprs: dict[str, pl.Expr] = {}
    if "log" in df.columns:
        # The source row index, not a position in the filtered rows: a filtered partial
        # sort must agree with the full one.
        exprs[LOG_ORDER] = pl.col(ROW).min().over("log")
        keys.append(SortKey(LOG_ORDER))
    keys += [SortKey(name) for name in ("id", "epoch") if name in df.columns]
    return keys, exprs


def _view_from_logs(df: pl.DataFrame) -> SamplesView | None:
    """The eval author's TaskSamplesView, read from the logs the frame came from."""
    if "log" not in df.columns:
        return None
    paths = [
        p for p in df.get_column("log").unique().drop_nulls().to_list()[:64] if Path(p).exists()
    ]
    if not paths:
        return None
    try:
        configs = read_viewer_config(paths)
    except Exception:  # a view is a nicety; the grid must still open
        return None
    for cfg in configs.values():
        view = normalize_view(cfg)
        if view is not None:
            return view
    return None


def _entries(trait: str, value: Any, key: str) -> list[Any]:
    """A view list's entries (column ids or dicts), or a clear TypeError."""
    if isinstance(value, str):
        return [value]  # one column id given on its own
    if not isinstance(value, list | tuple):
        raise TypeError(f"grid.{trait} takes a list, e.g. [{{'{key}': ...}}], got {value!r}")
    for entry in value:
        if not isinstance(entry, str | dict):
            raise TypeError(
                f"grid.{trait} entries are column ids or dicts with '{key}', got {entry!r}"
            )
    return list(value)


class SampleGrid(EvalLensWidget):
    """A virtualized, multi-column-sortable sample list with colour-scaled scores.

    ``data`` is anything ``read_samples`` accepts: a polars or pandas frame, a
    log file, a directory of logs. ``view`` is an Inspect ``TaskSamplesView``
    (or the same fields as a dict); without it, the logs' own view is used.

    Example:
        >>> import evallens
        >>> grid = evallens.SampleGrid(evallens.demo_samples(), view={
        ...     "name": "by judge", "sort": [{"column": "score__judge__judge", "dir": "desc"}],
        ...     "score_color_scales": {"judge": "good-high"}})
        >>> grid.sort
        [{'column': 'score__judge__judge', 'dir': 'desc'}]
    """

    _esm = bundle("grid.js")
    _css = bundle("grid.css")

    # The view: Inspect's TaskSamplesView fields, synced both ways.
    # Entries are dicts once validated; the validators also accept bare column ids.
    columns: traitlets.List[Any] = traitlets.List().tag(sync=True)
    sort: traitlets.List[Any] = traitlets.List().tag(sync=True)
    multiline = traitlets.Bool(True).tag(sync=True)
    compact_scores = traitlets.Bool(False).tag(sync=True)
    color_scales_enabled = traitlets.Bool(True).tag(sync=True)
    score_labels = traitlets.Dict().tag(sync=True)
    score_color_scales = traitlets.Dict().tag(sync=True)
    search = traitlets.Unicode("").tag(sync=True)
    focused = traitlets.Int(-1).tag(sync=True)
    """Source-row index of the sample shown in the detail panel (-1: none)."""

    selected: traitlets.List[Any] = traitlets.List()
    """Keys of the selected samples: ``(log, id, epoch)`` tuples, or row indices."""

    _selected_rows = traitlets.Bytes(b"").tag(sync=True, from_json=bytes_from_json)
    _column_defs = traitlets.List(traitlets.Dict()).tag(sync=True)
    _default_view = traitlets.Dict().tag(sync=True)
    _sample_score_view = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    _storage_key = traitlets.Unicode("").tag(sync=True)
    _initial = traitlets.Bytes(b"").tag(sync=True)
    _revision = traitlets.Int(0).tag(sync=True)
    _count = traitlets.Int(0).tag(sync=True)
    _total = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        data: Any,
        *,
        view: Any = None,
        height: int = 460,
        filter: pl.Expr | None = None,
    ) -> None:
        frame = to_frame(data)
        self._source = frame
        scores = describe_scores(frame)
        work = _working_frame(frame)
        self._all_columns = available_columns(work, scores)
        self._scores: list[ScoreDescriptor] = list(scores)
        sort_exprs = {
            c.field: e
            for c in self._all_columns
            if c.field in work.columns and (e := _sort_expr(c, work.schema[c.field])) is not None
        }
        default_keys, default_exprs = _default_sort(frame)
        self._query = SampleQuery(work, {**sort_exprs, **default_exprs}, default_keys)
        # A view the user passes must be right; one read from the logs is honoured as far
        # as it fits this data (Inspect ignores column ids it does not know).
        eval_view = normalize_view(view) if view is not None else _view_from_logs(frame)
        self._eval_default = resolve_view(eval_view, self._all_columns, strict=view is not None)
        self._key_columns = [c for c in KEY_COLUMNS if c in frame.columns]
        self._viewport = 0
        self._syncing_selection = False
        self._filter_expr: pl.Expr | pl.Series | None = None
        self._searched = ""
        self._batching = False
        self._stale = False
        super().__init__(
            height=height,
            _column_defs=[c.describe(work) for c in self._all_columns],
            _default_view=self._view_state(self._eval_default),
            _sample_score_view=self._eval_default.sample_score_view,
            _storage_key=self._make_storage_key(frame),
            _total=frame.height,
            **self._view_state(self._eval_default),
        )
        if filter is not None:
            self.filter = filter
        self._apply_state()
        self._initial = self._window_bytes(0, FIRST_WINDOW)
        self._handle("window", self._on_window)
        self._handle("detail", self._on_detail)
        self._handle("rows_between", self._on_rows_between)
        self._handle("ping", lambda _msg, _buffers: ({}, []))
        self._handle("set_view", self._on_set_view)
        self.observe(self._on_view_change, ["sort", "columns", "search"])
        self.observe(self._on_selected_rows, ["_selected_rows"])
        self.observe(self._on_selected, ["selected"])

    # -- public API ----------------------------------------------------------------------
    @property
    def data(self) -> pl.DataFrame:
        """The samples frame the grid shows (unsorted, unfiltered)."""
        return self._source

    @property
    def scores(self) -> list[ScoreDescriptor]:
        """The score columns and their detected types."""
        return list(self._scores)

    @property
    def filter(self) -> pl.Expr | pl.Series | None:
        """Rows to show: a boolean polars expression (e.g. ``pl.col("score_judge") > 5``),
        a boolean Series with one value per sample, or None for all."""
        return self._filter_expr

    @filter.setter
    def filter(self, expr: pl.Expr | pl.Series | Sequence[bool] | None) -> None:
        self._query.set_mask("filter", self._filter_mask(expr))
        self._filter_expr = (
            expr if expr is None or isinstance(expr, pl.Expr) else self._mask_of(expr)
        )
        self._refresh()

    @property
    def view_count(self) -> int:
        """Samples currently shown (after filters and search)."""
        return self._query.count

    def visible_rows(self, limit: int | None = None) -> pl.DataFrame:
        """The current view (sorted, filtered) as a frame, optionally the first ``limit``."""
        view = self._query.view if limit is None else self._query.view.slice(0, limit)
        return self._source[view]

    def selected_samples(self) -> pl.DataFrame:
        """The selected samples as a polars frame, in view order (selected samples the
        current filter hides follow, in frame order)."""
        rows = self._selected_row_indices()
        if not rows:
            return self._source.clear()
        view = self._query.view
        shown = view.filter(view.is_in(rows)).to_list()
        hidden = sorted(set(rows) - set(shown))
        return self._source[shown + hidden]

    def reset_view(self) -> None:
        """Drop the user's changes (here and those saved in the browser): back to the eval default."""
        self.set_trait("search", "")
        for name, value in self._view_state(self._eval_default).items():
            self.set_trait(name, value)
        self.send({"type": "reset_view"})

    def set_link_filter(self, name: str, mask: pl.Series | None) -> None:
        """Filter by another widget's selection (used by ``evallens.link``)."""
        self._query.set_mask(f"link:{name}", mask)
        self._refresh()

    # -- validation of trait values set from Python ---------------------------------------
    @traitlets.validate("sort")
    def _valid_sort(self, proposal: Any) -> list[dict[str, str]]:
        out = []
        for entry in _entries("sort", proposal["value"], "column"):
            entry = {"column": entry, "dir": "asc"} if isinstance(entry, str) else dict(entry)
            col = resolve_column_id(str(entry.get("column")), self._all_columns)
            direction = entry.get("dir", "asc")
            if direction not in ("asc", "desc"):
                raise ValueError(f"sort direction must be 'asc' or 'desc', got {direction!r}")
            out.append({"column": col.id, "dir": direction})
        return out

    @traitlets.validate("columns")
    def _valid_columns(self, proposal: Any) -> list[dict[str, Any]]:
        out = []
        seen = set()
        for entry in _entries("columns", proposal["value"], "id"):
            entry = {"id": entry, "visible": True} if isinstance(entry, str) else dict(entry)
            col = resolve_column_id(str(entry.get("id")), self._all_columns)
            if col.id not in seen:
                seen.add(col.id)
                out.append({"id": col.id, "visible": bool(entry.get("visible", True))})
        # Columns left out stay in the menu, hidden.
        out += [{"id": c.id, "visible": False} for c in self._all_columns if c.id not in seen]
        return out

    @traitlets.validate("score_color_scales")
    def _valid_scales(self, proposal: Any) -> dict[str, Any]:
        names = self._score_names()
        out = {}
        for key, spec in proposal["value"].items():
            if key not in names:
                raise unknown_name_error("score", key, sorted({s.name for s in self._scores}))
            out[key] = normalize_scale(key, spec)
        return out

    @traitlets.validate("score_labels")
    def _valid_labels(self, proposal: Any) -> dict[str, str]:
        names = self._score_names()
        for key in proposal["value"]:
            if key not in names:
                raise unknown_name_error("score", key, sorted({s.name for s in self._scores}))
        return {str(k): str(v) for k, v in proposal["value"].items()}

    # -- internals ------------------------------------------------------------------------
    def _score_names(self) -> set[str]:
        return {n for s in self._scores for n in (s.name, s.view_id, s.column)}

    def _mask_of(self, values: Any) -> pl.Series:
        """A boolean Series (or list of bools) given as a filter, checked against the frame."""
        mask = values if isinstance(values, pl.Series) else pl.Series("filter", list(values))
        if mask.dtype != pl.Boolean:
            raise TypeError(f"a filter Series must be boolean, got {mask.dtype}")
        if mask.len() != self._source.height:
            raise ValueError(
                f"a filter Series needs one value per sample: got {mask.len()}, "
                f"the grid has {self._source.height}"
            )
        return mask

    def _filter_mask(self, expr: Any) -> pl.Series | None:
        if expr is None:
            return None
        if isinstance(expr, str):
            raise TypeError(
                f"grid.filter takes a polars expression, not text: e.g. "
                f"pl.col('score_x') > 0 instead of {expr!r}"
            )
        if not isinstance(expr, pl.Expr):
            if isinstance(expr, pl.Series | list | tuple) or hasattr(expr, "__array__"):
                return self._mask_of(expr)
            raise TypeError(
                "grid.filter takes a polars expression, a boolean Series or None, "
                f"got {type(expr).__name__}"
            )
        for name in expr.meta.root_names():
            if name not in self._source.columns:
                raise unknown_name_error("column", name, self._source.columns)
        return self._query.mask_for(expr)

    @staticmethod
    def _view_state(v: ResolvedView) -> dict[str, Any]:
        return {
            "columns": [dict(c) for c in v.columns],
            "sort": [dict(s) for s in v.sort],
            "multiline": v.multiline,
            "compact_scores": v.compact_scores,
            "color_scales_enabled": v.color_scales_enabled,
            "score_labels": dict(v.score_labels),
            "score_color_scales": dict(v.score_color_scales),
        }

    @staticmethod
    def _make_storage_key(df: pl.DataFrame) -> str:
        tasks: Iterable[str] = []
        if "task_name" in df.columns:
            tasks = sorted(str(t) for t in df.get_column("task_name").unique().drop_nulls())
        ident = json.dumps([list(tasks), sorted(df.columns)])
        return "evallens:grid:" + hashlib.sha1(ident.encode()).hexdigest()[:16]

    def _column(self, cid: str) -> Column:
        return resolve_column_id(cid, self._all_columns)

    def _visible_fields(self) -> list[str]:
        fields = [self._column(c["id"]).field for c in self.columns if c.get("visible")]
        return list(dict.fromkeys([STATUS, *fields]))

    def _apply_state(self) -> None:
        self._query.set_sort(
            [SortKey(self._column(s["column"]).field, s["dir"] == "desc") for s in self.sort]
        )
        # A column or sort change must not rescan every sample's text for the search.
        if self.search != self._searched:
            self._query.set_mask("search", self._search_mask(self.search))
            self._searched = self.search
        self._count = self._query.count

    def _search_mask(self, text: str) -> pl.Series | None:
        text = text.strip()
        if not text:
            return None
        fields = [f for f in ("input", "target", "answer", "id") if f in self._source.columns]
        if not fields:
            return None
        cond = pl.lit(False)
        for f in fields:
            cond = cond | pl.col(f).cast(pl.String).str.contains(text, literal=True)
        return self._query.mask_for(cond.fill_null(False))

    def _window_bytes(self, offset: int, limit: int) -> bytes:
        return window_ipc(self._query, offset, limit, self._visible_fields())

    def _refresh(self) -> None:
        """Recompute the view and push the rows at the user's scroll position.

        The message names the sort its rows have, so the browser draws the arrows with
        the rows; and ``_initial`` follows the view, so the state a notebook saves shows
        rows that match its saved sort, search and columns when reopened without a kernel.
        """
        with self.hold_sync():
            self._apply_state()
            self._revision += 1
            # Rows arrive in blocks of FIRST_WINDOW; answer with the block the user is looking at.
            last_block = max(0, self._query.count - 1) // FIRST_WINDOW * FIRST_WINDOW
            offset = min(self._viewport // FIRST_WINDOW * FIRST_WINDOW, last_block)
            rows = self._window_bytes(offset, FIRST_WINDOW)
            self.send(
                {
                    "type": "refresh",
                    "revision": self._revision,
                    "count": self._query.count,
                    "offset": offset,
                    "sort": self.sort,
                },
                [rows],
            )
            self._initial = rows if offset == 0 else self._window_bytes(0, FIRST_WINDOW)
        self._query.warm()

    def _on_view_change(self, _change: Any) -> None:
        if self._batching:
            self._stale = True
        else:
            self._refresh()

    def _on_set_view(
        self, msg: dict[str, Any], _buffers: list[bytes]
    ) -> tuple[dict[str, Any], list[bytes]]:
        """The browser's view edits, applied here first and all or nothing, with one refresh.

        The browser shows a new sort or column only with the rows it produces, so an edit
        no kernel receives changes nothing on screen or in the notebook's saved state.
        """
        view = dict(msg.get("view") or {})
        for name in view:
            if name not in VIEW_TRAITS:
                raise unknown_name_error("view field", name, VIEW_TRAITS)
        before = {name: getattr(self, name) for name in view}
        self._batching, self._stale = True, False
        try:
            with self.hold_sync():
                try:
                    for name, value in view.items():
                        setattr(self, name, value)
                except Exception:
                    for name, value in before.items():
                        setattr(self, name, value)
                    raise
                if self._stale:  # inside hold_sync: the rows go out before the new state
                    self._refresh()
        finally:
            self._batching = False
        return {}, []

    def _on_window(
        self, msg: dict[str, Any], _buffers: list[bytes]
    ) -> tuple[dict[str, Any], list[bytes]]:
        offset = int(msg.get("offset", 0))
        limit = min(int(msg.get("limit", FIRST_WINDOW)), 2000)
        self._viewport = int(msg.get("viewport", offset))
        body = {"revision": self._revision, "offset": offset, "count": self._query.count}
        return body, [self._window_bytes(offset, limit)]

    def _on_rows_between(
        self, msg: dict[str, Any], _buffers: list[bytes]
    ) -> tuple[dict[str, Any], list[bytes]]:
        start, end = int(msg["start"]), int(msg["end"])
        rows = self._query.view.slice(start, max(0, end - start)).cast(pl.UInt32)
        return {}, [array.array("I", rows.to_list()).tobytes()]

    def _on_detail(
        self, msg: dict[str, Any], _buffers: list[bytes]
    ) -> tuple[dict[str, Any], list[bytes]]:
        row = int(msg["row"])
        values = self._query.row(row)
        sample = {k: _exact_in_js(v) for k, v in values.items() if not k.startswith("__")}
        scores = [
            {
                "name": s.name,
                "scorer": s.scorer,
                "column": s.column,
                "type": s.kind,
                "value": _exact_in_js(values.get(s.column)),
            }
            for s in self._scores
        ]
        body = {"row": row, "sample": json.loads(json.dumps(sample, default=str)),
                "scores": json.loads(json.dumps(scores, default=str))}  # fmt: skip
        return body, []

    # -- selection ------------------------------------------------------------------------
    def _selected_row_indices(self) -> list[int]:
        raw = self._selected_rows
        return list(memoryview(raw).cast("I")) if raw else []

    def _keys_for_rows(self, rows: Sequence[int]) -> list[Any]:
        if not self._key_columns or not rows:
            return list(rows)
        picked = self._source.select(self._key_columns)[list(rows)]
        return [tuple(r) for r in picked.iter_rows()]

    def _rows_for_keys(self, keys: Sequence[Any]) -> list[int]:
        if not keys:
            return []
        if not self._key_columns or all(isinstance(k, int) for k in keys):
            height = self._source.height
            outside = [k for k in keys if not isinstance(k, int) or not 0 <= k < height]
            if outside:
                raise ValueError(
                    f"selected rows must be row indices 0..{height - 1}; got {outside[:5]}"
                )
            return [int(k) for k in keys]
        wanted = pl.DataFrame(
            [tuple(k) for k in keys], schema=self._key_columns, orient="row"
        ).cast(self._source.select(self._key_columns).schema)
        found = (
            self._source.select(self._key_columns)
            .with_row_index("__r")
            .join(wanted, on=self._key_columns)
        )
        missing = len(wanted) - found.height
        if missing > 0:
            raise ValueError(f"{missing} of the keys given to `selected` match no sample")
        return found.get_column("__r").to_list()

    def _on_selected_rows(self, _change: Any) -> None:
        if self._syncing_selection:
            return
        self._syncing_selection = True
        try:
            self.selected = self._keys_for_rows(self._selected_row_indices())
        finally:
            self._syncing_selection = False

    def _on_selected(self, change: Any) -> None:
        if self._syncing_selection:
            return
        rows = self._rows_for_keys(change["new"])
        self._syncing_selection = True
        try:
            self._selected_rows = array.array("I", rows).tobytes()
        finally:
            self._syncing_selection = False
