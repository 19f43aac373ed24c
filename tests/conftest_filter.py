"""The filter-language oracle: Inspect's viewer semantics, by the real filtrex under node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
ORACLE = ROOT / "tests" / "oracle" / "inspect_filter.mjs"


def _filtrex() -> Path | None:
    """filtrex's ES module: the widget's dev dependency, or EVALLENS_FILTREX."""
    for base in (os.environ.get("EVALLENS_FILTREX"), ROOT / "widget" / "node_modules"):
        if base:
            path = Path(base) / "filtrex" / "dist" / "esm" / "filtrex.mjs"
            if path.exists():
                return path
    return None


def inspect_matches(samples: list[dict[str, Any]], filters: list[str]) -> list[dict[str, Any]]:
    """Each filter's matching sample indices (and error count) under Inspect's viewer."""
    filtrex = _filtrex()
    node = shutil.which("node")
    if filtrex is None or node is None:
        pytest.skip("filtrex (widget dev dependency) or node not installed")
    payload = json.dumps({"filtrex": str(filtrex), "samples": samples, "filters": filters})
    done = subprocess.run(
        [node, str(ORACLE)], input=payload, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result: list[dict[str, Any]] = json.loads(done.stdout)
    return result


def raw_summaries(path: Path) -> list[dict[str, Any]]:
    """A log's sample summaries as inspect_ai wrote them (no evallens code involved)."""
    if path.suffix == ".json":
        return list(json.loads(path.read_text()).get("samples") or [])
    with zipfile.ZipFile(path) as z:
        if any(
            i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in z.infolist()
        ):
            # Zstandard members, which this Python's zipfile cannot open: inspect_ai reads them
            from inspect_ai.log import read_eval_log_sample_summaries

            return [
                s.model_dump(mode="json", exclude_none=True)
                for s in read_eval_log_sample_summaries(str(path))
            ]
        names = z.namelist()
        if "summaries.json" in names:
            return list(json.loads(z.read("summaries.json")))
        out: list[dict[str, Any]] = []
        parts = [n for n in names if n.startswith("_journal/summaries/")]
        for name in sorted(parts, key=lambda n: int(Path(n).stem)):
            out += json.loads(z.read(name))
        return out
