"""Text as people type it: full-width ASCII forms, common in Chinese input methods, read as plain ASCII."""

from __future__ import annotations

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def half_width(text: str) -> str:
    """The text with full-width ASCII forms (Ａ, ９, ＋, the ideographic space) turned into plain ASCII."""
    return text.translate(_FULL_WIDTH)
