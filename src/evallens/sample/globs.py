"""Scanner-name globs, matched as Inspect's viewer matches ``scanner_result_view`` keys.

Inspect's viewer matches a scanner name against each key with picomatch (braces,
negation and extglobs off); its newer bounded matcher keeps the same answers for
ordinary names and patterns. The rules, per ``/``-separated segment:

* ``*`` is any run of characters within a segment, ``?`` one character; ``**`` as a
  whole segment is zero or more segments (``audit_**`` is just ``audit_*``);
* ``[abc]``, ``[a-z]``, ``[^abc]`` are classes (``[!abc]`` is the set ``!``, ``a``, ``b``,
  ``c``); a backslash escapes; anything else, ``(``, ``|``, ``{``, a leading ``!``, is literal;
* ``*`` and ``?`` never match a segment's leading dot, and ``**`` skips hidden segments;
* matching is whole-name and case-sensitive; a pattern equal to the name always matches.

Patterns and names come from logs, so neither may stall the kernel: a segment is matched
by finding its fixed-length pieces between stars left to right (no backtracking), and
patterns or names longer than Inspect's bound (`MAX_LENGTH`) never match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_LENGTH = 4096
"""Longer patterns and names never match (Inspect refuses them)."""


@dataclass(frozen=True)
class _Segment:
    """One ``/``-separated part of a pattern.

    ``pieces`` are the fixed-length runs between stars, as regexes; ``lengths`` their
    lengths. With ``starred`` the segment had at least one star between or around them.
    """

    pieces: tuple[re.Pattern[str], ...] = ()
    lengths: tuple[int, ...] = ()
    starred: bool = False
    leading_star: bool = False
    trailing_star: bool = False
    leading_wildcard: bool = False
    globstar: bool = False

    @property
    def only_stars(self) -> bool:
        return self.globstar or (self.starred and not any(self.lengths))


def _class_regex(text: str, start: int) -> tuple[str, int] | None:
    """The class opening at ``text[start] == "["`` as a regex, and the index after it.

    None when it never closes (the ``[`` is then literal). A leading ``]`` is a member;
    a reversed range matches nothing.
    """
    i = start + 1
    negated = i < len(text) and text[i] == "^"
    if negated:
        i += 1
    members: list[tuple[str, bool]] = []  # (character, escaped)
    while i < len(text):
        ch = text[i]
        if ch == "]" and members:
            break
        escaped = ch == "\\" and i + 1 < len(text)
        if escaped:
            i += 1
            ch = text[i]
        members.append((ch, escaped))
        i += 1
    else:
        return None
    parts: list[str] = []
    k = 0
    while k < len(members):
        if k + 2 < len(members) and members[k + 1] == ("-", False):
            lo, hi = members[k][0], members[k + 2][0]
            if lo <= hi:
                parts.append(f"{re.escape(lo)}-{re.escape(hi)}")
            k += 3
        else:
            parts.append(re.escape(members[k][0]))
            k += 1
    if not parts:
        return ("[^/]" if negated else "(?!)"), i + 1
    return f"[{'^' if negated else ''}{''.join(parts)}]", i + 1


def _parse_segment(text: str) -> _Segment:
    if text == "**":
        return _Segment(globstar=True)
    pieces: list[list[str]] = [[]]  # regex atoms of each star-separated piece
    first_wildcard: bool | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        atom: str | None
        if ch == "*":
            if first_wildcard is None:
                first_wildcard = True
            if pieces[-1] or len(pieces) == 1:
                pieces.append([])
            i += 1
            continue
        if ch == "\\":
            atom = re.escape(text[i + 1] if i + 1 < len(text) else "\\")
            i += 2
        elif ch == "?":
            atom = "."
            if first_wildcard is None:
                first_wildcard = True
            i += 1
        elif ch == "[" and (parsed := _class_regex(text, i)) is not None:
            atom, i = parsed
        else:
            atom = re.escape(ch)
            i += 1
        if first_wildcard is None:
            first_wildcard = False
        pieces[-1].append(atom)
    starred = len(pieces) > 1
    return _Segment(
        pieces=tuple(re.compile("".join(p), re.DOTALL) for p in pieces),
        lengths=tuple(len(p) for p in pieces),
        starred=starred,
        leading_star=starred and not pieces[0],
        trailing_star=starred and not pieces[-1],
        leading_wildcard=bool(first_wildcard),
    )


def _split(pattern: str) -> list[str]:
    r"""Split on ``/`` (an escaped ``\/`` too: names split on every ``/``)."""
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("\\/", i) or pattern[i] == "/":
            parts.append("".join(current))
            current = []
            i += 2 if pattern[i] == "\\" else 1
        elif pattern[i] == "\\":
            current.append(pattern[i : i + 2])  # an escape stays with its character
            i += 2
        else:
            current.append(pattern[i])
            i += 1
    parts.append("".join(current))
    return parts


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> tuple[_Segment, ...]:
    segments: list[_Segment] = []
    for text in _split(pattern):
        segment = _parse_segment(text)
        if not (segment.globstar and segments and segments[-1].globstar):
            segments.append(segment)  # ``**/**`` is one ``**``
    return tuple(segments)


def _segment_matches(segment: _Segment, name: str) -> bool:
    """One pattern segment against one name segment (no ``/`` in either)."""
    if not name:
        return not segment.starred and not segment.lengths[0]
    if name[0] == "." and segment.leading_wildcard:
        return False  # wildcards never match a leading dot
    pieces, lengths = segment.pieces, segment.lengths
    if not segment.starred:
        return lengths[0] == len(name) and pieces[0].match(name) is not None
    # Each piece has a fixed length: the first sits at the start, the last at the end,
    # and the ones between are found leftmost-first, which is always safe for ``*``.
    end = len(name) - lengths[-1]
    if end < lengths[0] or pieces[0].match(name) is None:
        return False
    if pieces[-1].match(name, end) is None:
        return False
    position = lengths[0]
    for piece in pieces[1:-1]:
        found = piece.search(name, position, end)
        if found is None:
            return False
        position = found.end()
    return True


def glob_match(pattern: str, name: str) -> bool:
    """Whether a ``scanner_result_view`` key matches a scanner name.

    Example:
        >>> glob_match("audit_*", "audit_judge"), glob_match("*", "pkg/scanner")
        (True, False)
        >>> glob_match("**/scanner", "pkg/scanner"), glob_match("*", ".hidden")
        (True, False)
    """
    if not pattern or not name or len(pattern) > MAX_LENGTH or len(name) > MAX_LENGTH:
        return False
    if pattern == name:
        return True
    segments = _compile(pattern)
    names = name.split("/")
    if len(names) > 1 and names[-1] == "" and segments[-1].only_stars:
        names.pop()  # ``pkg/*`` also matches ``pkg/scanner/``
    # A trailing ``/**`` may also match nothing at all (``pkg/**`` matches ``pkg``), except
    # after a segment ending in a star (``*/**`` needs a slash), as picomatch has it.
    last = len(segments) - 1
    tail_may_vanish = last > 0 and segments[last].globstar and not segments[last - 1].trailing_star
    # reachable[j]: the segments so far consume exactly names[:j]
    reachable = [True] + [False] * len(names)
    for index, segment in enumerate(segments):
        step = [False] * (len(names) + 1)
        if segment.globstar:
            may_vanish = index != last or index == 0 or tail_may_vanish
            run = False  # some reachable j < k with names[j:k] all visible segments
            for k in range(len(names) + 1):
                if k:
                    visible = names[k - 1] != "" and names[k - 1][0] != "."
                    run = (run or reachable[k - 1]) and visible
                step[k] = run or (may_vanish and reachable[k])
        else:
            for j in range(len(names)):
                if reachable[j] and _segment_matches(segment, names[j]):
                    step[j + 1] = True
        reachable = step
        if not any(reachable):
            return False
    return reachable[len(names)]


def specificity(pattern: str) -> int:
    """Characters other than ``*`` and ``?``: the more, the more specific the pattern.

    Example:
        >>> specificity("*"), specificity("audit_*"), specificity("audit_judge")
        (0, 6, 11)
    """
    return sum(1 for ch in pattern if ch not in "*?")
