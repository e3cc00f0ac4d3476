"""Small SVG charts drawn on the server: lines and bars over the years, with their axis.

Only the geometry is computed here (floats are fine for pixels, never for money); the
template `finances/_chart.html` draws it with a title and a description for screen readers,
and the page also shows every figure in a table.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from commons_fund.money import format_amount

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 92, 16, 16, 36


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
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT


def _nice_step(span: float) -> float:
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 2.5, 5, 10) if step * magnitude >= raw)


def _tick_label(value: float, step: float) -> str:
    if step >= 1 and value == int(value):
        return f"{number_format(int(value), force_grouping=True)} €"
    return format_amount(Decimal(str(round(value, 2))))


def chart(*, key: str, title: str, years: list[int], series: list[Series]) -> Chart:
    values = [float(v) for s in series for v in s.values if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    plot_height = HEIGHT - TOP - BOTTOM
    band = (WIDTH - LEFT - RIGHT) / max(1, len(years))

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * plot_height, 1)

    def centre(index: int) -> float:
        return round(LEFT + band * (index + 0.5), 1)

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
    return Chart(
        key,
        title,
        _describe(years, series),
        drawn,
        ticks,
        [(centre(i), year) for i, year in enumerate(years)],
        y(0),
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
