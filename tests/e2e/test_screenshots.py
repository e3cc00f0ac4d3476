from io import StringIO

import pytest
from django.core.management import call_command

from .screenshots import chromium, screenshot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed"),
]


def test_home_and_a_commons_page_in_a_real_browser(live_server):
    call_command("seed_demo", stdout=StringIO())
    for url, name, width in (
        ("/fr/", "home", 1280),
        ("/fr/communs/bouquet-normand/", "commons-page", 1280),
        ("/fr/communs/bouquet-normand/", "commons-page-phone", 390),
        ("/fr/comptes-ouvaton/", "finances", 1280),
        ("/fr/comptes-ouvaton/", "finances-phone", 390),
    ):
        path = screenshot(f"{live_server.url}{url}", name, width=width)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 20_000  # a page was drawn, not a blank
