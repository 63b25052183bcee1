"""Where job results are kept: a local directory (instance/jobs), one file per result key; small enough to swap."""

from __future__ import annotations

import os
import shutil
import threading
import zipfile
from pathlib import Path


def result_path(folder: Path, key: str) -> Path:
    """The finished result of the key."""
    return folder / f"{key}.zip"


def _parts(folder: Path, key: str) -> Path:
    return folder / f"{key}.parts"


def has_part(folder: Path, key: str, name: str) -> bool:
    """Whether a piece of the result was already written completely (a resumed job skips it)."""
    return (_parts(folder, key) / name).is_file()


def write_part(folder: Path, key: str, name: str, content: bytes) -> None:
    """Write one piece of the result; a crash leaves no half-written piece (written aside, then renamed)."""
    parts = _parts(folder, key)
    parts.mkdir(parents=True, exist_ok=True)
    aside = parts / f".{name}.{os.getpid()}.{threading.get_ident()}.writing"  # two workers may write one piece
    aside.write_bytes(content)
    os.replace(aside, parts / name)


def part_count(folder: Path, key: str) -> int:
    """How many pieces of the result are written."""
    parts = _parts(folder, key)
    return sum(1 for p in parts.iterdir() if not p.name.startswith(".")) if parts.is_dir() else 0


def seal(folder: Path, key: str, names: list[str]) -> Path:
    """The pieces as one ZIP, each once and in the given order; the pieces are removed afterwards."""
    parts, target = _parts(folder, key), result_path(folder, key)
    aside = folder / f".{key}.zip.writing"
    with zipfile.ZipFile(aside, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            if (parts / name).is_file():
                archive.write(parts / name, arcname=name)
    os.replace(aside, target)
    shutil.rmtree(parts, ignore_errors=True)
    return target


def remove(folder: Path, key: str) -> None:
    """Forget the result and any pieces of it."""
    result_path(folder, key).unlink(missing_ok=True)
    shutil.rmtree(_parts(folder, key), ignore_errors=True)
