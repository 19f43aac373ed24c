"""Building SVG as text: every label escaped, numbers kept short, files by extension.

Task, model and score names are untrusted model output, so text and attribute values only
reach the document through `escape` (never formatted in raw), and characters XML cannot
hold at all (control characters) are replaced rather than written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FORMATS = (".svg", ".png", ".pdf")
"""The file extensions `write` supports."""

DEFAULT_FONT = "Helvetica, Arial, sans-serif"
"""The font family figures use unless told otherwise."""

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})

Attrs = Mapping[str, str | float | int | None]


def escape(text: object) -> str:
    """``text`` safe as XML character data or a quoted attribute value.

    Example:
        >>> escape("<script>" + '"a"' + " & 'b'</script>")
        '&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;'
    """
    return _NOT_XML.sub("\ufffd", str(text)).translate(_ESCAPES)


def num(v: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros.

    Example:
        >>> num(12.0), num(3.14159), num(-0.001)
        ('12', '3.14', '0')
    """
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _value(v: str | float | int) -> str:
    return num(v) if isinstance(v, float) else escape(v)


def element(tag: str, attrs: Attrs | None = None, text: str | None = None) -> str:
    """One element; attributes whose value is None are left out, ``text`` is escaped.

    Example:
        >>> element("text", {"x": 1.5, "class": "tick"}, "a < b")
        '<text x="1.5" class="tick">a &lt; b</text>'
    """
    parts = [tag]
    for k, v in (attrs or {}).items():
        if v is not None:
            parts.append(f'{k}="{_value(v)}"')
    head = " ".join(parts)
    return f"<{head}/>" if text is None else f"<{head}>{escape(text)}</{tag}>"


def open_tag(tag: str, attrs: Attrs | None = None) -> str:
    """An opening tag (close it with ``</tag>``)."""
    return element(tag, attrs)[:-2] + ">"


def document(
    width: float,
    height: float,
    body: list[str],
    *,
    font_size: float,
    font_family: str,
    background: str,
) -> str:
    """A standalone SVG document: a background rectangle, then ``body``."""
    head = open_tag(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": float(width),
            "height": float(height),
            "viewBox": f"0 0 {num(width)} {num(height)}",
            "font-family": font_family,
            "font-size": float(font_size),
        },
    )
    bg = element("rect", {"width": "100%", "height": "100%", "fill": background})
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, bg, *body, "</svg>\n"])


def write(text: str, path: str | Path, *, scale: float = 1.0) -> Path:
    """Write an SVG document to ``path``: ``.svg`` as is, ``.png``/``.pdf`` through cairosvg.

    Args:
        text: The SVG document.
        path: The file; its extension picks the format.
        scale: PNG only: device pixels per SVG pixel (2 or 3 for print).

    Raises:
        ValueError: The extension is not one of `FORMATS`.
        ImportError: PNG or PDF asked for without the ``figures`` extra.
    """
    out = Path(path)
    ext = out.suffix.lower()
    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale}")
    if ext not in FORMATS:
        raise ValueError(
            f"cannot save a figure as {ext or 'a file without an extension'!r} ({out.name}): "
            f"supported extensions are {', '.join(FORMATS)}"
        )
    if ext == ".svg":
        out.write_text(text, encoding="utf-8")
        return out
    convert = _cairosvg(ext)
    data = text.encode("utf-8")
    if ext == ".png":
        convert.svg2png(bytestring=data, write_to=str(out), scale=scale)
    else:
        convert.svg2pdf(bytestring=data, write_to=str(out))
    return out


def _cairosvg(ext: str) -> Any:
    try:
        import cairosvg
    except (ImportError, OSError) as e:  # OSError: the package is there, libcairo is not
        raise ImportError(
            f"saving a figure as {ext} needs cairosvg (and the cairo library): "
            f"pip install 'evallens[figures]' (or save as .svg) [{e}]"
        ) from e
    return cairosvg
