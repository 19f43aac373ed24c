"""`save_html`: the demo explorer's page size and how soon it shows rows from file://.

Saves `evallens.explore()` (the demo: 19,200 samples, heatmap linked to the grid) and a
synthetic explorer of ~100k samples (8 models x 12 tasks x 1,050, `synthetic_samples`), then
opens each page in headless Chromium with the network off (file://, no server). Times are
the page's own (performance.now(), from navigation start):
- first_rows_ms: the first grid row in the DOM, plus one animation frame (painted);
- answering_ms: the grid's data read (gunzip, rows rebuilt), so sorts and searches answer;
- sort_ms: a click on a score header until the rows in the new order are on screen.
Median of RUNS fresh page loads each (new browser context). Sizes are bytes of the file,
with the parts: the inline bundle (JS + CSS), the first-paint state, the grid's data.
Targets (the demo): file <= 3 MB, first rows <= 1 s.

Prints JSON. Run: .venv/bin/python bench/bench_save_html.py [--quick]
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

QUICK = "--quick" in sys.argv
RUNS = 3 if QUICK else 7

# Records, in the page, when the first grid row appears and the frame after it.
WATCH = """
(() => {
  const marks = (window.__marks = {});
  const seen = () => {
    const root = document.getElementById("evallens-page");
    if (!marks.answering && root?.dataset.ready === "answering") marks.answering = performance.now();
    if (marks.row || !document.querySelector(".el-row[data-row]:not([data-row=''])")) return;
    marks.row = performance.now();
    requestAnimationFrame(() => (marks.painted = performance.now()));
  };
  new MutationObserver(seen).observe(document, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["data-ready"],
  });
})();
"""


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}"


def _parts(text: str) -> dict[str, int]:
    blobs = dict(re.findall(r'id="(evallens-\w+)">([^<]*)</script>', text))
    code = sum(len(m) for m in re.findall(r"<script type=\"module\">(.*?)</script>", text, re.S))
    style = sum(len(m) for m in re.findall(r"<style>(.*?)</style>", text, re.S))
    return {
        "file": len(text.encode()),
        "bundle_js": code,
        "bundle_css": style,
        "state_base64": len(blobs.get("evallens-state", "")),
        "data_base64": len(blobs.get("evallens-data", "")),
    }


def _open_once(browser: Any, path: Path, sort_column: str, first: int) -> dict[str, float]:
    context = browser.new_context(offline=True, viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(path.as_uri())
        page.wait_for_function("() => window.__marks && window.__marks.painted", timeout=30_000)
        page.wait_for_selector("#evallens-page[data-ready=answering]", timeout=60_000)
        marks = page.evaluate("() => window.__marks")
        # A header click until the first row on screen is the kernel's first row for it.
        sorted_ms = page.evaluate(
            """async ([column, want]) => {
                const start = performance.now();
                document.querySelector(`.el-th[data-column="${column}"]`).click();
                return await new Promise((resolve) => {
                  const look = () => {
                    const first = document.querySelector(".el-row[data-pos='0']");
                    if (first && Number(first.dataset.row) === want) resolve(performance.now() - start);
                    else requestAnimationFrame(look);
                  };
                  look();
                });
            }""",
            [sort_column, first],
        )
        return {
            "first_rows_ms": marks["painted"],
            "answering_ms": marks["answering"],
            "sort_ms": sorted_ms,
        }
    finally:
        context.close()


def measure(browser: Any, widget: Any, name: str, runs: int, sort_column: str) -> dict[str, Any]:
    import evallens

    folder = Path(tempfile.mkdtemp(prefix="evallens-bench-page-"))
    start = time.perf_counter()
    path = evallens.save_html(widget, folder / f"{name}.html")
    save_s = time.perf_counter() - start
    widget.grid.sort = [{"column": sort_column, "dir": "asc"}]
    first = int(widget.grid._model.query.view[0])
    runs_out = [_open_once(browser, path, sort_column, first) for _ in range(runs)]
    median = {k: round(statistics.median(r[k] for r in runs_out), 1) for k in runs_out[0]}
    return {
        "samples": widget.grid.data.height,
        "bytes": _parts(path.read_text()),
        "save_s": round(save_s, 2),
        "runs": runs,
        **median,
    }


def main() -> None:
    from lab import CHROMIUM_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    import evallens

    exe = chromium_path()
    if exe is None:
        raise SystemExit("Chromium not found (apt-get install chromium)")
    out: dict[str, Any] = {
        "machine": _machine(),
        "note": "2 cores shared with other jobs; page times from navigation start, file://, offline",
    }
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            demo = evallens.explore()
            out["demo_explorer"] = measure(browser, demo, "demo", RUNS, "score__judge__judge")
            big = evallens.explore(evallens.synthetic_samples(8, 12, 1050))
            out["explorer_100k"] = measure(
                browser, big, "big", max(3, RUNS // 2), "score__judge__judge"
            )
        finally:
            browser.close()
    demo_out = out["demo_explorer"]
    out["targets"] = {
        "demo_file_le_3MB": demo_out["bytes"]["file"] <= 3_000_000,
        "demo_first_rows_le_1s": demo_out["first_rows_ms"] <= 1000,
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
