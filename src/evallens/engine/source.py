"""Samples that stay where they are: a lazy frame on polars, DuckDB, Dask or another engine.

`LazySource` wraps any table narwhals drives lazily (a polars ``LazyFrame``, a DuckDB
relation, a Dask DataFrame, an Ibis table, a PySpark DataFrame...) and gives it what the
widgets need from a frame without collecting it: a row index in the source's own order,
the schema, the first rows, the count, score descriptions (aggregates computed by the
engine) and rows by index. Queries on it are narwhals plans; only their small results
(windows, aggregates) become polars frames in the kernel.
"""

from __future__ import annotations

import functools
import os
import threading
import warnings
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import polars as pl

from evallens.engine.values import is_text, working_exprs
from evallens.scores import (
    ScoreDescriptor,
    _describe_text,
    _known_split,
    _score_columns,
    split_score_column,
)
from evallens.wire import ROW

PROBE_ROWS = 1_000
"""Rows read to decide what needs only a look (column widths, default visibility)."""


_SLICES_AT_ONCE = 16
"""Row slices polars reads at once (100 at once ran out of its blocking threads)."""


class LazySourceError(ValueError):
    """A feature that needs the whole frame in memory, asked of a lazy source."""


def is_lazy_source(data: Any) -> bool:
    """Whether ``data`` is a table an engine holds lazily (not an in-memory frame, not logs).

    Example:
        >>> is_lazy_source(pl.LazyFrame({"x": [1]})), is_lazy_source(pl.DataFrame({"x": [1]}))
        (True, False)
    """
    if isinstance(data, LazySource | pl.LazyFrame):
        return True
    if isinstance(data, pl.DataFrame | str | bytes | os.PathLike | list | tuple | dict):
        return False
    module = type(data).__module__.split(".")[0]
    if module in ("pandas", "pyarrow", "numpy"):
        return False
    try:
        from_native(data)
    except TypeError:
        return False
    return True


def _with_row_index(frame: nw.LazyFrame[Any], keys: Sequence[str]) -> nw.LazyFrame[Any]:
    """``frame`` with `ROW`: each row's place in the source's own order.

    polars numbers the rows as scanned (files in path order, rows in file order); DuckDB's
    ``row_number() OVER ()`` follows its insertion order (kept by default); Dask numbers
    partitions in order. Engines without a row order number rows by the sample keys.
    """
    native = frame.to_native()
    impl = frame.implementation
    if impl.is_polars():
        return from_native(native.with_row_index(ROW))
    if impl.is_duckdb():
        return from_native(
            native.project(f'*, CAST(row_number() OVER () - 1 AS BIGINT) AS "{ROW}"')
        )
    if impl.is_dask():
        numbered = native.assign(**{ROW: 1})
        numbered[ROW] = numbered[ROW].cumsum() - 1
        return from_native(numbered)
    if not keys:
        raise LazySourceError(
            f"a {impl} table has no row order of its own: give it the sample keys "
            "(log, id, epoch) as columns, or sort it by a unique column first"
        )
    return frame.with_row_index(ROW, order_by=list(keys))


def from_native(data: Any) -> nw.LazyFrame[Any]:
    """``nw.from_native``, quiet about Dask's support moving to a package not yet published."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        frame = nw.from_native(data)
    if not isinstance(frame, nw.LazyFrame):
        raise TypeError(f"{type(data).__name__} is not a lazy table")
    return frame


def _runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted distinct rows as (start, length) runs of adjacent rows.

    Example:
        >>> _runs([1, 2, 3, 7, 9, 10])
        [(1, 3), (7, 1), (9, 2)]
    """
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and out[-1][0] + out[-1][1] == row:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((row, 1))
    return out


def collect(plan: nw.LazyFrame[Any], *, streaming: bool = False) -> pl.DataFrame:
    """Run a plan on its engine; the (small) result as a polars frame.

    ``streaming``: polars runs scans and aggregates on its streaming engine (memory stays
    bounded by a batch, not the dataset).
    """
    kwargs: dict[str, Any] = {}
    if plan.implementation.is_polars() and streaming:
        kwargs["engine"] = "streaming"
    return plan.collect(**kwargs).to_polars()


def collect_many(plans: dict[str, nw.LazyFrame[Any]]) -> dict[str, pl.DataFrame]:
    """Several plans, one after another.

    Not polars' ``collect_all``: sharing the scan between them cached it whole (3x slower
    at 100M rows, and the memory of every column read).
    """
    return {name: collect(plan, streaming=True) for name, plan in plans.items()}


def describe_columns(
    frame: nw.LazyFrame[Any], schema: nw.Schema, named: dict[str, tuple[str, str]]
) -> list[ScoreDescriptor]:
    """Score descriptors of ``named`` columns (column → scorer, score) over all rows.

    The rule of `evallens.scores.describe_column`, as aggregates the engine runs: every
    numeric column's bounds in one pass, each text column's value counts, then a 0/1 test
    of the float columns that lie in [0, 1].
    ``frame`` has NaN and infinities as missing already.
    """
    numeric = [c for c in named if schema[c].is_numeric()]
    texts = [c for c in named if is_text(schema[c])]
    flags = [c for c in named if schema[c] == nw.Boolean]
    plans: dict[str, nw.LazyFrame[Any]] = {}
    if numeric:
        plans["__numbers"] = frame.select(
            expr
            for i, c in enumerate(numeric)
            for expr in (
                nw.col(c).cast(nw.Float64).min().alias(f"lo{i}"),
                nw.col(c).cast(nw.Float64).max().alias(f"hi{i}"),
                nw.col(c).count().alias(f"n{i}"),
            )
        )
    if flags:
        plans["__flags"] = frame.select(nw.col(c).count() for c in flags)
    for c in texts:
        plans[c] = (
            frame.filter(~nw.col(c).is_null())
            .select(nw.col(c).cast(nw.String).alias("v"))
            .group_by("v")
            .agg(nw.len().alias("n"))
        )
    done = collect_many(plans)
    kinds: dict[str, dict[str, Any]] = {}
    if numeric:
        row = done["__numbers"].row(0, named=True)
        # Binary: every value 0 or 1. Integers between 0 and 1 are; floats are counted.
        unsure = [
            c
            for i, c in enumerate(numeric)
            if row[f"lo{i}"] == 0 and row[f"hi{i}"] == 1 and schema[c].is_float()
        ]
        zero_one: dict[str, Any] = {}
        if unsure:
            tests = [
                ((nw.col(c) == 0) | (nw.col(c) == 1)).fill_null(False).cast(nw.Int64).sum().alias(c)
                for c in unsure
            ]
            zero_one = collect(frame.select(tests), streaming=True).row(0, named=True)
        for i, c in enumerate(numeric):
            lo, hi, n = row[f"lo{i}"], row[f"hi{i}"], row[f"n{i}"]
            if not n:
                kinds[c] = {"kind": "other"}
            elif lo == 0 and hi == 1 and zero_one.get(c, n) == n:
                kinds[c] = {"kind": "binary", "min": 0.0, "max": 1.0}
            else:
                kinds[c] = {"kind": "numeric", "min": float(lo), "max": float(hi)}
    if flags:
        present = done["__flags"].row(0, named=True)
        kinds |= {c: {"kind": "boolean"} if present[c] else {"kind": "other"} for c in flags}
    for c in texts:
        counts = done[c].sort("v")
        values = counts.get_column("v").to_list()
        rows: dict[str, int] = dict(zip(values, counts.get_column("n").to_list(), strict=True))
        kinds[c] = (
            _describe_text(values, functools.partial(dict, rows))
            if counts.height
            else {"kind": "other"}
        )
    for c in named:
        dtype = schema[c]
        if c in kinds:
            continue
        if isinstance(dtype, nw.List | nw.Array):
            kinds[c] = {"kind": "list"}
        elif isinstance(dtype, nw.Struct):
            kinds[c] = {"kind": "object"}
        else:
            kinds[c] = {"kind": "other"}
    return [ScoreDescriptor(c, *named[c], **kinds[c]) for c in named]


class LazySource:
    """One lazy samples table: its plan with a row index and the grid's derived columns.

    Example:
        >>> src = LazySource(pl.LazyFrame({"id": [2, 1], "score_x": ["C", "I"]}))
        >>> src.total, [d.kind for d in src.scores]
        (2, ['passfail'])
    """

    def __init__(self, data: Any) -> None:
        if isinstance(data, LazySource):
            data = data.native
        self.native: Any = data
        """The table as given (a polars LazyFrame, a DuckDB relation...)."""
        raw = from_native(data)
        # polars 2.1: collect_schema() on a scan itself slowed every later query of it (a
        # head of 1,000 rows took ~1 s instead of ~20 ms at 100 files); a derived plan's is fine.
        self.schema: nw.Schema = raw.select(nw.all()).collect_schema()
        """The source's own columns and their types."""
        self.columns: list[str] = list(self.schema.names())
        self.key_columns = [c for c in ("log", "id", "epoch") if c in self.schema]
        self._unnumbered = raw
        self.raw = _with_row_index(raw, self.key_columns)
        """The source with `ROW` only (values as stored)."""
        # Float columns as stored too (NaN stays NaN), for what hands rows back to Python.
        self._stored = {n: f"__stored_{n}" for n, t in self.schema.items() if t.is_float()}
        self.frame = self._working(self.raw)
        """The grid's frame: `ROW`, NaN and infinities as missing, the sample status."""
        self._total: int | None = None
        self._scores: list[ScoreDescriptor] | None = None
        self._describing = threading.Lock()
        self._described: dict[str, ScoreDescriptor] = {}
        self._probe: pl.DataFrame | None = None

    def _working(self, numbered: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
        """The grid's frame made from the source's rows with `ROW` (as stored)."""
        return numbered.with_columns(
            nw.col(n).alias(a) for n, a in self._stored.items()
        ).with_columns(working_exprs(self.schema))

    @property
    def engine(self) -> str:
        """The engine's name as narwhals says it (``polars``, ``duckdb``, ``dask``...)."""
        return str(self.raw.implementation.name).lower()

    @property
    def is_polars(self) -> bool:
        """Whether polars runs the plans (polars expressions and filter text apply)."""
        return bool(self.raw.implementation.is_polars())

    @property
    def total(self) -> int:
        """Rows in the source (counted once, by the engine)."""
        if self._total is None:
            self._total = int(collect(self.raw.select(nw.len()), streaming=True).item())
        return self._total

    def probe(self) -> pl.DataFrame:
        """The first rows of the grid's frame (for what needs only a look), in polars."""
        if self._probe is None:
            self._probe = collect(self.frame.head(PROBE_ROWS))
        return self._probe

    @property
    def polars_schema(self) -> pl.Schema:
        """The grid frame's schema as polars types (as windows arrive in the kernel)."""
        return self.probe().schema

    # -- scores --------------------------------------------------------------------------
    @property
    def scores(self) -> list[ScoreDescriptor]:
        """Every score column described over all rows (aggregates run by the engine).

        The first call runs the aggregates (or waits for `describe_in_background`).
        """
        with self._describing:
            if self._scores is None:
                self._scores = self._describe()
            return self._scores

    @property
    def scores_ready(self) -> bool:
        """Whether `scores` answers without a pass over the data."""
        return self._scores is not None

    def first_scores(self) -> list[ScoreDescriptor]:
        """The scores as the first rows describe them (exact ones when they are ready).

        Kinds and bounds may differ from `scores` (rows further on may hold other values);
        what shows before the exact ones are in, never what decides a sort or a mean.
        """
        if self._scores is not None:
            return self._scores
        from evallens.scores import describe_scores

        return describe_scores(self.probe().drop(ROW))

    @property
    def describes_in_background(self) -> bool:
        """Whether `describe_in_background` uses a thread: polars does.

        A DuckDB connection is not to be shared between threads, and a Dask computation
        started on a thread beside another hung on a `distributed` in-process cluster; those
        (and unknown engines) describe at the grid's first refresh instead.
        """
        return self.is_polars

    def describe_in_background(self) -> None:
        """Start describing the scores on a thread (where `describes_in_background`)."""
        if self._scores is not None or not self.describes_in_background:
            return
        threading.Thread(target=lambda: self.scores, name="evallens-describe", daemon=True).start()

    def _describe(self) -> list[ScoreDescriptor]:
        columns = _score_columns(self.columns)
        known = _known_split(columns)
        pairs = {c: known.get(c) or split_score_column(c, columns) for c in columns}
        return describe_columns(self.frame, self.schema, {c: p for c, p in pairs.items() if p})

    def descriptor(self, column: str) -> ScoreDescriptor:
        """A column described as a score (any column, score-named or not).

        Until every score is described, only this column is (one aggregate, kept).
        """
        known = self._scores if self._scores is not None else list(self._described.values())
        for d in known:
            if d.column == column:
                return d
        names = _score_columns(self.columns)
        pair = _known_split(names).get(column) or split_score_column(column, names)
        (out,) = describe_columns(self.frame, self.schema, {column: pair or (column, column)})
        self._described[column] = out
        return out

    # -- rows ----------------------------------------------------------------------------
    def stored(self, columns: Sequence[str]) -> tuple[list[str], dict[str, str]]:
        """What to select from `frame` for ``columns`` as stored, and the names to give back.

        Sorts and filters see NaN as missing (as the grid shows it); rows handed back to
        Python (`view_frame`, `selected_samples`) keep the values the source holds.
        """
        picked = [self._stored.get(c, c) for c in columns]
        return picked, {self._stored[c]: c for c in columns if c in self._stored}

    def slice(self, offset: int, length: int, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Rows ``offset .. offset+length`` of the grid's frame (with `ROW`), in source order."""
        names = list(dict.fromkeys([ROW, *(columns or self.frame.columns)]))
        if self.raw.implementation.is_duckdb():
            # the slice first, numbered and made the grid's frame after: the same rows,
            # without numbering (a window over) every row before them
            part = (
                self._unnumbered.to_native()
                .limit(length, offset)
                .project(f'*, CAST(row_number() OVER () - 1 + {int(offset)} AS BIGINT) AS "{ROW}"')
            )
            return collect(self._working(from_native(part)).select(names))
        plan = self.frame.select(names)
        if self.is_polars:
            return collect(from_native(plan.to_native().slice(offset, length)), streaming=True)
        return collect(plan.head(offset + length)).slice(offset, length)

    def rows(self, rows: Sequence[int], columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Source ``rows`` (by `ROW`) of the grid's frame, in the order given."""
        wanted = [int(r) for r in rows]
        plan = (
            self.frame
            if columns is None
            else self.frame.select(list(dict.fromkeys([ROW, *columns])))
        )
        if not wanted:
            return collect(plan.head(0))
        if self.is_polars:
            # polars reads a slice of a scan without the rest: one per run of adjacent rows
            # (a filter on the row index reads every row of every column asked for).
            native = plan.to_native()
            runs = _runs(sorted(set(wanted)))
            # Not one plan: polars would share the common scan between the slices and read
            # all of it (more than 6 GB at 100M rows for five slices).
            no_shared_scan = pl.QueryOptFlags(comm_subplan_elim=False)
            slices = [native.slice(start, n) for start, n in runs]
            found = pl.concat(
                frame
                for at in range(0, len(slices), _SLICES_AT_ONCE)
                for frame in pl.collect_all(
                    slices[at : at + _SLICES_AT_ONCE], optimizations=no_shared_scan
                )
            )
        elif self.raw.implementation.is_duckdb():
            # DuckDB cannot push a filter on the row number below the window that numbers
            # the rows, so it read every row of every column asked for (~10 s for a window
            # at 100M rows); a slice of the table as it is skips to its rows (~20 ms each).
            found = pl.concat(
                self.slice(start, n, columns) for start, n in _runs(sorted(set(wanted)))
            )
        else:
            found = collect(plan.filter(nw.col(ROW).is_in(wanted)), streaming=True)
        order = pl.DataFrame({ROW: wanted}, schema={ROW: found.schema[ROW]})
        return order.join(found, on=ROW, how="inner", maintain_order="left")
