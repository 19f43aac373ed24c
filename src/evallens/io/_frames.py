"""Bring frames from elsewhere (``samples_df``/``evals_df`` output, parquet) into our schema."""

from __future__ import annotations

import json
import os
import re
from typing import Any

import polars as pl

from evallens.io._samples import CORE_ORDER, MODEL_USAGE_DTYPE, SAMPLE_DTYPES, USAGE_FIELDS

_INTEGER_TEXT = re.compile(r"^-?(0|[1-9][0-9]*)$")


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


IDENTITY_COLUMNS = ("task_name", "task_display_name", "model", "model_display_name")
"""What a samples frame needs to say which task and model each row belongs to."""


def _missing(frame: pl.DataFrame, name: str) -> bool:
    return name not in frame.columns or frame.get_column(name).null_count() == frame.height


def _log_path(text: str) -> str:
    return text[len("file://") :] if text.startswith("file://") else text


def identity_from_logs(frame: pl.DataFrame) -> pl.DataFrame:
    """Task and model looked up in the logs a frame's ``log`` column names.

    ``inspect_ai.analysis.samples_df(path)`` with its default columns has no task or
    model; each row's ``log`` says where to find them (only the log's header is read).
    Logs that are not on this machine stay unknown.

    Example:
        >>> identity_from_logs(pl.DataFrame({"id": [1], "task_name": ["t"], "model": ["m"]}))["task_name"].to_list()
        ['t']
    """
    wanted = [n for n in IDENTITY_COLUMNS if _missing(frame, n)]
    if not wanted or "log" not in frame.columns or frame.height == 0:
        return frame
    from evallens.io._errors import LogReadError
    from evallens.io._evals import headline_score
    from evallens.io._logfile import read_log
    from evallens.io._samples import eval_identity
    from evallens.scores import remember_headlines

    found: dict[str, dict[str, str]] = {}
    headlines: dict[str, tuple[str, str]] = {}
    for log in frame.get_column("log").drop_nulls().unique().to_list():
        path = _log_path(str(log))
        if os.path.isfile(path):
            try:
                header = read_log(path, samples=False)
            except LogReadError:
                continue
            found[log] = eval_identity(header)
            headline = headline_score(header.header)
            if headline is not None:
                headlines[found[log]["eval_id"]] = headline
    remember_headlines(headlines)
    if not found:
        return frame
    logs = list(found)
    lookup = pl.DataFrame(
        {"log": logs, **{n: [found[g][n] for g in logs] for n in wanted}},
        schema={"log": frame.schema["log"], **dict.fromkeys(wanted, pl.String)},
    )
    return frame.drop([n for n in wanted if n in frame.columns]).join(
        lookup, on="log", how="left", maintain_order="left"
    )


def normalize_samples(frame: pl.DataFrame) -> pl.DataFrame:
    """Add missing core columns, fix dtypes and order columns as ``read_samples`` does.

    Task and model missing from a frame whose ``log`` column names logs on this machine
    (``samples_df``' default columns) are read from those logs' headers.

    Example:
        >>> normalize_samples(pl.DataFrame({"id": ["1", "2"], "model": ["m", "m"]}))["id"].dtype
        Int64
    """
    if is_samples_schema(frame) and not _missing(frame, "task_name"):
        return frame
    frame = identity_from_logs(frame)
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
