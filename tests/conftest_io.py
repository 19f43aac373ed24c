"""Helpers shared by the reader tests: where the real logs are, and value comparison."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
LOGS_DIR = SHARED / "data" / "logs"

# inspect_ai lists a .json file as a log only when its name starts with a timestamp
INSPECT_JSON_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}")


def require(path: Path) -> Path:
    """A file or folder of ../shared: skipped when absent locally, a failure under CI=true."""
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing under CI: {path}")
        pytest.skip(f"shared data not found at {path}")
    return path


def logs_dir() -> Path:
    """The shared real logs (see ``require``)."""
    return require(LOGS_DIR)


def real_log_paths() -> list[Path]:
    """Every .eval and .json log in the shared data (empty when the data is absent)."""
    if not LOGS_DIR.is_dir():
        return []
    return sorted(
        p
        for p in LOGS_DIR.rglob("*")
        if p.suffix in (".eval", ".json") and p.name != "manifest.json"
    )


def plain(value: Any) -> Any:
    """A comparable Python value: missing → None, numbers → float, numpy → lists."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a test dependency
        pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def usage_as_dict(entries: list[dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Our ``model_usage`` (list of structs) as inspect_ai's dict, None fields dropped."""
    return {
        e["model"]: {k: v for k, v in e.items() if k != "model" and v is not None}
        for e in entries or []
    }


def same_value(column: str, ours: Any, theirs: Any) -> bool:
    """Compare one cell of our frame with the same cell of samples_df/evals_df."""
    if column == "id":
        ours = None if ours is None else str(ours)
    if column == "model_usage":
        ours = usage_as_dict(ours)
        theirs = json.loads(theirs) if isinstance(theirs, str) else theirs
        return bool(ours == theirs)
    if isinstance(ours, list) and isinstance(theirs, str):
        theirs = json.loads(theirs)  # samples_df writes list scores as JSON text
    return bool(plain(ours) == plain(theirs))


GEN_LOGS = SHARED / "tools" / "gen_logs.py"


def generate_logs(out: Path, *args: str) -> Path:
    """Real Inspect logs written by inspect_ai's mock model (../shared/tools/gen_logs.py)."""
    subprocess.run(
        [sys.executable, str(require(GEN_LOGS)), "--out", str(out), "--clean", *args],
        check=True,
        capture_output=True,
    )
    return out
