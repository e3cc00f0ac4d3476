"""Issue #22: "1 janvier" for "1er janvier" on pages, emails and PDFs."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from commons_fund.dates import long_date, long_datetime


@pytest.mark.parametrize(
    ("day", "french", "english"),
    [
        (date(2027, 1, 1), "1er janvier 2027", "1 January 2027"),
        (date(2027, 1, 2), "2 janvier 2027", "2 January 2027"),
        (date(2026, 3, 11), "11 mars 2026", "11 March 2026"),
        (date(2026, 10, 1), "1er octobre 2026", "1 October 2026"),
    ],
)
def test_long_dates(day, french, english):
    assert long_date(day, "fr") == french
    assert long_date(day, "en") == english


def test_a_moment_is_read_in_paris_time_and_templates_use_it():
    # 23:30 UTC on 31 December is already the first of January in Paris.
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert long_date(moment, "fr") == "1er janvier 2027"
    with translation.override("fr"):
        assert long_datetime(moment).startswith("1er janvier 2027")
        page = Template("{% load dates %}{{ day|long_date }} · {{ moment|long_datetime }}").render(
            Context({"day": date(2027, 5, 1), "moment": moment})
        )
    assert page.startswith("1er mai 2027 · 1er janvier 2027")
    with translation.override("en"):  # English keeps Django's own format
        assert long_datetime(moment) == "Jan. 1, 2027, 12:30 a.m."
