"""Built-in demo evaluation data, generated deterministically (no files, no network).

The demo mimics what `read_samples` returns for a real multi-model, multi-task
Inspect run: pass/fail, 0–1, 1–10 and dict-valued scorers, epochs, a few errors
and limit hits. It is generated with polars expressions, so the same function
also produces the million-row frames the benchmarks use.
"""

from __future__ import annotations

import math

import polars as pl

DEMO_MODELS = (
    "openai/gpt-4.1",
    "openai/o4-mini",
    "anthropic/claude-sonnet-4",
    "anthropic/claude-3-5-haiku",
    "google/gemini-2.5-pro",
    "google/gemini-2.0-flash",
    "mistral/mistral-large",
    "meta/llama-3.3-70b",
)
DEMO_TASKS = (
    "arith_easy",
    "arith_hard",
    "trivia",
    "code_fix",
    "logic_grid",
    "reading_comp",
    "unit_convert",
    "date_math",
    "spelling",
    "riddles",
    "cyber_ctf",
    "long_context",
)
# Tasks run with two epochs, so the demo shows the epoch column.
EPOCH_TASKS = ("logic_grid", "riddles", "cyber_ctf")
CATEGORIES = ("algebra", "geometry", "history", "science", "language")


def _unit(seed: int, *keys: pl.Expr) -> pl.Expr:
    """A deterministic pseudo-random float in [0, 1) per row."""
    h = pl.struct(*keys).hash(seed=seed)
    return (h % 1_000_003).cast(pl.Float64) / 1_000_003.0


def synthetic_samples(
    n_models: int = len(DEMO_MODELS),
    n_tasks: int = len(DEMO_TASKS),
    samples_per_task: int = 200,
    *,
    seed: int = 7,
) -> pl.DataFrame:
    """Generate a samples frame in evallens' normalized schema.

    Rows are ``models × tasks × samples_per_task`` (tasks in ``EPOCH_TASKS`` split
    their samples over two epochs). Deterministic for a given ``seed``.

    Example:
        >>> df = synthetic_samples(2, 3, 10)
        >>> df.height
        60
    """
    models = [
        DEMO_MODELS[i] if i < len(DEMO_MODELS) else f"mock/model-{i:03d}" for i in range(n_models)
    ]
    tasks = [DEMO_TASKS[i] if i < len(DEMO_TASKS) else f"task_{i:03d}" for i in range(n_tasks)]
    ability = pl.DataFrame(
        {
            "model": models,
            "_ability": [1.6 - 2.4 * i / max(n_models - 1, 1) for i in range(n_models)],
        }
    )
    difficulty = pl.DataFrame(
        {
            "task_name": tasks,
            "_difficulty": [math.sin(i * 2.1) * 1.3 for i in range(n_tasks)],
            "_epochs": [2 if t in EPOCH_TASKS else 1 for t in tasks],
        }
    )
    grid = (
        ability.join(difficulty, how="cross")
        .join(pl.DataFrame({"_k": pl.int_range(samples_per_task, eager=True)}), how="cross")
        .with_columns(
            epoch=(pl.col("_k") % pl.col("_epochs") + 1).cast(pl.Int64),
            id=(pl.col("_k") // pl.col("_epochs") + 1).cast(pl.Int64),
        )
    )
    key = (pl.col("model"), pl.col("task_name"), pl.col("_k"))
    u = [_unit(seed + j, *key) for j in range(8)]
    logit = pl.col("_ability") - pl.col("_difficulty") + (u[0] - 0.5) * 3.0
    p = 1.0 / (1.0 + (-logit).exp())
    errored = u[1] < 0.01
    limited = (~errored) & (u[2] < 0.025)
    tokens = (200.0 + u[3] * 3000.0 * (1.0 + pl.col("_difficulty").abs())).round(0).cast(pl.Int64)
    df = grid.with_columns(
        eval_id=pl.concat_str(
            pl.col("task_name"), pl.lit("-"), pl.col("model").str.replace("/", "-")
        ),
        log=pl.concat_str(
            pl.lit("logs/"),
            pl.col("task_name"),
            pl.lit("_"),
            pl.col("model").str.replace("/", "-"),
            pl.lit(".eval"),
        ),
        task_display_name=pl.col("task_name").str.replace_all("_", " ").str.to_titlecase(),
        model_display_name=pl.col("model").str.split("/").list.last(),
        input=pl.concat_str(
            pl.lit("Question "),
            pl.col("id").cast(pl.String),
            pl.lit(" ("),
            pl.col("task_name"),
            pl.lit("): what is "),
            (u[4] * 997).floor().cast(pl.Int64).cast(pl.String),
            pl.lit(" plus "),
            (u[5] * 89).floor().cast(pl.Int64).cast(pl.String),
            pl.lit("? Explain your reasoning step by step before giving the final answer."),
        ),
        target=((u[4] * 997).floor() + (u[5] * 89).floor()).cast(pl.Int64).cast(pl.String),
        _correct=u[6] < p,
        _errored=errored,
        _limited=limited,
        _p=p,
        _u7=u[7],
        total_tokens=pl.when(limited).then(tokens * 8).otherwise(tokens),
        total_time=(u[3] * 40.0 + 0.5).round(2),
        retries=pl.when(u[1] < 0.03).then(1).otherwise(0).cast(pl.Int64),
        metadata_category=pl.lit(pl.Series(CATEGORIES)).gather(
            (pl.col("id") % len(CATEGORIES)).cast(pl.UInt32)
        ),
    )
    df = df.with_columns(
        working_time=(pl.col("total_time") * 0.8).round(2),
        answer=pl.when(pl.col("_errored"))
        .then(None)
        .when(pl.col("_correct"))
        .then(pl.col("target"))
        .otherwise((pl.col("target").cast(pl.Int64) + 1).cast(pl.String)),
        error=pl.when(pl.col("_errored"))
        .then(pl.lit("RuntimeError: simulated provider error (HTTP 529 overloaded)"))
        .otherwise(None),
        limit=pl.when(pl.col("_limited")).then(pl.lit("token")).otherwise(None),
        score_match=pl.when(pl.col("_errored"))
        .then(None)
        .when(pl.col("_correct") & ~pl.col("_limited"))
        .then(pl.lit("C"))
        .otherwise(pl.lit("I")),
        score_closeness=pl.when(pl.col("_errored"))
        .then(None)
        .otherwise((pl.col("_p") * 0.7 + pl.col("_u7") * 0.3).round(3)),
        score_judge=pl.when(pl.col("_errored"))
        .then(None)
        .otherwise((pl.col("_p") * 9.0 + 1.0).round(0).cast(pl.Int64)),
        score_rubric_accuracy=pl.when(pl.col("_errored"))
        .then(None)
        .otherwise((pl.col("_p") * 0.8 + pl.col("_u7") * 0.2).round(2)),
        score_rubric_clarity=pl.when(pl.col("_errored"))
        .then(None)
        .otherwise((pl.col("_u7") * 0.6 + 0.4).round(2)),
        score_rubric_verbosity=pl.when(pl.col("_errored"))
        .then(None)
        .otherwise((pl.col("_u7") * 5.0).round(0).cast(pl.Int64)),
        model_usage=pl.struct(
            input_tokens=(pl.col("total_tokens") * 0.7).cast(pl.Int64),
            output_tokens=(pl.col("total_tokens") * 0.3).cast(pl.Int64),
        ),
    )
    return df.select(
        "eval_id", "log", "task_name", "task_display_name", "model", "model_display_name",
        "id", "epoch", "input", "target", "answer", "error", "limit", "retries",
        "total_tokens", "total_time", "working_time", "model_usage", "metadata_category",
        "score_match", "score_closeness", "score_judge",
        "score_rubric_accuracy", "score_rubric_clarity", "score_rubric_verbosity",
    )  # fmt: skip


def demo_samples() -> pl.DataFrame:
    """The built-in demo: 8 models × 12 tasks × 200 samples (19,200 rows).

    Example:
        >>> import evallens
        >>> evallens.demo_samples().select("model").n_unique()
        8
    """
    return synthetic_samples()
