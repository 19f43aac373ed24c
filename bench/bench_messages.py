"""Benchmark evallens.read_messages against messages_df, and read_sample's open time; prints JSON.

read_messages and ``inspect_ai.analysis.messages_df`` read the same logs, each run in a
fresh process so every run pays the same start-up: the shared real logs in
``../shared/data/logs`` and a generated set (``../shared/tools/gen_logs.py`` in its default
mode, so samples carry the model events messages_df reads; generated once into ``--cache``
and reused). Medians of ``--runs``, wall and CPU seconds.

read_sample is timed opening samples of the largest shared ``.eval`` log and of a generated
log with ``--big`` samples (``gen_logs.py --fast``) in both formats: the first open of a
``.json`` log builds its index, later opens read one sample's bytes.
``read_eval_log_sample`` is timed on the same samples for reference.

Usage:
    .venv/bin/python bench/bench_messages.py
    .venv/bin/python bench/bench_messages.py --samples 1000 --big 5000 --runs 3   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GEN_LOGS = ROOT.parent / "shared" / "tools" / "gen_logs.py"
REAL_LOGS = ROOT.parent / "shared" / "data" / "logs"

# Runs in a child process: read, then report wall and CPU time and the row count.
_OURS = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import pyarrow  # a dependency (zstd members); imported before timing, as inspect_ai is
from evallens import read_messages
source, parallel = sys.argv[1], json.loads(sys.argv[2])
if __name__ == "__main__":
    cpu, start = time.process_time(), time.perf_counter()
    frame = read_messages(source, parallel=parallel)
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "cpu_seconds": time.process_time() - cpu, "rows": frame.height}))
"""

_THEIRS = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import logging
logging.disable(logging.WARNING)  # k8s sandbox plugin missing: not what is measured
from inspect_ai.analysis import messages_df
if __name__ == "__main__":
    cpu, start = time.process_time(), time.perf_counter()
    frame = messages_df(sys.argv[1], quiet=True)
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "cpu_seconds": time.process_time() - cpu, "rows": len(frame)}))
"""

# Opens samples one after another: the first open, then the median of the rest.
_OPEN = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import logging
logging.disable(logging.WARNING)
import pyarrow  # a dependency (zstd members); imported before timing, as inspect_ai is
path, which, ids = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if which == "ours":
    from evallens import read_sample
    def read(sample_id, epoch):
        return read_sample(path, sample_id, epoch)
else:
    from inspect_ai.log import read_eval_log_sample
    def read(sample_id, epoch):
        return read_eval_log_sample(path, sample_id, epoch, resolve_attachments=True)
times = []
for sample_id, epoch in ids:
    start = time.perf_counter()
    read(sample_id, epoch)
    times.append(time.perf_counter() - start)
import statistics
print(json.dumps({"first_seconds": times[0], "median_seconds": statistics.median(times[1:]),
                  "opens": len(times)}))
"""


def _child(code: str, *args: str) -> dict[str, float]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    out = subprocess.run(
        [sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, env=env
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _generate(folder: Path, expected: int, *args: str) -> tuple[Path, float | None]:
    if len(list(folder.glob("*.eval")) + list(folder.glob("*.json"))) == expected:
        return folder, None
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(GEN_LOGS), "--clean", "--out", str(folder), *args],
        check=True,
        capture_output=True,
    )
    return folder, time.perf_counter() - start


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def bench_read_messages(source: Path, runs: int, label: str) -> dict[str, object]:
    result: dict[str, object] = {"source": label}
    ours = {}
    for mode, parallel in (("default", None), ("processes", True)):
        timings = [_child(_OURS, str(source), json.dumps(parallel)) for _ in range(runs)]
        ours[mode] = {
            "median_seconds": round(_median(timings, "seconds"), 3),
            "min_seconds": round(min(t["seconds"] for t in timings), 3),
            "median_cpu_seconds": round(_median(timings, "cpu_seconds"), 3),
            "runs": [round(t["seconds"], 3) for t in timings],
            "rows": timings[0]["rows"],
        }
    theirs = [_child(_THEIRS, str(source)) for _ in range(runs)]
    result["read_messages"] = ours
    result["messages_df"] = {
        "median_seconds": round(_median(theirs, "seconds"), 3),
        "min_seconds": round(min(t["seconds"] for t in theirs), 3),
        "median_cpu_seconds": round(_median(theirs, "cpu_seconds"), 3),
        "runs": [round(t["seconds"], 3) for t in theirs],
        "rows": theirs[0]["rows"],
    }
    result["speedup_wall"] = {
        mode: round(_median(theirs, "seconds") / float(stats["median_seconds"]), 1)  # type: ignore[arg-type]
        for mode, stats in ours.items()
    }
    # CPU time is robust to other processes competing for the cores during the run
    result["speedup_cpu"] = round(
        _median(theirs, "cpu_seconds") / float(ours["default"]["median_cpu_seconds"]),  # type: ignore[arg-type]
        1,
    )
    return result


def _sample_ids(path: Path, count: int) -> list[tuple[object, int]]:
    """Up to ``count`` (id, epoch) pairs spread through the log."""
    from inspect_ai.log import read_eval_log_sample_summaries

    summaries = read_eval_log_sample_summaries(str(path))
    step = max(1, len(summaries) // count)
    return [(s.id, s.epoch) for s in summaries[::step][:count]]


def bench_read_sample(path: Path, opens: int, label: str) -> dict[str, object]:
    ids = json.dumps(_sample_ids(path, opens))
    ours = _child(_OPEN, str(path), "ours", ids)
    theirs = _child(_OPEN, str(path), "inspect", ids)
    return {
        "log": label,
        "log_bytes": path.stat().st_size,
        "opens": ours["opens"],
        "read_sample": {
            "first_open_ms": round(ours["first_seconds"] * 1000, 2),
            "median_open_ms": round(ours["median_seconds"] * 1000, 2),
        },
        "read_eval_log_sample": {
            "first_open_ms": round(theirs["first_seconds"] * 1000, 2),
            "median_open_ms": round(theirs["median_seconds"] * 1000, 2),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/evallens-bench"))
    parser.add_argument("--samples", type=int, default=1000, help="per generated log (2x2 logs)")
    parser.add_argument("--big", type=int, default=20000, help="samples in the big one-log set")
    parser.add_argument("--opens", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)

    generated, generated_seconds = _generate(
        args.cache / f"messages-{args.samples}", 4,
        "--models", "2", "--tasks", "2", "--samples", str(args.samples),
    )  # fmt: skip
    messages = [
        bench_read_messages(REAL_LOGS, args.runs, "../shared/data/logs (real logs)"),
        bench_read_messages(generated, args.runs, f"gen_logs.py: 4 logs x {args.samples} samples"),
    ]
    messages[0]["note"] = (
        "messages_df skips the two .json logs whose names lack a timestamp (6 rows); "
        "read_messages reads a copied log once"
    )
    messages[1]["generated_seconds"] = generated_seconds

    largest = max(REAL_LOGS.rglob("*.eval"), key=lambda p: p.stat().st_size)
    opens = [bench_read_sample(largest, args.opens, f"largest shared .eval: {largest.name}")]
    for fmt in ("eval", "json"):
        folder, _ = _generate(
            args.cache / f"big-{fmt}-{args.big}", 1,
            "--fast", "--models", "1", "--tasks", "1", "--samples", str(args.big), "--format", fmt,
        )  # fmt: skip
        (log,) = [*folder.glob("*.eval"), *folder.glob("*.json")]
        opens.append(
            bench_read_sample(log, args.opens, f"gen_logs.py --fast: {args.big} samples, .{fmt}")
        )

    import polars

    print(
        json.dumps(
            {
                "load_average_at_end": os.getloadavg(),
                "machine": {
                    "cpu_count": os.cpu_count(),
                    "platform": platform.platform(),
                    "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version(),
                    "polars": polars.__version__,
                },
                "read_messages": messages,
                "read_sample": opens,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
