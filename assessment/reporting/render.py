"""Render ReportData to HTML (Jinja2, reports/templates/) and to a PDF (WeasyPrint) with embedded CJK fonts.

Translation: the templates use gettext msgids (English). The gettext catalogue is the project's own
(assessment/translations), loaded here with babel.support.Translations for `data.language`, so a ReportData
alone renders the same in the CLI, in tests and in the web app, and reporting needs no services import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from assessment.reporting import charts
from assessment.reporting.data import ReportData

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "reports" / "templates"
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
STYLESHEET = "report.css"
TEMPLATE = "report.html"
CJK_FONT = "Noto Sans CJK SC"
_LOCALES = {"zh": "zh_CN"}
_HTML_LANG = {"zh": "zh-CN", "en": "en"}


class ReportError(RuntimeError):
    """The report cannot be produced: a broken template, a missing font, or a rendering failure."""


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The gettext catalogue for a report language; English msgids need none."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [_LOCALES.get(lang, lang)])


def figure(value: float) -> str:
    """A score for display: at most two decimals, no trailing zeros."""
    if not math.isfinite(value):
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def signed(value: float) -> str:
    """A change with its sign: +2.5, −1, ±0."""
    if abs(value) < 0.005:
        return "±0"
    return ("+" if value > 0 else "−") + figure(abs(value))


def percent(share: float) -> str:
    """A 0–1 share as a whole percentage."""
    return f"{share * 100:.0f}%"


def css_counters(text: str) -> Markup:
    """A translated "Page {page} of {pages}" as a CSS `content` value with page counters."""
    parts: list[str] = []
    for n, piece in enumerate(re.split(r"(\{pages?\})", str(text))):
        if n % 2:
            parts.append(f"counter({piece.strip('{}')})")
        elif piece:
            quoted = piece.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ")
            parts.append(f'"{quoted}"')
    return Markup(" ".join(parts) or '""')


@lru_cache(maxsize=16)
def environment(templates: Path, lang: str) -> jinja2.Environment:
    """A Jinja environment over a template folder, autoescaping HTML, with the language's translations."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(figure=figure, signed=signed, percent=percent, css_counters=css_counters)
    return env


def chart_markup(data: ReportData, gettext: Callable[[str], str]) -> dict[str, Markup]:
    """The report's charts as SVG markup (the chart functions escape every label)."""
    card = data.scorecard
    _ = gettext
    out: dict[str, Markup] = {}
    if card.radar:
        compare = ([a.previous or 0.0 for a in card.radar]
                   if data.previous is not None and all(a.previous is not None for a in card.radar) else None)
        legend = (_("This assessment"), _("Previous assessment")) if compare is not None else ()
        out["radar"] = Markup(charts.radar_svg([(a.name, a.share) for a in card.radar], size=260, compare=compare,
                                               title=_("Dimension radar"), legend=legend))
    out["bars"] = Markup(charts.bars_svg([(d.name, d.score, d.maximum) for d in card.dimensions], width=560,
                                         title=_("Score by dimension")))
    return out


def render_html(data: ReportData, *, templates: Path | None = None, inline_css: bool = True) -> str:
    """The report as one self-contained HTML document (styles and charts inline, unless inline_css=False)."""
    folder = templates or TEMPLATES_DIR
    env = environment(folder, data.language)
    gettext = translations(data.language).gettext
    context: dict[str, Any] = {
        "data": data,
        "card": data.scorecard,
        "charts": chart_markup(data, gettext),
        "html_lang": _HTML_LANG.get(data.language, data.language),
        "cjk_font": CJK_FONT,
        "inline_css": inline_css,
    }
    try:
        return env.get_template(TEMPLATE).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(f"report template {exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise ReportError(f"report template {exc.name!r} not found in {folder}") from exc
    except jinja2.TemplateError as exc:
        raise ReportError(f"report template {TEMPLATE} in {folder} failed: {exc}") from exc


@lru_cache(maxsize=4)
def font_available(family: str) -> bool:
    """Whether fontconfig has a font of this family (rather than falling back to another)."""
    from weasyprint.text.ffi import ffi, fontconfig

    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode("utf-8"))
        fontconfig.FcPatternAddString(pattern, b"lang", b"zh-cn")
        fontconfig.FcConfigSubstitute(ffi.NULL, pattern, 0)  # FcMatchPattern
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(ffi.NULL, pattern, result)
        if match == ffi.NULL:
            return False
        try:
            names = []
            value = ffi.new("FcChar8 **")
            n = 0
            while fontconfig.FcPatternGetString(match, b"family", n, value) == 0:  # FcResultMatch
                names.append(ffi.string(value[0]).decode("utf-8", "replace"))
                n += 1
            return any(name.casefold() == family.casefold() for name in names)
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)


def require_font(family: str | None = None) -> None:
    """Raise ReportError unless the CJK font the report is set in is installed."""
    family = family or CJK_FONT
    if not font_available(family):
        raise ReportError(f"font {family!r} is not installed, so Chinese text cannot be set; "
                          "install Debian's fonts-noto-cjk (`make install` does) and check with `fc-list :lang=zh`")


@lru_cache(maxsize=1)
def _font_config() -> Any:
    """One WeasyPrint font configuration per process: setting up fontconfig again for every report costs ~5 %."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=4)
def _stylesheet(folder: Path, mtime: float) -> Any:
    """The report stylesheet parsed once per file version (keyed by its modification time)."""
    from weasyprint import CSS

    return CSS(filename=str(folder / STYLESHEET), font_config=_font_config())


def render_pdf(data: ReportData, *, templates: Path | None = None) -> bytes:
    """The report as a tagged A4 PDF with title, author and language metadata; never empty."""
    require_font()
    folder = templates or TEMPLATES_DIR
    html = render_html(data, templates=templates, inline_css=False)
    from weasyprint import HTML

    try:
        css_file = folder / STYLESHEET
        stylesheets = [_stylesheet(folder, css_file.stat().st_mtime)] if css_file.is_file() else []
        document = HTML(string=html, base_url=str(folder)).render(stylesheets=stylesheets, font_config=_font_config(),
                                                                  pdf_tags=True)
        pdf = document.write_pdf(pdf_tags=True)
    except Exception as exc:  # WeasyPrint raises many types; the caller needs one clear error
        raise ReportError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
        raise ReportError("PDF rendering produced no document")
    used = {font.family for font in document.fonts.values()}
    if CJK_FONT not in used:
        # fontconfig fell back to another face (e.g. the Japanese one), which sets Chinese in wrong glyph forms
        raise ReportError(f"the PDF was set in {', '.join(sorted(used)) or 'no font'}, not {CJK_FONT!r}")
    return pdf
