"""Template filters and globals: content text in the current language, exact figures, the language switch."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from assessment.domain.explanation import number
from assessment.domain.questionnaire import Text, tr
from assessment.services.language import translations
from assessment.web.language import HTML_LANG, NAMES, current_language
from assessment.web.slots import SlottedCache, slot


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


def signed(value: float) -> str:
    """A change with its sign: +3, −1.5, ±0."""
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "−") + figure(abs(value))


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


_BOUND = {lang: (bound_gettext(lang), bound_ngettext(lang)) for lang in HTML_LANG}


@pass_context
def _request_gettext(context: Context, message: str, **variables: Any) -> str:
    """The new-style gettext of the request's language (for macros, which see no request context)."""
    return _BOUND[current_language()][0](context, message, **variables)


@pass_context
def _request_ngettext(context: Context, singular: str, plural: str, num: int, **variables: Any) -> str:
    """The new-style ngettext of the request's language (see _request_gettext)."""
    return _BOUND[current_language()][1](context, singular, plural, num, **variables)


HEADERS = "site_headers"
HEADER_LIMIT = 256


def header_key() -> tuple[str, str, bool, str]:
    """What the site header depends on: the language, the site's address root, whether someone is signed in, the role."""
    authenticated = bool(current_user.is_authenticated)
    return current_language(), request.script_root, authenticated, str(current_user.role) if authenticated else ""


def header_values() -> dict[str, str]:
    """The values of the header's slots on this request: the session's CSRF token, the page's address, the email."""
    return {"csrf": escape(generate_csrf()), "here": escape(request.full_path.rstrip("?")),
            "email": escape(current_user.contact) if current_user.is_authenticated else ""}


@pass_context
def site_header(context: Context) -> Markup:
    """The page header: rendered once per language and role, then the CSRF token, address and email filled in.

    Every page shows it, and its links and labels (a dozen url_for and gettext calls) are the same for everyone in
    the same language and role; what differs per page is the token of the forms, the page to come back to and the
    signed-in account's email. A page that is itself kept with slots (context variable `kept`) gets the header
    with its slots open. Anything in _site_header.html that differs between accounts of one role must be a slot.
    """
    cache: SlottedCache[tuple[str, str, bool, str]] = current_app.extensions.setdefault(
        HEADERS, SlottedCache(HEADER_LIMIT))
    header = cache.get(header_key(), lambda: render_template("_site_header.html", csrf_slot=slot("csrf"),
                                                             here_slot=slot("here"), email_slot=slot("email")))
    if context.get("kept"):
        return header.markup
    return Markup(header.fill(header_values()))


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
    app.context_processor(_context)
    app.jinja_env.globals.update(_=_request_gettext, gettext=_request_gettext, ngettext=_request_ngettext,
                                 site_header=site_header)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
