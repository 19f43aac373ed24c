"""Inspect filter text on a large grid: compile, and compile + apply (kernel side). Prints JSON.

For each filter, on evallens.synthetic_samples at --size samples:
  compile_ms   text to one polars expression (parse, names, types)
  apply_s      grid.filter = text end to end: compile, the mask over every row, the count,
               the view (composed with the sort) and the first window sent to the browser
  kept         samples the filter keeps
Medians of --runs runs. Usage: python bench/bench_filter.py [--size 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import evallens
from evallens.grid.filter_language import Scope, compile_filter

FILTERS = [
    "epoch == 1",
    "has_error",
    "judge > 5 and not has_error",
    'match == "C" or closeness >= 0.5',
    "10 <= tokens < 5000 and epoch in (1, 2, 3)",
    'input_contains("plus 5")',
    "not is_nan(closeness) and round(closeness * 10) mod 2 == 0",
    'metadata.category == "easy" and (has_limit or duration > 2)',
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    models, tasks = 20, 50
    frame = evallens.synthetic_samples(models, tasks, max(1, args.size // (models * tasks)))
    grid = evallens.SampleGrid(frame)
    grid.visible_rows(1)  # the default order's permutation is built once, before timing
    scope = Scope(frame)
    results = []
    for text in FILTERS:
        compile_times, apply_times = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            compile_filter(text, scope)
            compile_times.append(time.perf_counter() - t)
            grid.filter = None
            t = time.perf_counter()
            grid.filter = text
            apply_times.append(time.perf_counter() - t)
        results.append({
            "filter": text,
            "compile_ms": round(statistics.median(compile_times) * 1000, 2),
            "apply_s": round(statistics.median(apply_times), 4),
            "kept": grid.view_count,
        })  # fmt: skip
    print(json.dumps({
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                    "python": platform.python_version()},
        "samples": frame.height, "runs": args.runs, "filters": results,
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
