"""Comparing models at 1M samples (8 models × 50 tasks × 2,500) and on real samples.

Measures, median of RUNS:
- Python: `paired` + `paired_stats` from the samples frame (the issue's target: ≤ 0.5 s),
  each part alone, and `compare()` construction; the same on the real WritingBench
  samples and the real control_arena logs (epochs reduced).
- Browser (real JupyterLab, headless Chromium): a delta heatmap cell click → the compared
  grid repainted with that task × model's pairs (target: ≤ 100 ms), timed in the page
  from the click to one animation frame after the grid's status shows the new count.

Prints JSON. Run: .venv/bin/python bench/bench_compare.py [--no-browser]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import polars as pl

import evallens
from evallens.compare import significance

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

RUNS = 7
N_MODELS, N_TASKS, PER_TASK = 8, 50, 2500
SHARED = ROOT.parent / "shared" / "data" / "logs"


def _median_s(fn: object, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        significance.t_ppf.cache_clear()  # no help from an earlier run
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 4)


def python_figures() -> dict[str, object]:
    df = evallens.synthetic_samples(N_MODELS, N_TASKS, PER_TASK)
    base = "gpt-4.1"
    out: dict[str, object] = {"rows": df.height}
    out["paired_plus_stats_s"] = _median_s(
        lambda: evallens.paired_stats(evallens.paired(df, baseline=base))
    )
    out["paired_s"] = _median_s(lambda: evallens.paired(df, baseline=base))
    pairs = evallens.paired(df, baseline=base)
    out["paired_rows"] = pairs.height
    out["stats_s"] = _median_s(lambda: evallens.paired_stats(pairs))
    out["stats_wilcoxon_s"] = _median_s(lambda: evallens.paired_stats(pairs, test="wilcoxon"))
    out["compare_widget_build_s"] = _median_s(lambda: evallens.compare(df, baseline=base), 3)
    real: dict[str, object] = {}
    writing = SHARED / "inspect_viz_docs" / "writing_bench_samples.parquet"
    if writing.exists():
        wb = pl.read_parquet(writing).with_columns(task_name=pl.lit("writing_bench"))
        real["writing_bench_100_samples_s"] = _median_s(
            lambda: evallens.paired_stats(wb, baseline="openai/gpt-5")
        )
    arena = SHARED / "control_arena"
    if arena.exists():
        samples = evallens.read_samples(arena)
        bash = samples.filter(pl.col("task_name").str.ends_with("bash_task"))
        real["control_arena_bash_reduce_s"] = _median_s(
            lambda: evallens.paired_stats(
                bash,
                baseline="anthropic/claude-3-7-sonnet-latest",
                task="task_name",
                epochs="reduce",
            )
        )
    out["real"] = real
    return out


SETUP = f"""
import evallens
df = evallens.synthetic_samples({N_MODELS}, {N_TASKS}, {PER_TASK})
ui = evallens.compare(df, baseline="gpt-4.1")
"""

CLICK = """
async ([task, model, expected]) => {
  const status = document.querySelector('.el-grid .el-status');
  // Cells are canvas pixels: click the middle of the cell's box (scrolled into view first).
  const root = document.querySelector('.el-heatmap');
  const box = root.evallensHeatmap.cellRect(task, model);
  const target = root.querySelector('.el-hm-canvas');
  const at = { bubbles: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
  const t0 = performance.now();
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (status.textContent.startsWith(expected)) {
        obs.disconnect();
        requestAnimationFrame(() => resolve(performance.now() - t0));
      }
    });
    obs.observe(status, { childList: true, characterData: true, subtree: true });
  });
  target.dispatchEvent(new MouseEvent('click', at));
  return await done;
}
"""


def browser_figures() -> dict[str, object]:
    from heatmap_page import wait_drawn
    from lab import Notebook, lab_and_browser

    out: dict[str, object] = {}
    with lab_and_browser() as (lab, browser):
        nb = Notebook(lab, browser, [SETUP, "ui"])
        try:
            nb.open()
            nb.run_all()
            nb.wait_for(".el-grid .el-row[data-row]", timeout=300_000)
            wait_drawn(nb.page, timeout=120_000)
            x, y = nb.value("ui.heatmap.x_order"), nb.value("ui.heatmap.y_order")
            clicks = []
            for i in range(RUNS):
                task, model = x[i * 7 % len(x)], y[i % len(y)]
                count = nb.value(
                    f"int(((ui.grid.data['task_name'] == {task!r}) & "
                    f"(ui.grid.data['model'] == {model!r})).sum())"
                )
                clicks.append(float(page_click(nb, task, model, f"{count:,} of")))
                nb.execute("ui.heatmap.selection = []")
                nb.eventually("ui.grid.view_count", lambda v: v == nb.value("ui.grid.data.height"))
                nb.page.wait_for_timeout(200)
            out["click_to_compared_grid_repaint_median_ms"] = round(statistics.median(clicks), 1)
            out["click_runs_ms"] = [round(v, 1) for v in clicks]
            out["external_requests"] = nb.external_requests()
        finally:
            nb.close()
    return out


def page_click(nb: object, task: str, model: str, expected: str) -> float:
    return nb.page.evaluate(CLICK, [task, model, expected])  # type: ignore[attr-defined]


def main() -> None:
    out: dict[str, object] = {
        "benchmark": "compare_models_1m",
        "shape": f"{N_MODELS} models x {N_TASKS} tasks x {PER_TASK} samples",
        "runs": RUNS,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "python": python_figures(),
        "targets": {"paired_plus_stats_s": 0.5, "click_to_compared_grid_repaint_ms": 100},
    }
    if "--no-browser" not in sys.argv:
        out["browser"] = browser_figures()
    out["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
