"""Transcript search in a SampleGrid (``grid.transcript_search``) over ~1M messages; prints JSON.

Logs: ``../shared/tools/gen_logs.py --fast`` writes a small template log; its samples are
cloned with agent-style conversations (system, user, then assistant turns with a bash tool
call and their tool results) and written with inspect_ai's own ``write_eval_log``:
``LOGS`` logs x ``SAMPLES`` samples x ``MESSAGES`` messages, generated once into ``--cache``
(``/tmp/evallens-bench/transcript-search``) and reused. One sample in 40 hides a flag in a
tool result, so a search finds a few samples, as a real one does.

Each run is a fresh process (nothing cached): the grid is built from the logs (not timed),
then each pattern is searched twice: ``first`` reads every log's message text (the cache is
empty) and searches it; ``repeated`` is a new search over the cached text. Timed: setting
``grid.transcript_search`` until the grid's rows are ready. Medians of ``--runs``; the same
on the shared real logs (``../shared/data/logs``).

Usage:
    .venv/bin/python bench/bench_transcript_search.py
    .venv/bin/python bench/bench_transcript_search.py --runs 3   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GEN_LOGS = ROOT.parent / "shared" / "tools" / "gen_logs.py"
REAL_LOGS = ROOT.parent / "shared" / "data" / "logs"

LOGS = 10
SAMPLES = 1_000
MESSAGES = 100
FLAG_EVERY = 40
PATTERNS = (r"flag\{[0-9a-f]{8}\}", r"(?i)permission denied", r"\bcat out_4\d\.txt\b")

_WORDS = (
    "the file directory listing error output process returned value config test build "
    "server request response module function class import install package version path "
    "found missing check run step next result token memory cache index query data Error "
    "Permission denied retry timeout"
).split()


def _words(rng: random.Random, chars: int) -> str:
    out: list[str] = []
    n = 0
    while n < chars:
        word = rng.choice(_WORDS)
        out.append(word)
        n += len(word) + 1
    return " ".join(out)


def _template(cache: Path) -> Path:
    out = cache / "template"
    found = sorted(out.glob("*.eval"))
    if not found:
        subprocess.run(
            [sys.executable, str(GEN_LOGS), "--out", str(out), "--models", "1", "--tasks", "1",
             "--samples", "20", "--fast", "--clean"],
            check=True, capture_output=True,
        )  # fmt: skip
        found = sorted(out.glob("*.eval"))
    return found[0]


def _conversation(rng: random.Random, model: str, flagged: bool) -> list[Any]:
    from inspect_ai.model import (
        ChatMessageAssistant,
        ChatMessageSystem,
        ChatMessageTool,
        ChatMessageUser,
    )
    from inspect_ai.tool import ToolCall

    messages: list[Any] = [
        ChatMessageSystem(content="You are an agent with a bash tool. " + _words(rng, 200)),
        ChatMessageUser(content="Find the flag. " + _words(rng, 150)),
    ]
    flag_at = rng.randrange(MESSAGES // 2) if flagged else -1
    turn = 0
    while len(messages) < MESSAGES:
        call = ToolCall(
            id=f"call_{turn}", function="bash", arguments={"cmd": f"cat out_{turn}.txt"}
        )
        messages.append(
            ChatMessageAssistant(
                content=_words(rng, rng.randint(40, 250)), tool_calls=[call], model=model
            )
        )
        result = _words(rng, rng.randint(60, 400))
        if turn == flag_at:
            result += f" flag{{{rng.getrandbits(32):08x}}}"
        messages.append(ChatMessageTool(content=result, tool_call_id=call.id, function="bash"))
        turn += 1
    return messages[:MESSAGES]


def generate(cache: Path) -> tuple[Path, float | None]:
    """The ~1M-message logs (made once; a folder holding all of them is reused)."""
    folder = cache / f"logs-{LOGS}x{SAMPLES}x{MESSAGES}-v1"
    if len(list(folder.glob("*.eval"))) == LOGS:
        return folder, None
    from inspect_ai.log import read_eval_log, write_eval_log

    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    template = read_eval_log(str(_template(cache)))
    base = (template.samples or [])[0]
    for i in range(LOGS):
        rng = random.Random(i)
        log = template.model_copy(deep=True)
        log.eval.eval_id = f"transcripts-{i:02d}"
        log.samples = [
            base.model_copy(
                update={
                    "id": f"s{i:02d}-{j:05d}",
                    "messages": _conversation(rng, log.eval.model, j % FLAG_EVERY == 0),
                }
            )
            for j in range(SAMPLES)
        ]
        partial = folder / f"log-{i:02d}.partial.eval"
        write_eval_log(log, str(partial))
        partial.rename(folder / f"log-{i:02d}.eval")  # only a whole log is ever reused
    return folder, time.perf_counter() - started


# Runs in a child process: build the grid (not timed), then each pattern first and repeated.
_CHILD = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import evallens
source, patterns = sys.argv[1], json.loads(sys.argv[2])
grid = evallens.SampleGrid(evallens.read_samples(source, errors="skip"))
out = {"samples": grid.view_count}
for i, pattern in enumerate(patterns):
    for phase in ("first", "repeated"):
        if phase == "first":
            evallens.transcript_cache.clear()
        grid.transcript_search = ""
        start = time.perf_counter()
        grid.transcript_search = pattern
        seconds = time.perf_counter() - start
        out.setdefault(pattern, {})[phase] = seconds
    out[pattern]["samples_with_hits"] = grid.view_count
hits = grid.transcript_hits()
out["messages"] = evallens.transcript_cache.info()["messages"]
out["cache_mb"] = round(evallens.transcript_cache.info()["bytes"] / 2**20, 1)
out["searched_samples"] = int(hits["hits"].is_not_null().sum())
print(json.dumps(out))
"""


def _child(source: Path, patterns: tuple[str, ...]) -> dict[str, Any]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(source), json.dumps(patterns)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench(source: Path, label: str, patterns: tuple[str, ...], runs: int) -> dict[str, Any]:
    results = [_child(source, patterns) for _ in range(runs)]
    out: dict[str, Any] = {
        "source": label,
        "samples": results[0]["samples"],
        "messages": results[0]["messages"],
        "cache_mb": results[0]["cache_mb"],
        "searched_samples": results[0]["searched_samples"],
    }
    for pattern in patterns:
        out[pattern] = {
            phase: {
                "median_seconds": round(statistics.median(r[pattern][phase] for r in results), 3),
                "runs": [round(r[pattern][phase], 3) for r in results],
            }
            for phase in ("first", "repeated")
        }
        out[pattern]["samples_with_hits"] = results[0][pattern]["samples_with_hits"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path("/tmp/evallens-bench/transcript-search"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    logs, built = generate(args.cache)
    report: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "note": "2 cores shared with other work; wall seconds",
        },
        "generated_logs_seconds": None if built is None else round(built, 1),
        "generated": bench(
            logs, f"{LOGS} logs x {SAMPLES} samples x {MESSAGES} messages", PATTERNS, args.runs
        ),
        "real": bench(REAL_LOGS, "shared real logs", (r"(?i)\berror\b", r"def \w+\("), args.runs),
        "targets_seconds": {"first": 2.0, "repeated": 0.3},
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
