"""The detail reply's ``compare`` entry: a hook on GridModel supplies two paired samples."""

from __future__ import annotations

from typing import Any

import polars as pl

import evallens
from evallens.grid.types import CompareDetail, DetailScore


def small_grid() -> evallens.SampleGrid:
    df = pl.DataFrame(
        {
            "id": [1, 2],
            "input": ["What is 2+2?", "Name a colour."],
            "target": ["4", "red"],
            "answer": ["4", "blue"],
            "model": ["gpt-4o", "gpt-4o"],
            "score_match": ["C", "I"],
        }
    )
    grid = evallens.SampleGrid(df)
    grid.send = lambda *args, **kwargs: None  # type: ignore[method-assign]
    return grid


def match(value: str) -> DetailScore:
    return {
        "name": "match",
        "scorer": "match",
        "column": "score_match",
        "type": "passfail",
        "value": value,
    }


def test_detail_has_no_compare_without_the_hook() -> None:
    grid = small_grid()
    reply = grid._model.detail(0)
    assert "compare" not in reply
    assert reply["sample"]["answer"] == "4"


def test_the_hook_gets_the_rows_values_and_its_pair_goes_under_compare() -> None:
    grid = small_grid()
    seen: list[dict[str, Any]] = []
    big = 2**53 + 1

    def pair(values: dict[str, Any]) -> CompareDetail | None:
        seen.append(values)
        if values["id"] != 1:
            return None
        return {
            "status": "regressed",
            "delta": -1.0,
            "sides": [
                {
                    "label": "gpt-4o (baseline)",
                    "sample": {"answer": "4", "total_tokens": big},
                    "scores": [match("C")],
                },
                {
                    "label": "other-model",
                    "sample": {"answer": "5", "error": "boom"},
                    "scores": [match("I")],
                },
            ],
        }

    grid._model.compare_detail = pair
    compare = grid._model.detail(0)["compare"]
    assert seen[-1]["answer"] == "4" and seen[-1]["target"] == "4"
    assert compare is not None
    assert compare["status"] == "regressed" and compare["delta"] == -1.0
    assert [s["label"] for s in compare["sides"]] == ["gpt-4o (baseline)", "other-model"]
    assert compare["sides"][1]["sample"] == {"answer": "5", "error": "boom"}
    assert compare["sides"][0]["scores"][0]["value"] == "C"
    assert compare["sides"][0]["sample"]["total_tokens"] == str(big)  # exact in the browser
    # A row the hook has no pair for is shown as usual.
    assert "compare" not in grid._model.detail(1)
    # Through the widget's message handler too.
    reply = grid._handlers["detail"]({"type": "detail", "id": 1, "row": 0}, [])
    assert reply is not None
    body, _ = reply
    assert body["compare"]["sides"][1]["label"] == "other-model"
