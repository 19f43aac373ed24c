"""`evallens open [LOGS...]`: JupyterLab on a notebook that explores your logs (or the demo)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path


def _cell(source: str, kind: str = "code") -> dict[str, object]:
    cell: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        cell |= {"outputs": [], "execution_count": None}
    return cell


def explore_notebook(logs: Sequence[str]) -> dict[str, object]:
    """A notebook that opens the given logs (or the demo, with none) in evallens."""
    source = repr([str(Path(p).resolve()) for p in logs]) if logs else ""
    title = ", ".join(Path(p).name for p in logs) if logs else "the built-in demo data"
    cells = [
        _cell(f"# evallens: {title}\nRun the cells (Run > Run All Cells) to explore.", "markdown"),
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
    args = parser.parse_args(argv)

    for p in args.logs:
        if not Path(p).exists():
            parser.error(f"no such file or directory: {p}")
    if shutil.which("jupyter") is None and not Path(sys.executable).with_name("jupyter").exists():
        parser.error("JupyterLab is not installed: pip install 'evallens[demo]'")
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.notebook is not None:
        # Work on a copy: running it must not rewrite the user's (or the repo's) notebook.
        notebook = args.dir / args.notebook.name
        if notebook.resolve() != args.notebook.resolve():
            shutil.copyfile(args.notebook, notebook)
    else:
        name = "evallens-" + (Path(args.logs[0]).stem if args.logs else "demo") + ".ipynb"
        notebook = args.dir / name
        notebook.write_text(json.dumps(explore_notebook(args.logs), indent=1))
    print(
        f"evallens: opening {notebook}; run its cells (Run > Run All Cells) to explore", flush=True
    )
    cmd = [sys.executable, "-m", "jupyterlab", str(notebook)]
    if args.port:
        cmd.append(f"--port={args.port}")
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines often run as root
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
