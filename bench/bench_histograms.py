"""Header histograms: recomputed after a filter change, for 10 score columns. Prints JSON.

A synthetic frame of N samples (`evallens.synthetic_samples`) with ten score columns of
every kind a header can show (pass/fail text grades, booleans, categories, 0-1 numbers, a
1-10 rating, unbounded numbers). For each N, the median of --runs of:

  histograms_s       the shown columns' histograms over the rows in view (`_shown_histograms`)
  filter_change_s    setting `grid.filter` end to end: mask, rows for the page, histograms
  first_shapes_s     the first histograms of a displayed new grid (bars and bins worked out)

Usage: python bench/bench_histograms.py [--sizes 100000 1000000] [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from typing import Any

import numpy as np
import polars as pl

import evallens


def frame(n: int) -> pl.DataFrame:
    """Samples with ten score columns of every kind."""
    base = evallens.synthetic_samples(20, 50, max(1, n // 1000))
    rng = np.random.default_rng(7)
    rows = base.height
    grades = np.array(["C", "I", "P", "N"])
    extra = {
        "score_pass": grades[rng.integers(0, 4, rows)],
        "score_flag": rng.random(rows) > 0.4,
        "score_topic": np.array(["easy", "hard", "mid"])[rng.integers(0, 3, rows)],
        "score_prob": rng.random(rows),
        "score_rating": rng.integers(1, 11, rows),
        "score_loss": rng.exponential(2.0, rows),
        "score_bits": rng.integers(0, 2, rows),
    }
    scores = [c for c in base.columns if c.startswith("score_")]
    return base.with_columns(pl.Series(k, v) for k, v in extra.items()).select(
        [c for c in base.columns if c not in scores] + scores[:3] + list(extra)
    )


def bench(n: int, runs: int) -> dict[str, Any]:
    df = frame(n)
    started = time.perf_counter()
    grid = evallens.SampleGrid(df)
    build = time.perf_counter() - started
    shown = [c["id"] for c in grid.columns if c["visible"]]
    # As a page does once it shows (histograms are counted only when asked for).
    with_histogram = [h["id"] for h in grid.header_histograms()]
    scores = [i for i in with_histogram if i.startswith("score__")]
    fresh = []
    for _ in range(runs):
        g = evallens.SampleGrid(df)
        g._repr_mimebundle_()  # displayed: the first rows and formats are the display's
        t = time.perf_counter()
        g.header_histograms()  # bars and bins worked out, then counted
        fresh.append(time.perf_counter() - t)
        g.close()
    models = df.get_column("model").unique().sort().to_list()
    hist, change = [], []
    for i in range(runs):
        grid.filter = pl.col("model") == models[i % len(models)]
        grid._counted = None  # counted again, not the counts the filter's refresh kept
        t = time.perf_counter()
        grid._shown_histograms()
        hist.append(time.perf_counter() - t)
        t = time.perf_counter()
        grid.filter = pl.col("model") != models[i % len(models)]
        change.append(time.perf_counter() - t)
    grid.close()
    return {
        "n": df.height,
        "score_columns_with_histograms": len(scores),
        "columns_with_histograms": len(with_histogram),
        "shown_columns": len(shown),
        "build_s": round(build, 3),
        "histograms_s": round(statistics.median(hist), 4),
        "filter_change_s": round(statistics.median(change), 4),
        "first_shapes_s": round(statistics.median(fresh), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    out = {
        "benchmark": "grid_header_histograms",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": args.runs,
        "results": [bench(n, args.runs) for n in args.sizes],
        "targets": {"histograms_s_at_1M_10_scores": 0.05},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
