"""Per task × model statistics of paired samples against a baseline.

The rules, so a reader can check them:

- Only pairs with a value on both sides count (``n``); the others are ``missing``.
- ``mean_delta`` is the mean of ``value - value_baseline``; ``stderr`` its paired standard
  error ``sd(delta, ddof=1) / sqrt(n)``; the interval is Student's t on the deltas
  (``scipy.stats.ttest_rel(...).confidence_interval()``).
- ``improved`` / ``regressed`` count the pairs that moved each way (flips, for pass/fail
  scores).
- A task whose compared values are all 0 or 1 is binary: its p is McNemar's exact test on
  the flips. Other tasks get the paired t test (or Wilcoxon's signed-rank test with
  ``test="wilcoxon"``).
- ``p_adjusted`` corrects every p of the table together (Holm by default, or
  Benjamini–Hochberg with ``correction="bh"``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

import polars as pl

from evallens.compare.pairs import PAIR_COLUMNS, Epochs, Pairs, pair_samples
from evallens.compare.significance import (
    adjust,
    mcnemar_exact_p,
    paired_t_p,
    t_ppf,
    wilcoxon_p,
)

Test = Literal["auto", "t", "wilcoxon", "mcnemar"]
Correction = Literal["holm", "bh"] | None

STAT_COLUMNS = (
    "task", "model", "baseline", "score", "n", "missing", "mean_baseline", "mean",
    "mean_delta", "stderr", "ci_low", "ci_high", "ci_excludes_zero", "improved",
    "regressed", "unchanged", "test", "p", "p_adjusted",
)  # fmt: skip
"""The columns of a `paired_stats` table, in order."""

_WILCOXON_EXACT_MAX = 50  # as scipy: the exact distribution up to 50 non-zero pairs


def _wilcoxon_parts(frame: pl.DataFrame) -> pl.DataFrame:
    """Per task × model: the positive rank sum, the tie term and whether ranks tie."""
    delta = pl.col("delta")
    both = frame.filter((pl.col("status") != "missing") & (delta != 0))
    ranked = both.with_columns(delta.abs().rank("average").over("task", "model").alias("__rank"))
    ties = (
        both.group_by("task", "model", delta.abs().alias("__abs"))
        .agg(pl.len().cast(pl.Float64).alias("__t"))
        .group_by("task", "model")
        .agg(
            (pl.col("__t") ** 3 - pl.col("__t")).sum().alias("tie_term"),
            (pl.col("__t") > 1).any().alias("has_ties"),
        )
    )
    ranks = ranked.group_by("task", "model").agg(
        pl.col("__rank").filter(delta > 0).sum().alias("rank_plus")
    )
    return ranks.join(ties, on=["task", "model"], how="left")


def _group_aggregates(frame: pl.DataFrame, wilcoxon: bool) -> pl.DataFrame:
    delta = pl.col("delta")
    paired = pl.col("status") != "missing"
    status = pl.col("status")

    def unit(column: str) -> pl.Expr:
        value = pl.col(column)
        return ((value == 0) | (value == 1) | value.is_null()).all()

    stats = frame.group_by("task", "model").agg(
        paired.sum().alias("n"),
        (~paired).sum().alias("missing"),
        pl.col("value_baseline").filter(paired).mean().alias("mean_baseline"),
        pl.col("value").filter(paired).mean().alias("mean"),
        delta.mean().alias("mean_delta"),  # null deltas are the missing pairs
        delta.std(ddof=1).alias("sd"),
        (status == "improved").sum().alias("improved"),
        (status == "regressed").sum().alias("regressed"),
        (status == "unchanged").sum().alias("unchanged"),
        (delta != 0).sum().alias("nonzero"),
        (unit("value_baseline") & unit("value")).alias("__unit"),
    )
    # A task is binary when every value compared there, on either side, is 0 or 1.
    stats = stats.with_columns(pl.col("__unit").all().over("task").alias("binary"))
    if wilcoxon:
        stats = stats.join(_wilcoxon_parts(frame), on=["task", "model"], how="left")
    else:
        stats = stats.with_columns(
            pl.lit(None, pl.Float64).alias("rank_plus"),
            pl.lit(None, pl.Float64).alias("tie_term"),
            pl.lit(None, pl.Boolean).alias("has_ties"),
        )
    return stats.with_columns(
        pl.col("tie_term").fill_null(0.0), pl.col("has_ties").fill_null(False)
    )


def _test_for(binary: bool, test: Test) -> str:
    if test == "auto":
        return "mcnemar" if binary else "t"
    if test == "mcnemar" and not binary:
        return "t"  # McNemar needs pass/fail values: numeric tasks keep the t test
    return test


def _row_stats(row: dict[str, Any], test: Test, confidence: float) -> dict[str, Any]:
    n = int(row["n"])
    mean, sd = row["mean_delta"], row["sd"]
    stderr = sd / math.sqrt(n) if n > 1 and sd is not None else None
    low = high = None
    if stderr is not None and mean is not None:
        half = t_ppf(0.5 + confidence / 2.0, n - 1) * stderr
        low, high = mean - half, mean + half
    chosen = _test_for(bool(row["binary"]), test)
    p: float | None
    if n == 0:
        p = None
    elif chosen == "mcnemar":
        p = mcnemar_exact_p(int(row["improved"]), int(row["regressed"]))
    elif chosen == "wilcoxon":
        m = int(row["nonzero"])
        exact = m <= _WILCOXON_EXACT_MAX and not row["has_ties"]
        p = wilcoxon_p(float(row["rank_plus"] or 0.0), m, float(row["tie_term"]), exact)
    else:
        p = paired_t_p(mean, stderr or 0.0, n) if mean is not None else None
    return {
        "stderr": stderr,
        "ci_low": low,
        "ci_high": high,
        "ci_excludes_zero": None if low is None or high is None else (low > 0 or high < 0),
        "test": chosen,
        "p": p,
    }


def stats_of(
    pairs: Pairs, *, test: Test = "auto", correction: Correction = "holm", confidence: float = 0.95
) -> pl.DataFrame:
    """`paired_stats` of pairs already built."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence is a fraction between 0 and 1, got {confidence!r}")
    if test not in ("auto", "t", "wilcoxon", "mcnemar"):
        raise ValueError(f"test is 'auto', 't', 'wilcoxon' or 'mcnemar', got {test!r}")
    agg = _group_aggregates(pairs.frame, wilcoxon=test == "wilcoxon")
    tasks = pairs.frame.get_column("task").unique(maintain_order=True).to_list()
    models = pairs.frame.get_column("model").unique(maintain_order=True).to_list()
    rows = sorted(
        agg.iter_rows(named=True), key=lambda r: (tasks.index(r["task"]), models.index(r["model"]))
    )
    computed = [_row_stats(r, test, confidence) for r in rows]
    adjusted = adjust([c["p"] for c in computed], correction)
    table = [
        {
            "task": r["task"],
            "model": r["model"],
            "baseline": pairs.baseline,
            "score": pairs.scores.get(r["task"]),
            "n": int(r["n"]),
            "missing": int(r["missing"]),
            "mean_baseline": r["mean_baseline"],
            "mean": r["mean"],
            "mean_delta": r["mean_delta"],
            **{k: c[k] for k in ("stderr", "ci_low", "ci_high", "ci_excludes_zero")},
            "improved": int(r["improved"]),
            "regressed": int(r["regressed"]),
            "unchanged": int(r["unchanged"]),
            "test": c["test"],
            "p": c["p"],
            "p_adjusted": a,
        }
        for r, c, a in zip(rows, computed, adjusted, strict=True)
    ]
    schema = {
        **dict.fromkeys(("task", "model", "baseline", "score", "test"), pl.String),
        **dict.fromkeys(("n", "missing", "improved", "regressed", "unchanged"), pl.Int64),
        "ci_excludes_zero": pl.Boolean,
    }
    floats = dict.fromkeys((c for c in STAT_COLUMNS if c not in schema), pl.Float64)
    return pl.DataFrame(table, schema={c: {**schema, **floats}[c] for c in STAT_COLUMNS})


def _as_pairs(frame: pl.DataFrame, baseline: str | None, higher_is_better: bool) -> Pairs:
    """A frame `paired` returned, taken as it is."""
    name = baseline or "baseline"
    return Pairs(frame, name, {}, higher_is_better)


def paired_stats(
    samples: Any,
    baseline: str | None = None,
    *,
    score: str | None = None,
    by: str = "model",
    task: str = "task_display_name",
    epochs: Epochs = "align",
    reduce: str = "mean",
    higher_is_better: bool = True,
    test: Test = "auto",
    correction: Correction = "holm",
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Per task × model against the baseline: paired mean delta, its interval, flips, p.

    Args:
        samples: Samples (as `paired` takes them), or a frame `paired` returned.
        baseline: The baseline model (not needed for a `paired` frame).
        score: As in `paired`.
        by: As in `paired`.
        task: As in `paired`.
        epochs: As in `paired`.
        reduce: As in `paired`.
        higher_is_better: As in `paired`.
        test: ``"auto"`` (McNemar's exact test on binary tasks, the paired t test on
            others), ``"t"``, ``"wilcoxon"`` (signed-rank, zeros dropped) or
            ``"mcnemar"`` (binary tasks; others keep the t test).
        correction: ``"holm"``, ``"bh"`` (Benjamini–Hochberg) or None, across the table.
        confidence: Level of the interval on the mean delta.

    Returns:
        One row per task × model (baseline excluded): ``n`` paired samples, ``missing``,
        ``mean_baseline``, ``mean``, ``mean_delta``, ``stderr``, ``ci_low``,
        ``ci_high``, ``ci_excludes_zero``, ``improved``, ``regressed``, ``unchanged``,
        ``test``, ``p`` and ``p_adjusted``.

    Example:
        >>> import evallens
        >>> table = evallens.paired_stats(evallens.demo_samples(), baseline="gpt-4.1",
        ...                               score="score_match")
        >>> row = table.filter(task="Trivia", model="openai/o4-mini").row(0, named=True)
        >>> row["n"], row["improved"], row["regressed"], row["test"]
        (195, 10, 25, 'mcnemar')
    """
    if isinstance(samples, pl.DataFrame) and set(PAIR_COLUMNS) <= set(samples.columns):
        pairs = _as_pairs(samples, baseline, higher_is_better)
    else:
        if baseline is None:
            raise ValueError("paired_stats needs baseline= (the model to compare against)")
        pairs = pair_samples(
            samples, baseline, score=score, by=by, task=task, epochs=epochs, reduce=reduce,
            higher_is_better=higher_is_better,
        )  # fmt: skip
    return stats_of(pairs, test=test, correction=correction, confidence=confidence)
