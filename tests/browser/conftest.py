"""Fixtures: one JupyterLab server and one Chromium per test session, a fresh notebook per test."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from lab import Browser, JupyterLab, Notebook, chromium_path

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = chromium_path()
    if exe is None:
        message = "Chromium not found (apt-get install chromium); browser tests need it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return exe


@pytest.fixture(scope="session")
def lab(chromium: str) -> Iterator[JupyterLab]:
    server = JupyterLab()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    b = Browser(chromium)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture
def notebook(lab: JupyterLab, browser: Browser) -> Iterator[Callable[..., Notebook]]:
    """`notebook(cells, dark=False)`: open a notebook with these cells and run them all."""
    opened: list[Notebook] = []

    def open_notebook(cells: list[str], *, dark: bool = False, run: bool = True) -> Notebook:
        nb = Notebook(lab, browser, cells, dark=dark)
        opened.append(nb)
        nb.open()
        if run:
            nb.run_all()
        return nb

    try:
        yield open_notebook
    finally:
        for nb in opened:
            nb.close()
