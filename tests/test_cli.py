"""`evallens open`: writes a notebook exploring the logs, runs it in its session, serves it."""

from __future__ import annotations

import json
import signal
import socket
import sys
from pathlib import Path
from typing import Any, ClassVar

import nbformat
import psutil
import pytest
from conftest_io import LOGS_DIR, require
from conftest_open import EvallensOpen, jupyter_home
from nbclient import NotebookClient

from evallens import cli
from evallens.serve import OPEN_SETTINGS, LabServer, run_in_session, write_app_settings

QUICKSTART = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


class FakeServer:
    """Stands in for LabServer: the real one is driven end to end in tests/browser/test_open.py."""

    started: ClassVar[list[FakeServer]] = []

    def __init__(
        self, root: Path, settings: dict[str, dict[str, Any]] | None = None, port: int = 8888
    ) -> None:
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


@pytest.mark.parametrize("contents", [{}, {"notes.txt": "x", "logs.json": '{"files": []}'}])
def test_open_refuses_a_directory_without_logs(
    tmp_path: Path, contents: dict[str, str], capsys: pytest.CaptureFixture[str], fake_lab
) -> None:
    empty = tmp_path / "results"
    empty.mkdir()
    for name, text in contents.items():
        (empty / name).write_text(text)
    with pytest.raises(SystemExit) as exc:
        cli.main(["open", str(empty), "--dir", str(tmp_path / "nb")])
    assert exc.value.code != 0
    assert f"no .eval or .json logs in {empty}" in capsys.readouterr().err
    assert FakeServer.started == []


def test_open_reports_a_failing_cell_in_one_line_and_stops(tmp_path: Path) -> None:
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "2024-05-01T10-00-00_task.eval").write_bytes(b"not a zip")
    with EvallensOpen([str(odd), "--dir", str(tmp_path / "nb")], tmp_path / "home") as opened:
        assert opened.wait() != 0
        assert opened.seen, "the server never started"
        ours = [line for line in opened.stderr.splitlines() if line.startswith("evallens:")]
        notebook = tmp_path / "nb" / "evallens-odd.ipynb"
        assert len(ours) == 1, opened.stderr
        assert "ValueError: nothing to explore: " in ours[0]
        assert "1 log, none with samples that could be read" in ours[0]
        assert str(notebook) in ours[0]
        assert "Traceback" not in opened.stdout + opened.stderr
        _, alive = psutil.wait_procs(list(opened.seen.values()), timeout=60)
        assert alive == []  # the server and its kernel stopped too
    # The traceback is in the notebook, where the user is pointed.
    outputs = nbformat.read(notebook, as_version=4).cells[1].outputs
    assert outputs[-1]["ename"] == "ValueError"


def test_open_on_a_busy_port_stops_with_jupyterlabs_reason(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        with EvallensOpen(
            ["--port", port, "--dir", str(tmp_path / "nb")], tmp_path / "home"
        ) as opened:
            assert opened.wait() == 1
    # JupyterLab's own log says which port; evallens adds one line, no traceback.
    assert f"port {port} is not available" in opened.stderr
    assert [line for line in opened.stderr.splitlines() if line.startswith("evallens:")] == [
        "evallens: JupyterLab exited with code 1"
    ]
    assert "Traceback" not in opened.stderr


def test_run_in_session_waits_for_a_kernel_that_is_slow_to_start(tmp_path: Path) -> None:
    # A kernel that takes a few seconds before it even starts listening, as on a busy
    # machine: it must count as starting, not as dead.
    kernels = tmp_path / "data" / "kernels" / "slow"
    kernels.mkdir(parents=True)
    start_late = (
        "import os, sys, time; time.sleep(4); "
        "os.execv(sys.executable, [sys.executable, '-m', 'ipykernel_launcher', '-f', sys.argv[1]])"
    )
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-c", start_late, "{connection_file}"],
                "display_name": "Python 3 (slow to start)",
                "language": "python",
            }
        )
    )
    root = tmp_path / "nb"
    root.mkdir()
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("print(6 * 7)")],
        metadata={"kernelspec": {"name": "slow", "display_name": "Slow", "language": "python"}},
    )
    nbformat.write(nb, root / "slow.ipynb")
    server = LabServer(root=root)
    env = {**jupyter_home(tmp_path / "home"), "JUPYTER_PATH": str(tmp_path / "data")}
    server.start(env=env, log=tmp_path / "server.log")
    try:
        run_in_session(server, root / "slow.ipynb")
    finally:
        server.stop()
    (output,) = nbformat.read(root / "slow.ipynb", as_version=4).cells[0].outputs
    assert output["text"] == "42\n"


def test_sigterm_stops_the_server_and_its_kernel(tmp_path: Path) -> None:
    with EvallensOpen(["--dir", str(tmp_path / "nb")], tmp_path / "home") as opened:
        opened.wait_for_url()
        started = opened.descendants()
        assert any("ipykernel" in " ".join(p.cmdline()) for p in started)
        opened.proc.send_signal(signal.SIGTERM)
        opened.proc.wait(timeout=120)
        _, alive = psutil.wait_procs(started, timeout=60)
        assert alive == []


def test_open_settings_sit_under_the_labs_own_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "lab" / "settings"
    own.mkdir(parents=True)
    (own / "overrides.json").write_text(
        json.dumps(
            {
                "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
                "@jupyterlab/apputils-extension:notification": {"checkForUpdates": True},
            }
        )
    )
    (own / "page_config.json").write_text(json.dumps({"disabledExtensions": ["some-ext"]}))
    monkeypatch.setattr("jupyterlab.commands.get_app_dir", lambda: str(tmp_path / "lab"))

    write_app_settings(tmp_path / "settings", OPEN_SETTINGS)

    assert json.loads((tmp_path / "settings" / "overrides.json").read_text()) == {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false",  # evallens' addition: no news prompt over the grid
            "checkForUpdates": True,  # the lab's own choice stands
        },
    }
    assert (tmp_path / "settings" / "page_config.json").read_text() == (
        own / "page_config.json"
    ).read_text()
    assert json.loads((own / "overrides.json").read_text())[
        "@jupyterlab/apputils-extension:notification"
    ] == {"checkForUpdates": True}
