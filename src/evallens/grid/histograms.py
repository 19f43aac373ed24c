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

import itertools
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypedDict

import polars as pl

from evallens.errors import unknown_name_error
from evallens.grid.columns import Column
from evallens.grid.format import NumberStats
from evallens.grid.query import Frame, WorkFrame, missing_if_not_finite
from evallens.scores import descriptor_value_expr, distinct_text

BINS = 20
_COUNT = "__count"
"""The counts' field in `Shape.counter`'s structs (a column may be named ``count``)."""
"""Bins of a binned histogram."""
PIECE = 1 << 20
"""Rows a histogram counts at a time."""
PARALLEL_ROWS = 1_000_000
"""From this many rows, two columns are counted at once."""
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

    Working this out reads the column once at most (its distinct values, for a column that
    may have few): the bounds of a numeric column come from the number formats' pass, and
    counting later never converts a row to text (bars are keyed by the data's own values).

    Counting (`count`) reads the frame's own column, not a copy: numbers are counted by
    polars' histogram over fixed edges (then values exactly on an inner edge move to the bar
    that starts there, the rule `bin_index` states), a few whole numbers by a histogram with
    a bar per number, text by comparisons with each bar's value. What those cannot count
    exactly (a text grade binned as a number, values beyond 2**53) is counted by the
    expressions (`counter`), as before.
    """

    def __init__(self, column: Column, work: Frame, stats: NumberStats | None = None) -> None:
        self.column = column
        dtype = work.schema[column.field]
        self.dtype = dtype
        score = column.score
        if score is not None:
            self.value = descriptor_value_expr(score, dtype)
        else:
            self.value = pl.col(column.field).cast(pl.Float64)
        self.raw = pl.col(column.field)
        self.labels: list[str] = []
        self._at: dict[Any, int] = {}  # a raw value → its bar
        self._raw_of: dict[str, Any] = {}  # a bar's label → its raw value
        self._whole: tuple[int, int] | None = None  # bars a bar per whole number: lo, hi
        self.every: tuple[list[int], int] | None = None
        """The counts over every row, when working out the bars counted them already."""
        kind = score.kind if score is not None else None
        categorical = kind in ("passfail", "boolean", "categorical", "binary")
        self.lo: float | None = None
        self.hi: float | None = None
        field = column.field
        values = _own_column(work, field)
        # Bars from the values the column holds; the bounds are then their values' bounds.
        if dtype == pl.Boolean:
            self._categories(_present_booleans(values))
            return
        if _is_text(dtype):
            distinct = distinct_text(values.cast(pl.String))
            self._categories(pl.Series(distinct, dtype=pl.String).cast(dtype))
            return
        if not dtype.is_numeric():
            self._categories(work.get_column(field).drop_nulls().unique())
            return
        if stats is not None:
            # a number's value is itself, non-finite missing: its bounds are the stats' own
            self.lo, self.hi = stats.lo, stats.hi
        else:
            self.lo, self.hi = work.select(
                self.value.min().alias("lo"), self.value.max().alias("hi")
            ).row(0)
        # Few distinct whole numbers (a 1-10 rating) get a bar each.
        few = (
            _whole_counts(values, self.lo, self.hi)
            if stats is not None and stats.integral
            else None
        )
        if few is not None:
            lo = int(self.lo)  # type: ignore[arg-type]
            present = [lo + i for i, n in enumerate(few) if n]
            if categorical or len(present) <= MAX_CATEGORIES:
                self._categories(pl.Series(present, dtype=pl.Int64).cast(dtype), bounds=False)
                every = [0] * len(self.labels)  # the same histogram counted every row
                for number in present:
                    every[self._at[number]] = few[number - lo]
                self.every = (every, sum(few))
            else:
                self.type = "bins"
            return
        derived = work.get_column(field)  # non-finite values missing
        if categorical:
            self._categories(derived.drop_nulls().unique(), bounds=False)
            return
        if stats is not None and not stats.integral:
            self.type = "bins"  # fractions: never a bar per value
            return
        # Otherwise (unknown stats, wide ranges): a sample of the rows rules most columns
        # out before every row is hashed.
        present_values = derived.drop_nulls()
        if present_values.head(20_000).n_unique() <= MAX_CATEGORIES:
            unique = present_values.unique()
            whole = dtype.is_integer() or bool((unique == unique.round(0)).all())
            if unique.len() <= MAX_CATEGORIES and whole:
                self._categories(unique, bounds=False)
                return
        self.type = "bins"

    def _categories(self, distinct: pl.Series, *, bounds: bool = True) -> None:
        """Bars in the order of their values (text grades by their numbers), then text.

        ``bounds``: the column's bounds are its bars' values' (every row holds one of them).
        """
        self.type = "categories"
        small = pl.DataFrame([distinct.rename(self.column.field)]).select(
            self.raw.alias("raw"), self.raw.cast(pl.String).alias("label"), self.value.alias("v")
        )
        if bounds:
            self.lo, self.hi = small.select(pl.col("v").min(), pl.col("v").max().alias("hi")).row(0)
        small = small.sort(["v", "label"], nulls_last=True)
        raws = small.get_column("raw").to_list()
        self.labels = small.get_column("label").to_list()
        self._at = {raw: i for i, raw in enumerate(raws)}
        self._raw_of = dict(zip(self.labels, raws, strict=True))
        numbers = [r for r in raws if isinstance(r, int | float) and not isinstance(r, bool)]
        if numbers and len(numbers) == len(raws) and all(float(r).is_integer() for r in numbers):
            self._whole = (int(min(numbers)), int(max(numbers)))

    def count(self, values: pl.Series) -> tuple[list[int], int]:
        """Per-bar counts of ``values``, and how many of them have a value.

        ``values``: the rows in view, as the frame holds them (NaN and infinities included).
        """
        if self.type == "bins":
            if self.lo is None or self.hi is None:
                return [], 0
            if self.dtype.is_numeric():
                binned = _bin_counts(values, self.lo, self.hi)
                if binned is not None:
                    return binned, sum(binned)
        elif self.dtype == pl.Boolean:
            true = int(values.sum() or 0)
            present = values.len() - values.null_count()
            counts = [0] * len(self.labels)
            for raw, n in ((False, present - true), (True, true)):
                if raw in self._at:
                    counts[self._at[raw]] = n
            return counts, present
        elif self._whole is not None and self.dtype.is_numeric():
            lo, hi = self._whole
            per_number = _whole_counts(values, float(lo), float(hi))
            if per_number is not None:
                counts = [0] * len(self.labels)
                for i, n in enumerate(per_number):
                    if n:
                        counts[self._at[lo + i]] = n
                return counts, sum(counts)
        elif _is_text(self.dtype):
            raws = list(self._at)
            column = values.to_frame("v").select(
                *((pl.col("v") == raw).sum().alias(str(i)) for i, raw in enumerate(raws))
            )
            counts = [0] * len(self.labels)
            for i, raw in enumerate(raws):
                counts[self._at[raw]] = int(column.item(0, i))
            return counts, values.len() - values.null_count()
        # The expressions, over this column alone (its derived form where it has one).
        frame = values.to_frame(self.column.field)
        if self.dtype.is_float():
            frame = frame.with_columns(missing_if_not_finite(self.column.field))
        out = frame.select(
            self.counter(),
            (self.raw if self.type == "categories" else self.value).is_not_null().sum().alias("n"),
        ).row(0, named=True)
        counted = self.histogram(out[self.column.id], frame.height, int(out["n"]))
        return counted["counts"], frame.height - counted["missing"]

    def counter(self) -> pl.Expr:
        """Per-bar counts (one list) over the rows it is given."""
        if self.type == "categories":
            counted = self.raw.drop_nulls().value_counts(sort=False, name=_COUNT)
            return counted.implode().alias(self.column.id)
        index = self.bin_index()
        if index is None:
            return pl.lit(None).alias(self.column.id)
        return (
            index.drop_nulls().value_counts(sort=False, name=_COUNT).implode().alias(self.column.id)
        )

    def bin_index(self) -> pl.Expr | None:
        """Each row's bin (None: the column has no values to bin)."""
        lo, hi = self.lo, self.hi
        if lo is None or hi is None:
            return None
        width = bin_width(lo, hi)
        if width is None:  # a range too narrow for distinct edges: one bar holds it all
            return pl.when(self.value.is_not_null()).then(pl.lit(0, pl.Int32))
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

    def result(self, counts: list[int], rows: int, present: int) -> Histogram:
        """The histogram of ``rows`` rows (``present`` with a value) with these bar counts."""
        return {
            "id": self.column.id,
            "type": self.type,
            "counts": counts,
            "labels": self.labels,
            "min": _finite(self.lo),
            "max": _finite(self.hi),
            "missing": rows - present,
        }

    def histogram(self, counted: Any, rows: int, present: int) -> Histogram:
        """The histogram from `counter`'s result over ``rows`` rows (``present`` with a value)."""
        counts = [0] * (BINS if self.type == "bins" and self.lo is not None else len(self.labels))
        labels = self.labels
        if counted is not None:
            for entry in counted:
                n = entry[_COUNT]
                key = next(v for k, v in entry.items() if k != _COUNT)
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


def _own_column(work: Frame, field: str) -> pl.Series:
    """A column as the frame holds it: its own buffers, no derived form.

    NaN and infinities are left in, for the counting to skip.
    """
    if isinstance(work, pl.DataFrame):
        return work.get_column(field)
    if type(work) is WorkFrame and work.holds(field):
        return work.df.get_column(field)
    # rows made as they are read (grouped epochs, text converted late): as made
    return work.get_column(field)


def _is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)


def _present_booleans(values: pl.Series) -> pl.Series:
    """The booleans a column holds (False, True or both), from two sums."""
    true = int(values.sum() or 0)
    present = values.len() - values.null_count()
    return pl.Series([v for v, n in ((False, present - true), (True, true)) if n], dtype=pl.Boolean)


EXACT = 2.0**53
"""Beyond this, integers cast to floats round: they are counted by the expressions."""
WHOLE_BARS = 4096
"""Most whole numbers a column's values may span to be counted a number at a time."""


def _whole_counts(values: pl.Series, lo: float | None, hi: float | None) -> list[int] | None:
    """How many finite values equal each whole number lo, lo + 1, .., hi (None: too many).

    The values must be whole: a histogram with its edges halfway between them counts each
    number once (no value falls on an edge).
    """
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return None
    if hi - lo >= WHOLE_BARS or max(abs(lo), abs(hi)) >= EXACT:
        return None
    edges = [lo - 0.5 + i for i in range(int(hi - lo) + 2)]
    return _hist(values, edges)


def _hist(values: pl.Series, edges: list[float]) -> list[int]:
    """The histogram polars counts: bar i holds (edges[i], edges[i + 1]] (bar 0 its lower edge too).

    A piece of the column at a time, so what polars converts (integers to floats) stays small.
    """
    counts = [0] * (len(edges) - 1)
    for start in range(0, values.len(), PIECE):
        piece = values.slice(start, PIECE)
        bars = piece.hist(bins=edges, include_breakpoint=False, include_category=False)
        counts = [a + int(b) for a, b in zip(counts, bars.to_series(), strict=True)]
    return counts


def bin_width(lo: float, hi: float) -> float | None:
    """The bars' width between ``lo`` and ``hi`` (one bar's when they are equal).

    None when the range is too narrow for distinct edges ``lo + i * width`` (a width whose
    reciprocal overflows, or one below the floats' spacing at ``lo``): then one bar holds
    every value.

    Example:
        >>> bin_width(0.0, 20.0), bin_width(1.0, 1.0), bin_width(0.0, 5e-324)
        (1.0, 1.0, None)
    """
    if not hi > lo:
        return 1.0
    width = (hi - lo) / BINS
    edges = [lo + i * width for i in range(BINS + 1)]
    # polars divides by a constant as a product with its reciprocal: keep that finite
    tellable = width > 0 and math.isfinite(1.0 / width)
    if not (tellable and all(a < b for a, b in itertools.pairwise(edges))):
        return None
    return width


def _bin_counts(values: pl.Series, lo: float, hi: float) -> list[int] | None:
    """The `bin_index` counts of ``values``' finite values: one histogram, no copy.

    The edges are `bin_index`'s own (``lo + i * width``). polars' bars are closed above,
    ours below, so each inner edge goes in twice: just below it (the next float down) and
    at it. The bar between the two holds exactly the values equal to the edge, which
    belong to the bar that starts there. None: edges too close to tell apart, or integers
    too large to compare exactly as floats.
    """
    width = bin_width(lo, hi)
    if width is None:
        finite = values.is_finite().sum() if values.dtype.is_float() else values.count()
        return [int(finite), *([0] * (BINS - 1))]
    edges = [lo + i * width for i in range(BINS)]
    top = max(lo + BINS * width, hi)
    if values.dtype.is_integer() and max(abs(lo), abs(hi)) >= EXACT:
        return None
    breaks = [edges[0]]
    for edge in edges[1:]:
        breaks += [math.nextafter(edge, -math.inf), edge]
    breaks.append(top)
    if any(b <= a for a, b in itertools.pairwise(breaks)):
        return None
    bars = _hist(values, breaks)  # below the first inner edge, then (equal, above) per edge
    return [bars[0], *(bars[2 * k - 1] + bars[2 * k] for k in range(1, BINS))]


class Histograms:
    """Every histogram-able column's shape (built once per column), and the counts in view."""

    def __init__(
        self,
        columns: Sequence[Column],
        work: Frame,
        stats: Mapping[str, NumberStats] | None = None,
    ) -> None:
        self._shapes: dict[str, Shape] = {}
        self._stats = dict(stats or {})
        """Numeric columns' bounds and wholeness (`number_stats`), where already known."""
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
            column = self._columns[cid]
            stats = self._stats.get(column.field)
            shape = self._shapes[cid] = Shape(column, self._work, stats)
        return shape

    def counts(self, ids: Sequence[str], mask: pl.Series | None) -> list[Histogram]:
        """The histograms of ``ids`` (those that have one) over the rows ``mask`` keeps.

        One column at a time, read where the frame holds it (filtered: a copy of the kept
        rows of that column alone, freed before the next).
        """
        shapes = [self.shape(i) for i in ids if i in self._columns]
        total = self._work.height
        rows = total if mask is None else int(mask.sum())
        # A filter that keeps most rows: every row's counts (kept) less the counts of the
        # rows it drops, so the copy made is of the fewer rows.
        dropped = None if mask is None or rows * 2 <= total else ~mask

        def every(s: Shape) -> tuple[list[int], int]:
            if s.every is None:
                s.every = s.count(_own_column(self._work, s.column.field))
            return s.every

        def count(s: Shape) -> Histogram:
            if mask is None:
                return s.result(*every(s)[:1], rows, every(s)[1])
            values = _own_column(self._work, s.column.field)
            if dropped is not None:
                (all_counts, all_present), (out, out_present) = (
                    every(s),
                    s.count(values.filter(dropped)),
                )
                counts = [a - b for a, b in zip(all_counts, out, strict=True)]
                return s.result(counts, rows, all_present - out_present)
            counts, present = s.count(values.filter(mask))
            return s.result(counts, rows, present)

        # Two columns at a time: polars counts without holding the interpreter.
        if len(shapes) < 2 or self._work.height < PARALLEL_ROWS:
            return [count(s) for s in shapes]
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(count, shapes))

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
