"""What the grid shows, as a frame or a file: its rows in view order, its columns or all.

Values are exported as the frame holds them (a score of ``0.5`` stays ``0.5``, NaN stays
NaN), never as the grid formats them. A derived column (the sample's status) is exported
under its label's name when the frame has no column of that name.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import polars as pl

from evallens.errors import UnknownNameError, unknown_name_error
from evallens.grid.columns import STATUS
from evallens.grid.model import GridModel
from evallens.grid.transcripts import HITS

FORMATS = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
"""File formats `export` writes, by the path's extension."""

BROWSER_ROWS = 100_000
"""Most rows the grid's Download button hands to the browser (more: use ``export``)."""

Columns = Literal["shown", "all"] | Sequence[str]


def view_frame(
    model: GridModel, states: Sequence[Mapping[str, Any]], columns: Columns = "shown"
) -> pl.DataFrame:
    """The rows the grid shows now (filters, search and sort applied), in view order.

    ``columns``: ``"shown"`` (the visible columns, in the grid's order), ``"all"`` (every
    column of the frame), or column names (frame columns or the grid's column ids). While a
    transcript search is set, its ``hits`` come last.
    """
    view = model.query.view
    frame = _view_frame(model, states, columns, view)
    # A transcript search's hit counts, as the grid shows them (the last column).
    searched = getattr(model, "transcript_hits", None) is not None
    grouped = getattr(model, "groups", None) is not None  # hits are counted per epoch
    if searched and not grouped and "hits" not in frame.columns:
        hits = model.query.df.get_column(HITS)[view].alias("hits")
        frame = frame.with_columns(hits)
    return frame


def _view_frame(
    model: GridModel, states: Sequence[Mapping[str, Any]], columns: Columns, view: pl.Series
) -> pl.DataFrame:
    if isinstance(columns, str) and columns == "all":
        return model.source[view]
    if isinstance(columns, str) and columns == "shown":
        fields = [model.column(str(s["id"])).field for s in states if s.get("visible")]
    elif isinstance(columns, str):
        raise ValueError(f"columns is 'shown', 'all' or a list of column names, got {columns!r}")
    else:
        fields = []
        for name in columns:
            if name in model.source.columns:
                fields.append(name)
                continue
            try:
                fields.append(model.column(str(name)).field)
            except UnknownNameError:
                names = [*model.source.columns, *(c.id for c in model.columns)]
                raise unknown_name_error("column", str(name), list(dict.fromkeys(names))) from None
    fields = list(dict.fromkeys(fields))  # a column named twice is exported once
    own = [f for f in fields if f in model.source.columns]
    rows = model.source.select(own)[view]
    out = []
    for field in fields:
        if field in model.source.columns:
            out.append(rows.get_column(field))
        elif field == STATUS:
            name = "status" if "status" not in model.source.columns else STATUS
            out.append(model.query.work.take(view, [STATUS]).to_series().alias(name))
    return pl.DataFrame(out)


def file_format(path: str | os.PathLike[str]) -> str:
    """The format a path's extension names; a clear error for others."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"cannot tell what to write from {os.fspath(path)!r}: name a file ending in "
            + ", ".join(FORMATS)
        )
    return FORMATS[suffix]


def _nested_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists, structs and objects as JSON text: CSV holds one value per cell."""

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, pl.Series):
            value = value.to_list()
        return json.dumps(value, ensure_ascii=False, default=str)

    nested = [
        pl.col(name).map_elements(text, return_dtype=pl.String, skip_nulls=True)
        for name, dtype in frame.schema.items()
        if dtype.is_nested() or dtype == pl.Object or dtype == pl.Binary
    ]
    return frame.with_columns(nested) if nested else frame


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as CSV (UTF-8, a header row; nested values as JSON text)."""
    return _nested_as_text(frame).write_csv().encode("utf-8")


def write(frame: pl.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` to ``path`` in the format its extension names; the path written."""
    kind = file_format(path)
    target = Path(path)
    if kind == "csv":
        target.write_bytes(csv_bytes(frame))
    elif kind == "parquet":
        objects = [n for n, t in frame.schema.items() if t == pl.Object]
        if objects:
            raise TypeError(
                f"Parquet cannot hold Python objects (columns {', '.join(objects)}): "
                "export to .jsonl or .csv, or leave those columns out"
            )
        frame.write_parquet(target)
    else:
        frame.with_columns(
            pl.col(n).map_elements(str, return_dtype=pl.String, skip_nulls=True)
            for n, t in frame.schema.items()
            if t == pl.Object
        ).write_ndjson(target)
    return target
