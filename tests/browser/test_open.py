"""`evallens open` / `./run demo`: JupyterLab opens on the quickstart with rows already showing."""

from __future__ import annotations

import shutil
from pathlib import Path

from lab import CHROMIUM_ARGS  # noqa: F401  (the browser fixture launches with these)

from evallens.serve import LabServer, run_in_session

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"


def test_quickstart_opens_with_live_rows_without_running_anything(browser, tmp_path):
    notebook = tmp_path / "quickstart.ipynb"
    shutil.copyfile(QUICKSTART, notebook)
    server = LabServer(root=tmp_path)
    server.start(["--LabApp.extension_manager=readonly", "--LabApp.news_url=None"])
    context = browser.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        run_in_session(server, notebook)
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server.url(notebook.name), timeout=90_000)
        # No cell is run from the page: the widgets come alive from the session's kernel.
        page.wait_for_selector(ROWS, timeout=90_000)
        assert page.locator(".el-heatmap, [class*='heatmap']").count() > 0
        status = page.locator(".el-status").first.inner_text()
        assert status.endswith("samples")
        # Live, not a picture: sorting goes through the kernel.
        page.locator(".el-th[data-column='sampleId']").first.click()
        page.wait_for_function(
            "() => document.querySelector(\".el-th[data-column='sampleId']\").getAttribute('aria-sort') === 'ascending'"
        )
        assert [u for u in requests if not u.startswith((server.base, "data:", "blob:"))] == []
    finally:
        context.close()
        server.stop()
