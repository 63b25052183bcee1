"""Chinese is the primary language: every message the code and templates show has a zh_CN translation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "assessment" / "translations" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def test_every_message_has_a_chinese_translation(tmp_path: Path) -> None:
    """Extract the messages as `make translations` does; each must have a non-empty, non-fuzzy zh_CN string."""
    template = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_",
                    "-k", "_", "-k", "lazy_gettext", "-k", "gettext", "-k", "ngettext:1,2", "--no-location",
                    "-o", str(template), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with template.open("rb") as handle:
        extracted = read_po(handle)
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="zh_CN")
    assert len(extracted) > 500, "the extraction found almost nothing: check babel.cfg"
    missing = []
    for message in extracted:
        if not message.id:
            continue
        found = catalogue.get(message.id, message.context)
        strings = found.string if found is not None else ""
        texts = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(texts):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{len(missing)} messages without a zh_CN translation: {missing[:20]}"
