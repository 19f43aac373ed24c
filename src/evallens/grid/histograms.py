"""Score distributions in the grid's headers, and the ranges brushed on them.

Each shown score (and numeric) column gets a small histogram of the rows in view (filters,
search and linked selections applied), computed here in the kernel:

- a **categorical** histogram (one bar per value) for pass/fail, boolean and categorical
  scores, and for numbers with few distinct values (a 1–10 rating);
- a **binned** histogram otherwise: ``BINS`` equal bins between the column's smallest and
  largest value over *all* rows, so the axis stays put while the filter changes.

A score's value follows the project's one rule (`evallens.scores.descriptor_value_expr`): a
text grade counts as its number, and a pass/fail bar is labelled by its grade.

Brushing a binned histogram keeps the rows its brushed bars counted (``{"bins": [first,
last]}``: the same bin of the same value, so the bars and the rows agree exactly); clicking
a bar keeps the rows with that value (``{"values": [...]}``); from Python a range can also
be ``{"min": lo, "max": hi}`` (both included). These are the grid's ``ranges`` trait, by
column id; missing values are outside every range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import polars as pl

from evallens.errors import unknown_name_error
from evallens.grid.columns import Column
from evallens.grid.query import Frame
from evallens.scores import descriptor_value_expr

BINS = 20
"""Bins of a binned histogram."""
MAX_CATEGORIES = 12
"""Most bars of a categorical histogram: a number with more distinct values is binned."""
KINDS = ("score", "number", "duration")
"""Column kinds that get a histogram."""


class Histogram(TypedDict):
    """One column's histogram of the rows in view (the ``_histograms`` trait)."""

    id: str
    type: str
    """``bins`` or ``categories``."""
    counts: list[int]
    labels: list[str]
    """Each bar's value as the data has it (categories; none for bins: bar ``i`` spans
    ``min + i * (max - min) / len(counts)`` onwards)."""
    min: float | None
    max: float | None
    missing: int


class Shape:
    """How one column is counted: its value expression and its bars (fixed over all rows).

    Working this out reads the column once (its smallest and largest value) and, for a
    column that may have few values, its distinct values; counting later never converts
    a row to text (bars are keyed by the data's own values).
    """

    def __init__(self, column: Column, work: Frame) -> None:
        self.column = column
        dtype = work.schema[column.field]
        score = column.score
        if score is not None:
            self.value = descriptor_value_expr(score, dtype)
        else:
            self.value = pl.col(column.field).cast(pl.Float64)
        self.raw = pl.col(column.field)
        self.labels: list[str] = []
        self._at: dict[Any, int] = {}  # a raw value → its bar
        self._raw_of: dict[str, Any] = {}  # a bar's label → its raw value
        kind = score.kind if score is not None else None
        values = work.get_column(column.field)
        lo, hi = work.select(self.value.min().alias("lo"), self.value.max().alias("hi")).row(0)
        self.lo: float | None = lo
        self.hi: float | None = hi
        categorical = kind in ("passfail", "boolean", "categorical", "binary")
        if categorical or dtype == pl.Boolean or not dtype.is_numeric():
            self._categories(values.drop_nulls().unique(), work)
            return
        # Few distinct whole numbers (a 1-10 rating) get a bar each: a sample of the rows
        # rules most columns out before every row is hashed.
        present = values.drop_nulls()
        if present.head(20_000).n_unique() <= MAX_CATEGORIES:
            distinct = present.unique()
            whole = dtype.is_integer() or bool((distinct == distinct.round(0)).all())
            if distinct.len() <= MAX_CATEGORIES and whole:
                self._categories(distinct, work)
                return
        self.type = "bins"

    def _categories(self, distinct: pl.Series, work: Frame) -> None:
        """Bars in the order of their values (text grades by their numbers), then text."""
        self.type = "categories"
        small = pl.DataFrame([distinct]).select(
            self.raw.alias("raw"), self.raw.cast(pl.String).alias("label"), self.value.alias("v")
        )
        small = small.sort(["v", "label"], nulls_last=True)
        raws = small.get_column("raw").to_list()
        self.labels = small.get_column("label").to_list()
        self._at = {raw: i for i, raw in enumerate(raws)}
        self._raw_of = dict(zip(self.labels, raws, strict=True))

    def counter(self) -> pl.Expr:
        """Per-bar counts (one list) over the rows it is given."""
        if self.type == "categories":
            return self.raw.drop_nulls().value_counts(sort=False).implode().alias(self.column.id)
        index = self.bin_index()
        if index is None:
            return pl.lit(None).alias(self.column.id)
        return index.drop_nulls().value_counts(sort=False).implode().alias(self.column.id)

    def bin_index(self) -> pl.Expr | None:
        """Each row's bin (None: the column has no values to bin)."""
        lo, hi = self.lo, self.hi
        if lo is None or hi is None:
            return None
        width = (hi - lo) / BINS if hi > lo else 1.0
        # A value on an edge goes to the bar that starts there: the edges are `lo + i *
        # width`, as the page labels them (the division alone can land just below).
        index = ((self.value - lo) / width).floor()
        index = (
            pl.when(self.value >= lo + (index + 1) * width)
            .then(index + 1)
            .when(self.value < lo + index * width)
            .then(index - 1)
            .otherwise(index)
        )
        return index.clip(0, BINS - 1).cast(pl.Int32)

    def histogram(self, counted: Any, rows: int, present: int) -> Histogram:
        """The histogram from `counter`'s result over ``rows`` rows (``present`` with a value)."""
        counts = [0] * (BINS if self.type == "bins" and self.lo is not None else len(self.labels))
        labels = self.labels
        if counted is not None:
            for entry in counted:
                n = entry["count"]
                key = next(v for k, v in entry.items() if k != "count")
                if self.type == "categories":
                    at = self._at.get(key)
                    if at is not None:
                        counts[at] = int(n)
                elif key is not None:
                    counts[int(key)] = int(n)
        return {
            "id": self.column.id,
            "type": self.type,
            "counts": counts,
            "labels": labels,
            "min": _finite(self.lo),
            "max": _finite(self.hi),
            "missing": rows - present,
        }

    def keeps(self, spec: Mapping[str, Any]) -> pl.Expr:
        """The rows a range keeps (missing values never)."""
        if "values" in spec:
            raws = [self._raw_of[v] for v in spec["values"]]
            return self.raw.is_in(raws).fill_null(False)
        if "bins" in spec:  # brushed: exactly the rows its bars counted
            first, last = spec["bins"]
            index = self.bin_index()
            if index is None:
                return pl.lit(False)
            return index.is_between(first, last).fill_null(False)
        return self.value.is_between(float(spec["min"]), float(spec["max"])).fill_null(False)


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


class Histograms:
    """Every histogram-able column's shape (built once per column), and the counts in view."""

    def __init__(self, columns: Sequence[Column], work: Frame) -> None:
        self._shapes: dict[str, Shape] = {}
        self.reset(columns, work)

    def reset(self, columns: Sequence[Column], work: Frame) -> None:
        """The frame grew columns (broken out): shapes are kept for the old ones."""
        self._columns = {c.id: c for c in columns if c.kind in KINDS and c.field in work.columns}
        self._work = work

    def ids(self) -> list[str]:
        """Columns that get a histogram."""
        return list(self._columns)

    def shape(self, cid: str) -> Shape:
        """How column ``cid`` is counted (worked out at its first use)."""
        if cid not in self._columns:
            raise unknown_name_error("column with a histogram", cid, list(self._columns))
        shape = self._shapes.get(cid)
        if shape is None:
            shape = self._shapes[cid] = Shape(self._columns[cid], self._work)
        return shape

    def counts(self, ids: Sequence[str], mask: pl.Series | None) -> list[Histogram]:
        """The histograms of ``ids`` (those that have one) over the rows ``mask`` keeps."""
        shapes = [self.shape(i) for i in ids if i in self._columns]
        if not shapes:
            return []
        fields = list(dict.fromkeys(s.column.field for s in shapes))
        rows = self._work.select(fields)
        if mask is not None:
            rows = rows.filter(mask)
        exprs = [s.counter() for s in shapes]
        present = [
            (s.raw if s.type == "categories" else s.value).is_not_null().sum().alias(f"n{i}")
            for i, s in enumerate(shapes)
        ]
        out = rows.select(*exprs, *present).row(0, named=True)
        return [
            s.histogram(out[s.column.id], rows.height, int(out[f"n{i}"]))
            for i, s in enumerate(shapes)
        ]

    def check(self, ranges: Any) -> dict[str, dict[str, Any]]:
        """``ranges`` normalized: ``{id: {"min", "max"}}`` or ``{id: {"values": [...]}}``."""
        if not isinstance(ranges, Mapping):
            raise TypeError(f"ranges is a dict of column id to a range, got {ranges!r}")
        out: dict[str, dict[str, Any]] = {}
        for cid, spec in ranges.items():
            shape = self.shape(str(cid))
            if not isinstance(spec, Mapping):
                raise TypeError(
                    f"the range of {cid!r} is {{'min': .., 'max': ..}} or {{'values': [..]}}, "
                    f"got {spec!r}"
                )
            if "values" in spec:
                values = spec["values"]
                if isinstance(values, str) or not isinstance(values, Sequence) or not values:
                    raise ValueError(f"the values kept in {cid!r} are a non-empty list")
                if shape.type != "categories":
                    raise ValueError(
                        f"{cid!r} is binned: its range is {{'min': .., 'max': ..}}, not values"
                    )
                for value in values:
                    if str(value) not in shape.labels:
                        raise unknown_name_error(f"value of {cid!r}", str(value), shape.labels)
                out[shape.column.id] = {"values": [str(v) for v in values]}
                continue
            if "bins" in spec:
                bins = spec["bins"]
                if (
                    shape.type != "bins"
                    or not isinstance(bins, Sequence)
                    or len(bins) != 2
                    or not all(isinstance(b, int) and 0 <= b < BINS for b in bins)
                    or bins[0] > bins[1]
                ):
                    raise ValueError(
                        f"the bins brushed on {cid!r} are [first, last], 0 <= first <= last "
                        f"< {BINS}, on a binned histogram; got {bins!r}"
                    )
                out[shape.column.id] = {"bins": [int(bins[0]), int(bins[1])]}
                continue
            try:
                lo, hi = float(spec["min"]), float(spec["max"])
            except (KeyError, TypeError, ValueError):
                raise ValueError(
                    f"the range of {cid!r} needs numbers 'min' and 'max', got {dict(spec)!r}"
                ) from None
            if not lo <= hi:
                raise ValueError(f"the range of {cid!r} has min {lo} above max {hi}")
            out[shape.column.id] = {"min": lo, "max": hi}
        return out

    def mask(self, ranges: Mapping[str, Mapping[str, Any]]) -> pl.Series | None:
        """Rows inside every range (None: no range)."""
        if not ranges:
            return None
        keeps = [self.shape(cid).keeps(spec) for cid, spec in ranges.items()]
        return self._work.select(pl.all_horizontal(keeps).alias("ranges")).get_column("ranges")

    def expression(self, ranges: Mapping[str, Mapping[str, Any]]) -> pl.Expr | None:
        """The ranges as one polars expression over the grid's frame (for ``grid.filter``)."""
        if not ranges:
            return None
        return pl.all_horizontal([self.shape(cid).keeps(spec) for cid, spec in ranges.items()])
