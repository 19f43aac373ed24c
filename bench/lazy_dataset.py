"""A large synthetic samples dataset as a directory of parquet files, written in chunks.

Each file holds one chunk of `evallens.synthetic_samples` (its own seed, ids offset so every
(log, id, epoch) is unique), so memory stays at one chunk. Written once and kept: a
``_complete`` marker names the row count it was written for.

Usage: python bench/lazy_dataset.py [--rows 100000000] [--dir /tmp/evallens-lazy-100M]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import polars as pl

import evallens

MODELS, TASKS = 20, 50
CHUNK_ROWS = 1_000_000


def dataset(rows: int, directory: Path) -> Path:
    """The dataset's directory, written first when missing or incomplete."""
    marker = directory / "_complete"
    if marker.exists() and json.loads(marker.read_text()).get("rows") == rows:
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.parquet"):
        old.unlink()
    per_task = CHUNK_ROWS // (MODELS * TASKS)
    written, chunk = 0, 0
    while written < rows:
        frame = evallens.synthetic_samples(MODELS, TASKS, per_task, seed=1000 + chunk)
        frame = frame.head(rows - written).with_columns(pl.col("id") + chunk * per_task)
        frame.write_parquet(directory / f"part-{chunk:05d}.parquet", row_group_size=250_000)
        written += frame.height
        chunk += 1
    marker.write_text(json.dumps({"rows": rows}))
    return directory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/evallens-lazy-100M"))
    args = parser.parse_args()
    start = time.perf_counter()
    path = dataset(args.rows, args.dir)
    size = sum(p.stat().st_size for p in path.glob("*.parquet"))
    print(json.dumps({"dir": str(path), "rows": args.rows, "bytes": size,
                      "seconds": round(time.perf_counter() - start, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
