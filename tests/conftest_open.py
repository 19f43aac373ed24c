"""Helpers shared by the `evallens open` tests: the command run as a user runs it, isolated."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import psutil

EVALLENS = Path(sys.executable).with_name("evallens")


def jupyter_home(home: Path) -> dict[str, str]:
    """Environment giving Jupyter a fresh user in ``home`` (config, data, settings).

    The machine's own Jupyter settings can neither leak into a test nor be changed by it.
    """
    return {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
    }


class EvallensOpen:
    """`evallens open --no-browser ARGS` in a subprocess, its output kept in files."""

    def __init__(self, args: list[str], home: Path) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.stdout_path, self.stderr_path = home / "stdout.txt", home / "stderr.txt"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [str(EVALLENS), "open", "--no-browser", *args],
                env={**os.environ, **jupyter_home(home)},
                stdout=out,
                stderr=err,
            )
        self.seen: dict[int, psutil.Process] = {}

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text()

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def wait_for_url(self, timeout: float = 300) -> str:
        """The notebook's URL, once `evallens open` prints it (its cells have run then)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"^evallens: (http://\S+)$", self.stdout, re.MULTILINE)
            if found:
                self.descendants()
                return found.group(1)
            if self.proc.poll() is not None:
                raise AssertionError(f"evallens open exited early:\n{self.stderr[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"evallens open printed no URL:\n{self.stderr[-3000:]}")

    def wait(self, timeout: float = 300) -> int:
        """Its exit code, noting the processes it starts on the way (see ``seen``)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.descendants()
            time.sleep(0.2)
        return self.proc.wait(timeout=1)

    def descendants(self) -> list[psutil.Process]:
        """The server and kernel processes under `evallens open`, also added to ``seen``
        (checked by tests once it exits, killed on exit from the ``with`` block)."""
        try:
            found = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        self.seen |= {p.pid: p for p in found}
        return found

    def api_base(self, url: str) -> tuple[str, str]:
        """The server's base URL and token, from the notebook's URL."""
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}", parse_qs(parts.query)["token"][0]

    def __enter__(self) -> EvallensOpen:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop it as a user would, then kill anything it left behind (so a failing test
        does not leave servers running)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        for process in self.seen.values():
            try:
                process.kill()
            except psutil.NoSuchProcess:
                pass
