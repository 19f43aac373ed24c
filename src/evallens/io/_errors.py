"""What to do with a log file that cannot be read: raise, warn once, or skip."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

ErrorPolicy = Literal["raise", "warn", "skip"]
"""How readers treat bad files: ``"raise"`` on the first, ``"warn"`` once for all, ``"skip"``."""

_POLICIES: tuple[str, ...] = ("raise", "warn", "skip")


class LogReadError(ValueError):
    """A log file could not be read; ``path`` names it and the message says why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class LogReadWarning(UserWarning):
    """Some log files were skipped; the message lists each one and why."""


@dataclass(frozen=True)
class BadFile:
    """One file that was left out, and why."""

    path: str
    reason: str


def check_policy(errors: str) -> ErrorPolicy:
    """Validate an ``errors=`` argument so a typo fails loudly instead of skipping files."""
    if errors not in _POLICIES:
        raise ValueError(f"errors must be one of {_POLICIES}, got {errors!r}")
    return errors  # type: ignore[return-value]


def warn_reader(message: str, stacklevel: int = 2) -> None:
    """Warn about the logs just read, every time they are read.

    Python shows a warning once per code location by default, so the same
    ``read_samples(dir)`` run again in a notebook would stay silent about the same bad
    files; a fresh registry per call shows it each time (filters set by the user still
    apply).
    """
    try:
        frame = sys._getframe(stacklevel)
    except ValueError:  # called from near the top of the stack
        frame = sys._getframe(1)
    warnings.warn_explicit(
        message,
        LogReadWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=frame.f_globals.get("__name__"),
        registry={},
    )


def report_bad_files(bad: Sequence[BadFile], errors: ErrorPolicy) -> None:
    """Warn listing every bad file (``"warn"``); ``"raise"`` has already raised."""
    if not bad or errors != "warn":
        return
    lines = "\n".join(f"  {b.path}: {b.reason}" for b in bad)
    noun = "file" if len(bad) == 1 else "files"
    warn_reader(f"evallens skipped {len(bad)} log {noun} it could not read:\n{lines}", 3)
