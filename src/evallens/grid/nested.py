"""Objects in a column (JSON text or structs) broken out into one column per key.

Metadata often holds objects: ``metadata_config`` = ``{"difficulty": 3, "source": "web"}``.
Broken out, each key is a column of its own (``metadata_config.difficulty``), sortable and
filterable like any other. A key's values keep their type when they share one (all
integers, numbers, booleans or text); mixed or nested values become JSON text, and a row
whose object lacks the key (or is not an object) is missing there.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from evallens.errors import unknown_name_error


def _objects(values: pl.Series) -> list[dict[str, Any] | None]:
    if isinstance(values.dtype, pl.Struct):
        return [v if isinstance(v, dict) else None for v in values.to_list()]
    out: list[dict[str, Any] | None] = []
    for text in values.to_list():
        value = None
        if isinstance(text, str) and text.startswith("{"):
            try:
                value = json.loads(text)
            except ValueError:
                value = None
        out.append(value if isinstance(value, dict) else None)
    return out


def _typed(name: str, values: list[Any]) -> pl.Series:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pl.Series(name, values, dtype=pl.Boolean)
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if all(-(2**63) <= v < 2**63 for v in present):
            return pl.Series(name, values, dtype=pl.Int64)
    elif present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pl.Series(name, [None if v is None else float(v) for v in values], dtype=pl.Float64)
    if all(isinstance(v, str) for v in present):
        return pl.Series(name, values, dtype=pl.String)
    text = [
        None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for v in values
    ]
    return pl.Series(name, text, dtype=pl.String)


def broken_out(values: pl.Series, taken: set[str]) -> list[pl.Series]:
    """One column per key of the objects in ``values``, keys in order of first appearance.

    Columns are named ``<column>.<key>``; a name already ``taken`` is left as it is.

    Example:
        >>> s = pl.Series("metadata_cfg", ['{"level": 3, "src": "web"}', '{"level": 5}', None])
        >>> [c.to_list() for c in broken_out(s, set())]
        [[3, 5, None], ['web', None, None]]
        >>> [c.name for c in broken_out(s, set())]
        ['metadata_cfg.level', 'metadata_cfg.src']
    """
    objects = _objects(values)
    keys: dict[str, None] = {}
    for obj in objects:
        if obj is not None:
            keys.update(dict.fromkeys(str(k) for k in obj))
    if not keys:
        raise ValueError(f"column {values.name!r} holds no objects to break out")
    out = []
    for key in keys:
        name = f"{values.name}.{key}"
        if name in taken:
            continue
        out.append(_typed(name, [None if o is None else o.get(key) for o in objects]))
    return out


def check_nested(name: str, nested: list[str]) -> None:
    """A clear error for a column that cannot be broken out, naming those that can."""
    if name not in nested:
        raise unknown_name_error("column holding objects", name, nested)
