"""Charts of protected aggregates as accessible SVG: stacked level distributions and a trend of shares.

Suppressed values are left out, never estimated: a hidden segment stays blank and a hidden point breaks the line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from assessment.reporting.charts import FONT, GRID, INK, LEVEL_FILLS, MUTED, PRIMARY, number, text_escape

HIDDEN = "#ffffff"


def _text(x: float, y: float, label: str, *, size: float = 10, anchor: str = "start", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size:g}" text-anchor="{anchor}" '
            f'fill="{fill}">{text_escape(label)}</text>')


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    digest = hashlib.sha1("".join([title, desc, *body]).encode("utf-8")).hexdigest()[:10]
    tid, did = f"agg-{digest}-title", f"agg-{digest}-desc"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" role="img" aria-labelledby="{tid} {did}" font-family="{FONT}">'
            f'<title id="{tid}">{text_escape(title)}</title><desc id="{did}">{text_escape(desc)}</desc>'
            + "".join(body) + "</svg>")


def distribution_svg(rows: Sequence[tuple[str, int | None, Sequence[int | None]]], categories: Sequence[str], *,
                     width: int = 560, title: str = "", hidden_label: str = "—") -> str:
    """One 100 % bar per row (label, total, count per category); a suppressed count leaves its segment blank."""
    row_h = 22
    label_w = width * 0.3
    legend_h = 20
    bar_x = label_w + 8
    bar_w = width - bar_x - 8
    height = legend_h + row_h * max(1, len(rows)) + 6
    body: list[str] = []
    x = 0.0
    for n, name in enumerate(categories):
        fill = LEVEL_FILLS[min(n, len(LEVEL_FILLS) - 1)]
        body.append(f'<rect x="{x:.1f}" y="4" width="10" height="10" fill="{fill}" stroke="{GRID}"/>')
        body.append(_text(x + 13, 13, name, size=9))
        x += 16 + max(24, len(name) * 7)
    described = []
    for k, (label, total, counts) in enumerate(rows):
        y = legend_h + k * row_h
        body.append(_text(label_w, y + 15, label, anchor="end"))
        body.append(f'<rect x="{bar_x:.1f}" y="{y + 4}" width="{bar_w:.1f}" height="14" fill="{HIDDEN}" '
                    f'stroke="{GRID}"/>')
        parts = []
        if total:
            offset: float | None = 0.0
            for n, count in enumerate(counts):
                if count is None:
                    # the hidden count's share is unknown, so where the later segments start is unknown too
                    offset = None
                    parts.append(f"{categories[n]} {hidden_label}")
                    continue
                parts.append(f"{categories[n]} {count}")
                if offset is None:
                    continue
                share = count / total
                if share > 0:
                    fill = LEVEL_FILLS[min(n, len(LEVEL_FILLS) - 1)]
                    body.append(f'<rect class="segment" x="{bar_x + offset:.1f}" y="{y + 4}" '
                                f'width="{bar_w * share:.1f}" height="14" fill="{fill}"/>')
                offset += bar_w * share
        described.append(f"{label}: " + (", ".join(parts) if total else hidden_label))
    return _svg(width, height, title, "; ".join(described), body)


def trend_svg(points: Sequence[tuple[str, float | None]], *, target: float | None = None, width: int = 560,
              height: int = 200, title: str = "", hidden_label: str = "—", target_label: str = "") -> str:
    """Shares (0–1) per period as a line with dots; a suppressed period breaks the line; the target as a dashed rule."""
    left, right, top, bottom = 40.0, 12.0, 12.0, 28.0
    plot_w, plot_h = width - left - right, height - top - bottom
    body: list[str] = []
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" '
                    f'stroke-width="0.6"/>')
        body.append(_text(left - 4, y + 3, f"{tick:.0%}", size=8.5, anchor="end", fill=MUTED))
    step = plot_w / max(1, len(points) - 1) if len(points) > 1 else 0.0
    segment: list[str] = []
    lines: list[list[str]] = []
    for k, (label, share) in enumerate(points):
        x = left + (step * k if len(points) > 1 else plot_w / 2)
        body.append(_text(x, height - 10, label, size=8.5, anchor="middle", fill=MUTED))
        if share is None:
            if segment:
                lines.append(segment)
            segment = []
            continue
        y = top + plot_h * (1 - min(1.0, max(0.0, share)))
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{PRIMARY}"/>')
    if segment:
        lines.append(segment)
    for line in lines:
        if len(line) > 1:
            body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{PRIMARY}" stroke-width="2"/>')
    if target is not None:
        y = top + plot_h * (1 - min(1.0, max(0.0, target)))
        body.append(f'<line class="target" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                    f'stroke="#b8322a" stroke-width="1.2" stroke-dasharray="5 3"/>')
        if target_label:
            body.append(_text(width - right, y - 4, target_label, size=8.5, anchor="end", fill="#b8322a"))
    desc = "; ".join(f"{label}: {hidden_label if s is None else number(s * 100) + '%'}" for label, s in points)
    return _svg(width, height, title, desc, body)
