"""Epochs grouped by sample: one grid row per (log, id), its epochs reduced.

A `GroupedModel` is a `GridModel` over the grouped frame, built once per (frame, score, k)
when grouping turns on and cached by the widget. Its rows are samples; every column holds
the first epoch's value (the lowest epoch: the one the detail panel opens) except:

- each numeric score column: the mean of its epochs under `evallens.scores.value_expr`
  (text grades C/I/P/N count as numbers, missing epochs are left out);
- ``epochs``: how many epochs the sample has;
- ``epoch_values``: the primary score's epochs, in epoch order (the browser draws them as
  pills in the score's colours; sorting by it sorts by the mean);
- ``epoch_variance``: the primary score's population variance over its scored epochs
  (missing with fewer than two);
- ``pass_at_k``: for a 0/1 primary score (pass/fail C/I, booleans, 0/1), Inspect's unbiased
  pass@k estimator (`evallens.compare.pairs.pass_at_k`) over the scored epochs (missing with
  fewer than k).

Filters, the search and linked selections stay rules over epochs (the base model's
masks); a sample shows when any of its epochs passes them all. ``disagree`` keeps the
samples whose scored epochs hold at least two different values of the primary score.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import polars as pl
import pyarrow as pa

from evallens.compare.pairs import pass_at_k
from evallens.grid.columns import Column, available_columns, work_frame
from evallens.grid.format import number_stats
from evallens.grid.histograms import Histograms
from evallens.grid.model import RANGES, GridModel, _no_hits
from evallens.grid.query import Frame, SampleQuery, WorkFrame
from evallens.grid.selection import SampleKeys, rows_to_bytes
from evallens.grid.sorting import default_sort, first_rows, sort_exprs
from evallens.grid.types import ColumnDef
from evallens.grid.view import BUILT_IN_VIEW, SamplesView, resolve_view, views_from_logs
from evallens.sample.opened import OpenSamples
from evallens.scores import ScoreDescriptor, descriptor_value_expr, text_value
from evallens.wire import ROW

COUNT = "epochs"
VALUES = "epoch_values"
VARIANCE = "epoch_variance"
PASS_AT = "pass_at_k"
ADDED = (COUNT, VALUES, VARIANCE, PASS_AT)
"""Columns only grouped rows have (frame column = column id)."""
DISAGREE = "disagree"
_GROUP = "__group"
"""The grouped query's own filter: samples whose epochs disagree."""
_VALUE = "__value"
_UNIT_KINDS = ("passfail", "boolean")


_RAW = "__raw"


def _samples_in_order(
    source: pl.DataFrame, keys: list[str], epoch: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """Each row's sample number, and the rows in (sample, epoch) order.

    When each log's rows are together (as readers write them) and ids are integers, one
    integer sort does it: samples are numbered log by log (in the order the logs come),
    by id within a log. Otherwise one hash group-by over the keys numbers them in the
    order they first appear.
    """
    height = source.height
    runs = None
    if keys[-1] == "id" and source.schema["id"].is_integer() and len(keys) == 2:
        owner = source.get_column(keys[0])
        table = owner.rle()  # one row per run of equal values
        if table.struct.field("value").n_unique() == table.len():  # one run per log
            runs = owner.rle_id()
    if runs is not None:
        # One integer sort by (log's run, id, epoch); a sample is a run of equal (log, id)
        frame = pl.DataFrame(
            {"run": runs, "id": source.get_column("id"), "epoch": epoch.clip(0)}
        ).with_row_index(ROW)
        ordered = frame.sort(["run", "id", "epoch", ROW])
        order = ordered.get_column(ROW)
        number = ordered.select(pl.struct("run", "id").rle_id().cast(pl.UInt32)).to_series()
        group_of = (
            pl.repeat(0, height, dtype=pl.UInt32, eager=True).scatter(order, number).alias(_GROUP)
        )
        return group_of, order
    members = (
        source.lazy()
        .select(keys)
        .with_row_index(ROW)
        .group_by(keys, maintain_order=True)
        .agg(pl.col(ROW))
        .collect()
        .get_column(ROW)
    )
    group = pl.int_range(members.len(), eager=True, dtype=pl.UInt32).repeat_by(members.list.len())
    group_of = (
        pl.repeat(0, height, dtype=pl.UInt32, eager=True)
        .scatter(members.explode(), group.explode())
        .alias(_GROUP)
    )
    span = max(int(epoch.max() or 0), 0) + 1  # type: ignore[arg-type]
    order = (group_of.cast(pl.Int64) * span + epoch.clip(0)).arg_sort()
    return group_of, order


def _sorted_starts(
    source: pl.DataFrame, keys: list[str], epoch: pl.Series, runs: pl.DataFrame | None = None
) -> tuple[np.ndarray[Any, Any], pl.DataFrame] | None:
    """Where each sample's rows start (then the end), when they come in (sample, epoch) order.

    That is: each log's rows together, ids rising within a log and epochs within an id (as
    readers and `synthetic_samples` write them). None: they do not.

    Then a sample is a run of rows and the order is the rows' own, found by comparing
    neighbours (~10 ms at 5M rows) instead of sorting. Returned with the starts: the runs of
    the owner column (`evallens.grid.sorting.log_runs`; ``runs``, when known already).
    """
    if len(keys) != 2 or keys[1] != "id" or not source.schema["id"].is_integer():
        return None
    ids = source.get_column("id")
    height = source.height
    if height == 0 or ids.null_count():
        return None
    table = source.get_column(keys[0]).rle().struct.unnest() if runs is None else runs
    if table.get_column("value").n_unique() != table.height:
        return None  # a log's rows are in several runs
    run_start = np.zeros(height, dtype=bool)
    run_start[np.cumsum(table.get_column("len").to_numpy())[:-1]] = True
    run_start[0] = True
    number = ids.to_numpy()
    order = epoch.clip(0).to_numpy()
    up, same = number[1:] > number[:-1], number[1:] == number[:-1]
    if not bool(np.all(run_start[1:] | up | (same & (order[1:] >= order[:-1])))):
        return None
    new = run_start
    new[1:] |= ~same
    return np.append(np.flatnonzero(new), height).astype(np.int64), table


def _even_aggregates(
    ordered: pl.DataFrame, means: list[str], p: ScoreDescriptor | None, epochs: int
) -> pl.DataFrame:
    """What the group-by in `EpochGroups` gives, when every sample has ``epochs`` rows.

    ``ordered`` holds the rows in (sample, epoch) order, so each column reshapes into a
    table of samples x epochs; numbers reduce along its rows (missing values left out, as
    polars' aggregations leave them out).
    """

    def table(column: str) -> np.ndarray[Any, Any]:
        values = ordered.get_column(column).cast(pl.Float64).to_numpy()
        return values.reshape(-1, epochs)

    def nulled(name: str, values: np.ndarray[Any, Any]) -> pl.Series:
        return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)

    out: list[pl.Series] = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a sample with no scored epoch
        # one table at a time (each is a column's worth), the primary score's read once
        v = table(p.column) if p is not None else None
        for column in means:
            values = v if v is not None and p is not None and column == p.column else table(column)
            out.append(nulled(column, np.nanmean(values, axis=1)))
        if p is not None and v is not None:
            raw = ordered.get_column(f"{p.column}{_RAW}")
            scored = ~np.isnan(v)
            low, high = np.nanmin(v, axis=1), np.nanmax(v, axis=1)
            out += [
                raw.reshape((-1, epochs)).cast(pl.List(raw.dtype)).alias(VALUES),
                nulled(VARIANCE, np.nanvar(v, axis=1)),
                pl.Series("__scored", scored.sum(axis=1), dtype=pl.UInt32),
                pl.Series("__correct", np.nansum(v, axis=1), dtype=pl.Float64),
                pl.Series(DISAGREE, (low != high) & ~np.isnan(low)),
            ]
    return pl.DataFrame(out)


def group_keys(frame: pl.DataFrame) -> list[str]:
    """The columns that name a sample across its epochs: its log (or eval) and its id."""
    if "id" not in frame.columns or "epoch" not in frame.columns:
        raise ValueError(
            "grouping epochs needs 'id' and 'epoch' columns; this frame has "
            + ", ".join(frame.columns[:12])
        )
    for owner in ("log", "eval_id"):
        if owner in frame.columns:
            return [owner, "id"]
    return [c for c in ("task_name", "model") if c in frame.columns] + ["id"]


def primary_score(scores: Sequence[ScoreDescriptor], wanted: str = "") -> ScoreDescriptor | None:
    """The score the epoch columns describe (None: the frame has no numeric score).

    ``wanted`` names it (name, view id or column); "" takes the first numeric one.
    """
    if wanted:
        for s in scores:
            if wanted in (s.name, s.view_id, s.column):
                if not s.is_numeric:
                    raise ValueError(f"epochs_score {wanted!r} is not numeric ({s.kind})")
                return s
        from evallens.errors import unknown_name_error

        raise unknown_name_error("score", wanted, [s.name for s in scores])
    return next((s for s in scores if s.is_numeric), None)


def _mean_descriptor(s: ScoreDescriptor) -> ScoreDescriptor:
    """A score's descriptor once its epochs are averaged: numeric, in the score's range."""
    lo, hi = (0.0, 1.0) if s.kind in _UNIT_KINDS else (s.min, s.max)
    return dataclasses.replace(s, kind="numeric", min=lo, max=hi, categories=None, non_numeric=())


class EpochGroups:
    """Which source rows make each sample, and its columns (each made when first read).

    Nothing is reduced up front: `reduce` gives the grouped columns of any samples (a
    window's), and `column` a whole column (once, then kept) when a sort, a filter, a
    histogram or an export reads it. Both run the same reductions, so they agree exactly.

    Example:
        >>> df = pl.DataFrame({"log": ["a"] * 3, "id": [1, 1, 2], "epoch": [2, 1, 1],
        ...                    "score_x": ["C", "I", "C"]})
        >>> from evallens.scores import describe_scores
        >>> g = EpochGroups(df, describe_scores(df))
        >>> g.frame.select("id", "epoch", "score_x", "epochs", "epoch_values").rows()
        [(1, 1, 0.5, 2, ['I', 'C']), (2, 1, 1.0, 1, ['C'])]
        >>> g.group_of.to_list(), g.disagree.to_list()
        ([0, 0, 1], [True, False])
    """

    def __init__(
        self,
        source: pl.DataFrame,
        scores: Sequence[ScoreDescriptor],
        score: str = "",
        k: int | None = None,
        runs: pl.DataFrame | None = None,
    ) -> None:
        """``runs``: `evallens.grid.sorting.log_runs` of ``source``, when known."""
        keys = group_keys(source)
        self.keys = keys
        self.source = source
        self.score = primary_score(scores, score)
        p = self.score
        self._scores = [s for s in scores if s.is_numeric]
        self.means = [_mean_descriptor(s) for s in self._scores]
        epoch = source.get_column("epoch").cast(pl.Int64).fill_null(0)
        found = _sorted_starts(source, keys, epoch, runs if keys[0] == "log" else None)
        starts = None if found is None else found[0]
        self._runs: pl.DataFrame | None = None if found is None else found[1]
        self._group_of: pl.Series | None = None
        self.order: np.ndarray[Any, Any] | None = None
        """Source rows in (sample, epoch) order (None: the rows' own order)."""
        if starts is None:
            group_of, order = _samples_in_order(source, keys, epoch)
            self._group_of = group_of
            self.order = order.cast(pl.UInt32).to_numpy()
            sizes = np.bincount(group_of.to_numpy(), minlength=0)
            starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.starts = starts
        """Sample g's rows are ``order[starts[g]:starts[g + 1]]``."""
        self.sizes = np.diff(starts)
        even = self.sizes.size > 0 and int(self.sizes.min()) == int(self.sizes.max())
        self.even = int(self.sizes[0]) if even else None
        """Every sample's epoch count when they all have as many (reduced as a table)."""
        first = starts[:-1] if self.order is None else self.order[starts[:-1]]
        self.first_rows = pl.Series("first", first, dtype=pl.UInt32)
        """Each sample's first (lowest) epoch's source row: its other columns' values."""
        self.binary = p is not None and _binary(source, p)
        self.k = k
        if self.binary:
            self.k = k if k is not None else int(self.sizes.max()) if self.sizes.size else 1
        self.added = [COUNT, *(s.column for s in self._scores)]
        """The grouped frame's reduced columns (those a `reduce` gives), in order."""
        if p is not None:
            self.added += [VALUES, VARIANCE, *([PASS_AT] if self.binary else [])]
        self._columns: dict[str, pl.Series] = {}
        self._empty: pl.DataFrame | None = None

    @property
    def count(self) -> int:
        """Samples (grouped rows)."""
        return int(self.sizes.size)

    @property
    def group_of(self) -> pl.Series:
        """Each source row's sample (row of `frame`)."""
        if self._group_of is None:
            numbers = np.repeat(np.arange(self.count, dtype=np.uint32), self.sizes)
            self._group_of = pl.Series(_GROUP, numbers, dtype=pl.UInt32)
        return self._group_of

    @property
    def rows(self) -> pl.Series:
        """Each sample's source rows, in epoch order (a list per sample)."""
        rows = self._positions(None)
        values = pa.array(rows.astype(np.uint32))
        lists = pa.LargeListArray.from_arrays(pa.array(self.starts), values)
        return pl.Series(ROW, lists).cast(pl.List(pl.UInt32))

    @property
    def empty(self) -> pl.DataFrame:
        """The grouped frame with no rows: its columns and their types."""
        if self._empty is None:
            self._empty = self.frame_of(np.zeros(0, dtype=np.int64))
        return self._empty

    @property
    def schema(self) -> pl.Schema:
        """The grouped frame's columns and types."""
        return self.empty.schema

    @property
    def frame(self) -> pl.DataFrame:
        """Every sample's grouped row (every column made)."""
        return pl.DataFrame([self.column(name) for name in self.schema])

    @property
    def disagree(self) -> pl.Series | None:
        """Samples whose scored epochs hold two different values (None: no primary score)."""
        return None if self.score is None else self.column(DISAGREE)

    def frame_of(self, groups: np.ndarray[Any, Any]) -> pl.DataFrame:
        """The grouped rows of ``groups`` (sample numbers), every column."""
        first = self.source[self.first_rows.gather(groups)]
        return first.with_columns(self.reduce(groups, self.added).get_columns())

    def column(self, name: str) -> pl.Series:
        """One grouped column, every sample (made on first use, then kept)."""
        kept = self._columns.get(name)
        if kept is not None:
            return kept
        if name == COUNT:
            self._columns[name] = out = pl.Series(COUNT, self.sizes, dtype=pl.Int64)
            return out
        if name in self.added or name == DISAGREE:
            # Every reduced column at once: whoever reads one whole (a histogram, a sort,
            # the formats) soon reads the others, and one pass reads each score once, its
            # values as numbers side by side on the cores.
            names = [n for n in self.added if n not in self._columns and n != COUNT]
            if self.score is not None:
                names.append(DISAGREE)
            made = self.reduce(None, names)
            for out in made.get_columns():
                self._columns[out.name] = out
            return self._columns[name]
        values = self.source.get_column(name)
        if self.order is None and self.even is not None:
            out = values.gather_every(self.even)
        else:
            out = values.gather(self.first_rows)
        self._columns[name] = out
        return out

    def _positions(self, groups: np.ndarray[Any, Any] | None) -> np.ndarray[Any, Any]:
        """The source rows of ``groups`` (None: all), sample after sample, epochs in order."""
        if groups is None:
            every = np.arange(int(self.starts[-1]), dtype=np.int64)
            return every if self.order is None else self.order.astype(np.int64)
        sizes = self.sizes[groups]
        ends = np.cumsum(sizes)
        shift = np.repeat(self.starts[groups] - (ends - sizes), sizes)
        at: np.ndarray[Any, Any] = np.arange(int(ends[-1]) if ends.size else 0) + shift
        return at if self.order is None else np.asarray(self.order[at], dtype=np.int64)

    def reduce(self, groups: np.ndarray[Any, Any] | None, names: Sequence[str]) -> pl.DataFrame:
        """The reduced columns ``names`` (of `added`, or `DISAGREE`) of ``groups`` (None: all).

        One row per sample asked for, in that order.
        """
        p = self.score
        wanted = set(names)
        means = [s for s in self._scores if s.column in wanted]
        stats = p is not None and bool(wanted & {VALUES, VARIANCE, PASS_AT, DISAGREE})
        count = self.count if groups is None else len(groups)
        sizes = self.sizes if groups is None else self.sizes[groups]
        read = {s.column: s for s in means}
        if stats and p is not None:
            read[p.column] = p
        if not read:  # the epoch counts alone
            return pl.DataFrame([pl.Series(COUNT, sizes, dtype=pl.Int64)]).select(names)
        picked = self.source.select(list(read))
        if groups is not None or self.order is not None:
            picked = picked[self._positions(groups)]
        schema = self.source.schema
        # Each score's value as a number (the one rule; NaN missing, as in the grid).
        ordered = picked.select(
            *(_value(s, schema[c]).alias(c) for c, s in read.items()),
            *([pl.col(p.column).alias(f"{p.column}{_RAW}")] if stats and p is not None else []),
        )
        if self.even is None:  # a group-by: each row's sample, numbered in the order asked
            local = np.repeat(np.arange(count, dtype=np.uint32), sizes)
            ordered = ordered.with_columns(pl.Series(_GROUP, local).set_sorted())
        counted = _aggregate(ordered, [s.column for s in means], p if stats else None, self.even)
        out: list[pl.Series] = []
        for name in names:
            if name == COUNT:
                out.append(pl.Series(COUNT, sizes, dtype=pl.Int64))
            elif name == VARIANCE:
                # No spread to speak of with one scored epoch.
                out.append(counted.select(
                    pl.when(pl.col("__scored") >= 2).then(pl.col(VARIANCE)).alias(VARIANCE)
                ).to_series())  # fmt: skip
            elif name == PASS_AT:
                scored, correct = counted.get_column("__scored"), counted.get_column("__correct")
                out.append(pass_at_series(scored, correct, self.k or 1))
            elif name == DISAGREE:
                out.append(counted.get_column(DISAGREE).fill_null(False))
            else:  # a mean, or the primary score's values
                out.append(counted.get_column(name))
        return pl.DataFrame(out)

    def log_runs(self) -> pl.DataFrame | None:
        """`evallens.grid.sorting.log_runs` of the grouped rows."""
        if "log" not in self.source.columns:
            return None
        runs = self._runs
        if runs is not None and self.keys[0] == "log":
            # Samples never straddle a log's run: each run holds the samples starting in it.
            ends = np.cumsum(runs.get_column("len").to_numpy())
            counts = np.diff(np.searchsorted(self.starts[:-1], ends, side="left"), prepend=0)
            lens = pl.Series("len", counts, dtype=runs.schema["len"])
            return runs.with_columns(lens)
        return self.column("log").rle().struct.unnest()

    def project(self, mask: pl.Series | None) -> pl.Series | None:
        """Samples with at least one source row in ``mask`` (None: all)."""
        if mask is None:
            return None
        hit = self.group_of.filter(mask)
        out = pl.repeat(False, self.count, dtype=pl.Boolean, eager=True)
        return out.scatter(hit, True) if hit.len() else out

    def source_rows(self, groups: Sequence[int]) -> list[int]:
        """Every epoch's source row of ``groups`` (samples), in that order, epochs in order."""
        if not groups:
            return []
        return cast(list[int], self._positions(np.asarray(groups, dtype=np.int64)).tolist())


def _value(s: ScoreDescriptor, dtype: pl.DataType) -> pl.Expr:
    """Score ``s`` as a number (`evallens.scores.value_expr`; NaN missing), read cheaply.

    A pass/fail column holds only its letters and missing text (that is how it was
    described, over this very frame): a letter's number, else missing, is the whole rule
    then, without trimming and parsing every row's text (~0.1 s at 5M rows).
    """
    if s.kind == "passfail" and s.categories and dtype == pl.String:
        text, out = pl.col(s.column), pl.lit(None, dtype=pl.Float64)
        for letter in s.categories:
            out = pl.when(text == letter).then(pl.lit(text_value(letter))).otherwise(out)
        return out
    return descriptor_value_expr(s, dtype).fill_nan(None)


def _binary(source: pl.DataFrame, p: ScoreDescriptor) -> bool:
    """Whether every value of score ``p`` is 0, 1 or missing (text: each distinct one read once)."""
    if p.kind == "passfail" and p.categories:  # every letter the column holds
        return {text_value(c) for c in p.categories} <= {0.0, 1.0, None}
    values = source.get_column(p.column)
    if values.dtype == pl.String or isinstance(values.dtype, pl.Categorical | pl.Enum):
        values = values.unique()
    number = values.to_frame().select(
        descriptor_value_expr(p, values.dtype).fill_nan(None)
    ).to_series()  # fmt: skip
    return bool((number.is_in([0.0, 1.0]) | number.is_null()).all())


def _aggregate(
    ordered: pl.DataFrame, means: list[str], p: ScoreDescriptor | None, even: int | None
) -> pl.DataFrame:
    """Each sample's reductions over ``ordered`` (its rows in (sample, epoch) order)."""
    if even is not None:
        # Every sample has as many epochs (the usual log): a table of samples x epochs,
        # reduced along its rows, several times sooner than a million-group group-by.
        return _even_aggregates(ordered, means, p, even)
    aggs: list[pl.Expr] = [pl.col(c).mean().alias(c) for c in means]
    if p is not None:
        value = pl.col(p.column)
        aggs += [
            pl.col(f"{p.column}{_RAW}").alias(VALUES),
            value.var(ddof=0).alias(VARIANCE),
            value.count().alias("__scored"),
            value.sum().alias("__correct"),
            (value.max() != value.min()).fill_null(False).alias(DISAGREE),
        ]
    # (unordered, then sorted: keeping the order costs more with a million samples)
    return ordered.group_by(_GROUP).agg(aggs).sort(_GROUP)


def pass_at_series(scored: pl.Series, correct: pl.Series, k: int) -> pl.Series:
    """pass@k per sample from its scored and correct epoch counts (one call per distinct pair)."""
    pairs = pl.DataFrame({"n": scored, "c": correct.round(0).cast(pl.Int64)})
    table = pairs.unique().drop_nulls()
    table = table.with_columns(
        pl.Series(
            PASS_AT,
            [pass_at_k(int(n), int(c), k) for n, c in table.iter_rows()],
            dtype=pl.Float64,
        )
    )
    return pairs.join(table, on=["n", "c"], how="left", maintain_order="left").get_column(PASS_AT)


class GroupedFrame(WorkFrame):
    """The grouped rows as the grid queries them: each column made only where it is read.

    A window (`take`) and the default order's first rows (`head_lazy`) read the samples
    they show, their reductions computed for those samples alone; a sort, a filter or a
    histogram reads whole columns, each made once (`EpochGroups.column`). Derived
    columns (`WorkFrame`) are computed after, as for any frame. ``extra``: columns set on
    the grouped rows themselves (the transcript search's hit counts); ``hide``: columns
    left out.
    """

    def __init__(
        self,
        groups: EpochGroups,
        derived: Mapping[str, pl.Expr] | None = None,
        extra: Mapping[str, pl.Series] | None = None,
        hide: Sequence[str] = (),
    ) -> None:
        self.groups = groups
        self.derived = {name: expr.alias(name) for name, expr in (derived or {}).items()}
        self._extra = dict(extra or {})
        self._schema: pl.Schema | None = None
        self._raw = pl.Schema([(ROW, pl.UInt32)])
        for name, dtype in groups.schema.items():
            if name not in hide:
                self._raw[name] = dtype
        for name, values in self._extra.items():
            self._raw[name] = values.dtype

    @property
    def height(self) -> int:
        """Samples."""
        return self.groups.count

    @property
    def schema(self) -> pl.Schema:
        """The grouped frame's schema with the derived columns' types (worked out on no rows)."""
        if self._schema is None:
            empty = self._gather(pl.Series([], dtype=pl.UInt32), list(self._raw))
            lazy = empty.lazy()
            self._schema = (
                lazy.with_columns(self.derived.values()) if self.derived else lazy
            ).collect_schema()
        return self._schema

    @property
    def df(self) -> pl.DataFrame:  # type: ignore[override]
        """Every raw column, whole (each made on first use, then kept)."""
        return self._whole(list(self._raw))

    def _whole(self, names: Sequence[str]) -> pl.DataFrame:
        return pl.DataFrame([self._column(n) for n in names])

    def _column(self, name: str) -> pl.Series:
        if name == ROW:
            return pl.int_range(self.height, eager=True, dtype=pl.UInt32).alias(ROW)
        if name in self._extra:
            return self._extra[name]
        return self.groups.column(name)

    def _reads(self, exprs: Iterable[pl.Expr]) -> list[str]:
        """The raw columns ``exprs`` and the derived columns they use read."""
        exprs = list(exprs)
        if any(e.meta.has_multiple_outputs() for e in exprs):
            return list(self._raw)
        names = {n for e in exprs for n in e.meta.root_names()}
        names |= {n for d in self._needed(exprs) for n in self.derived[d].meta.root_names()}
        return [n for n in self._raw if n in names]

    def lazy(self, exprs: Iterable[pl.Expr] = ()) -> pl.LazyFrame:
        """The columns ``exprs`` read (whole), with the derived ones among them."""
        exprs = list(exprs)
        wanted = [self.derived[n] for n in self._needed(exprs)]
        lazy = self._whole([ROW, *(n for n in self._reads(exprs) if n != ROW)]).lazy()
        return lazy.with_columns(wanted) if wanted else lazy

    def head_lazy(self, exprs: Iterable[pl.Expr], n: int) -> pl.LazyFrame:
        """The first ``n`` samples' columns that ``exprs`` read: only those samples' made."""
        exprs = list(exprs)
        rows = pl.int_range(min(n, self.height), eager=True, dtype=pl.UInt32)
        wanted = [self.derived[d] for d in self._needed(exprs)]
        lazy = self._gather(rows, [ROW, *(c for c in self._reads(exprs) if c != ROW)]).lazy()
        return lazy.with_columns(wanted) if wanted else lazy

    def get_column(self, name: str) -> pl.Series:
        """One column, whole."""
        if name not in self.derived:
            return self._column(name)
        return self.select(name).to_series()

    def _gather(self, rows: pl.Series, names: Sequence[str]) -> pl.DataFrame:
        """Raw columns ``names`` of samples ``rows`` (in that order), reduced for them alone."""
        groups = self.groups
        at = rows.cast(pl.Int64).to_numpy()
        reduced = [n for n in names if n in groups.added and n not in groups._columns]
        made = groups.reduce(at, reduced) if reduced else None
        out: list[pl.Series] = []
        for name in names:
            if name == ROW:
                out.append(rows.cast(pl.UInt32).alias(ROW))
            elif name in self._extra:
                out.append(self._extra[name].gather(rows))
            elif name in groups._columns:
                out.append(groups._columns[name].gather(rows))
            elif made is not None and name in reduced:
                out.append(made.get_column(name))
            else:  # the first epoch's value
                out.append(groups.source.get_column(name).gather(groups.first_rows.gather(rows)))
        return pl.DataFrame(out)

    def _stored_names(self) -> Sequence[str]:
        return list(self._raw)

    def with_columns(
        self, columns: Sequence[pl.Series], derived: Mapping[str, pl.Expr] | None = None
    ) -> GroupedFrame:
        """These rows with ``columns`` set on them (see `WorkFrame.with_columns`)."""
        names = {c.name for c in columns}
        kept = {n: e for n, e in self.derived.items() if n not in names}
        extra = {**self._extra, **{c.name: c for c in columns}}
        return GroupedFrame(self.groups, {**kept, **(derived or {})}, extra)


class GroupedQuery(SampleQuery):
    """The grouped rows' query: named filters are rules over epochs.

    They go to the epochs' query and come back as "some epoch passes"; `DISAGREE` is its own.
    """

    def __init__(self, df: Frame, base: SampleQuery, groups: EpochGroups, **kw: Any) -> None:
        super().__init__(df, **kw)
        self.base = base
        self.groups = groups
        self._followed: tuple[tuple[str, int], ...] | None = None
        self.follow_base()

    def follow_base(self) -> None:
        """Take the epochs' filters again (when they changed since last time)."""
        seen = tuple((name, id(mask)) for name, mask in self.base._masks.items())
        if seen != self._followed:
            self._followed = seen
            super().set_mask("epochs", self.groups.project(self.base.combined_mask()))

    def set_mask(self, name: str, mask: pl.Series | None) -> None:
        """A filter over epochs (by name), or one over the grouped rows themselves.

        The grouped rows' own: `DISAGREE`, and the ranges brushed on their histograms
        (their means).
        """
        if name in (DISAGREE, RANGES):
            super().set_mask(name, mask)
            return
        self.base.set_mask(name, mask)
        self.follow_base()

    def mask_for(self, expr: pl.Expr) -> pl.Series:
        """An expression's rows among the epochs (what `set_mask` takes)."""
        return self.base.mask_for(expr)


class GroupedModel(GridModel):
    """A grid over one row per sample (see the module docstring), answering as `GridModel`.

    Its frame is a `GroupedFrame`: turning grouping on reduces only the samples the first
    window shows, so it takes about as long at 5M rows as at 5,000.
    """

    def __init__(self, base: GridModel, groups: EpochGroups) -> None:
        # GridModel's constructor reads the whole frame; the grouped rows are read where
        # they are needed instead, so its parts are set up here over `GroupedFrame`.
        mean_of = {s.column: s for s in groups.means}
        self.scores = [mean_of.get(s.column, s) for s in base.scores]
        self._set_up_settled()  # every part is set up here
        self.base = base
        self.groups = groups
        empty = groups.empty  # the columns and their types
        work = GroupedFrame(groups, work_frame(empty).derived)
        self._work = work
        kept = {n: e for n, e in work.derived.items() if n not in ADDED}
        shown = GroupedFrame(groups, kept, hide=ADDED)  # they are added below
        own = [c for c in available_columns(shown, self.scores) if c.id not in ADDED]
        at = next(
            (i + 1 for i, c in enumerate(own) if groups.score and c.field == groups.score.column),
            len(own),
        )
        extra = [Column(COUNT, COUNT, "Epochs", "number", True)]
        if groups.score is not None:
            name = groups.score.name
            extra.append(Column(VALUES, VALUES, f"{name} by epoch", "pills", True, groups.score))
            extra.append(Column(VARIANCE, VARIANCE, "Variance", "number", True))
            if groups.binary:
                extra.append(Column(PASS_AT, PASS_AT, f"pass@{groups.k}", "number", True))
        own[at:at] = extra
        self.columns = own
        runs = groups.log_runs()
        self.log_runs = runs
        keys, key_exprs = default_sort(empty, runs)
        exprs = {**sort_exprs(self.columns, work.schema), **key_exprs}
        if groups.score is not None:
            exprs[VALUES] = pl.col(groups.score.column)  # pills sort by their mean
        self.grouped = GroupedQuery(
            work, base.query, groups, sort_exprs=exprs, default_sort=keys,
            default_rows=first_rows(runs),
        )  # fmt: skip
        self.query = self.grouped
        given = views_from_logs(empty, None if runs is None else runs.get_column("value"))
        self.views = {
            v.name: resolve_view(v, self.columns, strict=False)
            for v in given or [SamplesView(BUILT_IN_VIEW)]
        }
        self.keys = SampleKeys(cast(pl.DataFrame, work), base.keys.columns or None)
        self._searched = ""
        self.histograms = Histograms(self.columns, work)
        self._ranged = {}
        self._scope = None
        self._transcripts = None
        self._transcript_searched = ""
        self.transcript_hits = None
        self.query.set_column(_no_hits(groups.count))
        self.samples = OpenSamples()
        self.compare_detail = None

    @property
    def source(self) -> pl.DataFrame:
        """The grouped rows, every column made (what exports and whole-frame reads see)."""
        return self.groups.frame

    def column_defs(self, complete: bool = True) -> list[ColumnDef]:
        """As `GridModel.column_defs`, but ``complete=False`` leaves reduced numbers bare.

        Their format and width come from whole columns, made later: grouping shows its
        rows without waiting for them.
        """
        later = set() if complete else {*self.groups.added} - {COUNT, VALUES}
        wanted = [c.field for c in self.columns if c.kind != "duration" and c.field not in later]
        stats = number_stats(self._work, wanted)
        return [c.describe(None if c.field in later else self._work, stats) for c in self.columns]

    def set_disagree(self, on: bool) -> None:
        """Keep only samples whose epochs disagree (or all again)."""
        self.query.set_mask(DISAGREE, self.groups.disagree if on else None)

    def filter_mask(self, expr: Any) -> pl.Series | None:
        """A filter's epochs (`filter` is a rule over epochs, grouped or not)."""
        return self.base.filter_mask(expr)

    def mask_of(self, values: Any) -> pl.Series:
        """A boolean Series given as a filter: one value per epoch."""
        return self.base.mask_of(values)

    def apply(self, sort: Sequence[Any], search: str, transcript_search: str = "") -> None:
        """Follow the sort (over samples) and the searches (over epochs).

        A sample shows when one of its epochs matches a search.
        """
        if search != self.base._searched or transcript_search != self.base._transcript_searched:
            self.base.apply([], search, transcript_search)  # they look at every epoch
        self._searched = search
        self.grouped.follow_base()
        super().apply(sort, search)

    def search_transcripts(self, pattern: str) -> None:
        """The transcript search looks at every epoch's messages (see `apply`)."""
        self.base.search_transcripts(pattern)
        self.transcript_hits = self.base.transcript_hits
        self.grouped.follow_base()

    def break_out(self, cid: str) -> list[Column]:
        """Refused: break columns out of the epochs' frame, then group."""
        raise ValueError("turn grouping off (group_epochs = False) to break out a column")

    def selected_samples(self, rows: Sequence[int]) -> pl.DataFrame:
        """Every epoch of the selected samples, samples in view order, epochs in order."""
        if not rows:
            return self.base.source.clear()
        view = self.query.view
        shown = view.filter(view.is_in(list(rows))).to_list()
        hidden = sorted(set(rows) - set(shown))
        return self.base.source[self.groups.source_rows(shown + hidden)]


class GroupedKeys:
    """The selection's two forms while rows may be samples.

    Keys are always every epoch's ``(log, id, epoch)``; the browser's rows are samples when
    grouped.
    """

    def __init__(self, switch: EpochSwitch) -> None:
        self._switch = switch

    @property
    def columns(self) -> list[str]:
        """The key columns (as `SampleKeys.columns`)."""
        return self._switch.base.keys.columns

    def keys_for_rows(self, rows: Sequence[int]) -> list[Any]:
        """Keys of the rows shown (grouped: every epoch of those samples)."""
        grouped = self._switch.grouped_now
        if grouped is not None:
            rows = grouped.groups.source_rows(rows)
        return self._switch.base.keys.keys_for_rows(rows)

    def rows_for_keys(self, keys: Sequence[Any]) -> list[int]:
        """Rows shown for these keys (grouped: the samples they belong to)."""
        rows = self._switch.base.keys.rows_for_keys(keys)
        grouped = self._switch.grouped_now
        if grouped is None or not rows:
            return rows
        return grouped.groups.group_of.gather(rows).unique(maintain_order=True).to_list()


class EpochSwitch:
    """Swaps a SampleGrid between its epochs' model and the grouped one.

    The grouped model is built once per score and k, then kept; the view traits and the
    selection are carried across.
    """

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.base: GridModel = widget._model
        self.keys = GroupedKeys(self)
        self._built: dict[tuple[str, int | None], GroupedModel] = {}
        # Column descriptions read the whole frame (~0.3 s at 5M rows): once per model.
        self._defs: dict[int, list[dict[str, Any]]] = {}  # filled once the grid settles
        # Each model's last header histogram counts (the widget keeps one model's): a toggle
        # back finds them instead of counting every row again (~2 s at 5M rows, busy).
        self._counts: dict[int, tuple[Any, Any]] = {}

    @property
    def grouped_now(self) -> GroupedModel | None:
        """The grouped model when the grid shows it."""
        model = self.widget._model
        return model if isinstance(model, GroupedModel) else None

    def grouped(self) -> GroupedModel:
        """The grouped model for the widget's score and k (built on first use)."""
        w = self.widget
        key = (str(w.epochs_score), w.pass_k)
        model = self._built.get(key)
        if model is None:
            runs = getattr(self.base, "log_runs", None)
            groups = EpochGroups(self.base.source, self.base.scores, key[0], key[1], runs)
            model = self._built[key] = GroupedModel(self.base, groups)
        return model

    def forget(self) -> None:
        """The epochs' frame changed (a column broken out): build again when next needed."""
        self._built.clear()
        self._defs.clear()
        self._counts.clear()

    def follow(self, _change: Any = None) -> None:
        """Show what ``group_epochs`` and ``epochs_disagree`` say; one refresh."""
        w = self.widget
        target: GridModel = self.grouped() if w.group_epochs else self.base
        if isinstance(target, GroupedModel):
            target.set_disagree(bool(w.epochs_disagree))
        batched = w._edits.collecting()
        if target is not w._model:
            self._swap(target, batched)
        if not batched:
            w._refresh()
            self._complete_defs()

    def _complete_defs(self) -> None:
        """The shown model's column descriptions, whole (after its first rows went out)."""
        w = self.widget
        if id(w._model) not in self._defs:
            defs = self._defs[id(w._model)] = [dict(d) for d in w._model.column_defs()]
            w._column_defs = defs

    def _swap(self, target: GridModel, batched: bool = False) -> None:
        w = self.widget
        selected = list(w.selected)
        columns = [dict(c) for c in w.columns]
        if isinstance(target, GroupedModel):
            ids = [c["id"] for c in columns]
            primary = target.groups.score
            after = next(
                (c.id for c in target.columns if primary and c.field == primary.column), None
            )
            at = ids.index(after) + 1 if after in ids else len(columns)
            new = [{"id": c.id, "visible": True} for c in target.columns if c.id in ADDED]
            columns[at:at] = [c for c in new if c["id"] not in ids]
        else:
            columns = [c for c in columns if c["id"] not in ADDED]
        known = {c.id for c in target.columns}
        sort = [s for s in w.sort if s["column"] in known]
        # Header ranges are over the rows shown (epochs, or grouped samples' means): they
        # do not carry over, and none is left behind in either model.
        w._model.apply_ranges({})  # the refresh that follows clears the target's
        # (each count is kept with what it counted, so a stale one is never reused)
        self._counts[id(w._model)] = (w._counted, w._unfiltered)
        w._counted, w._unfiltered = self._counts.get(id(target), (None, None))
        w._model = target
        with w._edits.held(), w.hold_sync():
            w.ranges = {}
            defs = self._defs.get(id(target))
            if defs is None:
                # Grouped rows show before their reduced columns are made whole: those
                # columns' formats follow the rows (`_complete_defs`).
                whole = not isinstance(target, GroupedModel) or batched
                made = (
                    target.column_defs(complete=False)
                    if isinstance(target, GroupedModel) and not whole
                    else target.column_defs()
                )
                defs = [dict(d) for d in made]
                if whole:
                    self._defs[id(target)] = defs
            w._column_defs = defs
            w._total = target.query.total
            w.columns = columns
            w.sort = sort
            w.focused = -1  # the panel's row was a row of the other model
            # The same epochs, as rows of the new model (grouped: their samples).
            rows = self.keys.rows_for_keys(selected)
            w._selected_rows = rows_to_bytes(rows)
            w.selected = self.keys.keys_for_rows(rows)  # grouped: every epoch of them
