"""The interface language: Chinese by default, English on request; remembered in the session, a cookie and the
account."""

from __future__ import annotations

from babel.support import NullTranslations
from flask import Flask, g, request, session
from flask_babel import Babel, Domain

from assessment.services.language import LANGUAGES, TRANSLATIONS_DIR, translations

DEFAULT = "zh"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}
HTML_LANG = {"zh": "zh-CN", "en": "en"}
NAMES = {"zh": "中文", "en": "English"}
LANGUAGE_OF_REQUEST = "_language"


def chosen_language() -> str:
    """The language chosen in this session, else by cookie, else Chinese ("zh" or "en")."""
    for candidate in (session.get(COOKIE), request.cookies.get(COOKIE)):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT


def select_locale() -> str:
    """Flask-Babel's locale for the chosen language."""
    return BABEL_LOCALES[chosen_language()]


def current_language() -> str:
    """The content language code ("zh" or "en") of this request (looked up once per request).

    It is the language select_locale gives Flask-Babel, taken without parsing a babel Locale (nothing here forces
    another locale for part of a request).
    """
    found: str | None = g.get(LANGUAGE_OF_REQUEST)
    if found is None:
        found = chosen_language()
        g.setdefault(LANGUAGE_OF_REQUEST, found)
    return found


class Catalogue(Domain):  # type: ignore[misc]
    """The project's gettext catalogue, found the same way as outside requests (CLI, reports).

    Flask-Babel looks catalogues up by the parsed locale, zh_Hans_CN, which misses the zh_CN directory.
    """

    def get_translations(self) -> NullTranslations:
        """The catalogue of the request's language."""
        return translations(current_language())


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the project's catalogue and the language chooser."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", BABEL_LOCALES[DEFAULT])
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    babel = Babel(app, locale_selector=select_locale)
    babel.domain_instance = Catalogue()
