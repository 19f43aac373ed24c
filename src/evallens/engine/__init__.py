"""Lazy sources: samples a polars LazyFrame, DuckDB, Dask or another engine holds.

Queries are narwhals plans the engine runs; only windows and aggregates reach the kernel.
"""

from evallens.engine.query import LazyQuery
from evallens.engine.source import LazySource, LazySourceError, is_lazy_source

__all__ = ["LazyQuery", "LazySource", "LazySourceError", "is_lazy_source"]
