"""Small SVG charts drawn on the server: lines and bars over the years, with their axis.

Only the geometry is computed here (floats are fine for pixels, never for money); the
template `finances/_chart.html` draws it with a title and a description for screen readers,
and the page also shows every figure in a table. Each chart is drawn twice: 640 units wide
for screens, and 300 wide with fewer ticks and year labels for phones (shown under 40 rem),
so that its 12 px labels stay 12 px on a 390 px screen instead of shrinking to 7.
"""

import math
from dataclasses import dataclass, replace
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from commons_fund.money import format_amount

HEIGHT = 280
RIGHT, TOP, BOTTOM = 16, 16, 36


@dataclass(frozen=True)
class Layout:
    width: int
    left: int  # room for the amounts' ticks
    ticks: int  # about this many steps between ticks
    year_room: int  # pixels a year's label needs; every other one is skipped below it


WIDE = Layout(width=640, left=92, ticks=4, year_room=0)
NARROW = Layout(width=300, left=84, ticks=3, year_room=40)


@dataclass(frozen=True)
class Series:
    label: str
    css: str  # the class giving colour and dash pattern
    values: list[Decimal | None]
    kind: str = "line"  # "line" or "bar"


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class DrawnSeries:
    series: Series
    points: str  # polyline points for a line
    marks: list[Mark]  # a dot per point of a line, a rectangle per bar


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    series: list[DrawnSeries]
    ticks: list[tuple[float, str]]
    years: list[tuple[float, int]]
    zero: float
    width: int = WIDE.width
    height: int = HEIGHT
    left: int = WIDE.left
    right_edge: int = WIDE.width - RIGHT
    narrow: "Chart | None" = None  # the same chart drawn for phones


def _nice_step(span: float, steps: int) -> float:
    raw = span / steps
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= raw)


def _tick_label(value: float, step: float) -> str:
    if step >= 1 and value == int(value):
        return f"{number_format(int(value), force_grouping=True)} €"
    return format_amount(Decimal(str(round(value, 2))))


def chart(*, key: str, title: str, years: list[int], series: list[Series]) -> Chart:
    """A chart for screens, carrying its drawing for phones."""
    return replace(
        _draw(key, title, years, series, WIDE), narrow=_draw(key, title, years, series, NARROW)
    )


def _draw(key: str, title: str, years: list[int], series: list[Series], layout: Layout) -> Chart:
    values = [float(v) for s in series for v in s.values if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    step = _nice_step(high - low, layout.ticks)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    plot_height = HEIGHT - TOP - BOTTOM
    band = (layout.width - layout.left - RIGHT) / max(1, len(years))
    every = max(1, math.ceil(layout.year_room / band)) if layout.year_room else 1

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * plot_height, 1)

    def centre(index: int) -> float:
        return round(layout.left + band * (index + 0.5), 1)

    bars = [s for s in series if s.kind == "bar"]
    bar_width = band * 0.7 / max(1, len(bars))
    drawn = []
    for s in series:
        marks, points = [], []
        for index, value in enumerate(s.values):
            if value is None:
                continue
            label = _("%(label)s, %(year)s: %(amount)s") % {
                "label": s.label,
                "year": years[index],
                "amount": format_amount(value),
            }
            if s.kind == "bar":
                x = centre(index) - band * 0.35 + bars.index(s) * bar_width
                top, bottom = sorted([y(float(value)), y(0)])
                marks.append(
                    Mark(round(x, 1), top, round(bar_width, 1), round(bottom - top, 1), label)
                )
            else:
                points.append(f"{centre(index)},{y(float(value))}")
                marks.append(Mark(centre(index), y(float(value)), 0, 0, label))
        drawn.append(DrawnSeries(s, " ".join(points), marks))
    count = round((high - low) / step)
    ticks = [(y(low + i * step), _tick_label(low + i * step, step)) for i in range(count + 1)]
    last = len(years) - 1
    return Chart(
        key,
        title,
        _describe(years, series),
        drawn,
        ticks,
        [(centre(i), year) for i, year in enumerate(years) if (last - i) % every == 0],
        y(0),
        width=layout.width,
        left=layout.left,
        right_edge=layout.width - RIGHT,
    )


def _describe(years: list[int], series: list[Series]) -> str:
    """What the chart shows, in words: each series from its first to its last year."""
    parts = []
    for s in series:
        known = [
            (year, value) for year, value in zip(years, s.values, strict=True) if value is not None
        ]
        if known:
            (first_year, first), (last_year, last) = known[0], known[-1]
            parts.append(
                _("%(label)s: %(first)s in %(first_year)s, %(last)s in %(last_year)s")
                % {
                    "label": s.label,
                    "first": format_amount(first),
                    "first_year": first_year,
                    "last": format_amount(last),
                    "last_year": last_year,
                }
            )
    return "; ".join(parts) + "."


def finance_charts(*, overview) -> list[Chart]:
    """The three charts of a finances page: capital and retained earnings with the
    half-capital line, revenue against expenses, the share value."""
    figures = overview.years
    if not figures:
        return []
    years = [f.year for f in figures]
    capital = [f.accounts.amount_of("share_capital") for f in figures]
    charts = []
    if any(value is not None for value in capital):
        charts.append(
            chart(
                key="capital",
                title=_("Capital and retained earnings"),
                years=years,
                series=[
                    Series(_("Share capital"), "series-capital", capital),
                    Series(
                        _("Equity"), "series-equity", [f.accounts.equity.amount for f in figures]
                    ),
                    Series(
                        _("Retained earnings"),
                        "series-retained",
                        [f.accounts.retained_earnings.amount for f in figures],
                    ),
                    Series(
                        _("Half-capital line (losses beyond it must be reported)"),
                        "series-threshold",
                        [-c / 2 if c is not None else None for c in capital],
                    ),
                ],
            )
        )
    charts.append(
        chart(
            key="revenue",
            title=_("Revenue and expenses"),
            years=years,
            series=[
                Series(
                    _("Operating revenue"),
                    "series-revenue",
                    [f.accounts.operating_revenue.amount for f in figures],
                    "bar",
                ),
                Series(
                    _("Operating expenses"),
                    "series-expenses",
                    [f.accounts.operating_expenses.amount for f in figures],
                    "bar",
                ),
                Series(_("Result"), "series-result", [f.result for f in figures]),
            ],
        )
    )
    values = [f.share_value for f in figures]
    if any(value is not None for value in values):
        charts.append(
            chart(
                key="share",
                title=_("Value of a share"),
                years=years,
                series=[
                    Series(
                        _("Nominal value"),
                        "series-nominal",
                        [f.accounts.amount_of("nominal_share_value") for f in figures],
                    ),
                    Series(_("Value repaid to a leaving member"), "series-share", values),
                ],
            )
        )
    return charts
