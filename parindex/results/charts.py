"""The geometry of the analysis page's charts, computed here so that the template only lays
out SVG elements (its text escaped by the template engine): a unit's field profile as
horizontal bars beside the group's, and its trend over the years as a line beside the group
mean. Coordinates are in SVG user units, rounded to one decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from parindex.formats.results_pdf import grouped
from parindex.results.analysis import Profile, Trend

WIDTH = 640
LABEL_WIDTH = 230  # the field titles' column of the profile
ROW = 34  # one field: the unit's bar over the group's
BAR = 12
TOP = 28  # room for the legend
TITLE_CHARS = 36


def _r(value: float) -> float:
    return round(value, 1)


def _short(text: str, most: int = TITLE_CHARS) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    text: str  # the percent as the reader writes it, "—" for none
    text_x: float
    text_y: float


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: float
    title: str  # the full field title, for the row's <title>
    unit: Bar
    group: Bar


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_x: int
    bar_height: int
    room: float  # the width of 100%
    label: str  # the chart's accessible name
    rows: list[BarRow]


def profile_chart(profile: Profile, lang: str) -> BarChart:
    """Each field's percent achieved by the unit (upper bar) and by the group (lower bar)."""
    room = WIDTH - LABEL_WIDTH - 70
    rows: list[BarRow] = []

    def bar(percent: Decimal | None, y: float) -> Bar:
        length = 0.0 if percent is None else max(0.0, min(float(percent), 100.0)) / 100 * room
        text = "—" if percent is None else grouped(percent, 1, lang) + "%"
        return Bar(_r(y), _r(length), text, _r(LABEL_WIDTH + length + 4), _r(y + BAR - 2))

    for i, row in enumerate(profile.rows):
        y = TOP + i * ROW
        title = f"{row.code}. {row.title}"
        rows.append(
            BarRow(
                label=_short(title),
                label_y=_r(y + BAR + 3),
                title=title,
                unit=bar(row.percent, y + 2),
                group=bar(row.group, y + 2 + BAR + 2),
            )
        )
    parts = "; ".join(
        _("%(field)s: %(unit)s (group %(group)s)")
        % {"field": row.title, "unit": row.unit.text, "group": row.group.text}
        for row in rows
    )
    label = _("Share of points by field, %(unit)s beside the group: %(parts)s") % {
        "unit": profile.line.name,
        "parts": parts,
    }
    return BarChart(WIDTH, TOP + len(rows) * ROW + 6, LABEL_WIDTH, BAR, room, label, rows)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    year: int
    text: str  # "73,79 (9/10)", "(*)" added for predecessors
    from_predecessors: bool

    @property
    def label_y(self) -> float:
        return _r(self.y - 10)


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int  # x of the plot's right edge
    bottom: float  # y of the x axis
    year_y: float  # the years' labels under it
    ticks: list[Tick]
    points: list[Point]
    line: str  # the unit's polyline "x,y x,y ..."
    means: list[Point]
    mean_line: str
    label: str


def trend_chart(trend: Trend, name: str, decimals: int, lang: str) -> LineChart | None:
    """The unit's index per year (points labelled with index and rank) and the group mean;
    None when there is no year to draw."""
    if not trend.points:
        return None
    height, left, right, top, bottom = 260, 48, WIDTH - 40, 30, 260 - 36
    values = [float(p.index) for p in trend.points]
    values += [float(p.mean) for p in trend.points if p.mean is not None]
    lo = max(0, math.floor((min(values) - 5) / 10) * 10)
    hi = max(lo + 10, math.ceil((max(values) + 5) / 10) * 10)
    step = 10 if hi - lo <= 60 else 20

    def y_of(value: float) -> float:
        return _r(top + (hi - value) / (hi - lo) * (bottom - top))

    years = [p.year for p in trend.points]
    first, span = years[0], (years[-1] - years[0]) or 1

    def x_of(year: int) -> float:
        if len(years) == 1:
            return _r((left + right) / 2)
        return _r(left + 20 + (year - first) / span * (right - left - 40))

    points: list[Point] = []
    means: list[Point] = []
    for p in trend.points:
        rank = f" ({p.rank}/{p.units})" if p.rank is not None else ""
        star = " (*)" if p.predecessors else ""
        text = grouped(p.index, decimals, lang) + rank + star
        points.append(Point(x_of(p.year), y_of(float(p.index)), p.year, text, bool(p.predecessors)))
        if p.mean is not None:
            means.append(
                Point(
                    x_of(p.year),
                    y_of(float(p.mean)),
                    p.year,
                    grouped(p.mean, decimals, lang),
                    False,
                )
            )
    ticks = [Tick(y_of(v), str(v)) for v in range(lo, hi + 1, step)]
    parts = "; ".join(f"{p.year}: {p.text}" for p in points)
    label = _("Index of %(unit)s by year: %(parts)s") % {"unit": name, "parts": parts}
    return LineChart(
        width=WIDTH,
        height=height,
        left=left,
        right=right,
        bottom=bottom,
        year_y=bottom + 18,
        ticks=ticks,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        means=means,
        mean_line=" ".join(f"{p.x},{p.y}" for p in means),
        label=label,
    )
