"""Shared test setup: tests/ helpers (conftest_io, …) importable under importlib mode."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest_io import generate_logs


@pytest.fixture(scope="session")
def per_task_scorer_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three tasks × two models, each task scored only by its own scorer:
    ``match`` (C/I), ``closeness`` (0–1 float), ``judge_text`` (grades '0'…'10' and 'I')."""
    out = tmp_path_factory.mktemp("per_task_scorers")
    return generate_logs(
        out, "--models", "2", "--tasks", "3", "--samples", "20", "--vary-scorers",
        "--scorers", "match,closeness,judge_text", "--error-rate", "0.05",
    )  # fmt: skip


@pytest.fixture(scope="session")
def text_grade_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tasks × two models whose judge writes grades as text ('0'…'10', sometimes 'I')."""
    out = tmp_path_factory.mktemp("text_grades")
    return generate_logs(
        out, "--models", "2", "--tasks", "2", "--samples", "40", "--scorers", "judge_text,match"
    )
