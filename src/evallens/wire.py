"""The wire: what crosses from the kernel to the browser, and how it is encoded.

Row windows travel as Arrow IPC stream bytes in a message's binary buffers, typed so the
front end's small Arrow reader decodes them simply and exactly; everything else is JSON.
"""

from __future__ import annotations

import io
import json
from typing import Any

import polars as pl

ROW = "__row"
"""Name of the hidden column that carries each row's index in the source frame."""

TEXT_PREVIEW_CHARS = 400
"""Cells ship at most this many characters; the detail panel fetches full text."""


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)


def wire_frame(df: pl.DataFrame, preview_chars: int = TEXT_PREVIEW_CHARS) -> pl.DataFrame:
    """Turn a window into types the browser decodes simply and safely.

    Integers stay integers (the browser reads int64 exactly, as BigInt beyond 2**53),
    decimals become float64, long text is cut to a preview, nested values become JSON
    text, NaN/inf become missing.
    """
    exprs: list[pl.Expr] = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if name == ROW:
            exprs.append(col.cast(pl.UInt32))
        elif dtype == pl.String:
            exprs.append(col.str.slice(0, preview_chars))
        elif dtype == pl.Boolean:
            exprs.append(col)
        elif dtype.is_float():
            exprs.append(pl.when(col.is_finite()).then(col).otherwise(None).cast(pl.Float64))
        elif dtype.is_integer():
            exprs.append(col)
        elif dtype.is_numeric():
            exprs.append(col.cast(pl.Float64))
        elif dtype.is_temporal():
            exprs.append(col.dt.to_string())  # a plain cast refuses durations
        elif isinstance(dtype, (pl.Categorical, pl.Enum, pl.Null)):
            exprs.append(col.cast(pl.String))
        else:
            # Nested values (lists, structs, objects) travel as JSON text; windows are small.
            texts = [_json_text(v) for v in df.get_column(name).to_list()]
            exprs.append(
                pl.lit(pl.Series(name, texts, dtype=pl.String)).str.slice(0, preview_chars)
            )
    return df.select(exprs)


def to_ipc(df: pl.DataFrame) -> bytes:
    """Arrow IPC stream bytes for a (wire-typed) frame."""
    buf = io.BytesIO()
    df.write_ipc_stream(buf, compat_level=pl.CompatLevel.oldest())
    return buf.getvalue()


def json_safe(value: Any) -> Any:
    """A value for a JSON message, exact in the browser.

    Integers beyond 2**53 become their digits (JavaScript's JSON.parse would round them);
    anything JSON lacks becomes text.

    Example:
        >>> json_safe({"id": 2**53 + 1, "scores": [3, None]})
        {'id': '9007199254740993', 'scores': [3, None]}
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value) if abs(value) > 2**53 - 1 else value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return json.loads(json.dumps(value, default=str))
