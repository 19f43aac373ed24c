"""SampleGrid's rules over a lazy source (a LazyFrame, DuckDB, Dask...): `LazyGridModel`.

The same surface as `evallens.grid.model.GridModel` for what a lazy source can answer
by plans its engine runs: columns, views, sort (multi-column, top-k first), filters
(expressions; Inspect filter text on polars), the search box, counts, windows, the detail
panel, selection by keys. What needs every row in the kernel (grouping epochs, header
histograms and their ranges, transcript search, breaking out nested columns) raises
`LazySourceError` saying so.

Differences from an in-memory grid, on purpose: rows come in the source's own order until
a sort is set (Inspect's id-then-epoch order would sort the whole dataset before the
first rows show); column widths, number formats and which optional columns show at first
are read from the first `PROBE_ROWS` rows. Score kinds and bounds are exact: aggregates
over every row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import narwhals as nw
import polars as pl

from evallens.engine.query import LazyQuery, Mask
from evallens.engine.source import LazySource, LazySourceError, collect
from evallens.engine.values import descriptor_value_expr, id_sort_expr, is_text, value_expr
from evallens.errors import unknown_name_error
from evallens.grid.columns import STATUS, Column, available_columns
from evallens.grid.filter_language import Scope, compile_filter, completions
from evallens.grid.format import number_stats
from evallens.grid.model import SEARCHED_FIELDS, GridModel, _entries
from evallens.grid.selection import row_indices
from evallens.grid.types import ColumnDef, ColumnState, CompareDetail, DetailReply, SortEntry
from evallens.grid.view import (
    BUILT_IN_VIEW,
    ResolvedView,
    SamplesView,
    normalize_views,
    resolve_view,
)
from evallens.sample.opened import OpenSamples
from evallens.scores import ScoreDescriptor
from evallens.wire import ROW

NEEDS_MEMORY = (
    "{what} needs every row in memory, and this grid reads a lazy {engine} source; "
    "collect the rows you want first (e.g. SampleGrid(lazy.filter(...).collect()))"
)


def needs_memory(what: str, engine: str) -> LazySourceError:
    """The error for a feature a lazy source cannot offer."""
    return LazySourceError(NEEDS_MEMORY.format(what=what, engine=engine))


class LazyHistograms:
    """Header histograms are off on lazy sources: no counts, and no ranges to brush."""

    def __init__(self, engine: str) -> None:
        self.engine = engine

    def check(self, ranges: dict[str, Any]) -> dict[str, Any]:
        """Only no ranges at all."""
        if ranges:
            raise needs_memory("brushing header ranges", self.engine)
        return {}

    def expression(self, ranges: dict[str, Any]) -> None:
        """No ranges, so nothing to add to the filter."""
        return None

    def mask(self, ranges: dict[str, Any]) -> None:
        """No ranges, so no mask."""
        return None

    def counts(self, shown: Sequence[str], mask: Any) -> list[dict[str, Any]]:
        """No histograms."""
        return []

    def reset(self, columns: Any, work: Any) -> None:
        """Nothing kept."""


class LazyKeys:
    """Source rows ↔ sample keys over a lazy source (plans over the few rows asked)."""

    def __init__(self, source: LazySource, columns: Sequence[str] | None) -> None:
        self.source = source
        if columns is None:
            self.columns = list(source.key_columns)
        else:
            for c in columns:
                if c not in source.columns:
                    raise unknown_name_error("column", c, source.columns)
            self.columns = list(columns)

    def keys_for_rows(self, rows: Sequence[int]) -> list[Any]:
        """The keys of source ``rows`` (the rows themselves when there are no keys)."""
        if not self.columns or not rows:
            return list(rows)
        found = self.source.rows(rows, self.columns).select(self.columns)
        return [tuple(r) for r in found.iter_rows()]

    def rows_for_keys(self, keys: Sequence[Any]) -> list[int]:
        """Source rows of ``keys`` (or of row indices); unknown keys raise."""
        if not keys:
            return []
        if not self.columns or all(isinstance(k, int) for k in keys):
            return row_indices(keys, self.source.total)
        cond: nw.Expr | None = None
        for key in keys:
            one: nw.Expr | None = None
            for column, value in zip(self.columns, key, strict=True):
                test = nw.col(column).is_null() if value is None else nw.col(column) == value
                one = test if one is None else one & test
            cond = one if cond is None else cond | one
        assert cond is not None
        found = collect(
            self.source.raw.filter(cond.fill_null(False)).select(ROW, *self.columns),
            streaming=True,
        )
        wanted = pl.DataFrame([tuple(k) for k in keys], schema=self.columns, orient="row")
        matched = wanted.cast(found.select(self.columns).schema).join(
            found, on=self.columns, how="inner", nulls_equal=True, maintain_order="left"
        )
        missing = len(keys) - matched.height
        if missing > 0:
            raise ValueError(f"{missing} of the keys given to `selected` match no sample")
        return matched.get_column(ROW).to_list()


def lazy_sort_exprs(
    columns: Sequence[Column], schema: nw.Schema, *, exact: bool
) -> dict[str, nw.Expr]:
    """How columns sort when their stored type would sort wrongly (as `grid.sorting`).

    ``exact``: the columns' scores are described over every row, so a text score's
    expression needs branches only for the values it holds.
    """
    out: dict[str, nw.Expr] = {}
    for c in columns:
        if c.field not in schema:
            continue
        dtype = schema[c.field]
        if c.score is not None and is_text(dtype) and c.score.is_numeric:
            out[c.field] = (
                descriptor_value_expr(c.score, dtype) if exact else value_expr(c.field, dtype)
            )
        elif c.id == "sampleId" and dtype == nw.String:
            out[c.field] = id_sort_expr(c.field)
    return out


class LazyGridModel:
    """A lazy source's sorted, filtered, searched view, and the rules for changing it.

    Example:
        >>> import evallens
        >>> model = LazyGridModel(LazySource(evallens.demo_samples().lazy()))
        >>> model.apply(model.check_sort([{"column": "score_judge", "dir": "desc"}]), "")
        >>> model.query.count, model.query.window(0, 1)["score_judge"].item()
        (19200, 10)
    """

    _deferred = None
    """Nothing is left to convert (`GridModel.detail`, which it borrows, asks)."""

    def __init__(
        self,
        source: LazySource,
        view: Any = None,
        key_columns: Sequence[str] | None = None,
    ) -> None:
        self.lazy = source
        self._probe = source.probe()
        # The first rows describe the scores until the exact description (a pass over every
        # row) is in: what a sort, a filter or a colour depends on waits for it (`refine`).
        self.scores: list[ScoreDescriptor] = source.first_scores()
        self._exact = source.scores_ready
        self.columns: list[Column] = available_columns(self._probe, self.scores)
        self._schema = source.frame.collect_schema()
        self.query = LazyQuery(
            source, lazy_sort_exprs(self.columns, self._schema, exact=self._exact)
        )
        given = normalize_views(view) if view is not None else None
        self.views: dict[str, ResolvedView] = {
            v.name: resolve_view(v, self.columns, strict=view is not None)
            for v in given or [SamplesView(BUILT_IN_VIEW)]
        }
        self.keys = LazyKeys(source, key_columns)
        self.histograms = LazyHistograms(source.engine)
        self._searched = ""
        self._scope: Scope | None = None
        self.transcript_hits = None
        self.samples = OpenSamples()
        self.compare_detail: Callable[[dict[str, Any]], CompareDetail | None] | None = None

    def refine(self, *, wait: bool = False) -> bool:
        """Take the exact score descriptions once they are in (``wait``: wait for them).

        Returns whether the columns' descriptions changed (the front end needs them again).
        """
        # Engines that describe on use do so at the first refresh (the first interaction).
        wait = wait or not self.lazy.describes_in_background
        if self._exact or not (wait or self.lazy.scores_ready):
            return False
        exact = self.lazy.scores
        self._exact = True
        changed = exact != self.scores
        self.scores = exact
        by_field = {d.column: d for d in exact}
        for column in self.columns:
            if column.score is not None and column.field in by_field:
                column.score = by_field[column.field]
        self.query.set_sort_exprs(lazy_sort_exprs(self.columns, self._schema, exact=True))
        self._scope = None
        return changed

    @property
    def source(self) -> pl.DataFrame:
        """A lazy grid holds no frame: what asks for one needs every row."""
        raise needs_memory(
            "the grid's rows as one polars frame (grid.data, a widget linked to the grid)",
            self.lazy.engine,
        )

    # -- describing ------------------------------------------------------------------------
    def view(self, name: str) -> ResolvedView:
        """The eval view called ``name``; unknown names raise naming the close ones."""
        # GridModel's rule: it reads only what this model has too
        return GridModel.view(self, name)  # type: ignore[arg-type]

    def column(self, cid: str) -> Column:
        """The column a view entry names (view id or frame column); unknown ids raise."""
        return GridModel.column(self, cid)  # type: ignore[arg-type]

    def check_sort(self, value: Any) -> list[SortEntry]:
        """Sort entries by Inspect id or frame column, as ``{"column", "dir"}`` dicts."""
        out: list[SortEntry] = []
        for entry in _entries("sort", value, "column"):
            entry = {"column": entry, "dir": "asc"} if isinstance(entry, str) else dict(entry)
            cid = self.column(str(entry.get("column"))).id
            direction = entry.get("dir", "asc")
            if direction not in ("asc", "desc"):
                raise ValueError(f"sort direction must be 'asc' or 'desc', got {direction!r}")
            out.append({"column": cid, "dir": direction})
        return out

    def check_columns(self, value: Any) -> list[ColumnState]:
        """Column entries in order; columns left out stay in the menu, hidden."""
        return GridModel.check_columns(self, value)  # type: ignore[arg-type]

    settled = True
    """Nothing waits to be settled: a lazy source is read as the grid goes (`refine`)."""

    def settle(self) -> None:
        """Nothing to do (as `GridModel.settle`, for the widget)."""

    def release(self) -> None:
        """Nothing kept to drop (as `GridModel.release`): the engine holds the data."""

    @property
    def _scores(self) -> list[ScoreDescriptor]:
        return self.scores

    def _check_score_keys(self, keys: Any) -> None:
        return GridModel._check_score_keys(self, keys)  # type: ignore[arg-type]

    def check_scales(self, value: dict[str, Any]) -> dict[str, Any]:
        """``score_color_scales`` entries, normalized; unknown scores raise."""
        return GridModel.check_scales(self, value)  # type: ignore[arg-type]

    def check_labels(self, value: dict[str, Any]) -> dict[str, str]:
        """``score_labels`` as text; unknown scores raise."""
        return GridModel.check_labels(self, value)  # type: ignore[arg-type]

    def break_out(self, cid: str) -> list[Column]:
        """Not on lazy sources (the keys of nested values are read from every row)."""
        raise needs_memory("breaking out a nested column", self.lazy.engine)

    def column_defs(self) -> list[ColumnDef]:
        """What the front end needs to know about every column (widths from the first rows)."""
        wanted = [c.field for c in self.columns if c.kind != "duration"]
        stats = number_stats(self._probe, wanted)
        return [c.describe(self._probe, stats) for c in self.columns]

    def storage_key(self, view: str) -> str:
        """Where the browser keeps the user's changes: per column set and view."""
        ident = json.dumps(
            ["lazy", sorted(self.lazy.columns), *([view] if len(self.views) > 1 else [])]
        )
        return "evallens:grid:" + hashlib.sha1(ident.encode()).hexdigest()[:16]

    # -- filters and search ----------------------------------------------------------------
    @property
    def scope(self) -> Scope:
        """The names filter text can use (polars sources; built on first use)."""
        if self._scope is None:
            self._scope = Scope(self.lazy.polars_schema, self.scores)
        return self._scope

    def filter_names(self) -> list[dict[str, str]]:
        """What the filter box completes (on polars sources; nothing elsewhere)."""
        return completions(self.scope) if self.lazy.is_polars else []

    def filter_mask(self, expr: Any) -> Mask | None:
        """The filter as an expression the engine applies.

        Inspect filter text and polars expressions (polars sources), narwhals expressions
        (every engine), or None (as is empty text).
        """
        if expr is None:
            return None
        if isinstance(expr, str):
            if not expr.strip():
                return None
            if not self.lazy.is_polars:
                raise LazySourceError(
                    f"filter text is compiled to polars; this {self.lazy.engine} table takes "
                    "a narwhals expression instead (e.g. nw.col('score_judge') > 5)"
                )
            self.refine(wait=True)  # filter text reads scores by their kinds
            return compile_filter(expr, self.scope)
        if isinstance(expr, pl.Expr):
            for name in expr.meta.root_names():
                if name not in self.lazy.columns and name != STATUS:
                    raise unknown_name_error("column", name, self.lazy.columns)
            return expr
        if isinstance(expr, nw.Expr):
            return expr
        if isinstance(expr, pl.Series | list | tuple) or hasattr(expr, "__array__"):
            raise needs_memory("a filter given as one value per row", self.lazy.engine)
        raise TypeError(
            "grid.filter takes an expression (narwhals, or polars on polars data) or None, "
            f"got {type(expr).__name__}"
        )

    def _search_mask(self, text: str) -> nw.Expr | None:
        text = text.strip()
        fields = [f for f in SEARCHED_FIELDS if f in self.lazy.columns]
        if not text or not fields:
            return None
        cond: nw.Expr | None = None
        for f in fields:
            hit = nw.col(f).cast(nw.String).str.contains(text, literal=True).fill_null(False)
            cond = hit if cond is None else cond | hit
        return cond

    def apply_ranges(self, ranges: dict[str, Any]) -> None:
        """Only no ranges (the header histograms are off)."""
        self.histograms.check(ranges)

    def search_transcripts(self, pattern: str) -> None:
        """Not on lazy sources ("": nothing to do)."""
        if pattern:
            raise needs_memory("transcript search", self.lazy.engine)

    def apply(self, sort: Sequence[SortEntry], search: str, transcript_search: str = "") -> None:
        """Make the query follow the sort and the search."""
        from evallens.grid.query import SortKey

        self.search_transcripts(transcript_search)
        keys = [SortKey(self.column(s["column"]).field, s["dir"] == "desc") for s in sort]
        if any(is_text(self._schema[k.column]) for k in keys if k.column in self._schema):
            self.refine(wait=True)  # whether text sorts by its value depends on every row
        self.query.set_sort(keys)
        if search != self._searched:
            self.query.set_mask("search", self._search_mask(search))
            self._searched = search

    # -- what goes to the browser ----------------------------------------------------------
    def window(self, offset: int, limit: int, columns: Sequence[ColumnState]) -> bytes:
        """Rows ``offset .. offset+limit`` of the view, visible columns only, as Arrow."""
        return GridModel.window(self, offset, limit, columns)  # type: ignore[arg-type]

    def rows_between(self, start: int, end: int) -> list[int]:
        """Source rows at view positions ``start .. end`` (a range selection)."""
        return self.query.rows_at(start, end)

    def detail(self, row: int) -> DetailReply:
        """One sample, whole, with its scores, for the detail panel."""
        return GridModel.detail(self, row)  # type: ignore[arg-type]

    def opened_key(self, row: int) -> dict[str, Any] | None:
        """The ``opened`` value of source ``row``: its key columns by name."""
        return GridModel.opened_key(self, row)  # type: ignore[arg-type]

    def row_of_opened(self, opened: Any) -> int:
        """The source row an ``opened`` value names; unknown keys raise naming them."""
        return GridModel.row_of_opened(self, opened)  # type: ignore[arg-type]

    @property
    def transcripts(self) -> Any:
        """Not on lazy sources."""
        raise needs_memory("transcript search", self.lazy.engine)

    def transcript_hit(self, row: int, limit: int = 20) -> None:
        """No transcript search on lazy sources."""
        return None

    def neighbour(self, row: int, step: int) -> int:
        """The source row ``step`` places from ``row`` in the current view order (-1: none)."""
        at = self.query.position_of(row)
        if at is None:
            first = self.query.rows_at(0, 1)
            return first[0] if step > 0 and first else -1
        if at + step < 0:
            return -1
        found = self.query.rows_at(at + step, at + step + 1)
        return found[0] if found else -1

    def view_frame(self, states: Sequence[ColumnState], columns: Any = "shown") -> pl.DataFrame:
        """The whole view collected (shown columns, every column, or names)."""
        if isinstance(columns, str) and columns == "all":
            fields = list(self.lazy.columns)
        elif isinstance(columns, str) and columns == "shown":
            fields = [self.column(str(s["id"])).field for s in states if s.get("visible")]
        elif isinstance(columns, str):
            raise ValueError(
                f"columns is 'shown', 'all' or a list of column names, got {columns!r}"
            )
        else:
            fields = [c if c in self.lazy.columns else self.column(str(c)).field for c in columns]
        fields = list(dict.fromkeys(fields))
        picked, names = self.lazy.stored(fields)
        rows = self.query.collect_view(picked).rename(names)
        if STATUS in rows.columns:
            rows = rows.rename({STATUS: "status" if "status" not in rows.columns else STATUS})
        return rows

    def selected_samples(self, rows: Sequence[int]) -> pl.DataFrame:
        """Source ``rows`` in view order (rows the filters hide follow, in frame order)."""
        shown = self.query.in_view_order(rows)
        hidden = sorted(set(rows) - set(shown))
        picked, names = self.lazy.stored(self.lazy.columns)
        found = self.lazy.rows([*shown, *hidden], picked)
        return found.select(picked).rename(names)
