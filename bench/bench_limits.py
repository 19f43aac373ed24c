"""scores_by_limit_df against inspect_viz's, and ScoresByLimit's first paint in JupyterLab. JSON.

compute (per N synthetic samples, 4 models x 10 tasks, token-limit hits included):
  evallens_s                  scores_by_limit_df reading total_tokens directly
  evallens_model_usage_s      same, tokens parsed from a JSON model_usage column (as inspect_viz)
  inspect_viz_s               inspect_viz.view.scores_by_limit_df on the same data (pandas)
  speedup                     inspect_viz_s / evallens_s
paint (real headless JupyterLab, tests/browser/lab.py):
  first_paint_s               cell run to the chart's lines painted (kernel build included)
  build_s                     kernel-side construction of the widget
for the real prepared swebench_token_limit.parquet and a 50k-sample frame.
Medians of --runs runs. Usage: python bench/bench_limits.py [--sizes 5000 50000 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

import evallens

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from lab import Notebook, lab_and_browser

SWEBENCH = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "data"
    / "logs"
    / "inspect_viz_docs"
    / "swebench_token_limit.parquet"
).resolve()


def samples(n: int) -> pl.DataFrame:
    models, tasks = 4, 10
    return evallens.synthetic_samples(models, tasks, max(1, n // (models * tasks)))


def for_inspect_viz(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns inspect_viz needs: task_id, sample_id and a JSON model_usage per sample."""
    return frame.with_columns(
        task_id=pl.col("eval_id"),
        sample_id=pl.format("{}-{}-{}", "eval_id", "id", "epoch"),
        model_usage=pl.concat_str(
            pl.lit('{"'), "model", pl.lit('": {"total_tokens": '), "total_tokens", pl.lit("}}")
        ),
    )


def timed(fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None) -> float:
    times = []
    for _ in range(runs):
        arg = setup() if setup else None
        start = time.perf_counter()
        fn() if arg is None else fn(arg)  # type: ignore[call-arg]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compute(n: int, runs: int) -> dict[str, Any]:
    from inspect_viz.view import scores_by_limit_df as reference

    frame = samples(n)
    viz = for_inspect_viz(frame)
    no_tokens = viz.drop("total_tokens")
    pdf = viz.to_pandas()
    ours = timed(lambda: evallens.scores_by_limit_df(frame, "score_match"), runs)
    ours_json = timed(lambda: evallens.scores_by_limit_df(no_tokens, "score_match"), runs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # inspect_viz mutates its input: each run gets a fresh copy (copy not timed)
        theirs = timed(lambda df: reference(df, "score_match"), runs, setup=pdf.copy)
    return {
        "samples": frame.height,
        "evallens_s": round(ours, 4),
        "evallens_model_usage_s": round(ours_json, 4),
        "inspect_viz_s": round(theirs, 3),
        "speedup": round(theirs / ours, 1),
        "speedup_model_usage": round(theirs / ours_json, 1),
    }


SETUP = """
import time, evallens, polars as pl
data = {data}
data.height
"""
DISPLAY = """
_t = time.perf_counter()
chart = evallens.ScoresByLimit(data)
build_s = time.perf_counter() - _t
chart
"""


def paint(lab: Any, browser: Any, data_expr: str, runs: int) -> dict[str, Any]:
    nb = Notebook(lab, browser, [SETUP.format(data=data_expr), DISPLAY])
    try:
        nb.open()
        nb.command("notebook:run-cell")
        nb.wait_idle(timeout=300_000)
        nb.page.wait_for_timeout(500)
        nb.wait_idle()
        first: list[float] = []
        build: list[float] = []
        for _ in range(runs + 1):  # the first display also loads the bundle: reported apart
            nb.command("notebook:clear-all-cell-outputs")
            nb.page.wait_for_function("() => !document.querySelector('.el-limit')")
            nb.wait_idle()
            first.append(nb.time_cell(1, ".el-limit .el-lim-line"))
            nb.wait_idle()
            build.append(nb.value("build_s"))
        return {
            "first_paint_s": round(statistics.median(first[1:]), 4),
            "first_paint_cold_s": round(first[0], 4),
            "build_s": round(statistics.median(build[1:]), 4),
            "runs": runs,
        }
    finally:
        nb.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000, 200_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    started = time.time()
    results: dict[str, Any] = {"compute": {str(n): compute(n, args.runs) for n in args.sizes}}
    if not args.no_browser:
        with lab_and_browser() as (lab, browser):
            results["paint"] = {
                "swebench_prepared": paint(
                    lab, browser, f"pl.read_parquet({str(SWEBENCH)!r})", args.runs
                ),
                "samples_50000": paint(
                    lab, browser, "evallens.synthetic_samples(4, 10, 1250)", args.runs
                ),
            }
    print(
        json.dumps(
            {
                "benchmark": "scores_by_limit",
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "polars": pl.__version__,
                },
                "targets": {"speedup_at_50000": 50, "first_paint_s": 0.3},
                "results": results,
                "wall_s": round(time.time() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
