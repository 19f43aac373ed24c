"""Scanner result views: every rule of Inspect's viewer, its own test cases, and properties.

The cases in the first part are those of Inspect's viewer (``resolveScannerResultView``'s
tests in ``viewerConfig.test.ts``), written as this module's sections.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inspect_ai.viewer import MetadataField, ScannerResultField, ScannerResultView, ViewerConfig

from evallens.errors import UnknownNameError
from evallens.sample.globs import glob_match, specificity
from evallens.sample.scanners import BUILTIN_ORDER, SCANNER_KEYS, ScannerViews, is_scan


def builtin(name: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "builtin", "name": name, "collapsed": False, **extra}


def meta(key: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "metadata", "key": key, "collapsed": False, **extra}


def names(sections: list[Any]) -> list[str]:
    """Sections as short names: built-ins by name, promoted keys as ``metadata.<key>``."""
    return [f"metadata.{s['key']}" if s["kind"] == "metadata_key" else s["kind"] for s in sections]


def with_defaults(*pinned: str) -> list[str]:
    return [*pinned, *(n for n in BUILTIN_ORDER if n not in pinned)]


def hidden(sections: list[Any]) -> list[str]:
    found = [s["hidden_keys"] for s in sections if s["kind"] == "metadata"]
    return [k for k in found[0] if k not in SCANNER_KEYS] if found else []


DEFAULT = list(BUILTIN_ORDER)


# -- Inspect's cases -----------------------------------------------------------------------
def test_no_config_gives_the_default() -> None:
    assert names(ScannerViews(None).sections("any")) == DEFAULT
    assert names(ScannerViews({}).sections("any")) == DEFAULT


def test_no_matching_pattern_gives_the_default() -> None:
    views = ScannerViews({"audit_*": {"fields": [builtin("value")], "exclude_fields": []}})
    assert names(views.sections("is_ascii")) == DEFAULT
    assert hidden(views.sections("is_ascii")) == []


def test_fields_pin_their_order_and_unlisted_defaults_follow() -> None:
    views = ScannerViews(
        {"*": {"fields": [builtin("explanation"), builtin("value")], "exclude_fields": []}}
    )
    assert names(views.sections("anything")) == with_defaults("explanation", "value")


def test_promoted_metadata_keys_render_inline_and_leave_the_dump() -> None:
    views = ScannerViews({"*": {"fields": [builtin("value"), meta("summary")]}})
    sections = views.sections("anything")
    assert names(sections) == with_defaults("value", "metadata.summary")
    assert hidden(sections) == ["summary"]


def test_an_exact_name_beats_star() -> None:
    views = ScannerViews(
        {"*": {"fields": [builtin("explanation")]}, "is_ascii": {"fields": [builtin("value")]}}
    )
    assert names(views.sections("is_ascii")) == with_defaults("value")


def test_a_prefix_glob_beats_star_and_an_exact_name_beats_the_prefix() -> None:
    views = ScannerViews(
        {
            "*": {"fields": [builtin("explanation")]},
            "audit_*": {"fields": [builtin("value")]},
            "audit_judge": {"fields": [builtin("answer")]},
        }
    )
    assert names(views.sections("audit_judge")) == with_defaults("answer")
    assert names(views.sections("audit_other")) == with_defaults("value")
    assert names(views.sections("is_ascii")) == with_defaults("explanation")


def test_specificity_ties_go_to_the_pattern_listed_first() -> None:
    first = {"audit_*": {"fields": [builtin("value")]}, "*_judge": {"fields": [builtin("answer")]}}
    assert specificity("audit_*") == specificity("*_judge") == 6
    assert names(ScannerViews(first).sections("audit_judge")) == with_defaults("value")
    reversed_ = dict(reversed(first.items()))
    assert names(ScannerViews(reversed_).sections("audit_judge")) == with_defaults("answer")


def test_exclude_fields_are_unioned_across_every_matching_pattern() -> None:
    views = ScannerViews(
        {
            "*": {"fields": None, "exclude_fields": [meta("_internal_state")]},
            "audit_*": {
                "fields": [builtin("value"), builtin("metadata")],
                "exclude_fields": [meta("_debug")],
            },
        }
    )
    sections = views.sections("audit_judge")
    assert names(sections) == with_defaults("value", "metadata")
    assert set(hidden(sections)) == {"_internal_state", "_debug"}


def test_exclude_fields_remove_builtin_sections() -> None:
    views = ScannerViews({"*": {"fields": None, "exclude_fields": [builtin("answer")]}})
    assert names(views.sections("any")) == [n for n in DEFAULT if n != "answer"]


def test_exclude_fields_hide_sections_the_view_did_not_list() -> None:
    views = ScannerViews(
        {
            "*": {
                "fields": [builtin("value"), builtin("explanation")],
                "exclude_fields": [builtin("metadata")],
            }
        }
    )
    assert "metadata" not in names(views.sections("any"))


def test_promoted_keys_leave_the_dump_even_when_it_is_listed() -> None:
    views = ScannerViews({"*": {"fields": [meta("summary"), builtin("metadata")]}})
    assert hidden(views.sections("any")) == ["summary"]


def test_string_shorthand_in_fields_and_exclude_fields() -> None:
    views = ScannerViews(
        {
            "*": {
                "fields": ["explanation", "metadata.summary", "value"],
                "exclude_fields": ["answer", "metadata._internal"],
            }
        }
    )
    sections = views.sections("any")
    pinned = ["explanation", "metadata.summary", "value"]
    assert names(sections) == [*pinned, "label", "validation", "metadata"]
    assert set(hidden(sections)) == {"summary", "_internal"}


def test_entries_inspect_cannot_read_are_dropped_from_logs() -> None:
    views = ScannerViews(
        {
            "*": {
                "fields": [{"kind": "bogus", "name": "value"}, builtin("value"), "not_a_builtin"],
                "exclude_fields": [],
            }
        }
    )
    assert names(views.sections("any")) == with_defaults("value")


def test_a_bare_view_means_every_scanner() -> None:
    views = ScannerViews(
        {"fields": [builtin("value"), builtin("explanation")], "exclude_fields": []}
    )
    assert names(views.sections("any")) == with_defaults("value", "explanation")
    assert names(ScannerViews({"exclude_fields": ["label"]}).sections("x")) == [
        n for n in DEFAULT if n != "label"
    ]


def test_fields_none_keeps_the_default_order() -> None:
    views = ScannerViews({"*": {"fields": None, "exclude_fields": [builtin("answer")]}})
    assert names(views.sections("any")) == [n for n in DEFAULT if n != "answer"]


# -- beyond Inspect's cases ----------------------------------------------------------------
def test_excluding_a_promoted_key_removes_its_section_but_keeps_it_hidden() -> None:
    views = ScannerViews(
        {
            "scan_*": {"fields": ["metadata.confidence", "value"]},
            "scan_effort": {"exclude_fields": ["metadata.confidence"]},
        }
    )
    # scan_effort is more specific: its fields (None) win, and its exclusion applies
    assert names(views.sections("scan_effort")) == DEFAULT
    assert hidden(views.sections("scan_effort")) == ["confidence"]
    # a less specific pattern's exclusion applies to the more specific one's fields
    views = ScannerViews(
        {
            "scan_effort": {"fields": ["metadata.confidence", "value"]},
            "scan_*": {"exclude_fields": ["metadata.confidence"]},
        }
    )
    assert names(views.sections("scan_effort")) == with_defaults("value")
    assert hidden(views.sections("scan_effort")) == ["confidence"]


def test_labels_and_collapsed_of_promoted_keys_are_kept() -> None:
    views = ScannerViews(
        {"*": {"fields": [meta("confidence", label="Confidence", collapsed=True)]}}
    )
    assert views.sections("x")[0] == {
        "kind": "metadata_key",
        "key": "confidence",
        "label": "Confidence",
        "collapsed": True,
    }


def test_the_dump_always_leaves_out_the_scanners_bookkeeping() -> None:
    for views in (ScannerViews(None), ScannerViews({"*": {"fields": ["metadata.a"]}})):
        dump = next(s for s in views.sections("x") if s["kind"] == "metadata")
        assert dump["hidden_keys"][-2:] == list(SCANNER_KEYS)


def test_inspect_models_are_read_as_their_json() -> None:
    config = ViewerConfig(
        scanner_result_view={
            "scan_*": ScannerResultView(
                fields=[
                    "value",
                    ScannerResultField(name="explanation", label="Rationale"),
                    MetadataField(key="confidence", label="Confidence"),
                ],
                exclude_fields=["validation"],
            ),
            "scan_effort": ScannerResultView(exclude_fields=[MetadataField(key="rubric_version")]),
        }
    )
    for value in (
        config.scanner_result_view,
        config.model_dump(mode="json")["scanner_result_view"],
    ):
        views = ScannerViews(value, strict=True)
        check = views.sections("scan_answer_check")
        assert names(check) == [
            "value",
            "explanation",
            "metadata.confidence",
            "label",
            "answer",
            "metadata",
        ]
        assert hidden(check) == ["confidence"]
        effort = views.sections("scan_effort")
        assert names(effort) == ["explanation", "label", "value", "answer", "metadata"]
        assert hidden(effort) == ["rubric_version"]
    bare = ScannerViews(ScannerResultView(fields=["answer"]), strict=True)
    assert names(bare.sections("x")) == with_defaults("answer")


def test_a_dict_without_kind_is_read_by_its_fields() -> None:
    views = ScannerViews({"*": {"fields": [{"name": "answer"}, {"key": "k", "label": "K"}]}})
    assert names(views.sections("x")) == with_defaults("answer", "metadata.k")


def test_a_users_config_is_checked() -> None:
    with pytest.raises(UnknownNameError, match="'explantion'; did you mean 'explanation'"):
        ScannerViews({"*": {"fields": ["explantion"]}}, strict=True)
    with pytest.raises(UnknownNameError, match="'exclude_field'"):
        ScannerViews({"*": {"fields": [], "exclude_field": ["answer"]}}, strict=True)
    with pytest.raises(UnknownNameError, match="'bogus'"):
        ScannerViews({"*": {"fields": [{"kind": "bogus", "name": "value"}]}}, strict=True)
    with pytest.raises(ValueError, match="non-empty glob"):
        ScannerViews({"": {"fields": ["value"]}}, strict=True)
    with pytest.raises(TypeError, match="a list"):
        ScannerViews({"*": {"fields": "value"}}, strict=True)
    # the same, read from a log: dropped as Inspect's viewer drops them
    assert names(ScannerViews({"": {"fields": ["value"]}}).sections("x")) == DEFAULT
    assert names(ScannerViews({"*": {"fields": "value"}}).sections("x")) == DEFAULT


def test_is_scan_needs_scanner_references_in_the_metadata() -> None:
    assert is_scan({"value": 1, "metadata": {"scanner_references": []}})
    assert not is_scan({"value": 1, "metadata": {"references": []}})
    assert not is_scan({"value": 1, "metadata": None})
    assert not is_scan(None)


# -- properties: an oracle written from Inspect's resolveScannerResultView -----------------
PATTERNS = ["*", "scan_*", "*_effort", "scan_effort", "scan_?ffort", "audit_*", "**", "s*"]
SCANNERS = ["scan_effort", "scan_check", "audit_judge", "other"]
FIELD = st.sampled_from([*BUILTIN_ORDER, "metadata.a", "metadata.b", "metadata.c"])
VIEW = st.fixed_dictionaries(
    {
        "fields": st.one_of(st.none(), st.lists(FIELD, max_size=4)),
        "exclude_fields": st.lists(FIELD, max_size=3),
    }
)
CONFIG = st.dictionaries(st.sampled_from(PATTERNS), VIEW, max_size=5)


def oracle(config: dict[str, Any], scanner: str) -> tuple[list[str], set[str]]:
    matches = [
        (-specificity(p), order, view)
        for order, (p, view) in enumerate(config.items())
        if glob_match(p, scanner)
    ]
    if not matches:
        return DEFAULT, set()
    matches.sort(key=lambda m: (m[0], m[1]))
    pinned = list(matches[0][2]["fields"] or [])
    fields = pinned + [b for b in BUILTIN_ORDER if b not in pinned]
    excluded = {f for m in matches for f in m[2]["exclude_fields"]}
    fields = [f for f in fields if f not in excluded]
    keys = {f.removeprefix("metadata.") for f in fields if f.startswith("metadata.")}
    keys |= {f.removeprefix("metadata.") for f in excluded if f.startswith("metadata.")}
    return fields, keys


@settings(max_examples=300)
@given(CONFIG, st.sampled_from(SCANNERS))
def test_resolution_follows_inspects_rules(config: dict[str, Any], scanner: str) -> None:
    sections = ScannerViews(config, strict=True).sections(scanner)
    fields, keys = oracle(config, scanner)
    assert names(sections) == fields
    dump = [s for s in sections if s["kind"] == "metadata"]
    if dump:
        assert set(dump[0]["hidden_keys"]) == keys | set(SCANNER_KEYS)


@settings(max_examples=200)
@given(CONFIG, st.sampled_from(SCANNERS), VIEW)
def test_a_less_specific_pattern_only_adds_exclusions(
    config: dict[str, Any], scanner: str, extra: dict[str, Any]
) -> None:
    if "**" in config or not any(glob_match(p, scanner) for p in config):
        return
    before = ScannerViews(config).sections(scanner)
    after = ScannerViews({**config, "**": extra}).sections(scanner)
    # "**" (specificity 0, listed last) never supplies fields when another pattern matches
    kept = [n for n in names(before) if n not in set(extra["exclude_fields"])]
    assert names(after) == kept
