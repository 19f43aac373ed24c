"""SampleGrid in real headless JupyterLab: display, sort, scroll. Prints JSON.

For each case (N synthetic samples, evallens.synthetic_samples, written to parquet once and
read by the kernel, given to the grid as a polars frame, or as pandas with ``--pandas N``),
in one notebook:
  build_s         Python time to construct the widget (kernel side; pandas: its conversion too)
                  (its first display then completes the state: in first_rows_s; the kernel
                  alone reports it as display_ms)
  first_rows_s    cell execution to first rows visible in the page (the previous run's
                  grid is closed and collected before, outside the timed cell)
  ws_bytes        websocket bytes the page received for one display (bundle included)
  heap_growth_mb  JS heap after the display minus before (both after a forced GC)
  sort_first_s    header click to sorted rows painted, first sort of a column
  sort_cached_s   header click back to an already-sorted column (cached permutation)
  press_sort_s    a real pointer press and release on a header (the browser's own input
                  events) to the frame that paints the sorted rows, first sort of a column
  held_sort_s     the same with the button held 80 ms, as a person's click (~0.1 s)
  held_click_to_frame_s  of those, from the release (the click) to that frame
  press_sort_ms   where press_sort_s goes, from the grid's trace (shared/trace.ts), ms after
                  the press: click, request sent, the kernel got it, started its work, had
                  the rows; the page received and decoded them, drew them, the next frame
  jump_scroll_s   jump to the middle of the list to rows painted
  scroll_p95_ms   95th percentile frame time during a continuous 2 s scroll
  frame_mb        the frame's size: the bytes of its buffers as Arrow counts them (polars'
                  own layout exported without a copy; shared buffers counted once).
                  polars' estimated_size counts a text column's characters, not its
                  16-byte string views, so it undercounts text (3.39 GB for 4.31 GB at 10M)
  frame_estimated_mb  polars' estimated_size, for comparison
  kernel_peak_mb  the kernel's peak RSS over the runs (the peak is reset once the frame is
                  made) minus its RSS before the frame was made
  memory_ratio    kernel_peak_mb / frame_mb (1.0: nothing held beyond the frame itself;
                  making the frame leaves freed pages with the allocator, counted here);
                  memory_ratio_estimated the same over frame_estimated_mb
  grid_peak_mb    the peak RSS over the runs minus the RSS once the frame was made: what
                  the grid and its sorts added (pandas: the polars frame made from it too)
  grid_memory_ratio  1 + grid_peak_mb / frame_mb
  frame_rss_mb    (--kernel) the RSS reading the frame left: more than frame_mb, as the
                  reader's buffers and freed pages count too; memory_ratio includes it
Then, with --kernel, the same cases without a browser, each in a fresh process: the
constructor, the first window, a sort's first window and its full order, and memory.
Medians of --runs runs; machine and load average noted.
Usage: python bench/bench_grid.py [--sizes 10000 100000 1000000] [--pandas 1000000]
       [--runs 3] [--kernel] [--no-browser]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))

from lab import Notebook, lab_and_browser

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"

FRAME_BYTES = """
def frame_bytes(df):
    # Arrow's count of the frame's buffers: polars' own layout (string views) exported
    # without a copy; a buffer shared by several arrays is counted once.
    return df.to_arrow(compat_level=pl.CompatLevel.newest()).get_total_buffer_size()
"""

SETUP = (
    """
import gc, time, evallens
from pathlib import Path
import polars as pl
"""
    + FRAME_BYTES
    + """

def rss_mb(field="VmRSS"):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

import polars as pl
rss_before = rss_mb()
df = pl.read_parquet({path!r})
frame_mb = frame_bytes(df) / 1e6
frame_estimated_mb = df.estimated_size() / 1e6
if {pandas}:
    df = df.to_pandas()
gc.collect()
rss_frame = rss_mb()
Path("/proc/self/clear_refs").write_text("5")  # the peak RSS starts again from here
len(df)
"""
)
PEAK = "rss_mb('VmHWM') - rss_before"
OVERHEAD = "rss_mb('VmHWM') - rss_frame"
# A display on an idle kernel: the previous run's background sorts (polars' shared thread
# pool) are done first, then its grid and what it holds go. Run before the timed cell: a
# collection walks every Python object the user's frame holds (a pandas frame of a million
# dicts: ~0.1-0.3 s), which is no part of showing the next grid.
CLEANUP = """
if "grid" in globals():
    for _pending in list(grid._model.query._pending.values()):
        _pending.exception()
    grid.close()
    del grid
    gc.collect()
"""
DISPLAY = """
_t = time.perf_counter()
grid = evallens.SampleGrid(df)
build_s = time.perf_counter() - _t
grid
"""

# Click a header and wait for the first row to be repainted with a newer revision.
TIME_SORT = """
async (col) => {
  const stamp = () => document.querySelector('.el-row[data-pos="0"]')?.dataset.stamp ?? '';
  const before = Number(stamp().split(':')[0]);
  const t0 = performance.now();
  document.querySelector(`.el-th[data-column="${col}"]`).click();
  return await new Promise((resolve) => {
    const check = () => {
      const [rev, , loaded] = stamp().split(':');
      if (Number(rev) > before && loaded === '1') resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    check();
  });
}
"""

TIME_JUMP = """
async (fraction) => {
  const sc = document.querySelector('.el-scroller');
  const t0 = performance.now();
  sc.scrollTop = (sc.scrollHeight - sc.clientHeight) * fraction;
  return await new Promise((resolve) => {
    const check = () => {
      const rows = [...document.querySelectorAll('.el-row')].filter((r) => !r.hidden);
      const top = sc.getBoundingClientRect().top + 40;
      const visible = rows.filter((r) => { const b = r.getBoundingClientRect(); return b.bottom > top && b.top < top + sc.clientHeight - 40; });
      if (visible.length && visible.every((r) => !r.classList.contains('el-loading'))) resolve(performance.now() - t0);
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}
"""

# Arm a watch for the next trace (the grid publishes one per view change, at the frame that
# paints it); the press itself comes from Playwright's mouse, as real input events.
ARM_TRACE = """
() => {
  const root = document.querySelector('.el-grid');
  const before = root.dataset.trace ?? '';
  window.__benchTrace = new Promise((resolve) => {
    const check = () => {
      const now = root.dataset.trace ?? '';
      if (now !== before) resolve(JSON.parse(now));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}
"""

HOLD_MS = 80
"""How long a person holds the button in a click (typically 60-120 ms)."""


def press_sort(nb: Notebook, column: str, hold_ms: int = 0) -> dict[str, float]:
    """Press a header with the mouse, release it ``hold_ms`` later; the trace of the sort it
    makes, ms after the press."""
    label = nb.page.locator(f'.el-th[data-column="{column}"] .el-th-label')
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    assert box is not None
    nb.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    nb.page.evaluate(ARM_TRACE)
    nb.page.mouse.down()
    if hold_ms:
        nb.page.wait_for_timeout(hold_ms)
    nb.page.mouse.up()
    marks: dict[str, float] = nb.page.evaluate("() => window.__benchTrace")
    return {step: ms - marks["pointerdown"] for step, ms in marks.items()}


SCROLL_FRAMES = """
async () => {
  const sc = document.querySelector('.el-scroller');
  const canvas = document.querySelector('.el-canvas');
  const grid = document.querySelector('.el-grid');
  // Scroll at the same speed in rows (~1.7 rows a frame) whatever N: with a million rows
  // the canvas is capped and scaled, so one physical pixel spans many virtual ones.
  const rowHeight = parseFloat(getComputedStyle(grid).getPropertyValue('--el-row-height'));
  const virtual = Number(grid.dataset.count) * rowHeight;
  const step = 120 * Math.min(1, canvas.offsetHeight / virtual);
  sc.scrollTop = 0;
  const times = [];
  let last = performance.now();
  const end = last + 2000;
  return await new Promise((resolve) => {
    const step = (now) => {
      times.push(now - last);
      last = now;
      sc.scrollTop += step;
      if (now < end) requestAnimationFrame(step);
      else resolve(times.slice(2));
    };
    requestAnimationFrame(step);
  });
}
"""


def heap_mb(nb: Notebook, cdp: Any) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return float(cdp.send("Runtime.getHeapUsage")["usedSize"]) / 1e6


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def measure(lab: Any, browser: Any, n: int, runs: int, pandas: bool) -> dict[str, Any]:
    nb = Notebook(lab, browser, [SETUP.format(path=str(frame_file(n)), pandas=pandas), DISPLAY])
    try:
        nb.open()
        nb.command("notebook:run-cell")  # the setup cell (active cell 0)
        nb.wait_idle(timeout=300_000)
        nb.page.wait_for_timeout(500)
        nb.wait_idle(timeout=300_000)
        cdp = nb.context.new_cdp_session(nb.page)
        cdp.send("HeapProfiler.enable")
        out: dict[str, list[float]] = {k: [] for k in (
            "build_s", "first_rows_s", "ws_bytes", "heap_growth_mb",
            "sort_first_s", "sort_cached_s", "jump_scroll_s", "scroll_p95_ms", "press_sort_s",
            "held_sort_s", "held_click_to_frame_s",
        )}  # fmt: skip
        steps: dict[str, list[float]] = {}
        for _ in range(runs):
            nb.command("notebook:clear-all-cell-outputs")
            nb.page.wait_for_function(f'() => !document.querySelector("{ROWS}")')
            nb.wait_idle()
            # A fresh display: no view overrides saved by the previous run's clicks.
            nb.page.evaluate("() => localStorage.clear()")
            nb.execute(CLEANUP)
            heap0 = heap_mb(nb, cdp)
            nb.ws_bytes = 0
            first = nb.time_cell(1, ROWS)
            nb.wait_idle()
            nb.page.wait_for_timeout(800)
            out["first_rows_s"].append(first)
            out["ws_bytes"].append(nb.ws_bytes)
            out["heap_growth_mb"].append(heap_mb(nb, cdp) - heap0)
            out["build_s"].append(nb.value("build_s"))
            # First sort of a column, another column, then back to the first (cached).
            out["sort_first_s"].append(
                nb.page.evaluate(TIME_SORT, "score__closeness__closeness") / 1000
            )
            # Clicks at a person's pace: the previous sort's background work has finished.
            nb.page.wait_for_timeout(400)
            nb.page.evaluate(TIME_SORT, "tokens")
            nb.page.wait_for_timeout(400)
            out["sort_cached_s"].append(
                nb.page.evaluate(TIME_SORT, "score__closeness__closeness") / 1000
            )
            # A real press on a column not sorted yet this run (its first sort).
            nb.page.wait_for_timeout(400)
            trace = press_sort(nb, "score__judge__judge")
            out["press_sort_s"].append(trace["frame"] / 1000)
            for name, ms in trace.items():
                steps.setdefault(name, []).append(ms)
            nb.page.wait_for_timeout(400)
            held = press_sort(nb, "duration", hold_ms=HOLD_MS)
            out["held_sort_s"].append(held["frame"] / 1000)
            out["held_click_to_frame_s"].append((held["frame"] - held["click"]) / 1000)
            nb.page.wait_for_timeout(400)
            out["jump_scroll_s"].append(nb.page.evaluate(TIME_JUMP, 0.5) / 1000)
            frames = nb.page.evaluate(SCROLL_FRAMES)
            out["scroll_p95_ms"].append(p95(frames))
            # Keep the next run's heap baseline honest: scroll memory must not pile up.
            nb.execute("grid.sort = []")
        result: dict[str, Any] = {k: round(statistics.median(v), 4) for k, v in out.items()}
        result["each_run"] = {k: [round(x, 4) for x in v] for k, v in out.items()}
        medians = {k: round(statistics.median(v), 1) for k, v in steps.items()}
        result["press_sort_ms"] = dict(sorted(medians.items(), key=lambda kv: kv[1]))
        result["frame_mb"] = round(float(nb.value("frame_mb")), 1)
        result["frame_estimated_mb"] = round(float(nb.value("frame_estimated_mb")), 1)
        result["evallens"] = nb.value("evallens.__file__")  # the code measured
        result["kernel_peak_mb"] = round(float(nb.value(PEAK)), 1)
        result["grid_peak_mb"] = round(float(nb.value(OVERHEAD)), 1)
        result["memory_ratio"] = round(result["kernel_peak_mb"] / result["frame_mb"], 3)
        result["grid_memory_ratio"] = round(1 + result["grid_peak_mb"] / result["frame_mb"], 3)
        result["memory_ratio_estimated"] = round(
            result["kernel_peak_mb"] / result["frame_estimated_mb"], 3
        )
        result["runs"] = runs
        result["load_average"] = [round(v, 2) for v in os.getloadavg()]
        return result
    finally:
        nb.close()


KERNEL = (
    """
import gc, json, statistics, sys, time
from pathlib import Path

import polars as pl

import evallens
"""
    + FRAME_BYTES
    + """

def rss_mb(field="VmRSS"):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

path, pandas, runs = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3])
before = rss_mb()
df = pl.read_parquet(path)
frame_mb = frame_bytes(df) / 1e6
frame_estimated_mb = df.estimated_size() / 1e6
if pandas:
    df = df.to_pandas()
gc.collect()
rss_frame = rss_mb()
Path("/proc/self/clear_refs").write_text("5")
out = {k: [] for k in ("build_ms", "display_ms", "first_window_ms", "histograms_ms",
                       "sort_window_ms", "sort_full_ms")}
for _ in range(runs):
    t = time.perf_counter()
    grid = evallens.SampleGrid(df)
    out["build_ms"].append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    grid._repr_mimebundle_()  # the cell's display: the state's first rows, formats, bounds
    out["display_ms"].append((time.perf_counter() - t) * 1000)
    model = grid._model
    t = time.perf_counter()
    model.window(0, 100, grid.columns)  # as the browser's first ask (the state has it too)
    out["first_window_ms"].append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    grid.header_histograms()  # what the page asks for once the rows show
    out["histograms_ms"].append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    grid.sort = [{"column": "score__closeness__closeness", "dir": "desc"}]  # rows sent too
    out["sort_window_ms"].append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    model.query.view  # the full order, for scrolling (built in the background otherwise)
    out["sort_full_ms"].append((time.perf_counter() - t) * 1000)
    grid.close()
    del grid, model
    gc.collect()
result = {k: round(statistics.median(v), 1) for k, v in out.items()}
result["frame_mb"] = round(frame_mb, 1)
result["frame_estimated_mb"] = round(frame_estimated_mb, 1)
result["frame_rss_mb"] = round(rss_frame - before, 1)  # what reading it left in the process
result["kernel_peak_mb"] = round(rss_mb("VmHWM") - before, 1)
result["memory_ratio"] = round(result["kernel_peak_mb"] / frame_mb, 3)
result["grid_peak_mb"] = round(rss_mb("VmHWM") - rss_frame, 1)
result["grid_memory_ratio"] = round(1 + result["grid_peak_mb"] / frame_mb, 3)
result["memory_ratio_estimated"] = round(result["kernel_peak_mb"] / frame_estimated_mb, 3)
print(json.dumps(result))
"""
)


def frame_file(n: int) -> Path:
    """N synthetic samples as parquet, written once by another process.

    Made elsewhere so that the measuring process holds the frame and nothing its making
    left behind (freed pages an allocator keeps would hide or inflate the grid's memory).
    """
    path = Path(tempfile.gettempdir()) / "evallens-bench" / f"synthetic-{n}.parquet"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        make = (
            "import sys, evallens; n = int(sys.argv[1]); "
            "evallens.synthetic_samples(20, 50, max(1, n // 1000)).write_parquet(sys.argv[2])"
        )
        subprocess.run([sys.executable, "-c", make, str(n), str(path)], check=True)
    return path


def kernel_figures(n: int, pandas: bool, runs: int) -> dict[str, Any]:
    """The kernel's side alone, in a fresh process (so its memory is this case's only)."""
    load_before = [round(v, 2) for v in os.getloadavg()]
    done = subprocess.run(
        [sys.executable, "-c", KERNEL, str(frame_file(n)), "1" if pandas else "0", str(runs)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_average"] = [round(v, 2) for v in os.getloadavg()]
    result["load_average_before"] = load_before
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pandas", type=int, nargs="*", default=[], help="sizes given as pandas")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kernel", action="store_true", help="also time the kernel alone")
    parser.add_argument("--no-browser", action="store_true", help="the kernel alone only")
    args = parser.parse_args()
    cases = [(n, False) for n in args.sizes] + [(n, True) for n in args.pandas]
    results: dict[str, Any] = {}
    kernel: dict[str, Any] = {}
    started = time.time()
    if args.kernel or args.no_browser:
        for n, pandas in cases:
            kernel[f"{n}{' pandas' if pandas else ''}"] = kernel_figures(n, pandas, args.runs)
    if not args.no_browser:
        with lab_and_browser() as (lab, browser):
            for n, pandas in cases:
                name = f"{n}{' pandas' if pandas else ''}"
                results[name] = measure(lab, browser, n, args.runs, pandas)
    print(
        json.dumps(
            {
                "benchmark": "sample_grid",
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                    "load_at_end": os.getloadavg(),
                },
                "targets": {
                    "first_rows_s": 0.5, "sort_first_s": 0.15, "sort_cached_s": 0.05,
                    "jump_scroll_s": 0.1, "scroll_p95_ms": 16.7, "ws_bytes": 300_000,
                    "heap_growth_mb": 10, "build_ms": 50, "memory_ratio": 1.2,
                    "first_rows_s at 10M": 0.5, "sort_first_s at 10M": 1.0,
                    "pandas first_rows_s": "1.2 x the polars figure at the same N",
                },
                "results": results,
                "kernel": kernel,
                "wall_s": round(time.time() - started, 1),
            },
            indent=2,
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
