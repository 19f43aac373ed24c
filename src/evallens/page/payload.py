"""How a saved page carries its data: JSON and byte blobs, gzipped, as base64 text.

Base64 has no ``<`` or ``&``, so no value from a log (a ``</script>`` in an answer) can end
the element that holds it or become markup. The page reverses this with the browser's
``DecompressionStream`` (``widget/src/page/payload.ts``).

Layout before gzip: a little-endian uint32 (the header's length), the header as UTF-8 JSON
(``{"json": ..., "blobs": {name: [offset, length]}}``), then the blobs back to back.
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
from typing import Any


class Payload:
    """JSON values and named byte blobs, packed for one ``<script>`` element of a page.

    Example:
        >>> p = Payload({"title": "run 1"})
        >>> p.blob("ids", bytes([1, 0]))
        {'$blob': 'ids'}
        >>> list(unpack(p.pack())[1]["ids"])
        [1, 0]
    """

    def __init__(self, json_value: Any = None) -> None:
        self.json = json_value
        self._blobs: dict[str, bytes] = {}

    def blob(self, name: str, data: bytes) -> dict[str, str]:
        """Add bytes under ``name``; returns the reference a JSON value can hold for them."""
        if name in self._blobs:
            raise ValueError(f"blob {name!r} added twice")
        self._blobs[name] = bytes(data)
        return {"$blob": name}

    def pack(self) -> str:
        """The page text: base64 of the gzipped layout."""
        table: dict[str, list[int]] = {}
        at = 0
        for name, data in self._blobs.items():
            table[name] = [at, len(data)]
            at += len(data)
        header = json.dumps(
            {"json": self.json, "blobs": table}, ensure_ascii=False, allow_nan=False
        ).encode()
        raw = b"".join([struct.pack("<I", len(header)), header, *self._blobs.values()])
        return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def unpack(text: str) -> tuple[Any, dict[str, bytes]]:
    """`Payload.pack` reversed: the JSON value and the blobs (for tests and checks)."""
    raw = gzip.decompress(base64.b64decode(text))
    (size,) = struct.unpack_from("<I", raw)
    header = json.loads(raw[4 : 4 + size])
    body = raw[4 + size :]
    blobs = {name: body[at : at + n] for name, (at, n) in header["blobs"].items()}
    return header["json"], blobs
