"""SampleView's kernel side on long transcripts (1k, 10k, 100k messages).

Measures, median of RUNS: building the `SampleModel` (head + tool-call index), the first
window of 50 (the widget's initial state), a window of 500 (the most one request gets)
deep in the transcript, and the JSON size of the first window. Each transcript is an
agent loop: one assistant message with a tool call, then its tool result.

Prints JSON. Run: .venv/bin/python bench/bench_sample.py
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from typing import Any

from evallens.sample.model import MAX_WINDOW, SampleModel
from evallens.sample.widget import INITIAL_MESSAGES

RUNS = 7
SIZES = (1_000, 10_000, 100_000)


def transcript(n_messages: int) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"id": "u", "role": "user", "content": "Find the flag."}]
    for t in range((n_messages - 1) // 2):
        messages.append(
            {
                "id": f"a{t}",
                "role": "assistant",
                "model": "m",
                "content": [{"type": "text", "text": f"Listing directory {t}."}],
                "tool_calls": [
                    {"id": f"call_{t}", "function": "bash", "arguments": {"cmd": f"ls /srv/{t}"}}
                ],
            }
        )
        messages.append(
            {"id": f"t{t}", "role": "tool", "tool_call_id": f"call_{t}", "content": f"f{t}.txt"}
        )
    return {"id": 1, "epoch": 1, "messages": messages, "scores": {}}


def median_ms(fn: Any) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 2)


def main() -> None:
    figures: dict[str, Any] = {"python": platform.python_version(), "runs": RUNS}
    for size in SIZES:
        sample = transcript(size)
        model = SampleModel(sample)
        middle = size // 2
        figures[str(len(sample["messages"]))] = {
            "model_ms": median_ms(lambda s=sample: SampleModel(s)),
            "model_and_first_window_ms": median_ms(
                lambda s=sample: SampleModel(s).messages(0, INITIAL_MESSAGES)
            ),
            "window_500_ms": median_ms(lambda m=model, o=middle: m.messages(o, MAX_WINDOW)),
            "first_window_json_bytes": len(json.dumps(model.messages(0, INITIAL_MESSAGES))),
        }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
