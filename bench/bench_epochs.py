"""Grouping epochs by sample in real headless JupyterLab: the toggle to repainted rows. Prints JSON.

A synthetic frame of N samples × E epochs (evallens.synthetic_samples, ids re-cut so every
sample has E epochs), in one notebook:
  build_s           Python time to build the grid (kernel side)
  first_group_s     grid.group_epochs = True (the first time: the grouped rows are built)
                    to grouped rows painted
  first_rows_kernel_s  the kernel's part of it up to the grouped rows' message going out
  first_kernel_s    the kernel's whole cell (what follows the rows too: the header
                    histograms and the reduced columns' formats, over whole columns)
  toggle_on_s       View menu click, grouped model already built: to grouped rows painted
  toggle_off_s      View menu click back to the epochs' rows painted
  toggle_swap_ms    the kernel's swap of models on a click (the refresh with its first
                    window follows in the same reply and is not in it)
Medians of --runs runs. Usage: python bench/bench_epochs.py [--samples 1000000] [--epochs 5] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from lab import Notebook, lab_and_browser

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"

SETUP = """
import time, polars as pl, evallens
models, tasks, epochs = 20, 50, {epochs}
df = evallens.synthetic_samples(models, tasks, max(1, {n} * epochs // (models * tasks)))
k = pl.int_range(pl.len()).over("log")
df = df.with_columns(id=(k // epochs + 1).cast(pl.Int64), epoch=(k % epochs + 1).cast(pl.Int64))
_t = time.perf_counter()
grid = evallens.SampleGrid(df)
build_s = time.perf_counter() - _t
kernel_s = []
_follow = grid._epochs.follow
def _timed(change=None):
    t = time.perf_counter()
    _follow(change)
    kernel_s.append(time.perf_counter() - t)
grid.unobserve(_follow, ["group_epochs", "epochs_disagree", "epochs_score", "pass_k"])
grid.observe(_timed, ["group_epochs", "epochs_disagree", "epochs_score", "pass_k"])
_sent = []
_send = grid.send
def _stamped(msg, buffers=None):
    if msg.get("type") == "refresh":
        _sent.append(time.perf_counter())
    return _send(msg, buffers)
grid.send = _stamped
_t = time.perf_counter()
"""
FIRST = """
_sent.clear()
_t = time.perf_counter()
grid.group_epochs = True
first_kernel_s = time.perf_counter() - _t
first_rows_kernel_s = _sent[0] - _t
"""

# Run cell `index`; wait for the row at position 0 to be repainted (a newer revision) with
# `count` rows in the view.
RUN_AND_WAIT = """
async ([index, count, before]) => {
  const app = window.jupyterapp;
  app.shell.currentWidget.content.activeCellIndex = index;
  const t0 = performance.now();
  app.commands.execute("notebook:run-cell");
  const grid = () => document.querySelector('.el-grid');
  const stamp = () => document.querySelector('.el-row[data-pos="0"]')?.dataset.stamp ?? '';
  return await new Promise((resolve) => {
    const check = () => {
      const [rev, , loaded] = stamp().split(':');
      if (Number(rev) > before && loaded === '1' && grid().dataset.count === String(count))
        resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    check();
  });
}
"""
CLICK_TOGGLE = """
async ([count]) => {
  const stamp = () => document.querySelector('.el-row[data-pos="0"]')?.dataset.stamp ?? '';
  const before = Number(stamp().split(':')[0]);
  const box = document.querySelector('[data-option="group_epochs"]');
  const t0 = performance.now();
  box.click();
  return await new Promise((resolve) => {
    const check = () => {
      const [rev, , loaded] = stamp().split(':');
      const grid = document.querySelector('.el-grid');
      if (Number(rev) > before && loaded === '1' && grid.dataset.count === String(count))
        resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    check();
  });
}
"""


def revision(nb: Notebook) -> int:
    stamp = nb.page.evaluate(
        "() => document.querySelector('.el-row[data-pos=\"0\"]')?.dataset.stamp ?? '0'"
    )
    return int(stamp.split(":")[0])


def measure(lab: Any, browser: Any, n: int, epochs: int, runs: int) -> dict[str, Any]:
    nb = Notebook(lab, browser, [SETUP.format(n=n, epochs=epochs), "grid", FIRST])
    try:
        nb.open()
        nb.command("notebook:run-cell")  # setup (the active cell is the first)
        nb.wait_idle(timeout=600_000)
        nb.page.wait_for_timeout(500)
        nb.wait_idle(timeout=600_000)
        nb.time_cell(1, ROWS)  # display
        nb.wait_idle(timeout=300_000)
        nb.page.wait_for_timeout(1000)
        total = int(nb.value("grid._total"))
        samples = int(nb.value("df.select('log', 'id').n_unique()"))
        before = revision(nb)
        t0 = time.perf_counter()
        # grid.group_epochs = True: builds the grouped rows
        first_ms = nb.page.evaluate(RUN_AND_WAIT, [2, samples, before])
        first_wall = time.perf_counter() - t0
        nb.wait_idle(timeout=600_000)
        out: dict[str, list[float]] = {"toggle_on_s": [], "toggle_off_s": []}
        nb.page.click(".el-grid .el-menu-toggle:has-text('View')")
        nb.execute("kernel_s.clear()")
        for _ in range(runs):
            nb.page.wait_for_timeout(500)  # clicks at a person's pace
            out["toggle_off_s"].append(nb.page.evaluate(CLICK_TOGGLE, [total]) / 1000)
            nb.page.wait_for_timeout(500)
            out["toggle_on_s"].append(nb.page.evaluate(CLICK_TOGGLE, [samples]) / 1000)
        kernel = nb.value("kernel_s")
        result: dict[str, Any] = {k: round(statistics.median(v), 4) for k, v in out.items()}
        result.update(
            rows=total,
            samples=samples,
            build_s=round(nb.value("build_s"), 3),
            first_group_s=round(max(first_ms / 1000, 0.0), 3),
            first_group_wall_s=round(first_wall, 3),
            first_rows_kernel_s=round(nb.value("first_rows_kernel_s"), 3),
            first_kernel_s=round(nb.value("first_kernel_s"), 3),
            toggle_swap_ms=round(statistics.median(kernel) * 1000, 1),
            runs=runs,
        )
        return result
    finally:
        nb.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    started = time.time()
    with lab_and_browser() as (lab, browser):
        result = measure(lab, browser, args.samples, args.epochs, args.runs)
    print(
        json.dumps(
            {
                "benchmark": "group_epochs",
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "load_average": os.getloadavg(),
                },
                "targets": {"toggle_on_s": 0.3, "first_group_s": 0.3},
                "results": {f"{args.samples}x{args.epochs}": result},
                "wall_s": round(time.time() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
