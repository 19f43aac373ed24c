"""Build hook: compile the TypeScript front end into src/evallens/static/.

Runs for wheels and editable installs alike, so `pip install .` and
`pip install -e .` from a clean clone both produce a working widget.
Set EVALLENS_SKIP_JS=1 to reuse an existing build (the static files must exist).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def bundles(root: Path) -> list[str]:
    """One bundle per widget entry: ``widget/src/<name>/index.ts`` builds ``<name>.js``."""
    return sorted(
        f"{entry.parent.name}.js" for entry in (root / "widget" / "src").glob("*/index.ts")
    )


class JsBuildHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        widget = root / "widget"
        static = root / "src" / "evallens" / "static"
        if not widget.exists():  # building a wheel from an sdist that already has static/
            return
        built = all((static / name).exists() for name in bundles(root))
        if os.environ.get("EVALLENS_SKIP_JS") and built:
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("evallens: npm is needed to build the front end (install Node.js)")
        if not (widget / "node_modules").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=widget, check=True)
        subprocess.run([npm, "run", "build"], cwd=widget, check=True)
