"""Turn Python value lists into typed polars Series, choosing one dtype per column."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import polars as pl

_NONE = type(None)


def to_json_text(value: Any) -> str:
    """JSON for compound values (``json.dumps`` defaults, as ``samples_df`` writes them)."""
    return json.dumps(value)


def scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return to_json_text(value)
    return str(value)


def series_from_values(name: str, values: list[Any], *, keep_lists: bool = False) -> pl.Series:
    """A Series with the narrowest honest dtype for ``values``.

    Mixed scalar types become text (``str(value)``), as ``samples_df`` does, so a grade
    column holding ``'10'`` and ``'I'`` or ``0.5`` and ``'INVALID'`` survives intact and
    the score descriptor decides how to paint it. Dicts (and lists, unless ``keep_lists``)
    become JSON text: metadata and nested score values are free-form.
    """
    kinds = set(map(type, values))
    kinds.discard(_NONE)
    if not kinds:
        return pl.Series(name, values, dtype=pl.Null)
    if len(kinds) == 1:
        (kind,) = kinds
        if kind is str:
            return pl.Series(name, values, dtype=pl.String)
        if kind is bool:
            return pl.Series(name, values, dtype=pl.Boolean)
        if kind is int:
            try:
                return pl.Series(name, values, dtype=pl.Int64)
            except (OverflowError, ValueError, TypeError):
                return pl.Series(name, values, dtype=pl.Float64, strict=False)
        if kind is float:
            return pl.Series(name, values, dtype=pl.Float64)
        if kind is datetime:
            return pl.Series(name, values, dtype=pl.Datetime("us", "UTC"))
        if kind is list and keep_lists:
            try:
                return pl.Series(name, values, strict=True)
            except (TypeError, ValueError, OverflowError, pl.exceptions.PolarsError):
                pass
    elif kinds == {int, float}:
        return pl.Series(name, values, dtype=pl.Float64)
    texts = [None if v is None else scalar_text(v) for v in values]
    return pl.Series(name, texts, dtype=pl.String)
