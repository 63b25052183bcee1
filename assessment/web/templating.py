"""Template filters and globals: content text in the current language, exact figures, the language switch."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flask import Flask, request
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from assessment.domain.explanation import number
from assessment.domain.questionnaire import Text, tr
from assessment.web.language import HTML_LANG, NAMES, current_language


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


def _context() -> dict[str, Any]:
    lang = current_language()
    return {
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
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
