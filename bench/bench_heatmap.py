"""ScoresHeatmap in real headless JupyterLab: 1M samples (20 models × 50 tasks × 1000), and
a 500 tasks × 200 models heatmap (100,000 cells).

Measures, median of RUNS:
- Python: aggregation (ScoresHeatmap construction), per-frame cell codes (once, at link),
  the selection mask with codes cached, and set_link_filter (mask → grid view); for the
  500 × 200 heatmap, its construction, and its state as sent (time and bytes).
- Browser: heatmap first paint (from running the cell to the canvas drawn, one animation
  frame later) after displaying an already built heatmap, and when the cell also builds
  it, for both heatmaps; 1M: cell click → linked grid repainted with the filtered rows,
  Escape → grid back to all rows (ending one animation frame after the grid's status line
  shows the expected count); 500 × 200: a click on its far corner → the canvas redrawn.
  Times are taken in the page with performance.now().

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
BIG_MODELS, BIG_TASKS, BIG_PER_TASK = 200, 500, 2

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
df_big = evallens.synthetic_samples({BIG_MODELS}, {BIG_TASKS}, {BIG_PER_TASK})
_t = []
for _ in range({RUNS}):
    t0 = time.perf_counter(); heatmap_big = evallens.ScoresHeatmap(df_big); _t.append(time.perf_counter() - t0)
py["big_aggregate_s"] = statistics.median(_t)
py["big_cells"] = heatmap_big.cells.height
# What the page receives: the state as JSON plus its binary buffers (the packed cells).
from ipywidgets.widgets.widget import _remove_buffers
t0 = time.perf_counter(); _state, _paths, _buffers = _remove_buffers(heatmap_big.get_state())
py["big_state_s"] = time.perf_counter() - t0
py["big_state_bytes"] = len(json.dumps(_state)) + sum(len(b) for b in _buffers)
"""

PAINT = """
async () => {
  const t0 = performance.now();
  return await new Promise((resolve) => {
    const check = () => {
      const roots = [...document.querySelectorAll('.el-heatmap:not([data-bench-old])')];
      if (roots.some((r) => r.evallensHeatmap?.drawn() > 0)) {
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
async ([expected, cell]) => {
  const grid = document.querySelector('.el-grid');
  const status = grid.querySelector('.el-status');
  const traced = grid.dataset.trace ?? '';
  const root = document.querySelector('.el-heatmap');
  const scroller = root.querySelector('.el-hm-scroll');
  // Cells are canvas pixels: a click lands on the middle of the cell's box.
  const box = cell && root.evallensHeatmap.cellRect(cell[0], cell[1]);
  const canvas = root.querySelector('.el-hm-canvas');
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
  if (box) {
    const at = { bubbles: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
    canvas.dispatchEvent(new MouseEvent('click', at));
  } else scroller.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  return await done;
}
"""


BIG_CLICK = """
async ([task, model]) => {
  const root = [...document.querySelectorAll('.el-heatmap')].at(-1);
  const probe = root.evallensHeatmap;
  const box = probe.cellRect(task, model);
  const frames = probe.frames();
  const at = { bubbles: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
  const t0 = performance.now();
  root.querySelector('.el-hm-canvas').dispatchEvent(new MouseEvent('click', at));
  if (probe.frames() === frames) return null;
  return await new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now() - t0)));
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
    cells = [
        SETUP,
        "grid",
        "heatmap",
        "heatmap_new = evallens.ScoresHeatmap(df); heatmap_new",
        "heatmap_big",
        "heatmap_big_new = evallens.ScoresHeatmap(df_big); heatmap_big_new",
    ]
    out: dict[str, object] = {
        "benchmark": "scores_heatmap_1m",
        "rows": N_MODELS * N_TASKS * PER_TASK,
        "grid_cells": f"{N_TASKS} tasks x {N_MODELS} models",
        "big": f"{BIG_TASKS} tasks x {BIG_MODELS} models x {BIG_PER_TASK} samples",
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
                ms = page.evaluate(PAINT)
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

            def measure(expected: str, cell: list[str] | None) -> float:
                nb.execute("stamps.clear()")
                ms, wall, seen, marks = page.evaluate(CLICK, [expected, cell])
                got = dict(nb.value("stamps"))
                to_kernel.append(got["in"] - wall)
                in_kernel.append(got["out"] - got["in"])
                to_page.append(seen - got["out"])
                if cell is not None:
                    # The grid's side (ms from the click): the kernel's refresh started, its
                    # rows were ready, the page got, decoded and drew them, the next frame.
                    for step in ("kernel_refresh", "kernel_rows", "received", "decoded",
                                 "drawn", "frame"):  # fmt: skip
                        if step in marks:
                            steps.setdefault(step, []).append(marks[step])
                return float(ms)

            for i in range(RUNS):
                cell = [x[i * 7 % len(x)], y[i * 3 % len(y)]]
                clicks.append(measure(f"{PER_TASK:,} of {total:,} samples", cell))
                clears.append(measure(f"{total:,} samples", None))
                page.wait_for_timeout(150)
            assert nb.value("heatmap.selection") == []

            # 500 × 200: the page keeps the 1M heatmap and grid; the big one is added below.
            big_display = [timed_paint(4) for _ in range(RUNS)]
            big_build = [timed_paint(5) for _ in range(RUNS)]
            bx = nb.value("heatmap_big_new.x_order")
            by = nb.value("heatmap_big_new.y_order")
            big_clicks = []
            for i in range(RUNS):
                ms = page.evaluate(BIG_CLICK, [bx[-1 - i], by[-1 - i]])
                assert ms is not None, "the click did not redraw the canvas"
                big_clicks.append(float(ms))
                page.wait_for_timeout(150)
            far = {"task": bx[-1 - (RUNS - 1)], "model": by[-1 - (RUNS - 1)]}
            assert nb.wait_value("heatmap_big_new.selection", [far]) == [far]
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
                "big_first_paint_display_only_median": round(statistics.median(big_display), 1),
                "big_first_paint_build_and_display_median": round(statistics.median(big_build), 1),
                "big_far_click_to_canvas_redraw_median": round(statistics.median(big_clicks), 1),
                "click_grid_trace_ms_from_click": {
                    k: round(statistics.median(v), 1) for k, v in steps.items()
                },
                "first_paint_display_only_runs": [round(v, 1) for v in display_only],
                "first_paint_build_and_display_runs": [round(v, 1) for v in build_and_display],
                "click_runs": [round(v, 1) for v in clicks],
                "clear_runs": [round(v, 1) for v in clears],
                "big_first_paint_display_only_runs": [round(v, 1) for v in big_display],
                "big_first_paint_build_and_display_runs": [round(v, 1) for v in big_build],
                "big_far_click_runs": [round(v, 1) for v in big_clicks],
            }
            out["targets_ms"] = {
                "first_paint": 500,
                "click": 100,
                "clear": 100,
                "big_first_paint": 300,
            }
            out["external_requests"] = nb.external_requests()
        finally:
            nb.close()
    out["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
