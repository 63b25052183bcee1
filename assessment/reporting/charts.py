"""Report charts as standalone, accessible SVG strings: dimension radar, score bars, scenario level matrix."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "'Noto Sans CJK SC', sans-serif"
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#c9d2dc"
PRIMARY = "#1e6ec8"
PRIMARY_FILL = "rgba(30,110,200,0.28)"
COMPARE = "#e07b22"
TRACK = "#e8edf2"
CONSTRAINT = "#b8322a"
LEVEL_FILLS = ("#d6e6f7", "#9cc3ea", "#5a9bdc", "#1e6ec8", "#114a8a", "#0b3260")

# XML 1.0 forbids most C0 control characters, even escaped; they are dropped rather than breaking the SVG.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text_escape(text: str) -> str:
    """Text made safe for SVG character data and attribute values."""
    return escape(_NOT_XML.sub("", text), quote=True)


def number(value: float) -> str:
    """A figure for a label: at most two decimals, no trailing zeros."""
    if not math.isfinite(value):
        return "–"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _share(value: float) -> float:
    """A 0–1 share, with anything outside (or not a number) clamped."""
    if not math.isfinite(value):
        return 0.0
    return min(1.0, max(0.0, value))


def _columns(text: str) -> int:
    """Display width in columns: CJK and other wide characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _wrap(label: str, limit: int) -> list[str]:
    """A label split into lines of about `limit` columns (CJK characters count double), at most three."""
    width = _columns

    if width(label) <= limit:
        return [label]
    lines: list[str] = []
    if " " in label.strip():
        current = ""
        for word in label.split():
            candidate = f"{current} {word}".strip()
            if current and width(candidate) > limit:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    else:
        current = ""
        for ch in label:
            if current and width(current + ch) > limit:
                lines.append(current)
                current = ch
            else:
                current += ch
        lines.append(current)
    if len(lines) > 3:
        lines = [*lines[:2], "".join(lines[2:]) if " " not in label else " ".join(lines[2:])]
    return lines


def _element(tag: str, **attrs: str | float) -> str:
    """An empty SVG element; `class_` becomes class and underscores become hyphens."""
    parts = []
    for key, value in attrs.items():
        name = key.rstrip("_").replace("_", "-")
        shown = f"{value:.1f}".removesuffix(".0") if isinstance(value, float) else str(value)
        parts.append(f'{name}="{text_escape(shown)}"')
    return f"<{tag} {' '.join(parts)}/>"


def _text(x: float, y: float, label: str, *, size: float = 11, anchor: str = "start", weight: int = 400,
          fill: str = INK, limit: int = 0) -> str:
    """A <text> element; with `limit`, long labels wrap into <tspan> lines centred on y."""
    lines = _wrap(label, limit) if limit else [label]
    attrs = (f'font-family="{FONT}" font-size="{size:g}" text-anchor="{anchor}" fill="{fill}"'
             + (f' font-weight="{weight}"' if weight != 400 else ""))
    if len(lines) == 1:
        return f'<text x="{x:.1f}" y="{y:.1f}" {attrs}>{text_escape(label)}</text>'
    step = size * 1.2
    top = y - step * (len(lines) - 1) / 2
    spans = "".join(f'<tspan x="{x:.1f}" y="{top + n * step:.1f}">{text_escape(line)}</tspan>'
                    for n, line in enumerate(lines))
    return f"<text {attrs}>{spans}</text>"


def _svg(width: float, height: float, title: str, desc: str, body: list[str]) -> str:
    """The root <svg> with role, title and description; ids come from the content so charts share a page."""
    digest = hashlib.sha1("".join([title, desc, *body]).encode("utf-8")).hexdigest()[:10]
    tid, did = f"chart-{digest}-title", f"chart-{digest}-desc"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
            f'viewBox="0 0 {width:g} {height:g}" role="img" aria-labelledby="{tid} {did}" '
            f'font-family="{FONT}">'
            f'<title id="{tid}">{text_escape(title)}</title><desc id="{did}">{text_escape(desc)}</desc>'
            + "".join(body) + "</svg>")


@dataclass(frozen=True)
class _Radar:
    """A radar's geometry: n axes around (cx, cy), the first straight up, then clockwise."""

    n: int
    radius: float
    cx: float
    cy: float

    def angle(self, k: int) -> float:
        """The angle of axis k."""
        return -math.pi / 2 + 2 * math.pi * k / self.n

    def point(self, k: int, share: float, beyond: float = 0.0) -> tuple[float, float]:
        """The point at this share of axis k (plus `beyond` units past it)."""
        r = self.radius * _share(share) + beyond
        return self.cx + r * math.cos(self.angle(k)), self.cy + r * math.sin(self.angle(k))

    def points(self, shares: Sequence[float]) -> str:
        """A polygon's points through these shares of the axes."""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (self.point(k, s) for k, s in enumerate(shares)))


RADAR_FONT = 13.0  # at 1x on a 390 px phone the radar is never scaled down, so its text stays at least 12 px
RADAR_RING_FONT = 12.5
RADAR_WIDTH = 340  # the widest a radar is drawn: a 390 px phone's column (358 px) shows it at full size
RADAR_SIDE_LIMIT = 10  # columns: about five CJK characters per line beside the radar
RADAR_MIN_RADIUS = 70.0  # below this the radar is drawn wider than RADAR_WIDTH rather than unreadably small
COLUMN_WIDTH = 0.55  # a display column's width as a share of the font size (a CJK character counts two)
LATIN_WIDTH = 0.6  # a Latin character's width as a share of the font size, generous for wide letters such as m


def _label_width(label: str, size: float, limit: int) -> float:
    """The width of a wrapped label's widest line at this font size: a CJK character 1 em, any other 0.6 em."""
    return max(sum(1.0 if ord(ch) > 0x2E7F else LATIN_WIDTH for ch in line) for line in _wrap(label, limit)) * size


def _radar_web(radar: _Radar) -> list[str]:
    """The rings at 25 % steps, the spokes and the 50 % and 100 % ring labels."""
    body = [_element("polygon", points=radar.points([ring] * radar.n), fill="none", stroke=GRID, stroke_width=0.8)
            for ring in (0.25, 0.5, 0.75, 1.0)]
    for k in range(radar.n):
        x, y = radar.point(k, 1.0)
        body.append(_element("line", x1=radar.cx, y1=radar.cy, x2=x, y2=y, stroke=GRID, stroke_width=0.8))
    for ring in (0.5, 1.0):
        body.append(_text(radar.cx + 3, radar.cy - radar.radius * ring + RADAR_RING_FONT, f"{ring:.0%}",
                          size=RADAR_RING_FONT, fill=MUTED))
    return body


RADAR_UNDER_LIMIT = 18  # columns per line of a label centred under a three-axis radar's lower corner


@dataclass(frozen=True)
class _Placement:
    """Where an axis label goes: its anchor, the columns it wraps at, and whether it sits below its corner."""

    anchor: str
    limit: int
    below: bool
    above: bool


def _placement(n: int, k: int, width: float) -> _Placement:
    """Top and bottom labels are centred; a three-axis radar's lower labels too, under their corners (which
    leaves the plot its width); any other label sits beside its corner."""
    cos, sin = math.cos(-math.pi / 2 + 2 * math.pi * k / n), math.sin(-math.pi / 2 + 2 * math.pi * k / n)
    if abs(cos) < 0.3:
        return _Placement("middle", int(width / (RADAR_FONT * COLUMN_WIDTH)), sin > 0.3, sin < -0.3)
    if n == 3 and sin > 0.3:
        return _Placement("middle", RADAR_UNDER_LIMIT, True, False)
    return _Placement("start" if cos > 0 else "end", RADAR_SIDE_LIMIT, sin > 0.3, sin < -0.3)


def _label_y(radar: _Radar, k: int, label: str, place: _Placement) -> tuple[float, int]:
    """The y the label's lines are centred on, and how many lines it has: below a corner its first line hangs
    under it, above a corner its last line stands over it."""
    _, y = radar.point(k, 1.0, beyond=12)
    lines = len(_wrap(label, place.limit))
    half = RADAR_FONT * 1.2 * (lines - 1) / 2
    if place.below:
        return y + RADAR_FONT + half, lines
    if place.above:
        return y - 6 - half, lines
    return y + 4, lines


def _radar_labels(radar: _Radar, labels: Sequence[str], width: float) -> list[str]:
    """Each axis's label just outside the plot (see _placement)."""
    body = []
    for k, label in enumerate(labels):
        place = _placement(radar.n, k, width)
        lx, _ = radar.point(k, 1.0, beyond=12)
        ly, _lines = _label_y(radar, k, label, place)
        body.append(_text(lx, ly, label, size=RADAR_FONT, anchor=place.anchor, limit=place.limit))
    return body


def _radar_legend(cx: float, y: float, legend: Sequence[str]) -> list[str]:
    """The legend below the radar, one line each: the current polygon's line and name, then the previous one's."""
    x = cx - 90
    body = [_element("line", x1=x, y1=y, x2=x + 18, y2=y, stroke=PRIMARY, stroke_width=2),
            _text(x + 24, y + RADAR_FONT * 0.35, legend[0], size=RADAR_FONT)]
    if len(legend) > 1:
        y += RADAR_FONT * 1.5
        body.append(_element("line", x1=x, y1=y, x2=x + 18, y2=y, stroke=COMPARE, stroke_width=1.5,
                             stroke_dasharray="4 3"))
        body.append(_text(x + 24, y + RADAR_FONT * 0.35, legend[1], size=RADAR_FONT))
    return body


def _radar_plot(radar: _Radar, axes: Sequence[tuple[str, float]], compare: Sequence[float] | None) -> list[str]:
    """The web, the previous polygon (dashed) if given, and the current polygon with its points."""
    body = _radar_web(radar)
    if compare is not None:
        shares = [compare[k] if k < len(compare) else 0.0 for k in range(radar.n)]
        body.append(f'<polygon class="compare" points="{radar.points(shares)}" fill="none" stroke="{COMPARE}" '
                    f'stroke-width="1.5" stroke-dasharray="4 3"/>')
    body.append(f'<polygon class="current" points="{radar.points([v for _, v in axes])}" fill="{PRIMARY_FILL}" '
                f'stroke="{PRIMARY}" stroke-width="2"/>')
    for k, (_, value) in enumerate(axes):
        x, y = radar.point(k, value)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{PRIMARY}"/>')
    return body


def _radar_radius(labels: Sequence[str], size: float, width: float) -> tuple[float, float]:
    """The radius that fits the labels into `width` (at most size/2 - 40), and the half width it takes."""
    n = len(labels)
    needs = []  # per label off the centre line: (|cos|, the room it takes beyond its corner)
    for k in range(n if n >= 3 else 0):
        cos = abs(math.cos(-math.pi / 2 + 2 * math.pi * k / n))
        place = _placement(n, k, width)
        if cos >= 0.3:
            room = _label_width(labels[k], RADAR_FONT, place.limit)
            needs.append((cos, room / 2 if place.anchor == "middle" else room + 4))
    largest = max(20.0, size / 2 - 40)
    radius = largest
    for cos, room in needs:
        radius = min(radius, (width / 2 - room) / cos - 12)
    radius = max(radius, min(RADAR_MIN_RADIUS, largest))
    half = max([radius + 36, *((radius + 12) * cos + room for cos, room in needs)])
    return radius, half


def _radar_bottom(radar: _Radar, labels: Sequence[str], width: float) -> float:
    """The lowest point the plot and its labels reach, plus a margin: no empty band below the radar."""
    lowest = radar.cy + radar.radius
    for k, label in enumerate(labels):
        ly, lines = _label_y(radar, k, label, _placement(radar.n, k, width))
        lowest = max(lowest, ly + RADAR_FONT * 1.2 * (lines - 1) / 2 + RADAR_FONT * 0.3)
    return lowest + 12


def radar_svg(axes: Sequence[tuple[str, float]], *, size: int = 320, width: int = RADAR_WIDTH,
              compare: Sequence[float] | None = None, title: str = "", legend: Sequence[str] = ()) -> str:
    """A radar of 0–1 shares per axis, optionally with a second (previous) polygon; `legend` names the two.

    `size` bounds the plot's height (radius size/2 - 40); the radius shrinks further so the labels fit `width`.
    """
    n = len(axes)
    labels = [f"{label} {_share(value):.0%}" for label, value in axes]
    radius, half = _radar_radius(labels, size, width)
    radar = _Radar(n, radius, half, radius + 40)
    height = _radar_bottom(radar, labels, 2 * half) if n >= 3 else 2 * (radius + 40)
    with_legend = bool(legend) and compare is not None
    if n >= 3:
        body = [*_radar_plot(radar, axes, compare), *_radar_labels(radar, labels, 2 * half)]
    else:
        # a radar needs three axes; fewer are drawn as plain rows so no data is lost
        body = [_text(12, 24 + 18 * k, label, size=RADAR_FONT) for k, label in enumerate(labels)]
    if with_legend:
        body += _radar_legend(radar.cx, height + 8, legend)
    desc = "; ".join(f"{label}: {_share(v):.0%}" for label, v in axes)
    if compare is not None:
        desc += " | " + "; ".join(f"{label}: {_share(compare[k]):.0%}" for k, (label, _) in enumerate(axes)
                                  if k < len(compare))
    extra = RADAR_FONT * 3.2 if with_legend and len(legend) > 1 else (RADAR_FONT * 1.8 if with_legend else 0)
    return _svg(round(2 * half), round(height + extra), title, desc, body)


def bars_svg(rows: Sequence[tuple[str, float, float]], *, width: int = 520, font: float = 10.5,
             title: str = "") -> str:
    """Horizontal bars of value out of maximum per row, with the figures written beside each bar."""
    label_w = width * 0.34
    limit = int(label_w / (5.6 * font / 10.5))
    row_h = max([26.0, *(len(_wrap(label, limit)) * font * 1.2 + 8 for label, _, _ in rows)])
    value_w = max(64.0, font * 6)
    bar_x = label_w + 8
    bar_w = max(20.0, width - bar_x - value_w - 6)
    height = max(row_h, row_h * len(rows)) + 8
    body: list[str] = []
    for k, (label, value, maximum) in enumerate(rows):
        mid = 4 + k * row_h + row_h / 2
        baseline = mid + font * 0.35
        share = _share(value / maximum) if maximum else 0.0
        body.append(_text(label_w, baseline, label, size=font, anchor="end", limit=limit))
        body.append(_element("rect", x=bar_x, y=mid - 7, width=bar_w, height=14, rx=2, fill=TRACK))
        if share > 0:
            body.append(_element("rect", class_="bar", x=bar_x, y=mid - 7, width=bar_w * share, height=14, rx=2,
                                 fill=PRIMARY))
        body.append(_text(bar_x + bar_w + 6, baseline, f"{number(value)} / {number(maximum)}", size=font - 0.5))
    desc = "; ".join(f"{label}: {number(v)} / {number(m)}" for label, v, m in rows)
    return _svg(width, round(height), title, desc, body)


def scenario_levels_svg(rows: Sequence[tuple[str, int, int, bool]], *, width: int = 520, title: str = "",
                        level_names: Sequence[str] = ()) -> str:
    """A scenario-by-level matrix: filled cells up to each scenario's level; constraint scenarios marked ★."""
    top_level = max((m for _, _, m, _ in rows), default=0)
    columns = max(1, top_level)
    row_h = 20
    head_h = 22 if level_names else 6
    label_w = width * 0.4
    value_w = 20
    cell_w = (width - label_w - 10 - value_w) / columns
    height = head_h + row_h * len(rows) + 6
    body: list[str] = []
    if level_names:
        for c in range(columns):
            name = level_names[c + 1] if len(level_names) > columns and c + 1 < len(level_names) else (
                level_names[c] if c < len(level_names) else str(c + 1))
            x = label_w + 10 + c * cell_w + cell_w / 2
            body.append(_text(x, 14, name, size=9.5, anchor="middle", fill=MUTED, limit=int(cell_w / 5)))
    for k, (label, level, maximum, constraint) in enumerate(rows):
        y = head_h + k * row_h
        if k % 2 == 0:
            body.append(f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="#f6f8fa"/>')
        shown = f"★ {label}" if constraint else label
        body.append(_text(label_w, y + 14, shown, size=10, anchor="end", weight=700 if constraint else 400,
                          fill=CONSTRAINT if constraint else INK))
        for c in range(columns):
            x = label_w + 10 + c * cell_w
            if c >= maximum:
                continue
            filled = c < level
            fill = LEVEL_FILLS[min(c, len(LEVEL_FILLS) - 1)] if filled else "#ffffff"
            cls = "cell filled" if filled else "cell"
            body.append(_element("rect", class_=cls, x=x + 1, y=y + 3, width=cell_w - 2, height=row_h - 6,
                                 rx=2, fill=fill, stroke=GRID, stroke_width=0.6))
        body.append(_text(width - value_w / 2, y + 14, str(level), size=10, anchor="middle", weight=700))
    def level_name(level: int) -> str:
        return level_names[level] if len(level_names) > columns and level < len(level_names) else str(level)

    desc = "; ".join(f"{'★ ' if con else ''}{label}: {level_name(lv)}" for label, lv, _, con in rows)
    return _svg(width, height, title, desc, body)
