"""Scanner results: which scores are scans, and the sections each shows (Inspect's rules).

A score is a scanner's result when its metadata has ``scanner_references``; its scanner
is its key in ``sample.scores`` (Inspect's viewer lists the scans by those keys and
resolves each one's view by the key). ``ViewerConfig.scanner_result_view`` maps glob
patterns of scanner names to a ``ScannerResultView`` (a bare view means ``{"*": view}``),
and a scanner's sections are resolved as Inspect's viewer resolves them:

* the most specific matching pattern (most characters other than ``*`` and ``?``) gives
  the ``fields``; ties go to the pattern listed first;
* its ``fields`` come first, in their order (built-in names, ``"metadata.<key>"`` or
  ``MetadataField`` promoting one metadata key to its own section), then the built-ins
  it does not list, in the default order;
* ``exclude_fields`` of *every* matching pattern are removed; an excluded metadata key
  also leaves the generic metadata dump, as do promoted keys;
* a name no pattern matches gets the default sections.

Entries Inspect's viewer cannot read (unknown names or kinds) are dropped when the config
comes from a log, as the viewer drops them; a config passed by the user is checked, and
a wrong name raises with the close ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from evallens.errors import unknown_name_error
from evallens.sample.globs import glob_match, specificity
from evallens.sample.types import BuiltinName, BuiltinSection, Section

BUILTIN_ORDER: tuple[str, ...] = (
    "explanation",
    "label",
    "value",
    "validation",
    "answer",
    "metadata",
)
"""Built-in sections in their default order."""

SCANNER_KEYS: tuple[str, ...] = ("scanner_references", "scanner_content")
"""A scan's bookkeeping in its metadata, which Inspect's viewer never shows in the dump."""

METADATA_PREFIX = "metadata."


def is_scan(score: Any) -> bool:
    """Whether a score (as JSON) is a scanner's result: its metadata has ``scanner_references``.

    Example:
        >>> is_scan({"value": 1, "metadata": {"scanner_references": []}}), is_scan({"value": 1})
        (True, False)
    """
    if not isinstance(score, Mapping):
        return False
    metadata = score.get("metadata")
    return isinstance(metadata, Mapping) and "scanner_references" in metadata


@dataclass(frozen=True)
class Field:
    """A section a view names: a built-in (``name``) or a promoted metadata key (``key``)."""

    kind: Literal["builtin", "metadata"]
    name: str
    label: str | None = None
    collapsed: bool = False


@dataclass(frozen=True)
class _Entry:
    pattern: str
    fields: tuple[Field, ...] | None
    exclude: tuple[Field, ...]
    specificity: int
    order: int


def _plain(value: Any) -> Any:
    """Inspect's pydantic models (or plain values) as JSON-like dicts and lists."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _is_bare_view(value: Mapping[str, Any]) -> bool:
    # As Inspect tells them apart: a view has ``fields`` or ``exclude_fields`` at the top
    # (so no scanner can be named "fields" or "exclude_fields" in the glob map).
    return "fields" in value or "exclude_fields" in value


def _field_names() -> list[str]:
    return [*BUILTIN_ORDER, "metadata.<key>"]


def coerce_field(entry: Any, *, strict: bool = False) -> Field | None:
    """One entry of ``fields`` or ``exclude_fields`` as a `Field` (None: not readable).

    Strings are built-in names or ``"metadata.<key>"``; dicts are ``ScannerResultField``
    (``kind: "builtin"``, ``name``) or ``MetadataField`` (``kind: "metadata"``, ``key``).

    Example:
        >>> coerce_field("metadata.confidence")
        Field(kind='metadata', name='confidence', label=None, collapsed=False)
        >>> coerce_field({"kind": "builtin", "name": "explanation", "label": "Rationale"})
        Field(kind='builtin', name='explanation', label='Rationale', collapsed=False)
        >>> coerce_field("explantion") is None
        True
    """
    entry = _plain(entry)
    if isinstance(entry, str):
        if entry.startswith(METADATA_PREFIX) and len(entry) > len(METADATA_PREFIX):
            return Field("metadata", entry[len(METADATA_PREFIX) :])
        if entry in BUILTIN_ORDER:
            return Field("builtin", entry)
        if strict:
            raise unknown_name_error("scanner result field", entry, _field_names())
        return None
    if not isinstance(entry, Mapping):
        if strict:
            raise TypeError(f"a scanner result field is a name or a dict, got {entry!r}")
        return None
    # A dict without ``kind`` is read as pydantic reads it: by its fields.
    kind = entry.get("kind", "metadata" if "key" in entry else "builtin")
    label = entry.get("label")
    collapsed = entry.get("collapsed", False)
    if strict and (label is not None and not isinstance(label, str)):
        raise TypeError(f"a scanner result field's label is text, got {entry!r}")
    if strict and not isinstance(collapsed, bool):
        raise TypeError(f"a scanner result field's collapsed is true or false, got {entry!r}")
    label = label if isinstance(label, str) else None
    collapsed = collapsed if isinstance(collapsed, bool) else False
    if kind == "builtin":
        name = entry.get("name")
        if name in BUILTIN_ORDER:
            return Field("builtin", name, label, collapsed)
        if strict:
            raise unknown_name_error("scanner result field", str(name), list(BUILTIN_ORDER))
        return None
    if kind == "metadata":
        key = entry.get("key")
        if isinstance(key, str):
            return Field("metadata", key, label, collapsed)
        if strict:
            raise ValueError(f"a MetadataField needs a 'key', got {entry!r}")
        return None
    if strict:
        raise unknown_name_error("scanner result field kind", str(kind), ["builtin", "metadata"])
    return None


def _fields(value: Any, *, strict: bool) -> tuple[Field, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list | tuple):
        if strict:
            raise TypeError(f"scanner result fields are a list, got {value!r}")
        return ()
    coerced = (coerce_field(entry, strict=strict) for entry in value)
    return tuple(f for f in coerced if f is not None)


class ScannerViews:
    """A ``scanner_result_view`` (glob map or bare view), ready to resolve scanner names.

    Args:
        scanner_result_view: ``ViewerConfig.scanner_result_view``: a dict (or Inspect's
            ``ScannerResultView`` models), or None.
        strict: Raise on what Inspect's viewer would drop (a config the user passes);
            without it (a config read from a log) such entries are dropped.

    Example:
        >>> views = ScannerViews({
        ...     "scan_*": {"fields": ["value", "metadata.confidence"], "exclude_fields": ["validation"]},
        ...     "scan_effort": {"exclude_fields": ["metadata.rubric_version"]},
        ... })
        >>> [s["kind"] for s in views.sections("scan_check")]
        ['value', 'metadata_key', 'explanation', 'label', 'answer', 'metadata']
        >>> [s["kind"] for s in views.sections("scan_effort")]
        ['explanation', 'label', 'value', 'answer', 'metadata']
        >>> views.sections("scan_effort")[-1]["hidden_keys"]
        ['rubric_version', 'scanner_references', 'scanner_content']
    """

    def __init__(self, scanner_result_view: Any = None, *, strict: bool = False) -> None:
        self.entries: list[_Entry] = []
        value = _plain(scanner_result_view)
        if value is None:
            return
        if not isinstance(value, Mapping):
            if strict:
                raise TypeError(
                    f"scanner_result_view is a ScannerResultView or a dict of them, got {value!r}"
                )
            return
        items = [("*", value)] if _is_bare_view(value) else list(value.items())
        for order, (pattern, view) in enumerate(items):
            if not isinstance(pattern, str) or not pattern or not isinstance(view, Mapping):
                if strict:
                    raise ValueError(
                        "scanner_result_view maps non-empty glob patterns to views, "
                        f"got {pattern!r}: {view!r}"
                    )
                continue
            if strict:
                extra = sorted(set(view) - {"fields", "exclude_fields"})
                if extra:
                    raise unknown_name_error(
                        "ScannerResultView field", extra[0], ["fields", "exclude_fields"]
                    )
            raw_fields = view.get("fields")
            self.entries.append(
                _Entry(
                    pattern=pattern,
                    fields=None if raw_fields is None else _fields(raw_fields, strict=strict),
                    exclude=_fields(view.get("exclude_fields"), strict=strict),
                    specificity=specificity(pattern),
                    order=order,
                )
            )

    def matching(self, scanner: str) -> list[_Entry]:
        """The entries whose pattern matches, most specific first (ties: listed first)."""
        found = [e for e in self.entries if glob_match(e.pattern, scanner)]
        return sorted(found, key=lambda e: (-e.specificity, e.order))

    def fields(self, scanner: str) -> tuple[list[Field], list[str]]:
        """The scanner's fields in order, and the metadata keys its dump must leave out."""
        defaults = [Field("builtin", name) for name in BUILTIN_ORDER]
        matches = self.matching(scanner)
        if not matches:
            return defaults, []
        pinned = list(matches[0].fields or ())
        mentioned = {f.name for f in pinned if f.kind == "builtin"}
        fields = pinned + [f for f in defaults if f.name not in mentioned]
        excluded_builtins: set[str] = set()
        excluded_keys: list[str] = []
        for entry in matches:
            for f in entry.exclude:
                if f.kind == "builtin":
                    excluded_builtins.add(f.name)
                else:
                    excluded_keys.append(f.name)
        fields = [
            f
            for f in fields
            if f.name not in (excluded_builtins if f.kind == "builtin" else excluded_keys)
        ]
        promoted = [f.name for f in fields if f.kind == "metadata"]
        return fields, list(dict.fromkeys([*promoted, *excluded_keys]))

    def sections(self, scanner: str) -> list[Section]:
        """The sections a scan by ``scanner`` shows, in order (see the module's rules)."""
        fields, hidden = self.fields(scanner)
        hidden_keys = list(dict.fromkeys([*hidden, *SCANNER_KEYS]))
        sections: list[Section] = []
        for f in fields:
            if f.kind == "metadata":
                sections.append(
                    {
                        "kind": "metadata_key",
                        "key": f.name,
                        "label": f.label,
                        "collapsed": f.collapsed,
                    }
                )
            elif f.name == "metadata":
                sections.append({"kind": "metadata", "hidden_keys": hidden_keys})
            else:
                builtin: BuiltinSection = {"kind": cast(BuiltinName, f.name)}
                if f.label is not None:
                    builtin["label"] = f.label
                if f.collapsed:
                    builtin["collapsed"] = True
                sections.append(builtin)
        return sections
