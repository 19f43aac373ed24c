"""The heatmap's cells on the wire: columns of little-endian numbers, not a list per cell.

``HeatmapSpec.cells`` is a list of ``(x, y, value, n, stderr, link)`` per cell, which is
what Python code reads (figures, the static copy). Synced as JSON, 100,000 cells cost the
kernel ~0.3 s only for ipywidgets to walk them looking for binary buffers, and 3 MB of
text. On the wire (the ``_spec`` trait's ``to_json``) ``cells`` and ``deltas`` are instead
a few byte columns made from the model's frames, which ipywidgets sends as binary frames
and ``widget/src/heatmap/table.ts`` reads. A missing number is NaN; links are sent only
for the cells that have one.
"""

from __future__ import annotations

import math
import sys
from array import array
from typing import Any

import polars as pl

from evallens.heatmap.types import HeatmapSpec


def _column(code: str, values: list[Any]) -> memoryview:
    out = array(code, values)
    if sys.byteorder == "big":
        out.byteswap()
    return memoryview(out.tobytes())


def _floats(series: pl.Series) -> memoryview:
    return _column("d", series.cast(pl.Float64).fill_null(math.nan).to_list())


def pack_cells(cells: pl.DataFrame) -> dict[str, Any]:
    """Cells as byte columns, and the links of the rows that have one.

    ``cells`` has columns x, y, value, n, stderr and log_viewer; x and y go as int32,
    value, n and stderr as float64.
    """
    links = cells.with_row_index("row").filter(pl.col("log_viewer").is_not_null())
    return {
        "packed": 1,
        "count": cells.height,
        "x": _column("i", cells["x"].to_list()),
        "y": _column("i", cells["y"].to_list()),
        "value": _floats(cells["value"]),
        "n": _floats(cells["n"]),
        "stderr": _floats(cells["stderr"]),
        "link_rows": _column("i", links["row"].to_list()),
        "link_urls": links["log_viewer"].to_list(),
    }


def pack_deltas(deltas: pl.DataFrame) -> dict[str, Any]:
    """Baseline-mode rows as byte columns.

    ``deltas`` has columns ci_low, ci_high, improved, regressed, p_adjusted (sent as
    float64) and ci_excludes_zero (sent as uint8 ``significant``).
    """
    return {
        "packed": 1,
        "count": deltas.height,
        "ci_low": _floats(deltas["ci_low"]),
        "ci_high": _floats(deltas["ci_high"]),
        "improved": _floats(deltas["improved"]),
        "regressed": _floats(deltas["regressed"]),
        "p_adjusted": _floats(deltas["p_adjusted"]),
        "significant": _column("B", deltas["ci_excludes_zero"].cast(pl.UInt8).to_list()),
    }


def wire_spec(
    spec: HeatmapSpec, cells: pl.DataFrame, deltas: pl.DataFrame | None
) -> dict[str, Any]:
    """``spec`` as the front end receives it, its cells and deltas packed.

    They are packed from the frames they were listed from (`HeatmapModel.cell_frame`,
    `HeatmapModel.delta_frame`).
    """
    if cells.height != len(spec["cells"]):
        raise ValueError(f"heatmap spec has {len(spec['cells'])} cells, its frame {cells.height}")
    return {
        **spec,
        "cells": pack_cells(cells),
        "deltas": None if deltas is None else pack_deltas(deltas),
    }
