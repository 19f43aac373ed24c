"""How grid columns sort: the default order, and keys for columns stored in a wrong type.

Sort keys are needed where a column's stored type would sort wrongly. What a score means as a number lives in `evallens.scores`: a pass/fail
score sorts by `evallens.scores.value_expr` (C 1, P 0.5, I and N 0), missing values last.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from evallens.grid.columns import Column
from evallens.grid.query import SortKey
from evallens.scores import descriptor_value_expr
from evallens.wire import ROW

LOG_ORDER = "__log_order"
"""Sort key of the default order: each log where it first appears in the frame."""


def sort_expr(column: Column, dtype: pl.DataType) -> pl.Expr | None:
    """How a column sorts when its stored type would sort wrongly (None: as stored).

    Example:
        >>> from evallens.grid.columns import Column
        >>> ids = pl.DataFrame({"id": ["10", "9", "x"]})
        >>> key = sort_expr(Column("sampleId", "id", "Id", "id", True), pl.String())
        >>> ids.sort(key)["id"].to_list()
        ['9', '10', 'x']
    """
    if column.score is not None and dtype == pl.String and column.score.is_numeric:
        # Pass/fail letters and grades stored as text ('10', '9', … 'I') sort as numbers.
        return descriptor_value_expr(column.score, dtype)
    if column.id == "sampleId" and dtype == pl.String:
        # Ids as text (logs that mix id types): numeric ids in numeric order ('9' < '10').
        text = pl.col(column.field)
        return pl.when(text.str.contains(r"^[0-9]{1,19}$")).then(text.str.zfill(20)).otherwise(text)
    return None


def sort_exprs(columns: list[Column], schema: pl.Schema) -> dict[str, pl.Expr]:
    """The sort key of every column that needs one, by frame column."""
    out: dict[str, pl.Expr] = {}
    for c in columns:
        if c.field in schema and (e := sort_expr(c, schema[c.field])) is not None:
            out[c.field] = e
    return out


def log_runs(df: pl.DataFrame) -> pl.DataFrame | None:
    """Each run of rows sharing a ``log``, in frame order: its ``len`` and ``value``.

    Readers write each log's rows together, so this is usually one row per log, found
    by comparing neighbours rather than hashing every row. None: the frame has no ``log``.
    """
    if "log" not in df.columns:
        return None
    return df.get_column("log").rle().struct.unnest()


def _together(runs: pl.DataFrame) -> bool:
    """Each log's rows are together (one run per log)."""
    return runs.get_column("value").n_unique() == runs.height


def first_rows(runs: pl.DataFrame | None) -> Callable[[int], int] | None:
    """How many of the frame's first rows hold the first k rows of the default order.

    When each log's rows are together, every row of a log comes before every row of a
    later one, so the first k rows lie in the runs that add up to k rows: a partial sort
    need read only those (None: the logs are mixed, or the frame has none).

    Example:
        >>> runs = log_runs(pl.DataFrame({"log": ["a", "a", "a", "b", "b", "c"]}))
        >>> rows = first_rows(runs)
        >>> [rows(k) for k in (1, 3, 4, 9)]
        [3, 3, 5, 6]
    """
    if runs is None or not _together(runs):
        return None
    ends = runs.get_column("len").cum_sum()

    def rows(k: int) -> int:
        if ends.len() == 0:
            return 0
        at = int(ends.search_sorted(k, side="left"))
        return int(ends[min(at, ends.len() - 1)])

    return rows


def default_sort(
    df: pl.DataFrame, runs: pl.DataFrame | None = None, by_row: bool = False
) -> tuple[list[SortKey], dict[str, pl.Expr]]:
    """Inspect's sample list order: by id, then epoch (within each log, logs as given).

    Logs store samples in completion order; Inspect's list starts sorted by id, then
    epoch, numeric ids numerically. Returns the keys and the expressions they need.
    ``runs``: `log_runs` of ``df``, when already known. ``by_row``: when each log's rows
    are together, number a row's log from its row number (``ROW``) and the runs, without
    reading ``log`` (its text not converted yet).
    """
    keys: list[SortKey] = []
    exprs: dict[str, pl.Expr] = {}
    if "log" in df.columns:
        runs = log_runs(df) if runs is None else runs
        if runs is not None and _together(runs):
            # Each log's rows together: a log's run number is its place, in any subset of
            # the rows too (a filter keeps runs together and in order), and it costs one
            # pass of neighbour comparisons instead of a group-by over the text.
            exprs[LOG_ORDER] = (
                pl.lit(runs.get_column("len").cum_sum())
                .search_sorted(pl.col(ROW), side="right")
                .cast(pl.UInt32)
                if by_row
                else pl.col("log").rle_id()
            )
        else:
            # The source row index, not a position in the filtered rows: a filtered
            # partial sort must agree with the full one.
            exprs[LOG_ORDER] = pl.col(ROW).min().over("log")
        keys.append(SortKey(LOG_ORDER))
    keys += [SortKey(name) for name in ("id", "epoch") if name in df.columns]
    return keys, exprs
