"""Drive a real JupyterLab in headless Chromium: shared by the browser tests and bench/.

`JupyterLab` starts a server on a free loopback port with a random token.
`Browser` launches Debian's Chromium through Playwright. `Notebook` opens a
notebook in the page, runs its cells, and talks to the same kernel from a
side client (jupyter_client) to read and set Python values, exactly as a
user's next cell would.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from evallens.serve import LabServer

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """Debian's Chromium (Playwright's own browser download does not work here)."""
    for candidate in (
        os.environ.get("EVALLENS_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class JupyterLab(LabServer):
    """evallens' own LabServer, isolated in a temporary home for tests."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="evallens-lab-"))
        (self.dir / "notebooks").mkdir()
        super().__init__(root=self.dir / "notebooks", runtime=self.dir / "runtime")
        self.log = self.dir / "server.log"

    def start(self, extra_args: list[str] | None = None, timeout: float = 90, **_: Any) -> None:
        env = {
            "JUPYTER_CONFIG_DIR": str(self.dir / "config"),
            "JUPYTERLAB_SETTINGS_DIR": str(self.dir / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.dir / "workspaces"),
            "IPYTHONDIR": str(self.dir / "ipython"),
        }
        # No news or update checks, no announcements popping over the page.
        settings = self.dir / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True)
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"checkForUpdates": False, "fetchNews": "false", "doNotDisturbMode": True})
        )
        # Save widget state with notebooks (off by default in JupyterLab), so a test can
        # reopen a notebook without its kernel and see what the saved state shows.
        widgets = self.dir / "settings" / "@jupyter-widgets" / "jupyterlab-manager"
        widgets.mkdir(parents=True)
        (widgets / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
        args = [
            "--expose-app-in-browser",  # tests drive JupyterLab's commands (run cells, themes)
            "--LabApp.extension_manager=readonly",
            *(extra_args or []),
        ]
        super().start(args, timeout=timeout, env=env, log=self.log)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                for session in self.api("GET", "/api/sessions"):
                    self.api("DELETE", f"/api/sessions/{session['id']}")
            except OSError:
                pass
        super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def write_notebook(self, name: str, cells: list[str]) -> str:
        nb = {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": src,
                    "outputs": [],
                    "execution_count": None,
                }
                for src in cells
            ],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        (self.root / name).write_text(json.dumps(nb))
        return name

    def url(self, path: str) -> str:
        return f"{self.base}/lab/tree/{path}?token={self.token}&reset"  # &reset: no saved layout


class Browser:
    """Headless Chromium via Playwright, launched with this workplace's flags."""

    def __init__(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self.browser = self._pw.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )

    def close(self) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()


class Notebook:
    """One notebook open in a page: run its cells, reach its kernel from the side."""

    def __init__(
        self,
        lab: JupyterLab,
        browser: Browser,
        cells: list[str],
        *,
        dark: bool = False,
        name: str | None = None,
    ) -> None:
        self.lab = lab
        self.name = lab.write_notebook(name or f"t-{secrets.token_hex(4)}.ipynb", cells)
        self.context = browser.browser.new_context(
            viewport={"width": 1400, "height": 1000}, color_scheme="dark" if dark else "light"
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.ws_bytes = 0
        self.page.on("websocket", self._watch_socket)
        self.client: Any = None

    def _watch_socket(self, ws: Any) -> None:
        def count(payload: Any) -> None:
            self.ws_bytes += len(payload) if payload else 0

        ws.on("framereceived", count)

    def open(self, timeout: float = 90_000) -> None:
        self.page.goto(self.lab.url(self.name), timeout=timeout)
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
            " && window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=timeout,
        )

    def open_notebook7(self, timeout: float = 90_000) -> None:
        """Open in Notebook 7's single-document UI and run the first cell by keyboard
        (Notebook 7 does not expose its app object, so no command API here)."""
        self.page.goto(
            f"{self.lab.base}/notebooks/{self.name}?token={self.lab.token}", timeout=timeout
        )
        self.page.wait_for_selector(".jp-CodeCell .cm-content", timeout=timeout)
        deadline = time.monotonic() + timeout / 1000
        while time.monotonic() < deadline:
            sessions = [
                s for s in self.lab.api("GET", "/api/sessions") if s["path"].endswith(self.name)
            ]
            if sessions and sessions[0]["kernel"]["execution_state"] == "idle":
                break
            time.sleep(0.25)
        self.page.click(".jp-CodeCell .cm-content")
        self.page.keyboard.press("Shift+Enter")

    def command(self, name: str, args: dict[str, Any] | None = None) -> None:
        self.page.evaluate(
            "([n, a]) => window.jupyterapp.commands.execute(n, a)", [name, args or {}]
        )

    def run_all(self) -> None:
        self.command("notebook:run-all-cells")

    def time_cell(self, index: int, selector: str) -> float:
        """Seconds from running cell ``index`` to ``selector`` showing in a painted frame."""
        ms = self.page.evaluate(
            """async ([index, selector]) => {
              const app = window.jupyterapp;
              app.shell.currentWidget.content.activeCellIndex = index;
              const t0 = performance.now();
              const seen = new Promise((resolve) => {
                const check = () => document.querySelector(selector)
                  ? requestAnimationFrame(() => resolve(performance.now() - t0))
                  : requestAnimationFrame(check);
                check();
              });
              app.commands.execute("notebook:run-cell");
              return await seen;
            }""",
            [index, selector],
        )
        return float(ms) / 1000

    def wait_idle(self, timeout: float = 60_000) -> None:
        self.page.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status === 'idle'",
            timeout=timeout,
        )

    def wait_for(self, selector: str, timeout: float = 60_000) -> None:
        """Wait until ``selector`` shows, failing fast with the traceback if a cell errors."""
        self.page.wait_for_function(
            """(sel) => document.querySelector(sel)
                || document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')""",
            arg=selector,
            timeout=timeout,
        )
        if self.page.locator(selector).count() == 0:
            err = self.page.locator(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
            )
            raise AssertionError(f"a cell failed:\n{err.first.inner_text()}")

    # -- the side channel to the same kernel ------------------------------------------------
    def kernel_id(self) -> str:
        sessions = self.lab.api("GET", "/api/sessions")
        return str(next(s["kernel"]["id"] for s in sessions if s["path"].endswith(self.name)))

    def kernel(self) -> Any:
        if self.client is None:
            from jupyter_client import BlockingKernelClient

            kid = self.kernel_id()
            client = BlockingKernelClient()
            client.load_connection_file(str(self.lab.runtime / f"kernel-{kid}.json"))
            client.start_channels()
            client.wait_for_ready(timeout=30)
            self.client = client
        return self.client

    def execute(self, code: str, timeout: float = 60) -> str:
        """Run code in the notebook's kernel; return what it printed. Raises on error."""
        out: list[str] = []
        errors: list[str] = []

        def hook(msg: dict[str, Any]) -> None:
            kind = msg["msg_type"]
            if kind == "stream":
                out.append(msg["content"]["text"])
            elif kind == "error":
                errors.append("\n".join(msg["content"]["traceback"]))
            elif kind == "execute_result":
                out.append(msg["content"]["data"].get("text/plain", ""))

        self.kernel().execute_interactive(
            code, output_hook=hook, timeout=timeout, store_history=False
        )
        if errors:
            raise RuntimeError(f"kernel error running {code!r}:\n{errors[0]}")
        return "".join(out)

    def value(self, expr: str) -> Any:
        """A Python expression's value, via JSON."""
        text = self.execute(f"import json as _j; print(_j.dumps({expr}, default=str))")
        return json.loads(text.strip().splitlines()[-1])

    def eventually(self, expr: str, ok: Callable[[Any], bool], timeout: float = 15) -> Any:
        """``expr``'s value once ``ok(value)`` holds (or the last value seen, at timeout).

        A click updates the page at once but reaches the kernel a moment later, on the
        page's own connection; reading through the side channel must wait for it.
        """
        deadline = time.monotonic() + timeout
        while True:
            value = self.value(expr)
            if ok(value) or time.monotonic() > deadline:
                return value
            time.sleep(0.1)

    def wait_value(self, expr: str, expected: Any, timeout: float = 15) -> Any:
        """``expr``'s value once it equals ``expected`` (see ``eventually``)."""
        return self.eventually(expr, lambda v: v == expected, timeout)

    def external_requests(self) -> list[str]:
        """Requests that left the Jupyter server (data: and blob: URLs are local)."""
        return [
            u for u in self.requests
            if not (u.startswith(self.lab.base) or u.startswith(("data:", "blob:", "about:")))
        ]  # fmt: skip

    def close(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
        try:
            self.lab.api("GET", "/api/sessions")
            for s in self.lab.api("GET", "/api/sessions"):
                if s["path"].endswith(self.name):
                    self.lab.api("DELETE", f"/api/sessions/{s['id']}")
        except OSError:
            pass
        self.context.close()


@contextmanager
def lab_and_browser() -> Iterator[tuple[JupyterLab, Browser]]:
    """Both started, both stopped whatever happens (for scripts such as bench/)."""
    exe = chromium_path()
    if exe is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    lab = JupyterLab()
    browser: Browser | None = None
    try:
        lab.start()
        browser = Browser(exe)
        yield lab, browser
    finally:
        if browser is not None:
            browser.close()
        lab.stop()
