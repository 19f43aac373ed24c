"""Scanner-name globs: the answers of the matcher Inspect's viewer uses (picomatch), its
documented examples, where it deliberately differs, and no blow-up on hostile input."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evallens.sample.globs import MAX_LENGTH, glob_match, specificity

CASES = json.loads((Path(__file__).parent / "data" / "scanner_globs.json").read_text())


def test_the_fixture_is_varied() -> None:
    assert len(CASES) == 2000
    matches = sum(expected for _, _, expected in CASES)
    assert 600 < matches < 1400
    patterns = "".join(pattern for pattern, _, _ in CASES)
    for syntax in ("**", "*", "?", "[ab]", "[^a]", "[!a]", "[a-c]", "\\*", "/"):
        assert syntax in patterns


@pytest.mark.parametrize(
    ("pattern", "name", "expected"), CASES, ids=[f"{p!r}~{n!r}" for p, n, _ in CASES]
)
def test_as_picomatch_answers(pattern: str, name: str, expected: bool) -> None:
    assert glob_match(pattern, name) is expected


# Examples from Inspect's notes on its scanner-view matcher.
@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("*", "scanner", True),
        ("*", "package/scanner", False),
        ("*", ".scanner", False),
        ("package/*", "package/scanner", True),
        ("package/*", "package/nested/scanner", False),
        ("**/scanner", "scanner", True),
        ("**/scanner", "package/scanner", True),
        ("package/**/scanner", "package/scanner", True),
        ("package/**/scanner", "package/nested/scanner", True),
        ("package/**/scanner", "package/.hidden/scanner", False),
        ("package/**", "package", True),
        ("*/**", "scanner", False),
        ("*/**", "package/scanner", True),
        ("package/*", "package/scanner/", True),
        ("audit_**", "audit_judge", True),  # stars inside a segment are one star
        ("audit_**", "audit_judge/x", False),
        ("[.]a", ".a", True),  # an explicit dot or class may match a leading dot
        (".*", ".a", True),
        ("?", ".", False),
        ("[!a]", "!", True),  # `!` is a member, not negation
        ("[^a]", "b", True),
        ("a\\*", "a*", True),
        ("a\\*", "ab", False),
        ("audit_*", "AUDIT_judge", False),  # case-sensitive
        ("{a,b}", "a", False),  # no braces
        ("{a,b}", "{a,b}", True),
        ("!a", "b", False),  # no negation
        ("[a-c", "[a-c", True),  # an unclosed bracket is literal
        ("a\\", "a\\", True),  # so is a trailing backslash
    ],
)
def test_inspect_examples(pattern: str, name: str, expected: bool) -> None:
    assert glob_match(pattern, name) is expected


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        # picomatch leaks regex syntax; Inspect's bounded matcher reads it literally
        ("(a|b)", "a", False),
        ("(a|b)", "(a|b)", True),
        ("a+", "aa", False),
        # classes never consume a slash
        ("a[/]b", "a/b", False),
    ],
)
def test_where_inspect_differs_from_picomatch(pattern: str, name: str, expected: bool) -> None:
    assert glob_match(pattern, name) is expected


def test_empty_and_overlong_never_match() -> None:
    assert not glob_match("", "")
    assert not glob_match("*", "")
    assert not glob_match("", "a")
    assert not glob_match("a" * (MAX_LENGTH + 1), "a" * (MAX_LENGTH + 1))
    assert glob_match("a" * MAX_LENGTH, "a" * MAX_LENGTH)


@pytest.mark.parametrize(
    ("pattern", "name"),
    [
        ("*a" * 24, "a" * 40 + "b"),  # Inspect's own regression case
        ("*a" * 2000, "a" * 4000 + "b"),
        ("*" + "a" * 2000 + "b", "a" * 4095),
        ("?*" * 2000, "a" * 4000 + "/"),
        ("[a-z]*" * 1000, "ab" * 2000),
    ],
)
def test_hostile_patterns_answer_at_once(pattern: str, name: str) -> None:
    # a backtracking matcher would take ages here; ours is linear per piece
    assert glob_match(pattern, name) is False


NAME = st.text(alphabet="ab_-.", min_size=1, max_size=12).filter(lambda s: not s.startswith("."))


@given(NAME)
def test_a_name_matches_itself_star_and_globstar(name: str) -> None:
    assert glob_match(name, name)
    assert glob_match("*", name)
    assert glob_match("**", name)
    assert glob_match(f"**/{name}", name)


@given(st.lists(NAME, min_size=1, max_size=4), NAME)
def test_a_prefix_star_matches_by_prefix(parts: list[str], tail: str) -> None:
    name = "/".join([*parts[:-1], parts[-1] + tail])
    pattern = "/".join([*parts[:-1], parts[-1] + "*"])
    assert glob_match(pattern, name)
    assert not glob_match(pattern, name + "/x")


@given(st.text(alphabet="ab-*?", min_size=1, max_size=10), st.text(alphabet="ab-", min_size=1))
def test_as_a_shell_glob_without_dots_slashes_or_classes(pattern: str, name: str) -> None:
    # there the rules are a shell glob's, so fnmatch is an oracle
    assert glob_match(pattern, name) is fnmatch.fnmatchcase(name, pattern)


def test_specificity_counts_all_but_wildcards() -> None:
    assert specificity("*") == 0
    assert specificity("scan_*") == 5
    assert specificity("*_judge") == 6
    assert specificity("a?b[c]") == 5
