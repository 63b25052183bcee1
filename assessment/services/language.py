"""Translations outside a request (CLI, reports): the same gettext catalogue the web app uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("zh", "en")
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
_LOCALES = {"zh": "zh_CN", "en": "en"}


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The gettext catalogue for a language code ("zh" or "en"); English msgids need none."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [_LOCALES.get(lang, lang)])


def translator(lang: str) -> Callable[[str], str]:
    """A gettext function for a language code."""
    return translations(lang).gettext
