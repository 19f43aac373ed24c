"""`evallens open`: writes a notebook exploring the logs and starts JupyterLab on it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from evallens import cli

LOGS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "logs"


def test_open_writes_a_runnable_notebook_and_starts_jupyterlab(tmp_path: Path, monkeypatch) -> None:
    if not LOGS.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared logs missing at {LOGS}")
        pytest.skip("shared logs not available outside CI")
    started: list[list[str]] = []

    def fake_call(cmd: list[str], **_: Any) -> int:
        started.append(cmd)
        return 0

    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    logs = LOGS / "inspect_flow" / "logs1"
    assert (
        cli.main(["open", str(logs), "--dir", str(tmp_path), "--no-browser", "--port", "8123"]) == 0
    )
    notebook = tmp_path / "evallens-logs1.ipynb"
    assert notebook.exists()
    cmd = started[0]
    assert cmd[1:4] == ["-m", "jupyterlab", str(notebook)]
    assert "--port=8123" in cmd and "--no-browser" in cmd

    nb = nbformat.read(notebook, as_version=4)
    assert str(logs.resolve()) in nb.cells[1].source
    NotebookClient(nb, timeout=300, kernel_name="python3").execute(cwd=str(tmp_path))
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def test_open_rejects_a_missing_path(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["open", "/no/such/logs"])
    assert exc.value.code == 2
    assert "/no/such/logs" in capsys.readouterr().err


def test_open_copies_a_given_notebook_instead_of_rewriting_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(cli.subprocess, "call", lambda cmd, **_: 0)
    source = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"
    before = source.read_bytes()
    assert cli.main(["open", "--notebook", str(source), "--dir", str(tmp_path / "demo")]) == 0
    assert (tmp_path / "demo" / "quickstart.ipynb").read_bytes() == before
    assert source.read_bytes() == before
