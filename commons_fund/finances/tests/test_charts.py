from decimal import Decimal

from commons_fund.finances.charts import NARROW, WIDE, Series, chart


def _chart(years: int):
    values = [Decimal(-20000 * i) for i in range(years)]
    return chart(
        key="capital",
        title="Capital",
        years=list(range(2015, 2015 + years)),
        series=[Series("Capital", "series-capital", values)],
    )


def test_a_chart_carries_a_narrower_drawing_for_phones_with_fewer_ticks_and_years():
    drawn = _chart(12)
    narrow = drawn.narrow
    assert (drawn.width, narrow.width) == (WIDE.width, NARROW.width)
    assert narrow.right_edge == NARROW.width - 16 and narrow.left == NARROW.left
    assert len(narrow.ticks) <= len(drawn.ticks) <= 6
    # Twelve years on 200 pixels: one label in three, the last year always named.
    assert [year for _x, year in narrow.years] == [2017, 2020, 2023, 2026]
    assert [year for _x, year in drawn.years] == list(range(2015, 2027))
    assert all(x <= narrow.right_edge for x, _year in narrow.years)
    assert narrow.description == drawn.description and narrow.narrow is None


def test_a_few_years_are_all_named_on_phones_too():
    assert [year for _x, year in _chart(4).narrow.years] == [2015, 2016, 2017, 2018]
