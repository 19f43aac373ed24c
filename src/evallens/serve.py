"""Start JupyterLab on a notebook whose cells have already run in its own kernel.

JupyterLab never runs cells on open (by design: opening must not execute code). So
`evallens open` starts the server itself, creates the notebook's kernel session
through the server's REST API, runs the cells in that kernel and writes their
outputs into the file. When the browser opens the notebook it joins the same
session, finds the widgets alive in the kernel, and shows rows straight away,
fully interactive.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_client.blocking.client import BlockingKernelClient

OUTPUT_TYPES = ("stream", "display_data", "execute_result", "error")
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

OPEN_SETTINGS: dict[str, dict[str, Any]] = {
    # The news prompt would sit over the grid, and both would reach out to the internet.
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}
"""Defaults `evallens open` puts under the user's own JupyterLab settings.

The widget manager's ``saveState`` is deliberately not among them: with it on, the manager
marks a notebook modified as soon as any widget loads, so every notebook would open
modified. `run_in_session` writes the widget state into the notebook instead, and
JupyterLab keeps that metadata through the user's saves.
"""

# Runs in the notebook's kernel once its cells have run. A function keeps its names out of
# the user's namespace; ipywidgets is only looked up, so a notebook without widgets does
# not get it imported.
_WIDGET_STATE_CODE = f"""
def _evallens_widget_state():
    import sys
    from IPython.display import display
    ipywidgets = sys.modules.get("ipywidgets")
    if ipywidgets is not None:
        display({{"{WIDGET_STATE}": ipywidgets.Widget.get_manager_state()}}, raw=True)
_evallens_widget_state()
del _evallens_widget_state
"""


class ServeError(RuntimeError):
    """A failure `evallens open` reports in one line, without a traceback."""


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LabServer:
    """A JupyterLab server rooted at the notebook's folder, token auth on.

    ``settings`` are defaults layered under the user's own settings (see `OPEN_SETTINGS`).
    """

    root: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    runtime: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="evallens-runtime-"))
    )
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """The server's address."""
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        """The page that opens ``notebook``, with the token."""
        return f"{self.base}/lab/tree/{notebook}?token={self.token}"

    def start(
        self,
        extra_args: list[str] | None = None,
        timeout: float = 90,
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> None:
        """Start the server and wait until it answers (``log``: where its output goes).

        ``extra_args`` must not repeat an option set here: JupyterLab then rejects its
        whole command-line config ("only accepts one value"), logging it, and starts anyway.
        """
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            f"--port={self.port}", "--ip=127.0.0.1",
            "--ServerApp.port_retries=0",  # we talk to this port: fail rather than move on
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            # Everything the page needs is local: no news feed, no update check.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *self._settings_args(),
            *(extra_args or []),
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # containers and CI machines often run as root
        full_env = {**os.environ, **(env or {}), "JUPYTER_RUNTIME_DIR": str(self.runtime)}
        # Its own session: Ctrl-C in the terminal reaches only us, and we shut the server
        # down in order (kernels first) instead of it asking "Shut down? (y/[n])".
        if log is None:
            self.proc = subprocess.Popen(cmd, env=full_env, start_new_session=True)
        else:
            with open(log, "wb") as out:
                self.proc = subprocess.Popen(
                    cmd, env=full_env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                )
        tail = (lambda: log.read_text()[-3000:]) if log is not None else (lambda: "")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                raise ServeError(f"JupyterLab exited with code {code}\n{tail()}".rstrip())
            try:
                # Briefly: until JupyterLab listens, whatever else holds the port may not answer.
                self.api("GET", "/api/status", timeout=5)
                return
            except OSError:
                time.sleep(0.3)
        message = f"JupyterLab did not answer on port {self.port} within {timeout:.0f}s"
        raise ServeError(f"{message}\n{tail()}".rstrip())

    def _settings_args(self) -> list[str]:
        if not self.settings:
            return []
        directory = self.runtime / "lab-settings"
        write_app_settings(directory, self.settings)
        return [f"--LabApp.app_settings_dir={directory}"]

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """Call the server's REST API; the JSON answer (None when empty)."""
        req = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def shutdown_kernels(self) -> None:
        """Shut down every session's kernel, and any kernel without a session."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except OSError:
            pass  # the server stops its remaining kernels itself when terminated

    def stop(self) -> None:
        """Shut the kernels down and stop the server."""
        if self.proc is not None and self.proc.poll() is None:
            self.shutdown_kernels()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def write_app_settings(directory: Path, settings: dict[str, dict[str, Any]]) -> None:
    """A copy of JupyterLab's app settings directory, with ``settings`` under its overrides.

    Overrides only change defaults: what the user set in JupyterLab still wins, and so does
    anything the existing overrides.json sets. The rest of the directory (page_config.json,
    overrides.d/) is copied so JupyterLab behaves as it would with its own.
    """
    from jupyterlab.commands import get_app_dir

    default = Path(get_app_dir()) / "settings"
    if default.is_dir():
        shutil.copytree(default, directory, dirs_exist_ok=True)
    directory.mkdir(parents=True, exist_ok=True)
    overrides = directory / "overrides.json"
    try:
        existing = json.loads(overrides.read_text()) if overrides.exists() else {}
    except ValueError:
        return  # left as it is: JupyterLab reports the broken file itself
    if isinstance(existing, dict):
        overrides.write_text(json.dumps(_layered(settings, existing), indent=2))


def _layered(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` merged onto ``under``, nested dicts key by key."""
    merged = dict(under)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _layered(merged[key], value)
        else:
            merged[key] = value
    return merged


def run_in_session(server: LabServer, notebook: Path, timeout: float = 600) -> None:
    """Create the notebook's kernel session and run its code cells there, saving outputs.

    The notebook is saved the way JupyterLab would save it after this session (the
    kernel's spec and language info, the widgets' state), so it opens unmodified and
    still shows its widgets once the kernel is gone.

    Raises ServeError naming the cell when one fails (its traceback is kept in the
    notebook, so the user sees it too), or when the kernel dies or never answers.
    """
    import nbformat
    from jupyter_client.blocking.client import BlockingKernelClient

    nb = nbformat.read(notebook, as_version=4)
    kernel_name = nb.metadata.get("kernelspec", {}).get("name", "python3")
    try:
        session = server.api(
            "POST",
            "/api/sessions",
            {
                "path": notebook.name,
                "name": notebook.name,
                "type": "notebook",
                "kernel": {"name": kernel_name},
            },
        )
    except urllib.error.HTTPError as ex:
        raise ServeError(f"JupyterLab could not start a {kernel_name!r} kernel: {ex}") from ex
    kernel_id = session["kernel"]["id"]
    client = BlockingKernelClient()
    client.load_connection_file(str(wait_for_connection_file(server, kernel_id)))
    # No heartbeat channel: one late heartbeat is not a dead kernel (see wait_for_kernel).
    client.start_channels(hb=False)
    failed: str | None = None
    try:
        info = wait_for_kernel(server, client, kernel_id)
        spec = server.api("GET", f"/api/kernelspecs/{kernel_name}")["spec"]
        nb.metadata["kernelspec"] = {
            "name": kernel_name,
            "display_name": spec["display_name"],
            "language": spec["language"],
        }
        nb.metadata["language_info"] = info["language_info"]
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            outputs: list[Any] = []

            def keep(msg: dict[str, Any], into: list[Any] = outputs) -> None:
                if msg["msg_type"] in OUTPUT_TYPES:
                    into.append(nbformat.v4.output_from_msg(msg))

            try:
                reply = client.execute_interactive(cell.source, output_hook=keep, timeout=timeout)
            except TimeoutError:
                reply = None
            cell.outputs = outputs
            if reply is None:
                failed = f"cell {index + 1} of {notebook} did not finish within {timeout:.0f}s"
                break
            content = reply["content"]
            cell.execution_count = content.get("execution_count")
            if content["status"] != "ok":
                # One line for the terminal; the notebook keeps the whole message.
                message = str(content.get("evalue", "")).strip().splitlines()[:1]
                failed = (
                    f"cell {index + 1} of {notebook} failed: {content.get('ename', 'error')}: "
                    f"{''.join(message)} (the notebook shows the full traceback)"
                )
                break
        if failed is None and info["language_info"].get("name") == "python":
            state = widget_state(client, timeout)
            if state is not None:
                nb.metadata["widgets"] = {WIDGET_STATE: state}
    finally:
        client.stop_channels()
        # Outputs of an untrusted notebook render as plain text only (widgets included);
        # these outputs were made just now, by the user's own command, so vouch for them.
        from nbformat.sign import NotebookNotary

        NotebookNotary().sign(nb)
        nbformat.write(nb, notebook)
    if failed:
        raise ServeError(failed)


def wait_for_connection_file(server: LabServer, kernel_id: str, timeout: float = 120) -> Path:
    """The kernel's connection file, once the server has written it."""
    connection = server.runtime / f"kernel-{kernel_id}.json"
    deadline = time.monotonic() + timeout
    while not connection.exists():
        check_kernel(server, kernel_id)
        if time.monotonic() > deadline:
            raise ServeError(f"the kernel's connection file did not appear: {connection}")
        time.sleep(0.1)
    return connection


def wait_for_kernel(
    server: LabServer, client: BlockingKernelClient, kernel_id: str, timeout: float = 120
) -> dict[str, Any]:
    """The kernel's kernel_info reply, once it answers on both shell and IOPub.

    jupyter_client's ``wait_for_ready`` declares a kernel dead after one missed
    heartbeat, which a kernel still starting on a busy machine easily misses. Like
    JupyterLab, keep asking for kernel_info and judge death only by the server's view.
    """
    deadline = time.monotonic() + timeout
    asked: set[str] = set()
    while time.monotonic() < deadline:
        asked.add(client.kernel_info())
        try:
            reply = client.get_shell_msg(timeout=1)
        except Empty:
            check_kernel(server, kernel_id)
            continue
        if reply["parent_header"].get("msg_id") not in asked:
            continue
        # Outputs come over IOPub, whose subscription may connect after the shell does
        # (messages published before then are lost): ready once IOPub carries one of the
        # status messages the kernel publishes for our requests.
        while True:
            try:
                msg = client.get_iopub_msg(timeout=0.5)
            except Empty:
                break
            if msg["parent_header"].get("msg_id") in asked:
                return dict(reply["content"])
    raise ServeError(f"the kernel did not answer within {timeout:.0f}s")


def check_kernel(server: LabServer, kernel_id: str) -> None:
    """Raise ServeError if the server no longer has the kernel (or has given up on it)."""
    assert server.proc is not None
    if server.proc.poll() is not None:
        raise ServeError(f"JupyterLab exited with code {server.proc.returncode}")
    try:
        model = server.api("GET", f"/api/kernels/{kernel_id}")
    except urllib.error.HTTPError as ex:
        if ex.code != 404:
            raise ServeError(f"JupyterLab could not report on the kernel: {ex}") from ex
        model = {"execution_state": "dead"}  # the server gave up on it and dropped it
    except OSError as ex:
        raise ServeError(f"JupyterLab stopped answering: {ex}") from ex
    if model["execution_state"] == "dead":
        raise ServeError("the kernel died while starting (JupyterLab's log above says why)")


def widget_state(client: BlockingKernelClient, timeout: float) -> dict[str, Any] | None:
    """The kernel's widget manager state (what JupyterLab saves in a notebook), if any."""
    found: list[dict[str, Any]] = []

    def keep(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "display_data" and WIDGET_STATE in msg["content"]["data"]:
            found.append(msg["content"]["data"][WIDGET_STATE])

    client.execute_interactive(
        _WIDGET_STATE_CODE, store_history=False, output_hook=keep, timeout=timeout
    )
    return found[0] if found and found[0]["state"] else None
