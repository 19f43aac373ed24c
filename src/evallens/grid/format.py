"""How numbers show in the grid: one format per column, chosen from the whole column.

Mirrors ``widget/src/grid/format.ts``, which applies the format the kernel chose.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from evallens.grid.query import Frame
from evallens.grid.types import NumberFormat

FIXED_DIGITS_MAX = 5
"""Beyond this many decimals a column's numbers are shown in scientific notation."""


@dataclass(frozen=True)
class NumberStats:
    """What a column's format depends on, from its finite values."""

    integer: bool
    """Stored as integers (shown exactly, whatever their size)."""
    lo: float | None
    hi: float | None
    smallest: float | None
    """Smallest non-zero magnitude."""
    largest: float | None
    integral: bool
    """Every value a whole number."""


def number_stats(df: Frame, fields: Sequence[str]) -> dict[str, NumberStats]:
    """The stats of every numeric column in ``fields``, in one pass over the frame.

    One select for all columns: polars computes them side by side, where a pass per
    column cost ~30 ms at a million rows. Only reductions run over every row (polars'
    ``min``/``max`` skip NaN); a column holding infinities, or zeros among its
    magnitudes, is read again with those values left out.
    """
    numeric = [f for f in fields if f in df.columns and df.schema[f].is_numeric()]
    exprs: list[pl.Expr] = []
    for i, name in enumerate(numeric):
        col = pl.col(name)
        if df.schema[name].is_integer():
            exprs += [
                col.min().cast(pl.Float64).alias(f"lo{i}"),
                col.max().cast(pl.Float64).alias(f"hi{i}"),
            ]
            continue
        c = col.cast(pl.Float64)
        exprs += [c.min().alias(f"lo{i}"), c.max().alias(f"hi{i}")]
    row = df.select(exprs).row(0, named=True) if exprs else {}
    # The least magnitude is the bound nearest zero when every value has one sign; only
    # columns that cross zero (or hold infinities) read their magnitudes.
    crossing = [
        i
        for i, name in enumerate(numeric)
        if not df.schema[name].is_integer() and not _one_sign(row[f"lo{i}"], row[f"hi{i}"])
    ]
    least = (
        df.select(
            pl.col(numeric[i]).cast(pl.Float64).abs().min().alias(f"m{i}") for i in crossing
        ).row(0, named=True)
        if crossing
        else {}
    )
    out: dict[str, NumberStats] = {}
    for i, name in enumerate(numeric):
        lo, hi = row[f"lo{i}"], row[f"hi{i}"]
        if df.schema[name].is_integer():
            out[name] = NumberStats(True, lo, hi, None, None, True)
        else:
            m = least[f"m{i}"] if i in crossing else (lo if lo > 0 else -hi)
            out[name] = _float_stats(df, name, lo, hi, m)
    return out


def _one_sign(lo: float | None, hi: float | None) -> bool:
    """Finite bounds on one side of zero (zero itself excluded)."""
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return False
    return lo > 0 or hi < 0


_HEAD = 10_000
"""Rows a float column is first checked for a fraction: most columns show one there."""


def _float_stats(
    df: Frame, name: str, lo: float | None, hi: float | None, least: float | None
) -> NumberStats:
    """A float column's stats, given its min, max and least magnitude (NaN skipped)."""
    c = pl.col(name).cast(pl.Float64)
    finite = all(v is not None and math.isfinite(v) for v in (lo, hi, least))
    if not finite:  # infinities (or only NaN) to leave out
        fin = c.filter(c.is_finite())
        mag = fin.abs().filter(fin != 0)
        lo, hi, least = df.select(
            fin.min().alias("lo"), fin.max().alias("hi"), mag.min().alias("m")
        ).row(0)
    elif least == 0:  # zeros below the least magnitude: the bounds stand
        least = df.select(pl.when((c != 0) & c.is_finite()).then(c.abs()).min()).item()
    largest = None if least is None or lo is None or hi is None else max(abs(lo), abs(hi))
    # Every value a whole number: its floor is itself. Missing values are skipped, and
    # NaN and infinities pass (polars' NaN equals NaN), as if left out. A fraction among
    # the first rows settles it without reading (and copying) the whole column.
    head = c.head(_HEAD)
    integral = bool(df.select((head.floor() == head).all()).item())
    if integral:
        integral = bool(df.select((c.floor() == c).all()).item())
    return NumberStats(False, lo, hi, least, largest, integral)


def format_of(stats: NumberStats) -> NumberFormat:
    """The format a column with these stats shows every number in."""
    if stats.integer or stats.smallest is None or stats.integral:
        return {"notation": "fixed", "digits": 0}
    digits = max(0, 2 - math.floor(math.log10(stats.smallest)))
    if digits > FIXED_DIGITS_MAX or (stats.largest or 0) >= 1e15:
        return {"notation": "scientific", "digits": 2}
    return {"notation": "fixed", "digits": digits}


def number_format(values: pl.Series) -> NumberFormat | None:
    """How every number in a column is shown, chosen once from the column's range.

    ``{"notation": "fixed", "digits": d}`` shows at most ``d`` decimals, enough for
    three significant digits of the smallest non-zero magnitude; when that takes more
    than ``FIXED_DIGITS_MAX`` decimals (or values reach 1e15) the whole column is
    ``scientific`` instead, so 9.17e-7 never sits beside 0.0000012. None for
    columns that do not hold numbers.

    Example:
        >>> number_format(pl.Series([0.5, 0.25]))
        {'notation': 'fixed', 'digits': 3}
        >>> number_format(pl.Series([0.5, 9.17e-7]))
        {'notation': 'scientific', 'digits': 2}
    """
    stats = number_stats(values.rename("v").to_frame(), ["v"]).get("v")
    return None if stats is None else format_of(stats)


def widest(values: pl.Series, stats: NumberStats | None) -> int:
    """Characters in the column's longest value as shown (an estimate that errs wide)."""
    if stats is None:
        longest = values.cast(pl.String).str.len_chars().max()
        return int(longest) if isinstance(longest, int) else 0
    ends = [v for v in (stats.lo, stats.hi) if v is not None]
    if stats.integer:  # exact digits, even beyond 2**53; room for separators
        exact = all(abs(v) < 2**53 for v in ends)  # else the float stats may have rounded
        ends_exact = [int(v) for v in ends] if exact else [values.min(), values.max()]
        texts = [str(v) for v in ends_exact if v is not None]
        return max((len(t) + (len(t) - 1) // 3 for t in texts), default=0)
    fmt = format_of(stats)
    spec = f".{fmt['digits']}e" if fmt["notation"] == "scientific" else f",.{fmt['digits']}f"
    return max((len(format(float(v), spec)) for v in ends), default=0)
