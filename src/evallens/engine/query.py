"""Sort, filter, count and window a lazy source, each as one plan its engine runs.

The lazy counterpart of `evallens.grid.query.SampleQuery`. Nothing is held per row: a
filter is a list of expressions, a sort a list of keys, and a window is the plan
filter → sort (missing values last, ties in source order) → slice, so polars and DuckDB
answer the first window of a new sort with a top-k and stream the rest. Counts are cached
per filter state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import narwhals as nw
import polars as pl

from evallens.engine.source import LazySource, LazySourceError, collect, from_native
from evallens.grid.query import SortKey
from evallens.wire import ROW

Mask = nw.Expr | pl.Expr
"""A named filter: a narwhals expression (any engine) or a polars one (polars sources)."""


class LazyQuery:
    """The sorted, filtered view of a lazy source, served in windows.

    Example:
        >>> src = LazySource(pl.LazyFrame({"x": [3, 1, None, 2]}))
        >>> q = LazyQuery(src)
        >>> q.set_sort([SortKey("x", descending=True)])
        >>> q.window(0, 3)["x"].to_list(), q.count
        ([3, 2, 1], 4)
    """

    def __init__(self, source: LazySource, sort_exprs: Mapping[str, nw.Expr] | None = None) -> None:
        self.source = source
        self._sort_exprs = dict(sort_exprs or {})
        self._sort: tuple[SortKey, ...] = ()
        self._masks: dict[str, Mask] = {}
        self._counts: dict[tuple[int, ...], int] = {}
        self.mask_version = 0
        """Counts changes of the named filters: what depends on the rows kept compares it."""

    # -- state -------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Rows in the source, before any filter."""
        return self.source.total

    @property
    def sort(self) -> tuple[SortKey, ...]:
        """The sort set (empty: the source's own order)."""
        return self._sort

    default_sort: tuple[SortKey, ...] = ()
    """A lazy source is served in its own order while no sort is set."""

    def set_sort(self, keys: Sequence[SortKey]) -> None:
        """Sort by ``keys`` (first key first); missing values last either way."""
        self._sort = tuple(keys)

    def set_sort_exprs(self, sort_exprs: Mapping[str, nw.Expr]) -> None:
        """What columns sort by (the score descriptions changed)."""
        self._sort_exprs = dict(sort_exprs)

    def set_mask(self, name: str, mask: Mask | None) -> None:
        """Set (or clear, with None) one named filter expression; all named filters AND."""
        if mask is None:
            if self._masks.pop(name, None) is None:
                return
        else:
            if isinstance(mask, pl.Expr) and not self.source.is_polars:
                raise LazySourceError(
                    f"a polars expression filters polars data; this {self.source.engine} "
                    "table takes a narwhals expression (e.g. nw.col('score_x') > 0)"
                )
            if not isinstance(mask, nw.Expr | pl.Expr):
                raise TypeError(
                    "a lazy grid's filter is an expression (narwhals, or polars for polars "
                    f"data), not {type(mask).__name__}"
                )
            self._masks[name] = mask
        self.mask_version += 1

    def masks(self, exclude: Sequence[str] = ()) -> list[Mask]:
        """The named filters in force, but those named in ``exclude``."""
        return [m for name, m in self._masks.items() if name not in exclude]

    def combined_mask(self, exclude: Sequence[str] = ()) -> None:
        """Lazy sources hold no row masks (the header histograms are off)."""
        return None

    def warm(self) -> None:
        """Nothing to prepare: every window is a plan of its own."""

    # -- plans ---------------------------------------------------------------------------
    def filtered(
        self, exclude: Sequence[str] = (), base: nw.LazyFrame[Any] | None = None
    ) -> nw.LazyFrame[Any]:
        """The grid's frame (or ``base``, rows of it) with the named filters applied."""
        plan = self.source.frame if base is None else base
        for mask in self.masks(exclude):
            if isinstance(mask, pl.Expr):
                native = plan.to_native().filter(mask)
                plan = from_native(native)
            else:
                plan = plan.filter(mask.fill_null(False))
        return plan

    def key_expr(self, key: SortKey) -> nw.Expr:
        """What rows sort by for ``key``: its sort expression, else the column."""
        return self._sort_exprs.get(key.column, nw.col(key.column))

    def _keyed(self, plan: nw.LazyFrame[Any]) -> tuple[nw.LazyFrame[Any], list[str]]:
        """``plan`` with the sort's keys as columns, and their names."""
        names = [f"__key{i}" for i in range(len(self._sort))]
        keyed = plan.with_columns(
            self.key_expr(k).alias(n) for k, n in zip(self._sort, names, strict=True)
        )
        return keyed, names

    def _ordered(self, keyed: nw.LazyFrame[Any], names: list[str]) -> nw.LazyFrame[Any]:
        """Rows by the sort's keys (missing last), ties in source order."""
        descending = [k.descending for k in self._sort] + [False]
        return keyed.sort([*names, ROW], descending=descending, nulls_last=True)

    def _sorted(self, plan: nw.LazyFrame[Any]) -> tuple[nw.LazyFrame[Any], list[str]]:
        if not self._sort:
            return plan, []
        keyed, names = self._keyed(plan)
        return self._ordered(keyed, names), names

    def _natural_order(self) -> bool:
        # polars, DuckDB (insertion order) and Dask keep the source order through a filter
        impl = self.source.raw.implementation
        return bool(impl.is_polars() or impl.is_duckdb() or impl.is_dask())

    def plan(self, columns: Sequence[str] | None = None) -> nw.LazyFrame[Any]:
        """The whole view, in order (filters, then the sort), as a plan.

        With ``columns``, only those (the sort keys stay too, on engines whose optimizer
        would drop them before sorting: Dask's).
        """
        plan, names = self._sorted(self.filtered())
        if not names and not self._natural_order():
            plan = plan.sort(ROW)
        if columns is None:
            return plan.drop(names) if names else plan
        keep = list(columns)
        if names and not (self.source.is_polars or self.source.raw.implementation.is_duckdb()):
            keep += [n for n in [*names, ROW] if n not in keep]
        return plan.select(keep)

    def collect_view(self, columns: Sequence[str]) -> pl.DataFrame:
        """The whole view as a polars frame: ``columns`` of every row it shows, in order.

        polars and DuckDB sort in the engine. Other engines hand over the view's rows with
        their sort keys, unsorted, and polars orders them by the same rule (keys, missing
        last, then source order): the rows end in memory anyway, and Dask's sort of a
        filtered frame computes its partition bounds inside the graph it is building,
        which never returned on a cluster whose scheduler runs in this process.
        """
        impl = self.source.raw.implementation
        if not self._sort or impl.is_polars() or impl.is_duckdb():
            return collect(self.plan(columns), streaming=True).select(columns)
        keyed, names = self._keyed(self.filtered())
        rows = collect(keyed.select(*dict.fromkeys([*columns, ROW, *names])))
        return collect(self._ordered(from_native(rows.lazy()), names)).select(columns)

    # -- answers -------------------------------------------------------------------------
    @property
    def count(self) -> int:
        """Rows in the current view (one count per filter state, cached)."""
        if not self._masks:
            return self.total
        state = tuple(id(m) for m in self._masks.values())
        if state not in self._counts:
            plan = self.filtered().select(nw.len())
            self._counts[state] = int(collect(plan, streaming=True).item())
        return self._counts[state]

    def window(self, offset: int, limit: int, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Rows ``offset .. offset+limit`` of the view (with the hidden row column)."""
        offset, limit = max(0, offset), max(0, limit)
        cols = [ROW, *(c for c in (columns or self.source.frame.columns) if c != ROW)]
        if not self._sort and not self._masks and self._natural_order():
            return self.source.slice(offset, limit, cols)
        # Two steps: which rows (the sort keys and filters alone: a top-k for the first
        # window), then those rows' values. Sorting every shown column (long texts) cost
        # polars ~40 s and 3 GB at 100M rows; the keys alone, ~1 s and 130 MB.
        rows = _slice(self.plan([ROW]), offset, limit).get_column(ROW).to_list()
        return self.source.rows(rows, cols).select(cols)

    def row(self, row: int) -> dict[str, Any]:
        """One source row as a dict (full values, nothing truncated)."""
        found = self.source.rows([row])
        if found.height == 0:
            raise IndexError(f"row {row} is outside the frame (0..{self.total - 1})")
        return found.row(0, named=True)

    def _before(self, row: int) -> nw.Expr:
        """Rows the view shows before source ``row`` (its key values read first)."""
        keys = self._sort
        probe, names = self._keyed(self.source.frame.filter(nw.col(ROW) == row))
        values = collect(probe.select(ROW, *names))
        if values.height == 0:
            raise IndexError(f"row {row} is outside the frame")
        here = values.row(0, named=True)
        before: nw.Expr = nw.col(ROW) < row
        for key, name in reversed(list(zip(keys, names, strict=True))):
            v = here[name]
            col = self.key_expr(key)
            if v is None:  # missing values sort last: every present value comes first
                first, same = ~col.is_null(), col.is_null()
            else:
                first = (col > v) if key.descending else (col < v)
                same = col == v
            before = first.fill_null(False) | (same.fill_null(False) & before)
        return before

    def position_of(self, row: int) -> int | None:
        """Where source ``row`` sits in the current view, or None when filtered out."""
        kept = self.filtered().filter(nw.col(ROW) == row).select(nw.len())
        if int(collect(kept).item()) == 0:
            return None
        if not self._sort:
            earlier = self.filtered().filter(nw.col(ROW) < row)
        else:
            earlier = self.filtered().filter(self._before(row))
        return int(collect(earlier.select(nw.len()), streaming=True).item())

    def in_view_order(self, rows: Sequence[int]) -> list[int]:
        """Those of source ``rows`` the view shows, in its order (a plan over them alone)."""
        found = self.source.rows(sorted(set(rows)))
        ordered, _ = self._sorted(self.filtered(base=from_native(found.lazy())))
        if not self._sort:
            ordered = ordered.sort(ROW)
        return collect(ordered.select(ROW)).get_column(ROW).to_list()

    def rows_at(self, start: int, end: int) -> list[int]:
        """Source rows at view positions ``start .. end``."""
        return self.window(start, max(0, end - start), [ROW]).get_column(ROW).to_list()


def _slice(plan: nw.LazyFrame[Any], offset: int, limit: int) -> pl.DataFrame:
    """Rows ``offset .. offset+limit`` of a plan, by the engine's own slice where it has one."""
    native = plan.to_native()
    impl = plan.implementation
    slicer: Callable[[], Any] | None = None
    if impl.is_polars():
        slicer = lambda: native.slice(offset, limit)  # noqa: E731
    elif impl.is_duckdb():
        slicer = lambda: native.limit(limit, offset)  # noqa: E731
    if slicer is not None:
        return collect(from_native(slicer()), streaming=True)
    # Engines without an offset: the first offset+limit rows, then the last limit of them.
    return collect(plan.head(offset + limit)).slice(offset, limit)
