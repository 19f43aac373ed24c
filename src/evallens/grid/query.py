"""Sort, filter and window a samples frame in the kernel.

The browser never holds the whole table: it asks for windows of rows by offset.
A view is the permutation of row indices that the current sort and filter
select; sorting computes a permutation once per key list and caches it, and a
filter is a boolean mask over all rows that composes with any cached sort.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import polars as pl

from evallens.wire import ROW

_PERM_CACHE_SIZE = 8
PARTIAL_SORT_ROWS = 50_000
"""From this many rows, a new sort answers its first window from a partial sort (at 100k
rows a top-k takes ~3 ms, a full sort ~10 ms, several times that on a busy machine)."""


@dataclass(frozen=True)
class SortKey:
    """One entry of a multi-column sort: a frame column and its direction."""

    column: str
    descending: bool = False


class SampleQuery:
    """The sorted, filtered view of one frame, served in windows.

    Example:
        >>> q = SampleQuery(pl.DataFrame({"x": [3, 1, 2]}))
        >>> q.set_sort([SortKey("x")])
        >>> q.window(0, 2)["x"].to_list()
        [1, 2]
    """

    def __init__(
        self,
        df: pl.DataFrame,
        sort_exprs: Mapping[str, pl.Expr] | None = None,
        default_sort: Sequence[SortKey] = (),
        partial_sort_rows: int = PARTIAL_SORT_ROWS,
    ) -> None:
        self.df = df.with_row_index(ROW) if ROW not in df.columns else df
        self._partial_sort_rows = partial_sort_rows
        self._sort_exprs = dict(sort_exprs or {})
        self._default_sort = tuple(default_sort)
        self._perms: OrderedDict[tuple[SortKey, ...], pl.Series] = OrderedDict()
        self._lock = threading.Lock()
        self._sort: tuple[SortKey, ...] = ()
        self._masks: dict[str, pl.Series] = {}
        self.mask_version = 0
        """Counts changes of the named filters: what depends on the rows kept compares it."""
        self._view: pl.Series | None = None
        self._pending: dict[tuple[SortKey, ...], Future[pl.Series]] = {}

    def add_columns(self, columns: Sequence[pl.Series], sort_exprs: Mapping[str, pl.Expr]) -> None:
        """New columns (one value per row, in the frame's order) and their sort keys.

        The rows, their order, filters and cached sorts stay as they are.
        """
        with self._lock:
            self.df = self.df.with_columns(columns)
            self._sort_exprs.update(sort_exprs)

    def set_column(self, column: pl.Series) -> None:
        """Replace (or add) one column's values, in frame order; sorts by it are dropped."""
        if column.len() != self.df.height:
            raise ValueError(
                f"column {column.name!r} has {column.len()} rows, frame has {self.df.height}"
            )
        with self._lock:
            self.df = self.df.with_columns(column)
            for keys in [k for k in self._perms if any(key.column == column.name for key in k)]:
                del self._perms[keys]
        if any(key.column == column.name for key in self._keys):
            self._view = None

    # -- state -------------------------------------------------------------------------
    @property
    def total(self) -> int:
        """Rows in the frame, before any filter."""
        return self.df.height

    @property
    def sort(self) -> tuple[SortKey, ...]:
        """The sort set (empty: the default order, if any)."""
        return self._sort

    @property
    def default_sort(self) -> tuple[SortKey, ...]:
        """The order rows are served in while no sort is set (empty: frame order)."""
        return self._default_sort

    @property
    def _keys(self) -> tuple[SortKey, ...]:
        """The order rows are served in: the sort, else the default order (if any)."""
        return self._sort or self._default_sort

    def set_sort(self, keys: Sequence[SortKey]) -> None:
        """Sort by ``keys`` (first key first); missing values last either way."""
        if tuple(keys) != self._sort:
            self._sort = tuple(keys)
            self._view = None

    def set_mask(self, name: str, mask: pl.Series | None) -> None:
        """Set (or clear, with None) one named boolean filter; all named filters AND."""
        if mask is None:
            self._masks.pop(name, None)
        else:
            if mask.len() != self.df.height:
                raise ValueError(
                    f"filter {name!r} has {mask.len()} rows, frame has {self.df.height}"
                )
            self._masks[name] = mask.fill_null(False)
        self._view = None
        self.mask_version += 1

    def mask_for(self, expr: pl.Expr) -> pl.Series:
        """Evaluate a boolean polars expression over the whole frame.

        A scalar result (such as ``pl.lit(True)``) applies to every row.
        """
        out = self.df.select(pl.col(ROW), expr.alias("__mask")).get_column("__mask")
        if out.dtype != pl.Boolean:
            raise ValueError(
                f"a filter must be a boolean expression (e.g. pl.col('score_x') > 0); "
                f"this one gives {out.dtype} values"
            )
        return out

    # -- views -------------------------------------------------------------------------
    def _key_expr(self, key: SortKey) -> pl.Expr:
        return self._sort_exprs.get(key.column, pl.col(key.column))

    def _compute_permutation(self, keys: tuple[SortKey, ...]) -> pl.Series:
        # One stable single-key sort per key, last key first (LSD order): polars'
        # multi-key arg_sort_by is several times slower on float keys with many ties.
        perm: pl.Series | None = None
        for key in reversed(keys):
            expr = self._key_expr(key)
            if perm is not None:
                expr = expr.gather(perm)
            order = self.df.select(
                pl.arg_sort_by(
                    [expr.alias("__key")],
                    descending=[key.descending],
                    nulls_last=True,
                    maintain_order=True,
                ).alias("__perm")
            ).to_series()
            perm = order if perm is None else perm.gather(order)
        assert perm is not None
        return perm.cast(pl.UInt32)

    def permutation(self, keys: tuple[SortKey, ...]) -> pl.Series:
        """Row indices of the whole frame in ``keys`` order (cached per key list)."""
        with self._lock:
            cached = self._perms.get(keys)
            if cached is not None:
                self._perms.move_to_end(keys)
                return cached
            pending = self._pending.get(keys)
        if pending is not None:
            return pending.result()
        perm = self._compute_permutation(keys)
        self._store(keys, perm)
        return perm

    def _store(self, keys: tuple[SortKey, ...], perm: pl.Series) -> None:
        with self._lock:
            self._perms[keys] = perm
            self._pending.pop(keys, None)
            while len(self._perms) > _PERM_CACHE_SIZE:
                self._perms.popitem(last=False)

    def _sort_in_background(self, keys: tuple[SortKey, ...]) -> None:
        with self._lock:
            if keys in self._perms or keys in self._pending:
                return
            future: Future[pl.Series] = Future()
            self._pending[keys] = future

        def work() -> None:
            try:
                perm = self._compute_permutation(keys)
            except BaseException as exc:  # surfaced to whoever waits on the view
                with self._lock:
                    self._pending.pop(keys, None)
                future.set_exception(exc)
                return
            self._store(keys, perm)
            future.set_result(perm)

        threading.Thread(target=work, name="evallens-sort", daemon=True).start()

    def head(self, k: int) -> pl.Series:
        """The first ``k`` rows of the view, without waiting for a full sort.

        On a large frame, the first window after a new sort comes from a partial
        sort (polars turns sort + head into a top-k), while the full permutation
        is built on a background thread and cached for scrolling.
        """
        keys = self._keys
        if self._view is not None or not keys or self.is_cached(keys):
            return self.view.slice(0, k)
        if self.df.height < self._partial_sort_rows:
            return self.view.slice(0, k)
        mask = self.combined_mask()
        frame = self.df.lazy() if mask is None else self.df.lazy().filter(mask)
        names = [f"__key{i}" for i in range(len(keys))]
        return (
            frame.select(
                ROW,
                *(self._key_expr(key).alias(n) for key, n in zip(keys, names, strict=True)),
            )
            .sort(
                names,
                descending=[key.descending for key in keys],
                nulls_last=True,
                maintain_order=True,
            )
            .head(k)
            .collect()
            .get_column(ROW)
        )

    def warm(self) -> None:
        """Start building the current sort's full permutation in the background.

        Called after the first window has gone out: polars' thread pool is shared,
        so a sort started earlier would delay that window.
        """
        keys = self._keys
        if keys and self._view is None and not self.is_cached(keys):
            self._sort_in_background(keys)

    def is_cached(self, keys: Sequence[SortKey]) -> bool:
        """Whether the full permutation for ``keys`` is built."""
        with self._lock:
            return tuple(keys) in self._perms

    def ranks(self, column: str) -> pl.Series:
        """Each row's place under ``column``'s sort key: equal keys share a rank, 0 is missing.

        Sorting rows by rank (ascending or descending, 0 last either way, ties in row order)
        gives exactly the order `permutation` gives for that one key: the ranks come from
        the same stable sort, run over the rows forwards and backwards. Rows a sort holds
        equal swap places between the two runs and nothing else moves, so a row's two
        positions add up to the same number across its group and to a larger one for every
        later group. No equality test of our own decides what ties (the static page
        compares these ranks instead of values; `evallens.page`).

        Example:
            >>> q = SampleQuery(pl.DataFrame({"x": [3.0, None, 1.0, 3.0]}))
            >>> q.ranks("x").to_list()
            [2, 0, 1, 2]
        """
        key = self.df.select(self._key_expr(SortKey(column)).alias("__key")).to_series()
        n = key.len()
        forward = self._compute_permutation((SortKey(column),))
        backward = (
            pl.DataFrame({"__key": key.reverse()})
            .select(pl.arg_sort_by("__key", nulls_last=True, maintain_order=True))
            .to_series()
        )
        place = pl.Series([0] * n, dtype=pl.Int64).scatter(forward, pl.int_range(n, eager=True))
        back = pl.Series([0] * n, dtype=pl.Int64).scatter(
            (n - 1 - backward.cast(pl.Int64)), pl.int_range(n, eager=True)
        )
        spread = (place + back).rank("dense").cast(pl.UInt32)
        return spread.zip_with(key.is_not_null(), pl.Series([0] * n, dtype=pl.UInt32)).alias(column)

    def combined_mask(self, exclude: Sequence[str] = ()) -> pl.Series | None:
        """All named filters ANDed, but those named in ``exclude`` (None: no filter)."""
        masks = [m for name, m in self._masks.items() if name not in exclude]
        if not masks:
            return None
        out = masks[0]
        for m in masks[1:]:
            out = out & m
        return out

    @property
    def view(self) -> pl.Series:
        """Row indices (into the source frame) of the current view, in order."""
        if self._view is None:
            mask = self.combined_mask()
            if self._keys:
                perm = self.permutation(self._keys)
                self._view = perm if mask is None else perm.filter(mask.gather(perm))
            elif mask is None:
                self._view = pl.int_range(self.df.height, eager=True, dtype=pl.UInt32)
            else:
                self._view = mask.arg_true().cast(pl.UInt32)
        return self._view

    @property
    def count(self) -> int:
        """Rows in the current view (known without sorting)."""
        if self._view is not None:
            return self._view.len()
        mask = self.combined_mask()
        return self.df.height if mask is None else int(mask.sum())

    def window(self, offset: int, limit: int, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Rows ``offset .. offset+limit`` of the view (with the hidden row column)."""
        offset = max(0, min(offset, self.count))
        if offset == 0 and self._view is None:
            idx = self.head(max(0, limit))
        else:
            idx = self.view.slice(offset, max(0, limit))
        cols = [ROW, *(c for c in (columns or self.df.columns) if c != ROW)]
        return self.df.select(cols)[idx]

    def row(self, row: int) -> dict[str, Any]:
        """One source row as a dict (full values, nothing truncated)."""
        if not 0 <= row < self.df.height:
            raise IndexError(f"row {row} is outside the frame (0..{self.df.height - 1})")
        return self.df.row(row, named=True)

    def position_of(self, row: int) -> int | None:
        """Where source row ``row`` sits in the current view, or None when filtered out."""
        hits = (self.view == row).arg_true()
        return int(hits[0]) if hits.len() else None
