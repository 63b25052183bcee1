"""Charts of protected aggregates as accessible SVG: stacked level distributions, bars and a trend of shares.

Suppressed values are left out, never estimated: a row with no published figure draws no bar, a hidden segment leaves
a gap and a hidden point breaks the line. The charts are drawn narrow (WIDTH user units) with TEXT-unit text and shown
at their own width at most, so their text stays at least 12 px on a 390 px phone and on a desktop alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from assessment.reporting.charts import FONT, GRID, INK, LEVEL_FILLS, MUTED, PRIMARY, TRACK, number, text_escape

WIDTH = 340
"""The charts' width: a 390 px phone shows them at full size (358 px of content), so text is never scaled down."""
TEXT = 13
"""The font size of every label, in user units (= CSS px at the chart's own width)."""
HIDDEN = "#ffffff"
TARGET = "#b8322a"


def text_width(label: str, size: float = TEXT) -> float:
    """About how wide a label is drawn: a Chinese character is one em, a Latin one a little over half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in label)


def fitted(label: str, room: float, size: float = TEXT) -> str:
    """The label cut with "…" to fit its room (the whole label stays in the chart's description)."""
    if text_width(label, size) <= room:
        return label
    while label and text_width(label + "…", size) > room:
        label = label[:-1]
    return label.rstrip() + "…"


def _text(x: float, y: float, label: str, *, anchor: str = "start", fill: str = INK, weight: str = "") -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{TEXT}" text-anchor="{anchor}" '
            f'fill="{fill}"{bold}>{text_escape(label)}</text>')


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    digest = hashlib.sha1("".join([title, desc, *body]).encode("utf-8")).hexdigest()[:10]
    tid, did = f"agg-{digest}-title", f"agg-{digest}-desc"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" role="img" aria-labelledby="{tid} {did}" font-family="{FONT}">'
            f'<title id="{tid}">{text_escape(title)}</title><desc id="{did}">{text_escape(desc)}</desc>'
            + "".join(body) + "</svg>")


def _legend(categories: Sequence[str], width: float) -> tuple[list[str], float]:
    """Swatches with the category names, wrapped onto as many lines as they need; the body and its height."""
    body: list[str] = []
    x, y = 0.0, 0.0
    for n, name in enumerate(categories):
        item = 18 + text_width(name) + 12
        if x and x + item > width:
            x, y = 0.0, y + 20
        fill = LEVEL_FILLS[min(n, len(LEVEL_FILLS) - 1)]
        body.append(f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="13" height="13" fill="{fill}" stroke="{GRID}"/>')
        body.append(_text(x + 18, y + 14, name))
        x += item
    return body, y + 24


def _segments(counts: Sequence[int | None], total: int, x: float, y: float, width: float) -> list[str]:
    """The published shares of one bar: those before the first hidden count from the left, those after the last from
    the right (their place is known from the total); the hidden middle stays a blank gap."""
    hidden = [n for n, c in enumerate(counts) if c is None]
    first, last = (hidden[0], hidden[-1]) if hidden else (len(counts), len(counts))
    body: list[str] = []
    offset = 0.0
    for n in range(first):
        offset = _segment(body, n, counts[n] or 0, total, x + offset, y, width) - x
    end = width
    for n in range(len(counts) - 1, last, -1):
        share = (counts[n] or 0) / total
        end -= width * share
        _segment(body, n, counts[n] or 0, total, x + end, y, width)
    return body


def _segment(body: list[str], n: int, count: int, total: int, x: float, y: float, width: float) -> float:
    """One coloured segment at x; where the next one starts."""
    share = count / total
    if share > 0:
        fill = LEVEL_FILLS[min(n, len(LEVEL_FILLS) - 1)]
        body.append(f'<rect class="segment" x="{x:.1f}" y="{y:.1f}" width="{width * share:.1f}" height="16" '
                    f'fill="{fill}"/>')
    return x + width * share


def distribution_svg(rows: Sequence[tuple[str, int | None, Sequence[int | None]]], categories: Sequence[str], *,
                     width: int = WIDTH, title: str = "", hidden_label: str = "—") -> str:
    """One 100 % bar per row (label, total, count per category) under its label; no bar where nothing is published."""
    body, top = _legend(categories, width)
    described = []
    row_h = 42
    for k, (label, total, counts) in enumerate(rows):
        y = top + k * row_h
        body.append(_text(0, y + 14, fitted(label, width)))
        parts = [f"{categories[n]} {hidden_label if c is None else c}" for n, c in enumerate(counts)]
        described.append(f"{label}: " + (", ".join(parts) if total else hidden_label))
        segments = _segments(counts, total, 0.0, y + 20, float(width)) if total else []
        if not segments:  # nothing published that has a place on the bar: no bar, only the symbol
            body.append(_text(0, y + 34, hidden_label, fill=MUTED))
            continue
        body.append(f'<rect x="0" y="{y + 20:.1f}" width="{width}" height="16" fill="{HIDDEN}" stroke="{GRID}"/>')
        body.extend(segments)
    return _svg(width, top + row_h * max(1, len(rows)), title, "; ".join(described), body)


def bars_svg(rows: Sequence[tuple[str, float | None, float]], *, width: int = WIDTH, title: str = "",
             hidden_label: str = "—", unit: str | None = None) -> str:
    """One bar per row (label, value, maximum) under its label with the value beside it ("value / maximum", or
    "value" and the unit); no bar where the value is hidden."""
    body: list[str] = []
    described = []
    row_h = 42
    for k, (label, value, maximum) in enumerate(rows):
        y = k * row_h
        shown = hidden_label if value is None else f"{number(value)}{unit}" if unit is not None \
            else f"{number(value)} / {number(maximum)}"
        body.append(_text(0, y + 14, fitted(label, width - text_width(shown) - 8)))
        body.append(_text(width, y + 14, shown, anchor="end", fill=MUTED if value is None else INK))
        described.append(f"{label}: {shown}")
        if value is None:
            continue
        body.append(f'<rect x="0" y="{y + 20}" width="{width}" height="14" fill="{TRACK}"/>')
        share = min(1.0, max(0.0, value / maximum)) if maximum else 0.0
        body.append(f'<rect class="bar" x="0" y="{y + 20}" width="{width * share:.1f}" height="14" fill="{PRIMARY}"/>')
    return _svg(width, row_h * max(1, len(rows)), title, "; ".join(described), body)


def trend_svg(points: Sequence[tuple[str, float | None]], *, target: float | None = None, width: int = WIDTH,
              height: int = 200, title: str = "", hidden_label: str = "—", target_label: str = "") -> str:
    """Shares (0–1) per period as a line with dots; a suppressed period breaks the line; the target as a dashed rule."""
    left, right, top, bottom = 44.0, 26.0, 14.0, 30.0
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    for tick in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                    f'stroke-width="0.6"/>')
        body.append(_text(left - 5, y + 4, f"{tick:.0%}", anchor="end", fill=MUTED))
    step = plot_w / max(1, len(points) - 1) if len(points) > 1 else 0.0
    widest = max((text_width(label) for label, _ in points), default=0.0)
    every = 1 if not step else max(1, int((widest + 8) // step) + 1)
    segment: list[str] = []
    lines: list[list[str]] = []
    for k, (label, share) in enumerate(points):
        x = left + (step * k if len(points) > 1 else plot_w / 2)
        if (len(points) - 1 - k) % every == 0:  # the latest period is always named
            body.append(_text(x, height - 10, label, anchor="middle", fill=MUTED))
        if share is None:
            if segment:
                lines.append(segment)
            segment = []
            continue
        y = top + plot_h * (1 - min(1.0, max(0.0, share)))
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{PRIMARY}"/>')
    if segment:
        lines.append(segment)
    for line in lines:
        if len(line) > 1:
            body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{PRIMARY}" stroke-width="2"/>')
    if target is not None:
        y = top + plot_h * (1 - min(1.0, max(0.0, target)))
        body.append(f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                    f'stroke="{TARGET}" stroke-width="1.2" stroke-dasharray="5 3"/>')
        if target_label:
            body.append(_text(width - right, y - 5, target_label, anchor="end", fill=TARGET))
    desc = "; ".join(f"{label}: {hidden_label if s is None else number(s * 100) + '%'}" for label, s in points)
    return _svg(width, height, title, desc, body)
