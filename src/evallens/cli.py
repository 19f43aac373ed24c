"""`evallens open [LOGS...]`: JupyterLab on a notebook that explores your logs (or the demo)."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import uuid
import webbrowser
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from evallens.io._logfile import log_files_in
from evallens.serve import OPEN_SETTINGS, LabServer, ServeError, run_in_session

# What asks `evallens open` to stop: Ctrl-C, a service manager, a closed terminal (Windows
# has no SIGHUP).
STOP_SIGNALS = (
    signal.SIGINT,
    signal.SIGTERM,
    *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()),
)


def _cell(source: str, kind: str = "code") -> dict[str, object]:
    # nbformat 4.5 cells carry an id; without one nbformat warns (and will refuse later)
    cell: dict[str, object] = {
        "id": uuid.uuid4().hex[:8],
        "cell_type": kind,
        "metadata": {},
        "source": source,
    }
    if kind == "code":
        cell |= {"outputs": [], "execution_count": None}
    return cell


def explore_notebook(logs: Sequence[str]) -> dict[str, object]:
    """A notebook that opens the given logs (or the demo, with none) in evallens."""
    source = repr([str(Path(p).resolve()) for p in logs]) if logs else ""
    title = ", ".join(Path(p).name for p in logs) if logs else "the built-in demo data"
    cells = [
        _cell(f"# evallens: {title}", "markdown"),
        _cell(f"import evallens\n\nevallens.explore({source})"),
    ]
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``evallens`` command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="evallens", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    op = sub.add_parser("open", help="open JupyterLab exploring LOGS (files or directories)")
    op.add_argument(
        "logs", nargs="*", help=".eval/.json logs, directories of logs, or parquet frames"
    )
    op.add_argument("--notebook", type=Path, help="open (a copy of) this notebook instead")
    op.add_argument("--dir", type=Path, default=Path.cwd(), help="where to write the notebook")
    op.add_argument("--port", type=int, default=None)
    op.add_argument("--no-browser", action="store_true")
    op.add_argument("--no-run", action="store_true", help="open without running the cells first")
    args = parser.parse_args(argv)

    for p in args.logs:
        if not Path(p).exists():
            parser.error(f"no such file or directory: {p}")
        if Path(p).is_dir() and not log_files_in(Path(p)):
            parser.error(f"no .eval or .json logs in {p}")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        parser.error("JupyterLab is not installed: pip install 'evallens[demo]'")
    args.dir.mkdir(parents=True, exist_ok=True)
    notebook = prepare_notebook(args.logs, args.notebook, args.dir)
    server = LabServer(
        root=notebook.parent.resolve(),
        settings=OPEN_SETTINGS,
        **({"port": args.port} if args.port else {}),
    )
    previous = _on_stop_signals(_raise_stop)
    try:
        server.start()
        if not args.no_run:
            print(f"evallens: running {notebook.name} in its kernel …", flush=True)
            run_in_session(server, notebook)
        url = server.url(notebook.name)
        print(f"evallens: {url}", flush=True)
        if not args.no_browser:
            webbrowser.open(url)
        assert server.proc is not None
        return server.proc.wait()
    except _Stop:
        return 0
    except ServeError as ex:
        print(f"evallens: {ex}", file=sys.stderr, flush=True)
        return 1
    finally:
        # A second signal (an impatient Ctrl-C) must not cut the shutdown short and leave
        # the kernel running.
        _on_stop_signals(signal.SIG_IGN)
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class _Stop(Exception):
    """A stop signal arrived: unwind through ``finally`` so the server and kernel stop too."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop(signum)


def _on_stop_signals(handler: Callable[[int, FrameType | None], Any] | int) -> dict[int, Any]:
    """Handle the stop signals with ``handler``; return the handlers it replaced."""
    return {signum: signal.signal(signum, handler) for signum in STOP_SIGNALS}


def prepare_notebook(logs: Sequence[str], source: Path | None, directory: Path) -> Path:
    """The notebook to open: a copy of ``source``, or a new one exploring ``logs``."""
    if source is not None:
        # Work on a copy: running it must not rewrite the user's (or the repo's) notebook.
        notebook = directory / source.name
        if notebook.resolve() != source.resolve():
            shutil.copyfile(source, notebook)
        return notebook
    name = "evallens-" + (Path(logs[0]).stem if logs else "demo") + ".ipynb"
    notebook = directory / name
    notebook.write_text(json.dumps(explore_notebook(logs), indent=1))
    return notebook


if __name__ == "__main__":
    sys.exit(main())
