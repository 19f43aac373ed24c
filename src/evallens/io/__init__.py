r"""Readers: Inspect logs (``.eval``, ``.json``), parquet exports and frames → polars.

Every source gives the same samples schema (one row per sample × epoch), with the names
``inspect_ai.analysis.samples_df`` uses:

==================== ============================ =============================================
column               dtype                        meaning
==================== ============================ =============================================
eval_id              String                       the eval's id (the same for every epoch)
sample_id            String                       unique row key: the sample's uuid, else
                                                  inspect_ai's hash of eval id, id and epoch
log                  String                       absolute path of the log file
task_name            String                       task without its namespace
task_display_name    String                       the task's display name, else ``task_name``
model                String                       ``provider/model``
model_display_name   String                       ``model`` (frames may carry a better one)
id                   Int64 or String              the sample id, in its own type
epoch                Int64
input                String                       transcript text (``"user:\n...\n"``)
target               String                       list targets joined with commas
answer               String                       the first score's answer, if any
error                String                       error message, ``""`` when none
limit                String                       limit hit (``"token"``, ...), else null
retries              Int64
total_tokens         Int64                        summed over ``model_usage``
total_time           Float64                      seconds
working_time         Float64                      seconds
message_count        Int64
model_usage          List(Struct)                 one struct per model: ``model``,
                                                  ``input_tokens``, ``output_tokens``,
                                                  ``total_tokens``,
                                                  ``input_tokens_cache_write``,
                                                  ``input_tokens_cache_read``,
                                                  ``reasoning_tokens`` (Int64), ``total_cost``
metadata_<key>       scalar, nested values as     sample metadata as in summaries (strings
                     JSON text                    shortened to 1k, whitespace collapsed)
score_<scorer>       Boolean / Int64 / Float64 /  one column per scorer; mixed types become
                     String / List                text (``'10'``, ``'I'``) as in samples_df
score_<scorer>_<key> as above                     one column per key of a dict-valued scorer
==================== ============================ =============================================

Metadata columns come before score columns; each group keeps first-seen order. Use
`evallens.describe_scores` to learn each score column's scorer, key and kind. The evals
schema is described in `read_evals`. inspect_ai is not needed at run time: logs are read
natively (sample summaries only), in worker processes when there is enough to read.
"""

from evallens.io._errors import ErrorPolicy, LogReadError, LogReadWarning
from evallens.io._messages import read_messages
from evallens.io._read import (
    Source,
    read_evals,
    read_samples,
    read_viewer_config,
    scan_samples,
)
from evallens.io._sample import read_sample
from evallens.io._samples import MODEL_USAGE_DTYPE
from evallens.io._transcripts import TranscriptCache, transcript_cache

__all__ = [
    "MODEL_USAGE_DTYPE",
    "ErrorPolicy",
    "LogReadError",
    "LogReadWarning",
    "Source",
    "TranscriptCache",
    "read_evals",
    "read_messages",
    "read_sample",
    "read_samples",
    "read_viewer_config",
    "scan_samples",
    "transcript_cache",
]
