"""Template filters and globals: content text in the current language, exact figures, the language switch."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from assessment.domain.answers import N_
from assessment.domain.explanation import number
from assessment.domain.questionnaire import Text, tr
from assessment.reporting.render import signed
from assessment.services.language import translations
from assessment.web.language import HTML_LANG, NAMES, current_language
from assessment.web.site import site


@pass_context
def text(context: Context, value: Text | None) -> str:
    """Content text (a {lang: str} mapping) in the page's language."""
    return tr(value, context.get("lang") or current_language())


def figure(value: Any) -> str:
    """A number for display: integers stay integers, others get at most two decimals."""
    if value is None:
        return "–"
    if isinstance(value, Fraction):
        return number(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


BEIJING = ZoneInfo("Asia/Shanghai")

# The PDF's and the model's wording (一级…四级, 无等级): one name per level on every page, filter and export.
LEVEL_NAMES = {0: N_("No level"), 1: N_("Level 1"), 2: N_("Level 2"), 3: N_("Level 3"), 4: N_("Level 4")}


def level_name(level: Any) -> str:
    """A level as people read it: 一级…四级 (Level 1…4), 无等级 for 0, "—" when there is none."""
    if level is None or level == "":
        return "—"
    try:
        found = LEVEL_NAMES.get(int(level))
    except (TypeError, ValueError):
        return str(level)
    return translations(current_language()).ugettext(found) if found is not None else str(level)


def beijing(value: datetime | date | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in Beijing time (stored times without a zone are UTC); a plain date stays as it is."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        return value.strftime(pattern)
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return moment.astimezone(BEIJING).strftime(pattern)


def _titled(title: Text, version: str) -> str:
    """A title with its version label, in the request's language."""
    lang = current_language()
    return translations(lang).ugettext(N_("%(title)s (version %(version)s)")) % {"title": tr(title, lang),
                                                                                "version": version}


def questionnaire_title(ref: str) -> str:
    """The questionnaire of an `id@version` reference as people know it: its title and version, not the id."""
    found = site().questionnaire(ref)
    return _titled(found.title, found.version) if found is not None else ref


def model_title(ref: str) -> str:
    """The scoring model of an `id@version` reference as people know it: its name and version, not the id."""
    found = site().model(ref)
    return _titled(found.name, found.version) if found is not None else ref


def _formatted(context: Context, found: str, variables: dict[str, Any]) -> str:
    """A translated message as jinja2.ext's new-style gettext gives it: always %-formatted, safe where autoescaped."""
    return (Markup(found) if context.eval_ctx.autoescape else found) % variables


def bound_gettext(lang: str) -> Callable[..., str]:
    """Jinja's new-style gettext bound to one language's catalogue.

    Flask-Babel's template gettext finds the catalogue again on every call (domain, locale, request globals); a
    page calls it a few dozen times, so each page binds it once.
    """
    lookup = translations(lang).ugettext

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        return _formatted(context, lookup(message), variables)

    return gettext


def bound_ngettext(lang: str) -> Callable[..., str]:
    """Jinja's new-style ngettext bound to one language's catalogue (see bound_gettext)."""
    lookup = translations(lang).ungettext

    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return _formatted(context, lookup(singular, plural, num), variables)

    return ngettext


@pass_context
def pgettext(context: Context, message_context: str, message: str, **variables: Any) -> str:
    """Gettext for a word that means different things in different places ("Change": 修改 a link, 变化 a column)."""
    found = translations(context.get("lang") or current_language()).upgettext(message_context, message)
    return _formatted(context, found, variables)


_BOUND = {lang: (bound_gettext(lang), bound_ngettext(lang)) for lang in HTML_LANG}


@pass_context
def _request_gettext(context: Context, message: str, **variables: Any) -> str:
    """The new-style gettext of the request's language (for macros, which see no request context)."""
    return _BOUND[current_language()][0](context, message, **variables)


@pass_context
def _request_ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    """The new-style ngettext of the request's language (see _request_gettext)."""
    return _BOUND[current_language()][1](context, singular, plural, num, **variables)


def _context() -> dict[str, Any]:
    lang = current_language()
    gettext, ngettext = _BOUND[lang]
    return {
        "_": gettext,  # templates call these directly; macros imported without context use the globals below
        "gettext": gettext,
        "ngettext": ngettext,
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "language_names": NAMES,
        "current_user": current_user,
        "here": request.full_path.rstrip("?") if request else "/",
    }


def init_app(app: Flask) -> None:
    """Register the filters and the per-request template context."""
    app.add_template_filter(text, "text")
    app.add_template_filter(figure, "figure")
    app.add_template_filter(signed, "signed")
    app.add_template_filter(level_name, "level_name")
    app.add_template_filter(beijing, "beijing")
    app.add_template_filter(questionnaire_title, "questionnaire_title")
    app.add_template_filter(model_title, "model_title")
    app.context_processor(_context)
    app.jinja_env.globals.update(_=_request_gettext, gettext=_request_gettext, ngettext=_request_ngettext,
                                 pgettext=pgettext)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
