"""SampleGrid over a 100M-row parquet dataset as a polars LazyFrame. Prints JSON.

Each run is a fresh child process (so peak memory is the grid's own), which times:
  first_rows_s      SampleGrid(pl.scan_parquet(dir)) → its first window of rows (the widget's
                    initial state: what a notebook shows first)
  sort_s            grid.sort = [a float score, descending] → the sorted first window, asked
                    at once (the exact score description, a pass over every row, started
                    after the first rows, still runs beside it)
  sort_after_s      the same sort of another score once the description is in
  scroll_s          the window 10,000 rows down that sort
  sort_text_two_keys_s  a pass/fail score (text) then a number: the first window
  heatmap_s         ScoresHeatmap(the same source, score_value="score_match"): its cells
  describe_s        the exact score description (kinds, bounds: aggregates over every row)
  peak_rss_mb       the child's peak resident memory (getrusage), dataset not in memory
  limits_s          ScoresByLimit(the same source): its curves (a child of its own)
  limits_peak_rss_mb  that child's peak resident memory
Medians of --runs runs; the machine and its load are noted.

--engine duckdb opens the same files as a DuckDB relation (its scores are described at the
first sort: a DuckDB connection is not shared with a thread).

Usage: python bench/bench_lazy.py [--rows 100000000] [--runs 3] [--engine polars|duckdb]
       [--dir /tmp/evallens-lazy-100M]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

from lazy_dataset import dataset

CHILD = r"""
import json, resource, sys, time
import polars as pl
import evallens

glob, engine = sys.argv[1], sys.argv[2]
def open_source():
    if engine == "duckdb":
        import duckdb
        return duckdb.connect().sql(f"select * from read_parquet('{glob}')")
    return pl.scan_parquet(glob)
out = {}
t = time.perf_counter()
grid = evallens.SampleGrid(open_source())
out["first_rows_s"] = time.perf_counter() - t
assert grid._initial and grid._total > 0
source = grid._model.lazy
t = time.perf_counter()
grid.sort = [{"column": "score_closeness", "dir": "desc"}]
out["sort_s"] = time.perf_counter() - t
t = time.perf_counter()
source.scores
out["describe_wait_s"] = time.perf_counter() - t
t = time.perf_counter()
grid.sort = [{"column": "score_rubric_accuracy", "dir": "asc"}]
out["sort_after_s"] = time.perf_counter() - t
t = time.perf_counter()
grid._model.window(10_000, 100, grid.columns)
out["scroll_s"] = time.perf_counter() - t
t = time.perf_counter()
grid.sort = [{"column": "score_match", "dir": "desc"}, {"column": "score_judge", "dir": "asc"}]
out["sort_text_two_keys_s"] = time.perf_counter() - t
t = time.perf_counter()
evallens.ScoresHeatmap(open_source(), score_value="score_match")
out["heatmap_s"] = time.perf_counter() - t
t = time.perf_counter()
from evallens.engine import LazySource
LazySource(open_source()).scores
out["describe_s"] = time.perf_counter() - t
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
out["rows"] = grid._total
print(json.dumps(out))
"""

LIMITS = r"""
import json, resource, sys, time
import polars as pl
import evallens

glob, engine = sys.argv[1], sys.argv[2]
if engine == "duckdb":
    import duckdb
    source = duckdb.connect().sql(f"select * from read_parquet('{glob}')")
else:
    source = pl.scan_parquet(glob)
t = time.perf_counter()
chart = evallens.ScoresByLimit(source)
out = {"limits_s": time.perf_counter() - t}
assert chart._model.frame.height > 0
out["limits_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def child(code: str, glob: str, engine: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", code, glob, engine], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/evallens-lazy-100M"))
    parser.add_argument("--engine", choices=["polars", "duckdb"], default="polars")
    args = parser.parse_args()
    directory = dataset(args.rows, args.dir)
    glob = str(directory / "*.parquet")
    runs = []
    for _ in range(args.runs):
        load = os.getloadavg()[0]
        grid = child(CHILD, glob, args.engine)
        limits = child(LIMITS, glob, args.engine)
        runs.append({**grid, **limits, "load": load})
    keys = [k for k in runs[0] if k not in ("rows",)]
    print(
        json.dumps(
            {
                "rows": runs[0]["rows"],
                "engine": args.engine,
                "dataset_bytes": sum(p.stat().st_size for p in directory.glob("*.parquet")),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "median": {k: round(statistics.median(r[k] for r in runs), 3) for k in keys},
                "runs": runs,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
