"""The score rule and the grid's derived columns as narwhals expressions, for any engine.

The same meaning as `evallens.scores.value_expr` and `evallens.grid.columns.working_frame`,
written once over narwhals so polars, DuckDB, Dask (and any engine narwhals drives) compute
it where the data is. Text reads as a number only when it looks like one (a regular
expression decides first, as no engine shares polars' non-strict cast); everything else
follows `evallens.scores`: ``C`` 1, ``P`` 0.5, ``I``/``N`` 0, yes/true 1, no/false 0 (any
case), NaN and infinities missing.
"""

from __future__ import annotations

from collections.abc import Iterable

import narwhals as nw

from evallens.grid.columns import STATUS
from evallens.scores import PASSFAIL_VALUE, WORD_VALUE, ScoreDescriptor, _as_number, text_value

NUMBER_TEXT = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
"""Text a float cast reads (polars' rule): decimals with an optional exponent, nothing else."""


def is_text(dtype: nw.dtypes.DType) -> bool:
    """Text columns (strings, categoricals) whose values the score rule reads."""
    return dtype == nw.String or isinstance(dtype, nw.Categorical | nw.Enum)


def finite(expr: nw.Expr) -> nw.Expr:
    """``expr`` with NaN and infinities as missing (null)."""
    return nw.when(expr.is_finite()).then(expr)


def value_expr(
    column: str, dtype: nw.dtypes.DType, odd: Iterable[str] | None = None, *, numbers: bool = True
) -> nw.Expr:
    """``column`` as Float64 under the score rule (missing: null), on any engine.

    ``odd`` lists the column's text values that are not numbers, when every row's are known
    (an exact descriptor's ``non_numeric`` or ``categories``): only those get a branch, as
    `evallens.scores.value_expr` does; ``numbers=False`` (pass/fail letters) skips the
    number test. Each string operation is a pass over every row of a large source.

    Example:
        >>> import polars as pl
        >>> lf = nw.from_native(pl.LazyFrame({"s": ["10", "I", "C", "No", "x", None, " 2 "]}))
        >>> lf.select(value_expr("s", nw.String())).collect()["s"].to_list()
        [10.0, 0.0, 1.0, 0.0, None, None, 2.0]
    """
    col = nw.col(column)
    if dtype == nw.Boolean or dtype.is_numeric():
        return finite(col.cast(nw.Float64)).alias(column)
    if not is_text(dtype):
        raise ValueError(f"score column {column!r} ({dtype}) holds no numbers")
    text = col.cast(nw.String)
    out: nw.Expr = nw.lit(None, dtype=nw.Float64)
    if numbers:
        stripped = text.str.strip_chars()
        # Only number-like text reaches the cast (engines' casts of other text fail).
        out = nw.when(stripped.str.contains(NUMBER_TEXT)).then(stripped).cast(nw.Float64)
    if odd is None:
        lowered = text.str.strip_chars().str.to_lowercase()
        for word, worth in WORD_VALUE.items():
            out = nw.when(lowered == word).then(nw.lit(worth)).otherwise(out)
        odd = tuple(PASSFAIL_VALUE)  # case-sensitive, unstripped, as Inspect
    for value in odd:
        number = text_value(value)
        if number is not None and _as_number(value.strip()) is None:
            out = nw.when(text == value).then(nw.lit(number)).otherwise(out)
    return finite(out).alias(column)


def descriptor_value_expr(d: ScoreDescriptor, dtype: nw.dtypes.DType) -> nw.Expr:
    """`value_expr` for an exactly described column (branches only for the values it holds)."""
    if not is_text(dtype):
        return value_expr(d.column, dtype)
    odd = d.non_numeric or d.categories or ()
    return value_expr(d.column, dtype, odd, numbers=d.kind != "passfail")


def id_sort_expr(column: str) -> nw.Expr:
    """Text ids in numeric order where they are numbers (``'9'`` before ``'10'``)."""
    text = nw.col(column)
    return nw.when(text.str.contains(r"^[0-9]{1,19}$")).then(text.str.zfill(20)).otherwise(text)


def status_expr(schema: nw.Schema) -> nw.Expr:
    """Inspect's sample status: 'cancelled', 'error', 'limit' or missing (first match)."""
    parts: list[tuple[nw.Expr, str]] = []
    if "error" in schema:
        err = nw.col("error").cast(nw.String)
        has_error = ~err.is_null() & (err != "")
        parts.append((has_error & err.str.starts_with("CancelledError("), "cancelled"))
        parts.append((has_error, "error"))
    if "limit" in schema:
        lim = nw.col("limit").cast(nw.String)
        parts.append((~lim.is_null() & (lim != ""), "limit"))
    status: nw.Expr = nw.lit(None, dtype=nw.String)
    for cond, label in reversed(parts):
        status = nw.when(cond.fill_null(False)).then(nw.lit(label)).otherwise(status)
    return status.alias(STATUS)


def working_exprs(schema: nw.Schema) -> list[nw.Expr]:
    """What `evallens.grid.columns.working_frame` adds: finite floats and the status."""
    fixes = [finite(nw.col(n)).alias(n) for n, t in schema.items() if t.is_float()]
    return [*fixes, status_expr(schema)]
