"""Readers: Inspect logs (``.eval``, ``.json``), parquet exports and frames → polars.

Every source gives the same documented samples schema (see `read_samples`) and the same
evals schema (see `read_evals`). inspect_ai is not needed at run time: logs are read
natively, sample summaries first, files in parallel when there is enough to read.
"""

from evallens.io._errors import ErrorPolicy, LogReadError, LogReadWarning
from evallens.io._read import (
    Source,
    read_evals,
    read_samples,
    read_viewer_config,
    scan_samples,
    to_samples_frame,
)
from evallens.io._samples import MODEL_USAGE_DTYPE

__all__ = [
    "MODEL_USAGE_DTYPE",
    "ErrorPolicy",
    "LogReadError",
    "LogReadWarning",
    "Source",
    "read_evals",
    "read_samples",
    "read_viewer_config",
    "scan_samples",
    "to_samples_frame",
]
