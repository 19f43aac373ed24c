"""A sample's JSON with its long arrays left unconverted, each element made Python when read.

Parsing a sample of 100k messages into Python objects takes ~0.35 s (orjson) and builds
millions of objects, though a view shows 50 messages at first. Here the document is parsed
by simdjson into its own compact form (~0.08 s for 68 MB, outside Python's heap); the
sample's small fields become Python values at once, and its ``messages`` and ``events``
stay a `LazyArray`, whose elements become Python values as a window reads them.

The values are the ones `evallens.io._logfile.parse_json` gives: simdjson refuses what it
cannot represent exactly (``NaN``, integers beyond 64 bits, lone surrogates, numbers out of
range) rather than reading it otherwise, and such a document is parsed whole instead.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from typing import Any, overload

try:
    import simdjson
except ImportError:  # pragma: no cover - a platform without its wheels: parsed whole
    simdjson = None  # type: ignore[assignment]

LAZY_KEYS = ("messages", "events")
"""The sample fields left as `LazyArray` (the only ones that grow with a sample's length)."""

_BLOCK = 256
"""Elements found together (a window reads its neighbours)."""
_BLOCKS_HELD = 8


def _python(value: Any) -> Any:
    """A simdjson value (proxy or scalar) as the Python value ``json.loads`` gives."""
    if simdjson is not None:
        if isinstance(value, simdjson.Object):
            return value.as_dict()
        if isinstance(value, simdjson.Array):
            return value.as_list()
    return value


class LazyArray(Sequence[Any]):
    """A JSON array parsed by simdjson, its elements made Python values when read.

    Reaching element ``i`` steps through every element before it, so a read keeps the
    block of `_BLOCK` elements around it at hand (the last few blocks, unconverted); each
    read converts its element anew, so changing what one read returned changes no other.
    `raw` walks the elements unconverted, for a pass that reads a few fields of each.

    Example:
        >>> array = parse_lazily(b'{"messages": [{"role": "user"}, {"role": "tool"}]}')["messages"]
        >>> len(array), array[1], [m.get("role") for m in array.raw()]
        (2, {'role': 'tool'}, ['user', 'tool'])
    """

    def __init__(self, array: Any) -> None:
        self._array = array  # keeps its parser (and so the parsed document) alive
        self._len = len(array)
        self._blocks: OrderedDict[int, list[Any]] = OrderedDict()

    def __len__(self) -> int:
        return self._len

    def _block(self, start: int) -> list[Any]:
        block = self._blocks.get(start)
        if block is None:
            stop = min(self._len, start + _BLOCK)
            block = list(itertools.islice(self._array, start, stop))
            self._blocks[start] = block
            if len(self._blocks) > _BLOCKS_HELD:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(start)
        return block

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("LazyArray index out of range")
        start = i - i % _BLOCK
        return _python(self._block(start)[i - start])

    def __iter__(self) -> Iterator[Any]:
        for v in self._array:
            yield _python(v)

    def raw(self) -> Iterator[Any]:
        """The elements unconverted, for a pass that reads a few fields of each.

        Objects answer ``get(key)`` (nested values unconverted too), arrays iterate;
        strings, numbers, booleans and None are Python's own.
        """
        return iter(self._array)

    def unpacked(self) -> list[Any]:
        """Every element, as Python values."""
        return list(_python(self._array))


def parse_lazily(data: bytes | memoryview) -> dict[str, Any] | None:
    """A JSON object with its `LAZY_KEYS` arrays left as `LazyArray`, or None.

    None when simdjson is missing, the document is not an object, or simdjson cannot
    read it exactly (see the module's note): the caller then parses it whole.
    """
    if simdjson is None:
        return None
    parser = simdjson.Parser()  # one per document: a parser reused frees its last one
    try:
        doc = parser.parse(bytes(data) if isinstance(data, memoryview) else data)
    except (ValueError, RuntimeError, UnicodeDecodeError):
        return None
    if not isinstance(doc, simdjson.Object):
        return None
    out: dict[str, Any] = {}
    try:
        keys = list(doc.keys())
        if len(set(keys)) != len(keys):
            return None  # a key given twice: the last one counts, as json reads it
        for key in keys:  # (items() converts every value, the long arrays too)
            value = doc[key]
            if key in LAZY_KEYS and isinstance(value, simdjson.Array):
                out[key] = LazyArray(value)
            else:
                out[key] = _python(value)
    except (ValueError, RuntimeError, UnicodeDecodeError):
        return None
    return out
