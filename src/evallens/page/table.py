"""Rows for a saved page: a wire frame (`evallens.wire.wire_frame`) stored by column, small.

The page rebuilds from it exactly the row objects the grid's Arrow reader makes of a
kernel window (``widget/src/page/table.ts``): text as text, integers as numbers (as
BigInt beyond 2**53), floats, booleans, missing as null. Text with few distinct values
(task, model, status...) is stored once, each row holding its index: a page of 20k
samples is then mostly its free text.
"""

from __future__ import annotations

import struct
from typing import Any

import polars as pl

from evallens.page.payload import Payload

SAFE_INT = 2**53 - 1


def uint_blob(payload: Payload, name: str, values: list[int]) -> dict[str, Any]:
    """Non-negative integers in the narrowest of 1, 2 or 4 bytes each, little-endian."""
    top = max(values, default=0)
    width, code = (1, "B") if top < 2**8 else (2, "H") if top < 2**16 else (4, "I")
    raw = struct.pack(f"<{len(values)}{code}", *values)
    return {"width": width, **payload.blob(name, raw)}


def _column(series: pl.Series, payload: Payload, name: str) -> dict[str, Any]:
    dtype = series.dtype
    values = series.to_list()
    if dtype == pl.String:
        distinct = series.drop_nulls().unique(maintain_order=True).to_list()
        if len(distinct) * 2 < len(values):
            index = {text: i + 1 for i, text in enumerate(distinct)}
            codes = [0 if v is None else index[v] for v in values]
            return {"kind": "text", "dict": distinct, "codes": uint_blob(payload, name, codes)}
        return {"kind": "text", "values": values}
    if dtype == pl.Boolean:
        return {"kind": "bool", "values": values}
    if dtype.is_integer():
        if any(v is not None and abs(v) > SAFE_INT for v in values):
            # JSON numbers would round: digits, read back as BigInt (as the Arrow reader does).
            return {"kind": "bigint", "values": [None if v is None else str(v) for v in values]}
        return {"kind": "number", "values": values}
    if dtype.is_float():
        return {"kind": "number", "values": values}  # wire_frame made NaN and inf missing
    raise TypeError(f"column {series.name!r} is {dtype}, which wire_frame never gives")


def encode_table(frame: pl.DataFrame, payload: Payload, prefix: str) -> dict[str, Any]:
    """A wire frame's columns, in order, for `payload` (blobs named ``prefix:<column>``)."""
    return {
        "length": frame.height,
        "columns": {
            name: _column(frame.get_column(name), payload, f"{prefix}:{name}")
            for name in frame.columns
        },
    }
