"""One log's sample summaries → a polars frame in the evallens samples schema."""

from __future__ import annotations

import os
from typing import Any

import polars as pl

from evallens.io._columns import series_from_values, to_json_text
from evallens.io._logfile import LogFile
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
        "log": os.path.abspath(log.path),
        "task_name": task_name,
        "task_display_name": str(spec.get("task_display_name") or task_name),
        "model": model,
        "model_display_name": model,
    }


def samples_frame(log: LogFile) -> tuple[pl.DataFrame, ScoreMap]:
    """Build the samples frame for one log, and say which scorer/score each column holds."""
    identity = eval_identity(log)
    summaries = log.summaries or []
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
    usages: list[list[dict[str, Any]]] = []
    dynamic: dict[str, list[Any]] = {}
    score_map: ScoreMap = {}

    def put(column: str, row: int, value: Any) -> None:
        values = dynamic.get(column)
        if values is None:
            values = dynamic[column] = [None] * row
        elif len(values) < row:
            values.extend([None] * (row - len(values)))
        if len(values) == row:
            values.append(value)
        # a second value for the same row means two keys collided; the first wins

    for row, s in enumerate(summaries):
        sid = s.get("id")
        epoch = s.get("epoch")
        ids.append(sid)
        epochs.append(epoch)
        sample_ids.append(s.get("uuid") or auto_sample_id(eval_id, sid, epoch))
        inputs.append(render_input(s.get("input")))
        targets.append(render_target(s.get("target")))
        error = s.get("error")
        errors.append(error if isinstance(error, str) else "")
        limits.append(s.get("limit"))
        retries.append(s.get("retries"))
        total_times.append(s.get("total_time"))
        working_times.append(s.get("working_time"))
        message_counts.append(s.get("message_count"))

        usage = s.get("model_usage") or {}
        tokens = 0
        entries: list[dict[str, Any]] = []
        for model_name, u in usage.items():
            tokens += u.get("total_tokens") or 0
            entry = {name: u.get(name) for name in _USAGE_NAMES}
            entry["model"] = model_name
            entries.append(entry)
        total_tokens.append(tokens)
        usages.append(entries)

        metadata = s.get("metadata")
        if metadata:
            for key, value in thin_metadata(metadata).items():
                if isinstance(value, dict | list):
                    value = to_json_text(value)
                put(f"metadata_{key}", row, value)

        answer: str | None = None
        scores = s.get("scores")
        if scores:
            for scorer, score in scores.items():
                if not isinstance(score, dict):
                    continue
                value = score.get("value")
                if answer is None and isinstance(score.get("answer"), str):
                    answer = thin_text(score["answer"])
                if isinstance(value, dict):
                    for key, sub in value.items():
                        column = f"score_{scorer}_{key}"
                        score_map.setdefault(column, (scorer, str(key)))
                        put(column, row, to_json_text(sub) if isinstance(sub, dict) else sub)
                else:
                    column = f"score_{scorer}"
                    score_map.setdefault(column, (scorer, scorer))
                    put(column, row, value)
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
        pl.Series("model_usage", usages, dtype=MODEL_USAGE_DTYPE),
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
