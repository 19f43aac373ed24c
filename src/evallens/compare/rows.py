"""The compared grid's rows: each pair with both samples' fields, and its detail panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from evallens.compare.pairs import ROW, ROW_BASELINE, Pairs
from evallens.grid.types import CompareDetail, CompareSide, DetailScore
from evallens.sample.opened import Source

SIDE_FIELDS = ("answer", "error", "limit", "total_tokens", "total_time", "retries")
"""Fields each side of a pair has for itself (the baseline's get a ``_baseline`` suffix)."""
SHARED_FIELDS = ("input", "target")
"""Fields of the sample itself, the same for both sides (taken from the baseline's)."""

BASELINE, COMPARED, DELTA = "score_baseline", "score_compared", "score_delta"
"""The grid's score columns: the two sides' values and the delta."""


def compare_frame(samples: pl.DataFrame, pairs: Pairs, task: str, by: str) -> pl.DataFrame:
    """One row per pair: keys, both values, delta, status, and each side's sample fields.

    ``samples`` is the frame the pairs were built from. ``task`` and ``by`` are its task
    and model columns; the rows carry them under the same names (so a heatmap over the
    samples filters these rows), and as ``task_name`` / ``model`` for the grid's Task and
    Model columns.
    """
    if pairs.rows is None:
        raise ValueError("compare_frame needs pairs built from samples (pair_samples)")
    frame = pairs.frame
    keys = [k for k in ("task", "id", "epoch") if k in frame.columns]
    fields = [f for f in (*SIDE_FIELDS, *SHARED_FIELDS) if f in samples.columns]
    own = [f for f in SIDE_FIELDS if f in fields]
    shared = [f for f in SHARED_FIELDS if f in fields]
    source = samples.select(fields)
    baseline = source.select(pl.all().gather(pairs.rows.get_column(ROW_BASELINE)))
    mine = source.select(pl.all().gather(pairs.rows.get_column(ROW)))
    tasks = sorted({task, "task_name", "task_display_name"})
    models = sorted({by, "model", "model_display_name"} - {"model"})
    return pl.concat(
        [
            frame.select(
                *(pl.col("task").alias(n) for n in tasks),
                "model",
                *(pl.col("model").alias(n) for n in models),
                *keys[1:],
            ),
            # The sample's own text from the baseline, or the other side's when it lacks one.
            pl.DataFrame([baseline[f].fill_null(mine[f]) for f in shared]),
            frame.select(
                pl.col("value_baseline").alias(BASELINE),
                pl.col("value").alias(COMPARED),
                pl.col("delta").alias(DELTA),
                pl.col("status").cast(pl.String),
            ),
            mine.select(own),
            baseline.select(pl.col(own).name.suffix("_baseline")),
            frame.select(
                *(c for c in ("epochs", "epochs_baseline") if c in frame.columns),
                "log",
                "log_baseline",
            ),
        ],
        how="horizontal",
    )


def compare_view(pairs: Pairs, frame: pl.DataFrame) -> dict[str, Any]:
    """The grid's view: both values and the delta side by side, regressions first."""
    reach = frame.get_column(DELTA).abs().max()
    top = float(reach) if isinstance(reach, int | float) and reach > 0 else 1.0
    scores = set(pairs.scores.values())
    score = scores.pop() if len(scores) == 1 else "score"
    columns = ["task_name", "model", "sampleId", "epoch", "input", "target"]
    columns += [f"score__{n}__{n}" for n in ("baseline", "compared", "delta")]
    columns += ["status", "answer"]
    present = set(frame.columns) | {"sampleId"}
    return {
        "columns": [c for c in columns if c in present or c.startswith("score__")],
        "sort": [
            {"column": "score__delta__delta", "dir": "asc" if pairs.higher_is_better else "desc"}
        ],
        "score_labels": {
            "baseline": f"{pairs.baseline} (baseline)",
            "compared": f"{score} (compared)",
            "delta": "Δ",
        },
        "score_color_scales": {"delta": {"palette": "diverging", "min": -top, "max": top}},
    }


def _score(value: Any, name: str) -> DetailScore:
    return {"name": name, "scorer": name, "column": name, "type": "numeric", "value": value}


def detail_of(pairs: Pairs, values: dict[str, Any]) -> CompareDetail:
    """The detail panel of one compared row: the baseline's sample beside the other's."""
    score = pairs.scores.get(str(values.get("task_name")), "score")

    def side(label: str, suffix: str, value: str) -> CompareSide:
        sample = {f: values.get(f + suffix) for f in SIDE_FIELDS if f + suffix in values}
        sample["log"] = values.get("log" + suffix)
        return {"label": label, "sample": sample, "scores": [_score(values.get(value), score)]}

    return {
        "status": values.get("status") or "missing",
        "delta": values.get(DELTA),
        "sides": [
            side(f"{pairs.baseline} (baseline)", "_baseline", BASELINE),
            side(str(values.get("model")), "", COMPARED),
        ],
    }


def sample_sources(values: Mapping[str, Any]) -> list[Source | None]:
    """Where a compared row's two samples are: the baseline's, then the other model's."""

    def source(log: Any) -> Source | None:
        if not log or values.get("id") is None:
            return None
        return (str(log), values["id"], int(values.get("epoch") or 1))

    return [source(values.get("log_baseline")), source(values.get("log"))]
