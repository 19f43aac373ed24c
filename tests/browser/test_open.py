"""`evallens open` / `./run demo`: JupyterLab opens on the notebook with rows already showing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from conftest_open import EvallensOpen
from lab import CHROMIUM_ARGS  # noqa: F401  (the browser fixture launches with these)

from evallens.serve import LabServer, run_in_session

QUICKSTART = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"
ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"


def test_quickstart_opens_with_live_rows_without_running_anything(browser, tmp_path):
    notebook = tmp_path / "quickstart.ipynb"
    shutil.copyfile(QUICKSTART, notebook)
    server = LabServer(root=tmp_path)
    server.start(["--LabApp.extension_manager=readonly"])
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


def _open(home: Path, notebooks: Path) -> EvallensOpen:
    """`evallens open` on the demo, its JupyterLab exposing its app object to the test."""
    config = home / "config"
    config.mkdir(parents=True)
    (config / "jupyter_lab_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}})
    )
    return EvallensOpen(["--dir", str(notebooks)], home)


def _kernel_known(page: Any) -> None:
    """Wait until JupyterLab has heard the kernel's spec and language (it writes both into
    the notebook's metadata as it learns them, marking the notebook modified if they differ)."""
    page.wait_for_function(
        "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel",
        timeout=90_000,
    )
    page.evaluate(
        """async () => {
          const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
          await kernel.info;
          await kernel.spec;
          await new Promise((resolve) => setTimeout(resolve, 0));
        }"""
    )


def test_open_shows_no_news_prompt_and_an_unmodified_notebook(browser, tmp_path):
    with _open(tmp_path / "home", tmp_path / "nb") as opened:
        url = opened.wait_for_url()
        context = browser.browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(url, timeout=90_000)
            page.wait_for_selector(ROWS, timeout=90_000)
            _kernel_known(page)
            assert page.locator(".Toastify__toast").count() == 0
            assert "Jupyter news" not in page.locator("body").inner_text()
            tab = page.locator(".lm-TabBar-tab.jp-mod-current", has_text="evallens-demo.ipynb")
            assert "jp-mod-dirty" not in (tab.first.get_attribute("class") or "")
            assert page.evaluate("() => window.jupyterapp.shell.currentWidget.model.dirty") is False
        finally:
            context.close()


def test_open_rows_still_show_after_save_kernel_shutdown_and_reload(browser, tmp_path):
    with _open(tmp_path / "home", tmp_path / "nb") as opened:
        url = opened.wait_for_url()
        base, token = opened.api_base(url)
        context = browser.browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(url, timeout=90_000)
            page.wait_for_selector(ROWS, timeout=90_000)
            # The user saves, shuts the kernel down, and comes back later.
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            headers = {"Authorization": f"token {token}"}
            for kernel in context.request.get(f"{base}/api/kernels", headers=headers).json():
                context.request.delete(f"{base}/api/kernels/{kernel['id']}", headers=headers)
            page.reload(timeout=90_000)
            page.wait_for_function(
                """(rows) => document.querySelector(rows)
                    || document.body.innerText.includes('Error displaying widget')""",
                arg=ROWS,
                timeout=90_000,
            )
            assert "Error displaying widget" not in page.locator("body").inner_text()
            assert page.locator(ROWS).count() > 0
        finally:
            context.close()
