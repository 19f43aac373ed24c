r"""Sample summaries the way inspect_ai makes them, without importing inspect_ai.

``inspect_ai.analysis.samples_df`` reads ``EvalSampleSummary`` objects, which "thin" their
data when loaded: long text is truncated, metadata strings are shortened (whitespace
collapsed, at most 1,024 characters), metadata values whose JSON exceeds 1k are replaced by
a marker, and images in the input become ``(Image)``. Inputs are then rendered as a
transcript (``"user:\n...\n"``). We apply the same rules so our frames agree with
``samples_df`` value for value; every rule is idempotent, so summaries that inspect_ai
already thinned when writing the log come through unchanged.
"""

from __future__ import annotations

import hashlib
import json
import textwrap
from datetime import datetime, timezone
from typing import Any

MAX_TEXT_LENGTH = 5120
_TRUNCATED = "...\n(content truncated)"
THIN_TEXT_WIDTH = 1024
THIN_TEXT_SCAN = THIN_TEXT_WIDTH * 8
METADATA_REMOVED = "Key removed from summary (> 1k)"
SCORER_PLACEHOLDER = "88F74D2C"
_ALPHABET57 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def truncate_text(text: str) -> str:
    """Truncate long input/target text with inspect_ai's marker."""
    if len(text) > MAX_TEXT_LENGTH:
        return text[:MAX_TEXT_LENGTH] + _TRUNCATED
    return text


def thin_text(text: str) -> str:
    """Collapse whitespace and shorten to 1,024 characters, as ``textwrap.shorten`` does."""
    collapsed = " ".join(text[:THIN_TEXT_SCAN].split())
    if len(collapsed) <= THIN_TEXT_WIDTH:
        return collapsed
    # rare: only long values pay for textwrap's word-boundary logic
    return textwrap.shorten(collapsed, width=THIN_TEXT_WIDTH, placeholder="...")


def thin_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """Keep scalars, shorten strings, and drop compound values whose JSON exceeds 1k."""
    thinned: dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, str):
            thinned[key] = thin_text(value)
        elif value is None or isinstance(value, int | float):
            thinned[key] = value
        elif metadata_fits(value):
            thinned[key] = value
        else:
            thinned[key] = METADATA_REMOVED
    return thinned


def metadata_fits(value: Any) -> bool:
    """Whether a compound metadata value stays in a summary: its JSON is at most 1k."""
    return len(json.dumps(value, indent=2, ensure_ascii=False)) <= 1024


def render_input(value: Any) -> str:
    """Render a sample input (a string or chat messages) as ``samples_df`` does."""
    if isinstance(value, str):
        return f"user:\n{truncate_text(value).strip()}\n"
    if isinstance(value, list):
        return "\n\n".join(_render_message(m) for m in value if isinstance(m, dict))
    return "" if value is None else str(value)


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return truncate_text(content)
    if not isinstance(content, list):
        return ""
    parts: list[str] = []
    for item in content:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "text":
            parts.append(truncate_text(str(item.get("text", ""))))
        else:
            # summaries replace media and other non-text parts with a placeholder
            parts.append(f"({str(kind).capitalize()})")
    return "\n".join(parts)


def _render_message(message: dict[str, Any]) -> str:
    role = message.get("role", "user")
    content = _message_text(message.get("content")).strip()
    tool_calls = message.get("tool_calls")
    if role == "assistant" and tool_calls is not None:
        entry = f"{role}:\n{content}\n"
        for call in tool_calls:
            function = call.get("function")
            args = call.get("arguments")
            if isinstance(args, dict):
                args_text = "\n".join(f"{k}: {v}" for k, v in args.items())
                entry += f"\nTool Call: {function}\nArguments:\n{args_text}"
            else:
                entry += f"\nTool Call: {function}\nArguments: {args}"
        return entry
    error = message.get("error")
    if role == "tool" and isinstance(error, dict):
        function = message.get("function") or "unknown"
        return f"{role}:\n{content}\n\nError in tool call '{function}':\n{error.get('message')}\n"
    return f"{role}:\n{content}\n"


def render_target(value: Any) -> str:
    """Join list targets with commas, as ``samples_df`` does."""
    if isinstance(value, list):
        return ",".join(str(truncate_text(t) if isinstance(t, str) else t) for t in value)
    if value is None:
        return ""
    return truncate_text(value) if isinstance(value, str) else str(value)


def summary_from_sample(sample: dict[str, Any], first_scorer: str | None) -> dict[str, Any]:
    """Summarize a whole sample (``.json`` logs, or ``.eval`` logs without summaries)."""
    scores = sample.get("scores")
    if scores is None and "score" in sample:
        # very old logs: one unnamed score, named after the eval's first scorer
        scores = {first_scorer or SCORER_PLACEHOLDER: sample["score"]}
    elif isinstance(scores, dict) and SCORER_PLACEHOLDER in scores and first_scorer:
        scores = {(first_scorer if k == SCORER_PLACEHOLDER else k): v for k, v in scores.items()}
    error = sample.get("error")
    limit = sample.get("limit")
    retries = sample.get("error_retries")
    messages = sample.get("messages")
    return {
        "id": sample.get("id"),
        "epoch": sample.get("epoch"),
        "input": sample.get("input"),
        "target": sample.get("target"),
        "metadata": sample.get("metadata") or {},
        "scores": scores,
        "model_usage": sample.get("model_usage") or {},
        "total_time": sample.get("total_time"),
        "working_time": sample.get("working_time"),
        "uuid": sample.get("uuid"),
        "error": error.get("message") if isinstance(error, dict) else error,
        "limit": limit.get("type") if isinstance(limit, dict) else limit,
        "retries": len(retries) if isinstance(retries, list) else None,
        "message_count": len(messages) if isinstance(messages, list) else None,
    }


_CHUNK = 57**5  # five digits a step: a third of the divisions of a 128-bit number


def _base57(number: int, pad: int = 22) -> str:
    digits: list[str] = []
    while number:
        number, chunk = divmod(number, _CHUNK)
        for _ in range(5):
            chunk, digit = divmod(chunk, 57)
            digits.append(_ALPHABET57[digit])
    while digits and digits[-1] == _ALPHABET57[0]:
        digits.pop()  # the last step's leading zeros: the number is written without them
    digits.extend(_ALPHABET57[0] * max(pad - len(digits), 0))
    return "".join(reversed(digits))


def _auto_id(base: str, suffix: str) -> str:
    """inspect_ai's stable made-up ids: the md5 of base and suffix, written in base 57."""
    digest = hashlib.md5(f"{base}_{suffix}".encode()).digest()
    return _base57(int.from_bytes(digest, "big"))


def auto_sample_id(eval_id: str, sample_id: Any, epoch: Any) -> str:
    """The id inspect_ai gives a sample without a uuid (md5 of eval id, id and epoch)."""
    return _auto_id(eval_id, f"{sample_id}_{epoch}")


def auto_message_id(sample_key: str, position: int) -> str:
    """The id ``messages_df`` gives a message logged without one (its sample, its place)."""
    return _auto_id(sample_key, f"message_{position}")


def normalize_created(created: str) -> str:
    """UTC ISO timestamp, as inspect_ai normalizes ``eval.created`` when it loads a log."""
    parsed = datetime.fromisoformat(created.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).isoformat()


def eval_id_of(spec: dict[str, Any]) -> str:
    """``eval.eval_id``, or the stable hash inspect_ai derives for logs written without one."""
    eval_id = spec.get("eval_id")
    if isinstance(eval_id, str) and eval_id:
        return eval_id
    created = spec.get("created")
    created_text = normalize_created(created) if isinstance(created, str) else ""
    content = f"{spec.get('run_id', '')}{spec.get('task_id', '')}{created_text}"
    digest = hashlib.blake2s(content.encode(), digest_size=16).digest()
    text = _base57(int.from_bytes(digest, "big"), pad=0)
    return text[-22:] if len(text) > 22 else text.rjust(22, _ALPHABET57[0])
