"""The one place inputs become polars frames.

Every widget and reader accepts the same things: a polars ``DataFrame`` (used as it is, no
copy), a ``LazyFrame`` (collected), a pandas frame (through Arrow), any object speaking the
Arrow PyCapsule stream interface (a pyarrow ``Table``, a DuckDB relation, …), or Inspect
logs: a log file, a directory of logs, or a list of them (read with `read_samples`).
A frame keeps its own columns: nothing is widened to the Inspect schema up front.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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


class DeferredColumns:
    """A pandas frame's columns of Python objects, converted when something first reads them.

    Arrow converts such a column object by object (a million dicts: ~0.2 s); a grid that
    shows no such column need not wait for it. `convert` gives exactly what converting the
    whole frame would have given these columns (Arrow converts column by column).
    """

    def __init__(self, data: Any, names: Sequence[str], order: Sequence[str]) -> None:
        # A frame of these columns alone: later writes to the user's frame do not reach it
        # (a copy of the column's pointers, or pandas' copy-on-write).
        self._data = data[list(names)]
        self.names = list(names)
        """The columns deferred."""
        self.order = list(order)
        """Every column of the frame, in its order."""

    def convert(self) -> pl.DataFrame:
        """The deferred columns as polars, as the whole frame's conversion gives them."""
        return _from_pandas(self._data)


def from_pandas_deferring(
    data: Any, deferrable: Collection[str]
) -> tuple[pl.DataFrame, DeferredColumns | None]:
    """A pandas frame as polars, but for its object columns named in ``deferrable``.

    Those (when there are any) are left to the `DeferredColumns` returned with the frame.

    Example:
        >>> import pandas as pd
        >>> frame, rest = from_pandas_deferring(pd.DataFrame({"x": [1], "u": [{"a": 1}]}), {"u"})
        >>> frame.columns, rest.convert().to_dicts()
        (['x'], [{'u': {'a': 1}}])
    """
    names = list(data.columns)
    plain = all(isinstance(n, str) for n in names) and len(set(names)) == len(names)
    deferred = [n for n in names if n in deferrable and data[n].dtype == object] if plain else []
    if not deferred:
        return _from_pandas(data), None
    kept = [n for n in names if n not in deferred]
    return _from_pandas(data, kept), DeferredColumns(data, deferred, names)


def _from_pandas(data: Any, columns: Sequence[str] | None = None) -> pl.DataFrame:
    """A pandas frame (or its ``columns``) through one Arrow table, the index dropped.

    Arrow-backed columns (pandas' default strings, ``ArrowDtype``) are taken without
    copying them in pandas, and their text reaches polars as Arrow string views over the
    same bytes (polars' own layout: taken as they are, where converting Arrow's offset
    strings rewrote every value); polars keeps the table's chunks instead of joining them.
    ``pl.from_pandas`` converted column by column and then rebuilt every column, 4–20×
    slower at a million rows for the same values. What Arrow cannot read that way is
    left to ``pl.from_pandas``.
    """
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(data, columns=columns, preserve_index=False)
        converted = pl.from_arrow(_string_views(table), rechunk=False)
    except Exception:
        converted = None
    if isinstance(converted, pl.DataFrame):
        return converted
    try:
        return pl.from_pandas(data if columns is None else data[list(columns)])
    except Exception as ex:  # mixed object columns Arrow cannot type
        raise ValueError(f"cannot convert the pandas frame to polars: {ex}") from ex


def _string_views(table: Any) -> Any:
    """``table`` with its string columns as string views (the bytes shared, not copied)."""
    import pyarrow as pa

    text = (pa.string(), pa.large_string())
    if not any(t in text for t in table.schema.types):
        return table
    columns = [c.cast(pa.string_view()) if c.type in text else c for c in table.columns]
    return pa.Table.from_arrays(columns, schema=None, names=table.column_names)


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
