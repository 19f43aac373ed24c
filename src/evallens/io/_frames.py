"""Bring frames from elsewhere (``samples_df``/``evals_df`` output, parquet) into our schema."""

from __future__ import annotations

import json
import re
from typing import Any

import polars as pl

from evallens.io._samples import CORE_ORDER, MODEL_USAGE_DTYPE, SAMPLE_DTYPES, USAGE_FIELDS

_INTEGER_TEXT = re.compile(r"^-?(0|[1-9][0-9]*)$")


def is_pandas(data: Any) -> bool:
    """True for a pandas DataFrame, without importing pandas."""
    return type(data).__module__.startswith("pandas") and hasattr(data, "to_dict")


def from_pandas(data: Any) -> pl.DataFrame:
    """Convert a pandas frame (including Arrow-backed ``samples_df`` output) to polars."""
    try:
        return pl.from_pandas(data)
    except Exception as ex:  # mixed object columns pyarrow cannot type
        raise ValueError(f"cannot convert the pandas frame to polars: {ex}") from ex


def is_samples_schema(frame: pl.DataFrame) -> bool:
    """True when ``frame`` already has every core column with our dtype (passes through)."""
    schema = frame.schema
    if "id" not in schema:
        return False
    return all(schema.get(name) == dtype for name, dtype in SAMPLE_DTYPES.items())


def _usage_from_text(text: Any) -> list[dict[str, Any]] | None:
    if text is None:
        return None
    usage = json.loads(text) if isinstance(text, str) else text
    if not isinstance(usage, dict):
        return None
    names = [name for name, _ in USAGE_FIELDS]
    return [
        {"model": model, **{name: (u or {}).get(name) for name in names}}
        for model, u in usage.items()
    ]


def _typed_ids(ids: pl.Series) -> pl.Series:
    """Integer-looking text ids back to integers (``samples_df`` writes every id as text)."""
    if ids.dtype != pl.String:
        return ids
    present = ids.drop_nulls()
    if present.len() and present.str.contains(_INTEGER_TEXT.pattern).all():
        return ids.cast(pl.Int64)
    return ids


def normalize_samples(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing core columns, fix dtypes and order columns as ``read_samples`` does.

    Example:
        >>> normalize_samples(pl.DataFrame({"id": ["1", "2"], "model": ["m", "m"]}))["id"].dtype
        Int64
    """
    if is_samples_schema(frame):
        return frame
    columns: dict[str, pl.Series] = {}
    height = frame.height
    if "id" in frame.columns:
        columns["id"] = _typed_ids(frame["id"])
    else:
        columns["id"] = pl.Series("id", [None] * height, dtype=pl.String)
    for name, dtype in SAMPLE_DTYPES.items():
        if name in frame.columns:
            series = frame[name]
            if name == "model_usage" and series.dtype != MODEL_USAGE_DTYPE:
                series = pl.Series(
                    name, [_usage_from_text(v) for v in series.to_list()], dtype=MODEL_USAGE_DTYPE
                )
            elif series.dtype != dtype:
                series = series.cast(dtype, strict=False)
            columns[name] = series
        elif name == "task_display_name" and "task_name" in frame.columns:
            columns[name] = frame["task_name"].cast(pl.String).alias(name)
        elif name == "model_display_name" and "model" in frame.columns:
            columns[name] = frame["model"].cast(pl.String).alias(name)
        else:
            columns[name] = pl.Series(name, [None] * height, dtype=dtype)
    if "total_tokens" not in frame.columns:
        usage = columns["model_usage"]
        columns["total_tokens"] = (
            usage.list.eval(pl.element().struct.field("total_tokens"))
            .list.sum()
            .alias("total_tokens")
        )
    core = [columns[name].alias(name) for name in CORE_ORDER]
    rest = [frame[c] for c in frame.columns if c not in columns]
    return pl.DataFrame(core + rest, height=height)


def normalize_evals(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``task_display_name``/``model_display_name`` when an evals frame lacks them."""
    additions: list[pl.Expr] = []
    if "task_display_name" not in frame.columns and "task_name" in frame.columns:
        additions.append(pl.col("task_name").alias("task_display_name"))
    if "model_display_name" not in frame.columns and "model" in frame.columns:
        additions.append(pl.col("model").alias("model_display_name"))
    return frame.with_columns(additions) if additions else frame
