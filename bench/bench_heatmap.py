"""ScoresHeatmap at 1M samples (20 models × 50 tasks × 1000) in real headless JupyterLab.

Measures, median of RUNS:
- Python: aggregation (ScoresHeatmap construction), per-frame cell codes (once, at link),
  the selection mask with codes cached, and set_link_filter (mask → grid view).
- Browser: heatmap first paint after displaying an already built heatmap; the same when
  the cell also builds it; cell click → linked grid repainted with the filtered rows;
  Escape → grid back to all rows. Times are taken in the page with performance.now(),
  ending one animation frame after the grid's status line shows the expected count.

Prints JSON. Run: .venv/bin/python bench/bench_heatmap.py
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from lab import Notebook, lab_and_browser

RUNS = 5
N_MODELS, N_TASKS, PER_TASK = 20, 50, 1000

SETUP = f"""
import json, statistics, time
import evallens, polars as pl
df = evallens.synthetic_samples({N_MODELS}, {N_TASKS}, {PER_TASK})
_t = []
for _ in range({RUNS}):
    t0 = time.perf_counter(); heatmap = evallens.ScoresHeatmap(df); _t.append(time.perf_counter() - t0)
py = {{"aggregate_s": statistics.median(_t)}}
grid = evallens.SampleGrid(df)
# Wall-clock stamps around the link's work, to split a click's latency into the kernel's
# part and the transport (observers run in the order they were added).
stamps = []
heatmap.observe(lambda c: stamps.append(["in", time.time() * 1000]), ["selection"])
t0 = time.perf_counter(); evallens.link(heatmap, grid); py["link_with_cell_codes_s"] = time.perf_counter() - t0
heatmap.observe(lambda c: stamps.append(["out", time.time() * 1000]), ["selection"])
_m, _f = [], []
for i in range({RUNS}):
    heatmap.selection = []
    sel = [{{"task": heatmap.x_order[i], "model": heatmap.y_order[i]}}]
    t0 = time.perf_counter(); heatmap.selection = sel; _f.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); heatmap.selection_mask(df); _m.append(time.perf_counter() - t0)
heatmap.selection = []
stamps.clear()
py["mask_with_cached_codes_s"] = statistics.median(_m)
py["select_to_grid_view_s"] = statistics.median(_f)
"""

PAINT = """
async ([selector]) => {
  const t0 = performance.now();
  return await new Promise((resolve) => {
    const check = () => {
      const roots = [...document.querySelectorAll('.el-heatmap:not([data-bench-old])')];
      if (roots.some((r) => r.querySelector(selector))) {
        requestAnimationFrame(() => resolve(performance.now() - t0));
        return;
      }
      requestAnimationFrame(check);
    };
    window.__benchRun();
    check();
  });
}
"""

CLICK = """
async ([expected, key]) => {
  const grid = document.querySelector('.el-grid');
  const status = grid.querySelector('.el-status');
  const traced = grid.dataset.trace ?? '';
  const scroller = document.querySelector('.el-hm-scroll');
  const target = key === 'Escape' ? null : document.querySelector(key);
  const t0 = performance.now();
  const wall = Date.now();
  const done = new Promise((resolve) => {
    const obs = new MutationObserver(() => {
      if (status.textContent === expected) {
        obs.disconnect();
        const seen = Date.now();
        requestAnimationFrame(() => {
          const ms = performance.now() - t0;
          // The grid publishes its trace at the frame that paints the rows (shared/trace.ts).
          const trace = () => {
            const now = grid.dataset.trace ?? '';
            if (now === traced) return requestAnimationFrame(trace);
            const marks = JSON.parse(now);
            for (const k of Object.keys(marks)) marks[k] -= t0;
            resolve([ms, wall, seen, marks]);
          };
          trace();
        });
      }
    });
    obs.observe(status, { childList: true, characterData: true, subtree: true });
  });
  if (target) target.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  else scroller.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  return await done;
}
"""


def _run_cell_js(index: int) -> str:
    # Select the cell and run it, the way a user does (Shift+Enter on that cell).
    return (
        "() => { window.__benchRun = () => {"
        " const nb = window.jupyterapp.shell.currentWidget.content;"
        f" nb.activeCellIndex = {index};"
        " window.jupyterapp.commands.execute('notebook:run-cell'); }; }"
    )


def main() -> None:
    cells = [SETUP, "grid", "heatmap", "heatmap_new = evallens.ScoresHeatmap(df); heatmap_new"]
    out: dict[str, object] = {
        "benchmark": "scores_heatmap_1m",
        "rows": N_MODELS * N_TASKS * PER_TASK,
        "grid_cells": f"{N_TASKS} tasks x {N_MODELS} models",
        "runs": RUNS,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        # Other jobs share this machine; the kernel → server → browser hop slows under load.
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
    }
    with lab_and_browser() as (lab, browser):
        nb = Notebook(lab, browser, cells)
        try:
            nb.open()
            page = nb.page
            # Run setup and the grid only; the heatmap cells are run (and timed) below.
            for i in (0, 1):
                page.evaluate(_run_cell_js(i))
                page.evaluate("() => window.__benchRun()")
                nb.wait_idle(timeout=300_000)
                page.wait_for_timeout(200)
            page.wait_for_selector(".el-grid .el-row[data-row]", timeout=120_000)
            out["python"] = nb.value("py")

            def timed_paint(index: int) -> float:
                page.evaluate(
                    "() => document.querySelectorAll('.el-heatmap')"
                    ".forEach((e) => e.setAttribute('data-bench-old', ''))"
                )
                page.evaluate(_run_cell_js(index))
                ms = page.evaluate(PAINT, [".el-hm-cell"])
                nb.wait_idle(timeout=120_000)
                return float(ms)

            display_only = [timed_paint(2) for _ in range(RUNS)]
            build_and_display = [timed_paint(3) for _ in range(RUNS)]
            # Leave one heatmap on the page (the last run of cell 2) for the click runs, as
            # a user's page would have: clear the output of the build-and-display cell.
            timed_paint(2)
            page.evaluate(
                "() => window.jupyterapp.shell.currentWidget.content.widgets[3]"
                ".model.outputs.clear()"
            )
            page.wait_for_timeout(500)
            x = nb.value("heatmap.x_order")
            y = nb.value("heatmap.y_order")
            total = N_MODELS * N_TASKS * PER_TASK
            clicks, clears, to_kernel, in_kernel, to_page = [], [], [], [], []
            steps: dict[str, list[float]] = {}

            def measure(expected: str, key: str) -> float:
                nb.execute("stamps.clear()")
                ms, wall, seen, marks = page.evaluate(CLICK, [expected, key])
                got = dict(nb.value("stamps"))
                to_kernel.append(got["in"] - wall)
                in_kernel.append(got["out"] - got["in"])
                to_page.append(seen - got["out"])
                if key != "Escape":
                    # The grid's side (ms from the click): the kernel's refresh started, its
                    # rows were ready, the page got, decoded and drew them, the next frame.
                    for step in ("kernel_refresh", "kernel_rows", "received", "decoded",
                                 "drawn", "frame"):  # fmt: skip
                        if step in marks:
                            steps.setdefault(step, []).append(marks[step])
                return float(ms)

            for i in range(RUNS):
                sel = f'.el-hm-cell[data-task="{x[i * 7 % len(x)]}"][data-model="{y[i * 3 % len(y)]}"]'
                clicks.append(measure(f"{PER_TASK:,} of {total:,} samples", sel))
                clears.append(measure(f"{total:,} samples", "Escape"))
                page.wait_for_timeout(150)
            assert nb.value("heatmap.selection") == []
            out["browser_ms"] = {
                "first_paint_display_only_median": round(statistics.median(display_only), 1),
                "first_paint_build_and_display_median": round(
                    statistics.median(build_and_display), 1
                ),
                "click_to_grid_repaint_median": round(statistics.median(clicks), 1),
                "clear_to_all_rows_median": round(statistics.median(clears), 1),
                # Where a click's time goes (page and kernel clocks are the same machine's):
                "page_to_kernel_median": round(statistics.median(to_kernel), 1),
                "kernel_mask_and_grid_refresh_median": round(statistics.median(in_kernel), 1),
                "kernel_to_page_repaint_median": round(statistics.median(to_page), 1),
                "click_grid_trace_ms_from_click": {
                    k: round(statistics.median(v), 1) for k, v in steps.items()
                },
                "first_paint_display_only_runs": [round(v, 1) for v in display_only],
                "first_paint_build_and_display_runs": [round(v, 1) for v in build_and_display],
                "click_runs": [round(v, 1) for v in clicks],
                "clear_runs": [round(v, 1) for v in clears],
            }
            out["targets_ms"] = {"first_paint": 500, "click": 100, "clear": 100}
            out["external_requests"] = nb.external_requests()
        finally:
            nb.close()
    out["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
