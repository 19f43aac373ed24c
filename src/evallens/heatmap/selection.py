"""Selected heatmap cells as rows of a samples frame.

Selections of cells are encoded as integers ``task_index * n_models + model_index``
(indices into `HeatmapData.tasks` / `HeatmapData.models`), so filtering a million
samples is one ``is_in`` over an integer column computed once per frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from evallens.errors import unknown_name_error
from evallens.heatmap.types import CellRef


def cell_codes(
    frame: pl.DataFrame, task: str, model: str, tasks: Sequence[str], models: Sequence[str]
) -> pl.Series:
    """Each row's cell as ``task_index * len(models) + model_index`` (null: no cell).

    Example:
        >>> df = pl.DataFrame({"t": ["a", "b", "z"], "m": ["y", "x", "x"]})
        >>> cell_codes(df, "t", "m", ["a", "b"], ["x", "y"]).to_list()
        [1, 2, None]
    """
    for name in (task, model):
        if name not in frame.columns:
            raise unknown_name_error("column", name, frame.columns)
    width = len(models)
    t = (
        pl.col(task)
        .cast(pl.String)
        .replace_strict(list(tasks), list(range(len(tasks))), default=None, return_dtype=pl.Int64)
    )
    m = (
        pl.col(model)
        .cast(pl.String)
        .replace_strict(list(models), list(range(width)), default=None, return_dtype=pl.Int64)
    )
    return frame.select((t * width + m).alias("cell")).to_series()


def selection_codes(
    selection: Iterable[CellRef], tasks: Sequence[str], models: Sequence[str]
) -> list[int]:
    """Codes of selected ``{"task", "model"}`` cells (names not in the heatmap are skipped).

    Example:
        >>> selection_codes([{"task": "b", "model": "y"}], ["a", "b"], ["x", "y"])
        [3]
    """
    t_index = {t: i for i, t in enumerate(tasks)}
    m_index = {m: i for i, m in enumerate(models)}
    out = []
    for cell in selection:
        ti, mi = t_index.get(cell["task"]), m_index.get(cell["model"])
        if ti is not None and mi is not None:
            out.append(ti * len(models) + mi)
    return out
