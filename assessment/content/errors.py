"""Errors in content files: each names the file, the line, the path inside the document and the reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ContentError:
    """One problem in a content file."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f" {self.path}:" if self.path else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


class ContentInvalid(ValueError):
    """Raised when content files needed to start are broken; carries every error."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def format_path(path: Iterable[str | int]) -> str:
    """A document path like sections[0].items[3].options[1].key."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
