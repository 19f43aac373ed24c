"""One log's sample summaries → a polars frame in the evallens samples schema."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from evallens.io._columns import series_from_values, to_json_text
from evallens.io._logfile import LogFile
from evallens.io._remote import log_location
from evallens.io._summary import (
    auto_sample_id,
    eval_id_of,
    render_input,
    render_target,
    thin_metadata,
    thin_text,
)

ScoreMap = dict[str, tuple[str, str]]
"""Score column → (scorer, score name); the name equals the scorer for non-dict scorers."""

USAGE_FIELDS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("input_tokens", pl.Int64),
    ("output_tokens", pl.Int64),
    ("total_tokens", pl.Int64),
    ("input_tokens_cache_write", pl.Int64),
    ("input_tokens_cache_read", pl.Int64),
    ("reasoning_tokens", pl.Int64),
    ("total_cost", pl.Float64),
)
MODEL_USAGE_DTYPE = pl.List(
    pl.Struct({"model": pl.String, **{name: dtype for name, dtype in USAGE_FIELDS}})
)
"""``model_usage``: one struct per model the sample called (the log stores a dict)."""

_USAGE_NAMES = tuple(name for name, _ in USAGE_FIELDS)

# Core columns, in order, with fixed dtypes so frames from different logs concatenate.
# `id` is left out: it keeps the log's type (integer ids stay integers).
SAMPLE_DTYPES: dict[str, pl.DataType] = {
    "eval_id": pl.String(),
    "sample_id": pl.String(),
    "log": pl.String(),
    "task_name": pl.String(),
    "task_display_name": pl.String(),
    "model": pl.String(),
    "model_display_name": pl.String(),
    "epoch": pl.Int64(),
    "input": pl.String(),
    "target": pl.String(),
    "answer": pl.String(),
    "error": pl.String(),
    "limit": pl.String(),
    "retries": pl.Int64(),
    "total_tokens": pl.Int64(),
    "total_time": pl.Float64(),
    "working_time": pl.Float64(),
    "message_count": pl.Int64(),
    "model_usage": MODEL_USAGE_DTYPE,
}
CORE_ORDER: tuple[str, ...] = (
    "eval_id",
    "sample_id",
    "log",
    "task_name",
    "task_display_name",
    "model",
    "model_display_name",
    "id",
    "epoch",
    "input",
    "target",
    "answer",
    "error",
    "limit",
    "retries",
    "total_tokens",
    "total_time",
    "working_time",
    "message_count",
    "model_usage",
)


def remove_namespace(task: str) -> str:
    """``inspect_evals/gpqa_diamond`` → ``gpqa_diamond``, as inspect_ai's frames show tasks."""
    return task.split("/", 1)[1] if "/" in task else task


def eval_identity(log: LogFile) -> dict[str, str]:
    """The per-log columns every sample row repeats."""
    spec = log.header["eval"]
    task = str(spec.get("task", ""))
    task_name = remove_namespace(task)
    model = str(spec.get("model", ""))
    return {
        "eval_id": eval_id_of(spec),
        "log": log_location(log.path),
        "task_name": task_name,
        "task_display_name": str(spec.get("task_display_name") or task_name),
        "model": model,
        "model_display_name": model,
    }


def _put_slow(dynamic: dict[str, list[Any]], column: str, row: int, value: Any) -> None:
    """Add a value for a column this row, padding rows that lacked the column with None."""
    values = dynamic.get(column)
    if values is None:
        values = dynamic[column] = [None] * row
    elif len(values) < row:
        values.extend([None] * (row - len(values)))
    if len(values) == row:
        values.append(value)
    # a second value for the same row means two keys collided; the first one wins


def _usage_series(offsets: list[int], models: list[str], fields: list[list[Any]]) -> pl.Series:
    """``model_usage`` built from flat Arrow arrays: far faster than from nested dicts."""
    import pyarrow as pa

    arrow_types: dict[Any, pa.DataType] = {pl.Int64: pa.int64(), pl.Float64: pa.float64()}
    children = [pa.array(models, pa.string())]
    # infer then cast: a token count logged as 3.0 must not fail the whole log
    children.extend(
        pa.array(values).cast(arrow_types[dtype], safe=False)
        for values, (_, dtype) in zip(fields, USAGE_FIELDS, strict=True)
    )
    struct = pa.StructArray.from_arrays(children, names=["model", *_USAGE_NAMES])
    lists = pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), struct)
    series = pl.Series("model_usage", lists)
    return series if series.dtype == MODEL_USAGE_DTYPE else series.cast(MODEL_USAGE_DTYPE)


def _int_or_none(value: Any) -> Any:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def samples_frame(log: LogFile) -> tuple[pl.DataFrame, ScoreMap]:
    """Build the samples frame for one log, and say which scorer/score each column holds.

    This loop is the reader's hot path (every sample passes through it once), hence the
    local bindings and the cached column names.
    """
    identity = eval_identity(log)
    summaries = log.parsed_summaries()
    n = len(summaries)
    eval_id = identity["eval_id"]

    sample_ids: list[str] = []
    ids: list[Any] = []
    epochs: list[Any] = []
    inputs: list[str] = []
    targets: list[str] = []
    answers: list[str | None] = []
    errors: list[str] = []
    limits: list[Any] = []
    retries: list[Any] = []
    total_tokens: list[int] = []
    total_times: list[Any] = []
    working_times: list[Any] = []
    message_counts: list[Any] = []
    usage_offsets: list[int] = [0]
    usage_models: list[str] = []
    usage_fields: list[list[Any]] = [[] for _ in USAGE_FIELDS]
    dynamic: dict[str, list[Any]] = {}
    score_map: ScoreMap = {}
    metadata_names: dict[str, str] = {}
    score_names: dict[tuple[str, Any], str] = {}

    for row, s in enumerate(summaries):
        get = s.get
        sid = get("id")
        epoch = get("epoch")
        ids.append(sid)
        epochs.append(epoch)
        sample_ids.append(get("uuid") or auto_sample_id(eval_id, sid, epoch))
        inputs.append(render_input(get("input")))
        targets.append(render_target(get("target")))
        error = get("error")
        errors.append(error if isinstance(error, str) else "")
        limits.append(get("limit"))
        retries.append(get("retries"))
        total_times.append(get("total_time"))
        working_times.append(get("working_time"))
        message_counts.append(get("message_count"))

        tokens = 0
        usage = get("model_usage")
        if usage:
            for model_name, u in usage.items():
                tokens += u.get("total_tokens") or 0
                usage_models.append(model_name)
                for field_values, name in zip(usage_fields, _USAGE_NAMES, strict=True):
                    field_values.append(_int_or_none(u.get(name)))
        usage_offsets.append(len(usage_models))
        total_tokens.append(tokens)

        metadata = get("metadata")
        if metadata:
            for key, value in thin_metadata(metadata).items():
                if isinstance(value, dict | list):
                    value = to_json_text(value)
                column = metadata_names.get(key)
                if column is None:
                    column = metadata_names[key] = f"metadata_{key}"
                present = dynamic.get(column)
                if present is not None and len(present) == row:
                    present.append(value)
                else:
                    _put_slow(dynamic, column, row, value)

        answer: str | None = None
        scores = get("scores")
        if scores:
            for scorer, score in scores.items():
                if not isinstance(score, dict):
                    continue
                value = score.get("value")
                if answer is None and isinstance(score.get("answer"), str):
                    answer = thin_text(score["answer"])
                if isinstance(value, dict):
                    parts: Iterable[tuple[Any, Any]] = value.items()
                else:
                    parts = ((None, value),)
                for key, sub in parts:
                    column = score_names.get((scorer, key))
                    if column is None:
                        column = f"score_{scorer}" if key is None else f"score_{scorer}_{key}"
                        score_names[(scorer, key)] = column
                        pair = (scorer, scorer if key is None else str(key))
                        score_map.setdefault(column, pair)
                    if key is not None and isinstance(sub, dict):
                        sub = to_json_text(sub)
                    present = dynamic.get(column)
                    if present is not None and len(present) == row:
                        present.append(sub)
                    else:
                        _put_slow(dynamic, column, row, sub)
        answers.append(answer)

    columns: list[pl.Series] = [
        pl.Series("sample_id", sample_ids, dtype=pl.String),
        series_from_values("id", ids),
        pl.Series("epoch", epochs, dtype=pl.Int64),
        pl.Series("input", inputs, dtype=pl.String),
        pl.Series("target", targets, dtype=pl.String),
        pl.Series("answer", answers, dtype=pl.String),
        pl.Series("error", errors, dtype=pl.String),
        series_from_values("limit", limits).cast(pl.String),
        pl.Series("retries", retries, dtype=pl.Int64),
        pl.Series("total_tokens", total_tokens, dtype=pl.Int64),
        pl.Series("total_time", total_times, dtype=pl.Float64, strict=False),
        pl.Series("working_time", working_times, dtype=pl.Float64, strict=False),
        pl.Series("message_count", message_counts, dtype=pl.Int64, strict=False),
        _usage_series(usage_offsets, usage_models, usage_fields),
    ]
    for name in sorted(dynamic, key=_dynamic_order):
        values = dynamic[name]
        if len(values) < n:
            values.extend([None] * (n - len(values)))
        columns.append(series_from_values(name, values, keep_lists=name.startswith("score_")))

    frame = pl.DataFrame(columns, height=n)
    frame = frame.with_columns(
        pl.lit(value, dtype=pl.String).alias(name) for name, value in identity.items()
    )
    ordered = [c for c in CORE_ORDER if c in frame.columns]
    rest = [c for c in frame.columns if c not in SAMPLE_DTYPES and c != "id"]
    return frame.select(ordered + rest), score_map


def _dynamic_order(name: str) -> tuple[int, str]:
    # metadata before scores, as in samples_df; otherwise first-seen order is kept by sort
    return (0 if name.startswith("metadata_") else 1, "")
