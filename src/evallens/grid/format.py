"""How numbers show in the grid: one format per column, chosen from the whole column.

Mirrors ``widget/src/grid/format.ts``, which applies the format the kernel chose.
"""

from __future__ import annotations

import math

import polars as pl

from evallens.grid.types import NumberFormat

FIXED_DIGITS_MAX = 5
"""Beyond this many decimals a column's numbers are shown in scientific notation."""


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
    if not values.dtype.is_numeric():
        return None
    if values.dtype.is_integer():
        return {"notation": "fixed", "digits": 0}
    floats = values.cast(pl.Float64)
    finite = floats.filter(floats.is_finite())
    magnitudes = finite.abs().filter(finite != 0)
    if magnitudes.is_empty() or bool((finite == finite.round(0)).all()):
        return {"notation": "fixed", "digits": 0}
    smallest, largest = float(magnitudes.min()), float(magnitudes.max())  # type: ignore[arg-type]
    digits = max(0, 2 - math.floor(math.log10(smallest)))
    if digits > FIXED_DIGITS_MAX or largest >= 1e15:
        return {"notation": "scientific", "digits": 2}
    return {"notation": "fixed", "digits": digits}


def widest(values: pl.Series, fmt: NumberFormat | None) -> int:
    """Characters in the column's longest value as shown (an estimate that errs wide)."""
    if fmt is None:
        longest = values.cast(pl.String).str.len_chars().max()
        return int(longest) if isinstance(longest, int) else 0
    if values.dtype.is_integer():  # exact digits, even beyond 2**53; room for separators
        texts = [str(v) for v in (values.min(), values.max()) if v is not None]
        return max((len(t) + (len(t) - 1) // 3 for t in texts), default=0)
    floats = values.cast(pl.Float64)
    finite = floats.filter(floats.is_finite())
    if finite.is_empty():
        return 0
    spec = f".{fmt['digits']}e" if fmt["notation"] == "scientific" else f",.{fmt['digits']}f"
    return max(len(format(float(v), spec)) for v in (finite.min(), finite.max()))  # type: ignore[arg-type]
