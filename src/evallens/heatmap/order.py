"""The order of a heatmap's axes, as inspect_viz sorts them.

``sort="ascending"`` orders the x axis by the sum of its cells' values, low to high
(left → right), and the y axis high to low (top → bottom): the highest values end up
top-right. ``"descending"`` reverses both (highest bottom-left). Keys are first taken in
order of first appearance, sorted stably, then reversed where the definition says so (as
Observable Plot's domain sort does). ``None`` keeps the order of first appearance.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import polars as pl

from evallens.errors import unknown_name_error
from evallens.heatmap.cells import HeatmapData

Orientation = Literal["horizontal", "vertical"]

_REDUCERS = {
    "sum": lambda e: e.sum(),
    "mean": lambda e: e.mean(),
    "median": lambda e: e.median(),
    "min": lambda e: e.min(),
    "max": lambda e: e.max(),
    "count": lambda e: e.count(),
}


def _ordered_by_value(
    cells: pl.DataFrame, key: str, keys: list[str], reduce: str, reverse: bool
) -> list[str]:
    if reduce not in _REDUCERS:
        raise unknown_name_error("sort reducer", reduce, list(_REDUCERS))
    reduced = cells.group_by(key).agg(_REDUCERS[reduce](pl.col("value")).alias("r"))
    # A key whose cells are all missing reduces to 0 for sums and counts, as d3.sum does.
    score = dict(
        zip(reduced.get_column(key).to_list(), reduced.get_column("r").to_list(), strict=True)
    )

    def sort_key(name: str) -> tuple[bool, float]:
        v = score.get(name)
        if v is None and reduce in ("sum", "count"):
            v = 0.0
        missing = v is None or (isinstance(v, float) and math.isnan(v))
        return (missing, 0.0 if missing else float(v))  # type: ignore[arg-type]

    ordered = sorted(keys, key=sort_key)  # stable: ties keep first-appearance order
    return ordered[::-1] if reverse else ordered


def _explicit(order: Sequence[Any], keys: list[str], axis: str) -> list[str]:
    wanted = [str(v) for v in order]
    for name in wanted:
        if name not in keys:
            raise unknown_name_error(axis, name, keys)
    rest = [k for k in keys if k not in set(wanted)]
    return list(dict.fromkeys(wanted)) + rest


def _axis_order(spec: Any, cells: pl.DataFrame, key: str, keys: list[str], axis: str) -> list[str]:
    if spec is None:
        return list(keys)
    if isinstance(spec, str):
        spec = {"value": spec}
    if isinstance(spec, Mapping):
        value = str(spec.get("value", "fill"))
        reverse = bool(spec.get("reverse", False))
        if value.startswith("-"):
            value, reverse = value[1:], not reverse
        if value in ("fill", "value", "color", "score"):
            return _ordered_by_value(cells, key, keys, str(spec.get("reduce", "max")), reverse)
        if value in ("x", "y", "task", "model", "name"):
            ordered = sorted(keys)
            return ordered[::-1] if reverse else ordered
        raise ValueError(f"cannot sort the {axis} axis by {value!r}: use 'fill' or 'name'")
    if isinstance(spec, Iterable):
        return _explicit(list(spec), keys, axis)
    raise ValueError(f"unsupported sort for the {axis} axis: {spec!r}")


def axis_order(
    data: HeatmapData,
    sort: Any = "ascending",
    orientation: Orientation = "horizontal",
) -> tuple[list[str], list[str]]:
    """Labels of the x axis (left → right) and the y axis (top → bottom).

    ``sort`` is ``"ascending"``, ``"descending"``, ``None``, or per axis: a mapping with
    ``"x"``/``"y"`` (or ``"task"``/``"model"``) keys whose values are an explicit list of
    labels (unlisted labels follow in data order), or a channel sort such as
    ``{"value": "fill", "reduce": "sum", "reverse": True}``.

    Example:
        >>> cells = pl.DataFrame({"task": ["a", "b"], "model": ["m", "m"], "value": [0.9, 0.1]})
        >>> from evallens.heatmap.cells import resolve_columns
        >>> data = HeatmapData(resolve_columns(pl.DataFrame({"task_name": [], "model": [],
        ...     "score_headline_value": []})), cells, ["a", "b"], ["m"], (0.0, 1.0))
        >>> axis_order(data)
        (['b', 'a'], ['m'])
    """
    if orientation not in ("horizontal", "vertical"):
        raise ValueError(f"orientation must be 'horizontal' or 'vertical', got {orientation!r}")
    horizontal = orientation == "horizontal"
    x_key, y_key = ("task", "model") if horizontal else ("model", "task")
    x_keys, y_keys = (data.tasks, data.models) if horizontal else (data.models, data.tasks)
    if sort in ("ascending", "descending"):
        ascending = sort == "ascending"
        x_spec: Any = {"value": "fill", "reduce": "sum", "reverse": not ascending}
        y_spec: Any = {"value": "fill", "reduce": "sum", "reverse": ascending}
    elif sort is None:
        x_spec = y_spec = None
    elif isinstance(sort, Mapping):
        unknown = set(sort) - {"x", "y", "task", "model"}
        if unknown:
            raise unknown_name_error("sort axis", sorted(unknown)[0], ["x", "y", "task", "model"])
        x_spec = sort.get("x", sort.get(x_key))
        y_spec = sort.get("y", sort.get(y_key))
    else:
        raise ValueError(
            f"sort must be 'ascending', 'descending', None or a per-axis mapping, got {sort!r}"
        )
    return (
        _axis_order(x_spec, data.cells, x_key, x_keys, x_key),
        _axis_order(y_spec, data.cells, y_key, y_keys, y_key),
    )
