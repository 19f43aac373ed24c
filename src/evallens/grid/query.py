"""Sort, filter and window a samples frame in the kernel.

The browser never holds the whole table: it asks for windows of rows by offset.
A view is the permutation of row indices that the current sort and filter
select; sorting computes a permutation once per key list and caches it, and a
filter is a boolean mask over all rows that composes with any cached sort.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import polars as pl

from evallens.wire import ROW

_PERM_CACHE_SIZE = 8
_SORTING = threading.RLock()
"""Held while a full sort order is computed in the background (`_sort_in_background`)."""
_PERM_CACHE_BYTES = 128 * 2**20
"""Cached sort orders are dropped, oldest first, past this many bytes (the newest is
always kept): eight at a million rows, three at ten million (each a sort away)."""
PARTIAL_SORT_ROWS = 50_000
"""From this many rows, a new sort answers its first window from a partial sort (at 100k
rows a top-k takes ~3 ms, a full sort ~10 ms, several times that on a busy machine)."""


class WorkFrame:
    """A frame and columns derived from it row by row, computed only where a query reads them.

    The frame is used as it is (no copy); a derived column (the grid's sample status, a
    float column with NaN read as missing) is an expression that a select, a sort or a
    window evaluates over the rows it reads, so building a grid never touches every row.
    A derived column may replace a frame column of the same name; it must be row-wise
    (a row's value depends on that row alone), which lets `take` compute it after
    gathering.

    Example:
        >>> work = WorkFrame(pl.DataFrame({"x": [1.0, float("nan")]}),
        ...                  {"x": pl.when(pl.col("x").is_nan()).then(None).otherwise("x")})
        >>> work.get_column("x").to_list()
        [1.0, None]
    """

    _fixes: frozenset[str] = frozenset()  # a subclass that sets up its own: no shortcut

    def __init__(self, df: pl.DataFrame, derived: Mapping[str, pl.Expr] | None = None) -> None:
        self.df = df
        self.derived = {name: expr.alias(name) for name, expr in (derived or {}).items()}
        self._schema: pl.Schema | None = None
        # Float columns read with NaN and infinities missing: where a column has none, the
        # query reads it as it is (no copy of it, with nothing changed).
        self._fixes = frozenset(
            n
            for n, e in self.derived.items()
            if e.meta.undo_aliases().meta.eq(missing_if_not_finite(n).meta.undo_aliases())
        )
        self._finite: dict[str, bool] = {}

    @property
    def height(self) -> int:
        """Rows in the frame."""
        return self.df.height

    @property
    def columns(self) -> list[str]:
        """The frame's columns, then the derived ones it lacks."""
        return list(self.schema)

    @property
    def schema(self) -> pl.Schema:
        """The frame's schema with the derived columns' types (worked out without data)."""
        if self._schema is None:
            lazy = self.df.lazy()
            self._schema = (
                lazy.with_columns(self.derived.values()) if self.derived else lazy
            ).collect_schema()
        return self._schema

    def _needed(self, exprs: Iterable[pl.Expr]) -> list[str]:
        """The derived columns ``exprs`` read (every one when they read unnamed columns).

        Those that would equal the frame's own column are left out.
        """
        names: set[str] = set()
        for expr in exprs:
            if expr.meta.has_multiple_outputs():
                names = set(self.derived)
                break
            names.update(expr.meta.root_names())
        return [n for n in self.derived if n in names and not self._unchanged(n)]

    def holds(self, name: str) -> bool:
        """Whether the frame's own column ``name`` holds its values as read.

        NaN and infinities aside: no derived form stands for it but the one hiding those.
        """
        return name in self.df.columns and (name not in self.derived or name in self._fixes)

    def _unchanged(self, name: str) -> bool:
        """A float column with nothing to read as missing (no NaN, no infinity).

        Found once, by one pass that copies nothing, then known.
        """
        if name not in self._fixes or name not in self.df.columns:
            return False
        known = self._finite.get(name)
        if known is None:
            known = self._finite[name] = bool(self.df.get_column(name).is_finite().all())
        return known

    def lazy(self, exprs: Iterable[pl.Expr] = ()) -> pl.LazyFrame:
        """The frame, with the derived columns that ``exprs`` read."""
        wanted = [self.derived[n] for n in self._needed(exprs)]
        lazy = self.df.lazy()
        return lazy.with_columns(wanted) if wanted else lazy

    def head_lazy(self, exprs: Iterable[pl.Expr], n: int) -> pl.LazyFrame:
        """`lazy` over the first ``n`` rows only."""
        return self.lazy(exprs).slice(0, n)

    def select(self, *exprs: pl.Expr | str | Iterable[pl.Expr | str]) -> pl.DataFrame:
        """As `polars.DataFrame.select`, derived columns included."""
        flat = [e for x in exprs for e in ([x] if isinstance(x, pl.Expr | str) else x)]
        parsed = [pl.col(e) if isinstance(e, str) else e for e in flat]
        return self.lazy(parsed).select(parsed).collect()

    def get_column(self, name: str) -> pl.Series:
        """One column, whole (a derived one computed over every row)."""
        if name not in self.derived:
            return self.df.get_column(name)
        return self.select(name).to_series()

    def take(self, rows: pl.Series, columns: Sequence[str]) -> pl.DataFrame:
        """``columns`` at ``rows`` (in that order): gathered first, derived columns after."""
        derived = [self.derived[c] for c in columns if c in self.derived]
        reads = {n for e in derived for n in e.meta.root_names()}
        stored = self._stored_names()
        raw = [c for c in stored if c in reads or (c in columns and c not in self.derived)]
        small = self._gather(rows, raw)
        if derived:
            small = small.with_columns(derived)
        return small.select(columns)

    def _stored_names(self) -> Sequence[str]:
        """The frame's own columns (what derived columns are computed from)."""
        return self.df.columns

    def _gather(self, rows: pl.Series, names: Sequence[str]) -> pl.DataFrame:
        """Stored columns ``names`` at ``rows`` (in that order)."""
        return self.df.select(names)[rows]

    def with_columns(
        self, columns: Sequence[pl.Series], derived: Mapping[str, pl.Expr] | None = None
    ) -> WorkFrame:
        """The frame with ``columns`` added or replaced (their derived forms in ``derived``).

        A replaced column's old derived form is dropped.
        """
        names = {c.name for c in columns}
        kept = {n: e for n, e in self.derived.items() if n not in names}
        return WorkFrame(self.df.with_columns(columns), {**kept, **(derived or {})})


def missing_if_not_finite(name: str) -> pl.Expr:
    """A float column with NaN and infinities read as missing (how the grid shows them)."""
    return pl.when(pl.col(name).is_finite()).then(pl.col(name)).otherwise(None).alias(name)


Frame = pl.DataFrame | WorkFrame
"""What the grid's column rules read: a frame, or one with derived columns."""


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
        df: pl.DataFrame | WorkFrame,
        sort_exprs: Mapping[str, pl.Expr] | None = None,
        default_sort: Sequence[SortKey] = (),
        partial_sort_rows: int = PARTIAL_SORT_ROWS,
        default_rows: Callable[[int], int] | None = None,
        run_key: str | None = None,
    ) -> None:
        work = df if isinstance(df, WorkFrame) else WorkFrame(df)
        if ROW not in work.schema:
            work = WorkFrame(work.df.with_row_index(ROW), work.derived)
        self.work = work
        """The frame queried: the caller's, its derived columns computed where read."""
        self._partial_sort_rows = partial_sort_rows
        self._default_rows = default_rows
        """How many of the frame's first rows hold the default order's first k (None: any)."""
        self._run_key = run_key
        """A sort key that numbers runs of neighbouring rows, rising with the rows (None:
        none): a sort by it first sorts each run's rows on their own (`_sort_runs`)."""
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
        self._released = False

    def add_columns(
        self,
        columns: Sequence[pl.Series],
        sort_exprs: Mapping[str, pl.Expr],
        derived: Mapping[str, pl.Expr] | None = None,
    ) -> None:
        """New columns (one value per row, in the frame's order) and their sort keys.

        ``derived``: forms read in their place (see `WorkFrame`). The rows, their order, filters and cached sorts stay as they are.
        """
        with self._lock:
            self.work = self.work.with_columns(columns, derived)
            self._sort_exprs.update(sort_exprs)

    def set_column(self, column: pl.Series) -> None:
        """Replace (or add) one column's values, in frame order; sorts by it are dropped."""
        if column.len() != self.work.height:
            raise ValueError(
                f"column {column.name!r} has {column.len()} rows, frame has {self.work.height}"
            )
        with self._lock:
            self.work = self.work.with_columns([column])
            for keys in [k for k in self._perms if any(key.column == column.name for key in k)]:
                del self._perms[keys]
        if any(key.column == column.name for key in self._keys):
            self._view = None

    # -- state -------------------------------------------------------------------------
    @property
    def df(self) -> pl.DataFrame:
        """The frame as given (with the row index), without its derived columns."""
        return self.work.df

    @property
    def total(self) -> int:
        """Rows in the frame, before any filter."""
        return self.work.height

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
            if mask.len() != self.work.height:
                raise ValueError(
                    f"filter {name!r} has {mask.len()} rows, frame has {self.work.height}"
                )
            self._masks[name] = mask.fill_null(False)
        self._view = None
        self.mask_version += 1

    def mask_for(self, expr: pl.Expr) -> pl.Series:
        """Evaluate a boolean polars expression over the whole frame.

        A scalar result (such as ``pl.lit(True)``) applies to every row.
        """
        out = self.work.select(pl.col(ROW), expr.alias("__mask")).get_column("__mask")
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
        if self._run_key is not None and keys and keys[0] == SortKey(self._run_key):
            return self._sort_runs(keys)
        return self._sort_each_key(keys)

    def _sort_runs(self, keys: tuple[SortKey, ...]) -> pl.Series:
        """The order of ``keys`` when the first numbers runs of rows rising with the rows.

        Each run's rows come together, runs in frame order, each run sorted by the other
        keys on its own: what sorting every row by all the keys gives, in a fifth of the
        time and less than half the memory at 10M rows (the default order: logs, then id
        and epoch within each log).
        """
        rest = keys[1:]
        if not rest:
            return pl.int_range(self.work.height, eager=True, dtype=pl.UInt32)
        ordered = pl.col(ROW).sort_by(
            [self._key_expr(k) for k in rest],
            descending=[k.descending for k in rest],
            nulls_last=True,
            maintain_order=True,
        )
        run = self._key_expr(keys[0])
        perm = self.work.select(ordered.over(run, mapping_strategy="explode").alias("__perm"))
        return perm.to_series().cast(pl.UInt32)

    def _sort_each_key(self, keys: tuple[SortKey, ...]) -> pl.Series:
        # One stable single-key sort per key, last key first (LSD order): polars'
        # multi-key arg_sort_by is several times slower on float keys with many ties.
        perm: pl.Series | None = None
        for key in reversed(keys):
            expr = self._key_expr(key)
            if perm is not None:
                expr = expr.gather(perm)
            order = self.work.select(
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

    def release(self) -> None:
        """Drop the sort orders kept for later (a closed grid's): built again if asked for."""
        with self._lock:
            self._released = True
            self._perms.clear()
            self._view = None

    def _store(self, keys: tuple[SortKey, ...], perm: pl.Series) -> None:
        with self._lock:
            self._pending.pop(keys, None)
            if self._released:
                return
            self._perms[keys] = perm
            while len(self._perms) > _PERM_CACHE_SIZE or (
                len(self._perms) > 1
                and sum(p.estimated_size() for p in self._perms.values()) > _PERM_CACHE_BYTES
            ):
                self._perms.popitem(last=False)

    def _sort_in_background(self, keys: tuple[SortKey, ...]) -> None:
        with self._lock:
            if keys in self._perms or keys in self._pending:
                return
            future: Future[pl.Series] = Future()
            self._pending[keys] = future

        def work() -> None:
            try:
                # One background sort at a time in the process: each needs several times
                # its result's memory while it runs (+270 MB for one key at 10M rows), and
                # clicks faster than a sort would otherwise stack them. What a user waits
                # for (`permutation`) does not queue behind them.
                with _SORTING:
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
        if self.work.height < self._partial_sort_rows:
            return self.view.slice(0, k)
        mask = self.combined_mask()
        exprs = [self._key_expr(key) for key in keys]
        names = [f"__key{i}" for i in range(len(keys))]
        # Keys first, over every row, then the filter: a key may depend on other rows (the
        # default order's log key is where a log first appears in the whole frame).
        if mask is None and not self._sort and self._default_rows is not None:
            # The default order's first k rows lie in the frame's first rows (its logs'
            # rows are together): only those are read.
            frame = self.work.head_lazy(exprs, self._default_rows(k))
        else:
            frame = self.work.lazy(exprs)
        frame = frame.select(ROW, *(e.alias(n) for e, n in zip(exprs, names, strict=True)))
        frame = frame if mask is None else frame.filter(mask)
        return (
            frame.sort(
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
        key = self.work.select(self._key_expr(SortKey(column)).alias("__key")).to_series()
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
                self._view = pl.int_range(self.work.height, eager=True, dtype=pl.UInt32)
            else:
                self._view = mask.arg_true().cast(pl.UInt32)
        return self._view

    @property
    def count(self) -> int:
        """Rows in the current view (known without sorting)."""
        if self._view is not None:
            return self._view.len()
        mask = self.combined_mask()
        return self.work.height if mask is None else int(mask.sum())

    def window(self, offset: int, limit: int, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Rows ``offset .. offset+limit`` of the view (with the hidden row column)."""
        offset = max(0, min(offset, self.count))
        if offset == 0 and self._view is None:
            idx = self.head(max(0, limit))
        else:
            idx = self.view.slice(offset, max(0, limit))
        cols = [ROW, *(c for c in (columns or self.work.columns) if c != ROW)]
        return self.work.take(idx, cols)

    def row(self, row: int) -> dict[str, Any]:
        """One source row as a dict (full values, nothing truncated)."""
        if not 0 <= row < self.work.height:
            raise IndexError(f"row {row} is outside the frame (0..{self.work.height - 1})")
        return self.work.take(pl.Series([row], dtype=pl.UInt32), self.work.columns).row(
            0, named=True
        )

    def position_of(self, row: int) -> int | None:
        """Where source row ``row`` sits in the current view, or None when filtered out."""
        hits = (self.view == row).arg_true()
        return int(hits[0]) if hits.len() else None
