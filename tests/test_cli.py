"""`evallens open`: writes a notebook exploring the logs, runs it in its session, serves it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import nbformat
import pytest
from conftest_io import LOGS_DIR, require
from nbclient import NotebookClient

from evallens import cli

QUICKSTART = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


class FakeServer:
    """Stands in for LabServer: the real one is driven end to end in tests/browser/test_open.py."""

    started: ClassVar[list[FakeServer]] = []

    def __init__(self, root: Path, port: int = 8888) -> None:
        self.root, self.port = root, port
        self.stopped = False
        FakeServer.started.append(self)

    def start(self) -> None:
        class Proc:
            def wait(self) -> int:
                return 0

        self.proc = Proc()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/lab/tree/{name}?token=t"

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def fake_lab(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Path]]:
    ran: list[tuple[Any, Path]] = []
    FakeServer.started.clear()
    monkeypatch.setattr(cli, "LabServer", FakeServer)
    monkeypatch.setattr(cli, "run_in_session", lambda server, nb: ran.append((server, nb)))
    monkeypatch.setattr(cli.webbrowser, "open", lambda url: True)
    return ran


def test_open_logs_writes_a_runnable_notebook_runs_and_serves_it(tmp_path: Path, fake_lab) -> None:
    logs = require(LOGS_DIR / "inspect_flow" / "logs1")
    assert cli.main(["open", str(logs), "--dir", str(tmp_path), "--port", "8123"]) == 0
    notebook = tmp_path / "evallens-logs1.ipynb"
    (server,) = FakeServer.started
    assert server.port == 8123 and server.root == tmp_path.resolve() and server.stopped
    assert fake_lab == [(server, notebook)]

    nb = nbformat.read(notebook, as_version=4)
    assert str(logs.resolve()) in nb.cells[1].source
    NotebookClient(nb, timeout=300, kernel_name="python3").execute(cwd=str(tmp_path))
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def test_open_rejects_a_missing_path(capsys: pytest.CaptureFixture[str], fake_lab) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["open", "/no/such/logs"])
    assert exc.value.code == 2
    assert "/no/such/logs" in capsys.readouterr().err
    assert FakeServer.started == []


def test_open_works_on_a_copy_of_a_given_notebook(tmp_path: Path, fake_lab) -> None:
    before = QUICKSTART.read_bytes()
    assert (
        cli.main(
            ["open", "--notebook", str(QUICKSTART), "--dir", str(tmp_path / "demo"), "--no-run"]
        )
        == 0
    )
    assert (tmp_path / "demo" / "quickstart.ipynb").read_bytes() == before
    assert QUICKSTART.read_bytes() == before
    assert fake_lab == []  # --no-run
