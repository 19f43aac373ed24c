"""Figures for papers: ScoresHeatmap.save and ScoresByLimit.save, no browser.

Measures, median of RUNS, the export of a 20 models × 50 tasks heatmap (1,000 cells,
synthetic_samples(20, 50, 100)) as SVG (target: at most 0.2 s), the same with a baseline
(signed deltas and significance marks), and as PNG and PDF when cairosvg is installed;
the limit chart of the same samples as SVG. Widgets are built once, outside the timings.

Prints JSON. Run: .venv/bin/python bench/bench_figures.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import evallens

RUNS = 7
N_MODELS, N_TASKS, PER_TASK = 20, 50, 100


def median_s(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4)


def main() -> None:
    samples = evallens.synthetic_samples(N_MODELS, N_TASKS, PER_TASK)
    heatmap = evallens.ScoresHeatmap(samples)
    baseline = evallens.ScoresHeatmap(samples, baseline=heatmap.y_order[0])
    chart = evallens.ScoresByLimit(samples)
    out = Path(tempfile.mkdtemp())
    result: dict[str, object] = {
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
        },
        "runs": RUNS,
        "samples": samples.height,
        "cells": len(heatmap.cells),
        "heatmap_svg_s": median_s(lambda: heatmap.save(out / "hm.svg")),
        "heatmap_svg_target_s": 0.2,
        "heatmap_svg_bytes": (out / "hm.svg").stat().st_size,
        "heatmap_baseline_svg_s": median_s(lambda: baseline.save(out / "base.svg")),
        "limits_svg_s": median_s(lambda: chart.save(out / "lim.svg")),
        "limits_svg_bytes": (out / "lim.svg").stat().st_size,
    }
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError):
        result["png_pdf"] = "skipped: cairosvg is not installed (pip install 'evallens[figures]')"
    else:
        result["heatmap_png_s"] = median_s(lambda: heatmap.save(out / "hm.png"))
        result["heatmap_pdf_s"] = median_s(lambda: heatmap.save(out / "hm.pdf"))
        result["limits_png_s"] = median_s(lambda: chart.save(out / "lim.png"))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
