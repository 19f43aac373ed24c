"""The one place inputs become polars frames.

Every widget and reader accepts the same things: a polars ``DataFrame`` (used as it is, no
copy), a ``LazyFrame`` (collected), a pandas frame (through Arrow), any object speaking the
Arrow PyCapsule stream interface (a pyarrow ``Table``, a DuckDB relation, …), or Inspect
logs: a log file, a directory of logs, or a list of them (read with `read_samples`).
A frame keeps its own columns: nothing is widened to the Inspect schema up front.
"""

from __future__ import annotations

from typing import Any

import polars as pl


def is_pandas(data: Any) -> bool:
    """True for a pandas DataFrame, without importing pandas."""
    return type(data).__module__.startswith("pandas") and hasattr(data, "to_dict")


def as_polars(data: Any) -> pl.DataFrame | None:
    """An in-memory table as a polars frame, or None when ``data`` is not one.

    Example:
        >>> import pyarrow as pa
        >>> as_polars(pa.table({"id": [1, 2]})).shape
        (2, 1)
        >>> as_polars("logs/") is None
        True
    """
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    if is_pandas(data):
        return _from_pandas(data)
    if hasattr(data, "__arrow_c_stream__"):
        return pl.DataFrame(data)
    return None


def _from_pandas(data: Any) -> pl.DataFrame:
    """A pandas frame through one Arrow table, its columns as they are (the index dropped).

    Arrow-backed columns (pandas' default strings) are taken without copying them in
    pandas, and polars keeps the table's chunks instead of joining them:
    ``pl.from_pandas`` converted column by column and then rebuilt every column, 4–20×
    slower at a million rows for the same values. What Arrow cannot read that way is
    left to ``pl.from_pandas``.
    """
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(data, preserve_index=False)
        converted = pl.from_arrow(table, rechunk=False)
    except Exception:
        converted = None
    if isinstance(converted, pl.DataFrame):
        return converted
    try:
        return pl.from_pandas(data)
    except Exception as ex:  # mixed object columns Arrow cannot type
        raise ValueError(f"cannot convert the pandas frame to polars: {ex}") from ex


def to_frame(data: Any) -> pl.DataFrame:
    """Anything evallens accepts as data → a polars frame (logs are read as samples).

    Example:
        >>> to_frame(pl.DataFrame({"id": [1]}).lazy()).columns
        ['id']
    """
    frame = as_polars(data)
    if frame is not None:
        return frame
    from evallens.io import read_samples

    return read_samples(data)
