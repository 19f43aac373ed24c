"""The one place inputs become polars frames.

Every widget and reader accepts the same things: a polars ``DataFrame`` (used as it is, no
copy), a ``LazyFrame`` (collected), a pandas frame (through Arrow), any object speaking the
Arrow PyCapsule stream interface (a pyarrow ``Table``, a DuckDB relation, …), or Inspect
logs: a log file, a directory of logs, or a list of them (read with `read_samples`).
A frame keeps its own columns: nothing is widened to the Inspect schema up front.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
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
    if _is_arrow_table(data):
        # its chunks kept; polars makes its text views over the same bytes
        try:
            converted = pl.from_arrow(data, rechunk=False)
        except Exception:  # what polars reads its own way (then it says what is wrong)
            converted = None
        return converted if isinstance(converted, pl.DataFrame) else pl.DataFrame(data)
    if hasattr(data, "__arrow_c_stream__"):
        return pl.DataFrame(data)
    return None


def _is_arrow_table(data: Any) -> bool:
    """A pyarrow ``Table`` or ``RecordBatch``, without importing pyarrow."""
    return type(data).__module__.startswith("pyarrow") and type(data).__name__ in (
        "Table",
        "RecordBatch",
    )


class LateText:
    """A text column of a pandas frame, made polars only for the rows something reads.

    Its Arrow array is taken as pandas holds it (no copy; Arrow arrays do not change, so
    later writes to the user's frame do not reach it). Every value read is the value
    converting the whole column gives; the whole column is converted once, when first
    read whole.
    """

    def __init__(self, name: str, values: Any) -> None:
        self.name = name
        self._values = values
        self._whole: pl.Series | None = None
        self._lock = threading.Lock()

    def whole(self) -> pl.Series:
        """Every row, in the frame's order."""
        with self._lock:
            if self._whole is None:
                self._whole = _text_series(self.name, self._values)
            return self._whole

    # What the grid's early-exit probes read (`evallens.grid.columns.Probed`): each
    # converts the rows it reads, or reads the whole column once it is converted.
    @property
    def dtype(self) -> Any:
        """Text, as polars converts it."""
        return pl.String

    def len(self) -> int:
        """Rows in the column."""
        return len(self._values)

    def null_count(self) -> int:
        """Missing values (Arrow counts them without reading the text)."""
        return int(self._values.null_count)

    def slice(self, offset: int, length: int | None = None) -> pl.Series:
        """``length`` rows from ``offset``, as ``pl.Series.slice``."""
        if self._whole is not None:
            return self._whole.slice(offset, length)
        n = len(self._values)
        start = max(0, n + offset if offset < 0 else offset)
        end = n if length is None else min(n, start + max(0, length))
        return _text_series(self.name, self._values.slice(start, max(0, end - start)))

    def head(self, n: int = 10) -> pl.Series:
        """The first ``n`` rows."""
        return self.slice(0, n)

    def gather_every(self, n: int) -> pl.Series:
        """Every ``n``-th row from the first."""
        if self._whole is not None:
            return self._whole.gather_every(n)
        import numpy as np

        every = np.arange(0, len(self._values), n, dtype=np.int64)
        return _text_series(self.name, take_chunked(self._values, every))

    def distinct(self) -> list[str]:
        """The distinct values, missing left out, in no particular order (Arrow's hash)."""
        if self._whole is not None:
            return self._whole.drop_nulls().unique().to_list()
        import pyarrow.compute as pc

        return [v for v in pc.unique(self._values).to_pylist() if v is not None]

    def runs(self) -> pl.DataFrame:
        """Runs of equal neighbouring values (missing ones too), as polars' ``rle`` gives them.

        ``len`` and ``value``, from Arrow's run-end encoding of each chunk.
        """
        if self._whole is not None:
            return self._whole.rle().struct.unnest()
        import pyarrow as pa
        import pyarrow.compute as pc

        lengths: list[int] = []
        parts: list[Any] = []
        last: Any = None
        for chunk in self._values.chunks:
            if len(chunk) == 0:
                continue
            encoded = pc.run_end_encode(chunk)
            ends = encoded.run_ends.to_pylist()
            values = encoded.values
            sizes = [b - a for a, b in zip([0, *ends[:-1]], ends, strict=True)]
            if lengths and values[0].as_py() == last:  # a run across the chunks' border
                lengths[-1] += sizes[0]
                sizes, values = sizes[1:], values.slice(1)
            lengths += sizes
            parts.append(values)
            if len(values):
                last = values[-1].as_py()
        joined = pa.concat_arrays(parts) if parts else pa.array([], self._values.type)
        value = pl.from_arrow(joined)
        assert isinstance(value, pl.Series)
        return pl.DataFrame([pl.Series("len", lengths, dtype=pl.UInt32), value.alias("value")])

    def value_counts(self) -> dict[str, int]:
        """How many rows hold each value (missing left out)."""
        import pyarrow.compute as pc

        counts = pc.value_counts(self._values)
        pairs = zip(
            counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True
        )
        return {v: int(n) for v, n in pairs if v is not None}

    def rows(self, rows: pl.Series) -> pl.Series:
        """The values at ``rows`` (row numbers of the frame, in any order)."""
        if self._whole is not None or rows.len() == len(self._values):
            whole = self.whole()
            every = pl.int_range(whole.len(), dtype=pl.UInt32, eager=True)
            if rows.len() == whole.len() and rows.cast(pl.UInt32).equals(every):
                return whole  # a whole read: the column as it is
            return whole.gather(rows)
        return _text_series(self.name, take_chunked(self._values, rows.to_numpy()))


def take_chunked(values: Any, rows: Any) -> Any:
    """``values`` (an Arrow array or chunked array) at ``rows`` (a numpy array of row numbers).

    Each chunk gives its own rows: Arrow's ``take`` on a chunked text column joins every
    chunk first, a copy of the whole column for each window (0.24 s for a million
    prompts read by pandas from parquet, against 0.1 ms chunk by chunk).

    Example:
        >>> import numpy as np, pyarrow as pa
        >>> values = pa.chunked_array([["a", "b"], ["c"], ["d", "e"]])
        >>> take_chunked(values, np.array([4, 0, 2, 0])).to_pylist()
        ['e', 'a', 'c', 'a']
    """
    import numpy as np
    import pyarrow as pa

    rows = np.asarray(rows, dtype=np.int64)
    if not isinstance(values, pa.ChunkedArray) or values.num_chunks <= 1:
        return values.take(pa.array(rows))
    lengths = np.fromiter((len(c) for c in values.chunks), np.int64, values.num_chunks)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    if rows.size and not (0 <= rows.min() and rows.max() < starts[-1]):
        raise IndexError(f"row numbers outside 0..{starts[-1] - 1}")
    chunk = np.searchsorted(starts, rows, side="right") - 1
    order = np.argsort(chunk, kind="stable")  # the rows grouped by chunk
    kept = [i for i in range(values.num_chunks) if np.any(chunk == i)]
    parts = [values.chunk(i).take(pa.array(rows[chunk == i] - starts[i])) for i in kept]
    grouped = pa.concat_arrays(parts) if parts else values.chunk(0).slice(0, 0)
    back = np.empty_like(order)
    back[order] = np.arange(order.size)
    return grouped.take(pa.array(back))


def _text_series(name: str, values: Any) -> pl.Series:
    """Arrow text as a polars column (polars makes its string views over the same bytes)."""
    series = pl.from_arrow(values, rechunk=False)
    assert isinstance(series, pl.Series)
    return series.alias(name)


class DeferredColumns:
    """A pandas frame's columns a grid need not convert to show its first rows.

    Columns of Python objects (Arrow converts them object by object: a million dicts
    take ~0.2 s) wait until something reads them (`convert` gives exactly what converting
    the whole frame gives them: Arrow converts column by column). Text columns are
    `LateText`: converted for the rows read.
    """

    def __init__(
        self, data: Any, names: Sequence[str], text: Sequence[LateText], order: Sequence[str]
    ) -> None:
        # A frame of these columns alone: later writes to the user's frame do not reach it
        # (a copy of the column's pointers, or pandas' copy-on-write).
        self._data = data[list(names)] if names else None
        self.kept = data
        """The pandas frame the polars frame was read from (a shallow copy of the user's):
        keep it as long as the polars frame, whose numbers share its memory."""
        self.names = list(names)
        """The columns of objects deferred."""
        self.text = list(text)
        """The text columns converted for the rows read."""
        self.order = list(order)
        """Every column of the frame, in its order."""
        self.ahead: Any = None
        """What the caller started on the frame's numbers while the rest was converted
        (`from_pandas_deferring`'s ``on_numbers``), for it to collect; None: nothing."""

    def convert(self) -> list[pl.Series]:
        """The deferred columns, whole, as the whole frame's conversion gives them."""
        objects = [] if self._data is None else _from_pandas(self._data).get_columns()
        return [*objects, *(t.whole() for t in self.text)]


def from_pandas_deferring(
    data: Any,
    objects: Collection[str],
    text: Collection[str] = (),
    on_numbers: Callable[[pl.DataFrame], None] | None = None,
) -> tuple[pl.DataFrame, DeferredColumns | None]:
    """A pandas frame as polars, some of its columns left for later.

    Its object columns named in ``objects`` are left out of the frame, and its Arrow-backed
    text columns named in ``text`` (pandas' default strings, ``ArrowDtype``) are there as
    columns of nulls (``pl.Null``, no memory) where they stand: both are in the
    `DeferredColumns` returned with the frame (``names`` and ``text`` empty when nothing
    was deferred), which also keeps what the frame was read from (`DeferredColumns.kept`).
    ``on_numbers``: given the frame's numpy-backed columns as soon as they are polars,
    before the rest is converted (work on them can start beside the conversion).

    Example:
        >>> import pandas as pd
        >>> frame, rest = from_pandas_deferring(pd.DataFrame({"x": [1], "u": [{"a": 1}]}), {"u"})
        >>> frame.columns, [s.to_list() for s in rest.convert()]
        (['x'], [[{'a': 1}]])
    """
    import pyarrow as pa

    # Read from a shallow copy kept with the deferred columns: numbers are taken over the
    # same memory, and while the copy lives pandas' copy-on-write gives a later write to
    # the user's frame memory of its own instead of writing where the grid reads.
    data = data.copy(deep=False)
    names = list(data.columns)
    if not (all(isinstance(n, str) for n in names) and len(set(names)) == len(names)):
        return _from_pandas(data, on_numbers=on_numbers), DeferredColumns(data, [], [], names)
    deferred = [n for n in names if n in objects and data[n].dtype == object]
    late = []
    for name in (n for n in names if n in text and n not in deferred):
        if data[name].dtype != object and hasattr(data[name].array, "__arrow_array__"):
            values = data[name].array.__arrow_array__()  # as Arrow's from_pandas takes it
            if isinstance(values, pa.Array):
                values = pa.chunked_array([values])
            if values.type in (pa.string(), pa.large_string()):
                late.append(LateText(name, values))
    if not deferred and not late:
        return _from_pandas(data, on_numbers=on_numbers), DeferredColumns(data, [], [], names)
    kept = [n for n in names if n not in deferred]
    placeholders = {t.name for t in late}
    frame = _from_pandas(data, [n for n in kept if n not in placeholders], on_numbers)
    nulls = _nulls_like(frame, len(data))
    frame = frame.with_columns(nulls.alias(n) for n in placeholders).select(kept)
    return frame, DeferredColumns(data, deferred, late, names)


def _nulls_like(frame: pl.DataFrame, height: int) -> pl.Series:
    """A column of nulls (``pl.Null``: no memory) in ``frame``'s chunks.

    Chunks as the frame's: a column chunked otherwise makes polars join every column's
    chunks at the next ``select`` (a copy of the frame: 13-47 ms at a million rows).
    """
    chunks = frame.to_series(0).get_chunks() if frame.width else []
    lengths = [c.len() for c in chunks] or [height]
    parts = [pl.repeat(None, n, dtype=pl.Null, eager=True) for n in lengths]
    return pl.concat(parts, rechunk=False) if len(parts) > 1 else parts[0]


def _from_pandas(
    data: Any,
    columns: Sequence[str] | None = None,
    on_numbers: Callable[[pl.DataFrame], None] | None = None,
) -> pl.DataFrame:
    """A pandas frame (or its ``columns``) as polars, the index dropped.

    numpy numbers and booleans become polars columns over the same memory (NaN as
    missing, as ``pl.from_pandas``); the other columns go through one Arrow table:
    Arrow-backed ones (pandas' default strings, ``ArrowDtype``) are taken without
    copying them in pandas, polars makes its string views over the same bytes (a pyarrow
    cast to views first took 2-10× longer in a fresh process, its pages new) and keeps the
    table's chunks instead of joining them. ``pl.from_pandas`` converted column by column
    and then rebuilt every column, 4–20× slower at a million rows for the same values.
    What Arrow cannot read that way is left to ``pl.from_pandas``. ``on_numbers``: as
    `from_pandas_deferring`'s.
    """
    import pyarrow as pa

    names = list(data.columns if columns is None else columns)
    out: pl.DataFrame | None = None
    try:
        plain = {n: s for n in names if (s := _numpy_column(data, n)) is not None}
        if plain and on_numbers is not None:
            on_numbers(pl.DataFrame(list(plain.values())))
        rest = [n for n in names if n not in plain]
        if rest or not names:
            table = pa.Table.from_pandas(data, columns=rest, preserve_index=False)
            converted = pl.from_arrow(table, rechunk=False)
            out = converted if isinstance(converted, pl.DataFrame) else None
        else:
            out = pl.DataFrame()
    except Exception:
        out = None
    if out is not None and plain:
        if out.width == 0:
            return pl.DataFrame(list(plain.values())).select(names)
        lengths = [c.len() for c in out.to_series(0).get_chunks()]
        return out.hstack([_in_chunks(s, lengths) for s in plain.values()]).select(names)
    if out is not None:
        return out
    try:
        return pl.from_pandas(data if columns is None else data[list(columns)])
    except Exception as ex:  # mixed object columns Arrow cannot type
        raise ValueError(f"cannot convert the pandas frame to polars: {ex}") from ex


_NUMPY_KINDS = frozenset("biuf")
"""numpy dtype kinds polars takes as they are: booleans, signed and unsigned ints, floats."""


def _numpy_column(data: Any, name: str) -> pl.Series | None:
    """A numpy-backed column of numbers or booleans over the same memory (None: another kind)."""
    import numpy as np

    dtype = data[name].dtype
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMPY_KINDS:
        return None
    if dtype.kind == "f" and dtype.itemsize < 4:  # float16: polars has no such type
        return None
    return pl.Series(name, data[name].to_numpy(), nan_to_null=dtype.kind == "f")


def _in_chunks(series: pl.Series, lengths: Sequence[int]) -> pl.Series:
    """``series`` cut (without copying) into chunks of ``lengths``, as the frame it joins."""
    if len(lengths) <= 1:
        return series
    starts = [0]
    for n in lengths[:-1]:
        starts.append(starts[-1] + n)
    parts = [series.slice(a, n) for a, n in zip(starts, lengths, strict=True)]
    return pl.concat(parts, rechunk=False)


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
