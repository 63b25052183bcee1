"""Render ReportData to HTML (Jinja2, reports/templates/) and to a PDF (WeasyPrint) with embedded CJK fonts.

Translation: the templates use gettext msgids (English). The gettext catalogue is the project's own
(assessment/translations), loaded here with babel.support.Translations for `data.language`, so a ReportData
alone renders the same in the CLI, in tests and in the web app, and reporting needs no services import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel.support import NullTranslations, Translations
from markupsafe import Markup

from assessment.reporting import charts
from assessment.reporting.data import ReportData, RoadmapStep

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "reports" / "templates"
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
STYLESHEET = "report.css"
TEMPLATE = "report.html"
CJK_FONT = "Noto Sans CJK SC"
_LOCALES = {"zh": "zh_CN"}
_HTML_LANG = {"zh": "zh-CN", "en": "en"}
# Geometry of the drawn cells (see drawn_cells_css): the text width of an A4 page with report.css's 17 mm side
# margins, and the shares of it that report.html and report.css give the cells the bars are drawn on.
TEXT_WIDTH_MM = 176.0
SHARE_COLUMN = 0.28  # the share column of the indicator table
AREA_COLUMN = 0.48  # each of the strongest and weakest area lists, whose meters fill with the share
DIMENSION_BARS = 0.55  # the bar column of the bars per dimension
LEVEL_COLUMNS = 0.52  # the level columns of the scenario matrix, spanned by one cell per scenario
BAR_SHARE = 0.65  # a full bar fills this much of its cell; the figure sits right of it
BAR_STEPS = 20
CELL_GAP_MM = 1.2
EMPTY_CELL = "#e8edf2"
SHARE_BAR = "#d6e6f7"
DETAILED_SOLUTIONS = 3
"""Recommended solutions shown with their reasons; the rest get one line each (shorter, and faster to set)."""


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


def share_class(share: float) -> str:
    """The class of an indicator's share cell: `bar-` and the share rounded to 5 % (the bar's length)."""
    share = min(1.0, max(0.0, share)) if math.isfinite(share) else 0.0
    return f"bar-{round(share * BAR_STEPS) * 100 // BAR_STEPS}"


def levels_class(level: int, reachable: int) -> str:
    """The class of a scenario's level cells: `lv-`, the level reached and the highest level it can reach."""
    return f"lv-{max(0, level)}-{max(0, level, reachable)}"


def _band(width: float, colour: str) -> str:
    return f"inset {width:.2f}mm 0 0 {colour}"


def drawn_cells_css(columns: int) -> Markup:
    """CSS that draws the bars per dimension, the indicator share bars, the area meters and the scenario level
    cells as inset box shadows on one element each, a class per bar length and per (level, reachable) pair.

    A shadow band is cheap for WeasyPrint, a table cell or an element is not, and classes let equal cells share
    one computed style where a style attribute would not. A shadow's offset
    must be a length, so the widths come from the column widths in report.html and report.css (TEXT_WIDTH_MM
    times DIMENSION_BARS, SHARE_COLUMN, AREA_COLUMN and LEVEL_COLUMNS)."""
    rules = []
    bar, meter, track = (TEXT_WIDTH_MM * SHARE_COLUMN * BAR_SHARE, TEXT_WIDTH_MM * AREA_COLUMN,
                         TEXT_WIDTH_MM * DIMENSION_BARS)
    for step in range(1, BAR_STEPS + 1):
        name = f"bar-{step * 100 // BAR_STEPS}"
        rules.append(f"td.{name} {{ box-shadow: {_band(bar * step / BAR_STEPS, SHARE_BAR)} }}")
        rules.append(f".meter.{name} {{ box-shadow: {_band(meter * step / BAR_STEPS, 'currentcolor')} }}")
        rules.append(f".dimbars td.{name} {{ box-shadow: {_band(track * step / BAR_STEPS, 'currentcolor')} }}")
    if columns > 0:
        cell = TEXT_WIDTH_MM * LEVEL_COLUMNS / columns
        for reachable in range(columns + 1):
            for level in range(reachable + 1):
                # stacked from the top: a white band up to each cell's start hides what is to its left, a
                # coloured band up to its end fills it; the bands of absent cells at the end are left out
                bands = []
                for column in range(reachable):
                    colour = charts.LEVEL_FILLS[min(column, len(charts.LEVEL_FILLS) - 1)] if column < level else EMPTY_CELL
                    bands += [_band(column * cell + CELL_GAP_MM / 2, "#ffffff"),
                              _band((column + 1) * cell - CELL_GAP_MM / 2, colour)]
                rules.append(f"td.lv-{level}-{reachable} {{ box-shadow: {', '.join(bands) or 'none'} }}")
    return Markup("\n".join(rules))


@dataclass(frozen=True)
class Stage:
    """Consecutive roadmap steps (numbered `first` to `last`) after which the enterprise is at `level`."""

    level: str
    first: int
    last: int
    steps: tuple[RoadmapStep, ...]


def stages(steps: Sequence[RoadmapStep]) -> list[Stage]:
    """The roadmap's steps grouped into runs with the same level after them, in their order, numbered from 1."""
    out: list[Stage] = []
    for number, step in enumerate(steps, start=1):
        if out and out[-1].level == step.level_after:
            last = out[-1]
            out[-1] = Stage(last.level, last.first, number, (*last.steps, step))
        else:
            out.append(Stage(step.level_after, number, number, (step,)))
    return out


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
    env.filters.update(figure=figure, signed=signed, percent=percent, css_counters=css_counters, stages=stages)
    return env


def chart_markup(data: ReportData, gettext: Callable[[str], str]) -> dict[str, Markup]:
    """The report's charts as SVG markup (the chart functions escape every label): the radar; the bars per
    dimension are an HTML table (report.html), which WeasyPrint sets faster than SVG text."""
    card = data.scorecard
    _ = gettext
    out: dict[str, Markup] = {}
    if card.radar:
        compare = ([a.previous or 0.0 for a in card.radar]
                   if data.previous is not None and all(a.previous is not None for a in card.radar) else None)
        legend = (_("This assessment"), _("Previous assessment")) if compare is not None else ()
        out["radar"] = Markup(charts.radar_svg([(a.name, a.share) for a in card.radar], size=260, compare=compare,
                                               title=_("Dimension radar"), legend=legend))
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
        "detailed_solutions": DETAILED_SOLUTIONS,
        "share_class": share_class,
        "levels_class": levels_class,
        "drawn_cells_css": drawn_cells_css(len(data.scorecard.scenario_level_titles)),
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
    """One WeasyPrint font configuration per process, rather than setting up fontconfig again for every report."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=4)
def _stylesheet(folder: Path, mtime: float) -> Any:
    """The report stylesheet parsed once per file version (keyed by its modification time)."""
    from weasyprint import CSS

    return CSS(filename=str(folder / STYLESHEET), font_config=_font_config())


def _weasyprint_pdf(html: str, folder: Path) -> tuple[bytes, set[str]]:
    """The PDF of report HTML and the font families it embeds."""
    css_file = folder / STYLESHEET
    stylesheets = [_stylesheet(folder, css_file.stat().st_mtime)] if css_file.is_file() else []
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(folder)).render(
        stylesheets=stylesheets, font_config=_font_config(), pdf_tags=True)
    return document.write_pdf(pdf_tags=True), {font.family for font in document.fonts.values()}


def render_pdf(data: ReportData, *, templates: Path | None = None) -> bytes:
    """The report as a tagged A4 PDF with title, author and language metadata; never empty."""
    require_font()
    folder = templates or TEMPLATES_DIR
    html = render_html(data, templates=templates, inline_css=False)
    try:
        pdf, used = _weasyprint_pdf(html, folder)
    except Exception as exc:  # WeasyPrint raises many types; the caller needs one clear error
        raise ReportError(f"PDF rendering failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(pdf, bytes) or not pdf.startswith(b"%PDF"):
        raise ReportError("PDF rendering produced no document")
    if CJK_FONT not in used:
        # fontconfig fell back to another face (e.g. the Japanese one), which sets Chinese in wrong glyph forms
        raise ReportError(f"the PDF was set in {', '.join(sorted(used)) or 'no font'}, not {CJK_FONT!r}")
    return pdf
