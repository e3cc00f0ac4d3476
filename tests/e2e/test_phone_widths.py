"""#22: no page wider than a phone's screen, no drawing with labels under 12 px, no fault
of French typography in what a page says (`tests/typography.py`). A visitor, then a
member, then a treasurer (two-factor authentication on) walk the demo at 390 px from the
home page, following every link of the site; each kind of page (one address per route, one
Wagtail page per parent) is measured: nothing may stick out of the screen (wide tables and
drawings scroll inside their own frame). Downloads, feeds, images and the admin are left
out."""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from commons_fund.members.models import User
from tests.typography import faults

from .conftest import Journey

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 390
LIMIT = 160  # kinds of pages per walker, well above what the demo has
NOT_PAGES = re.compile(
    r"^/(cms|django-admin|api|documents|static|media)/"
    r"|/(accounts/logout|feeds|calendar|pdf|export|exports|certificates)/"
    r"|\.(pdf|csv|ics|xml|txt|svg|png|json|zip)$"
)
# What sticks out of the screen, named for the failure's message.
_WIDER = """width => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.scroll-x') && (e.getBoundingClientRect().right > width + 1
        || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


# Labels of drawings (charts, the actors' network) smaller than 12 px once the drawing is
# scaled to the screen.
_SMALL_LABELS = """() => [...document.querySelectorAll('svg[viewBox] text')].filter(text => {
    const svg = text.closest('svg[viewBox]'), box = svg.viewBox.baseVal;
    const scale = svg.getBoundingClientRect().width / box.width;
    return svg.getBoundingClientRect().width > 0
        && parseFloat(getComputedStyle(text).fontSize) * scale < 11.95;
}).slice(0, 3).map(text => text.textContent.trim())"""


def _kind(path: str) -> str | None:
    """One key per kind of page: the route (its arguments left out), or, for Wagtail's
    pages, the parent's address."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name == "wagtail_serve":
        return "wagtail:" + path.rstrip("/").rsplit("/", 1)[0]
    return match.route


def _walk(tab: Journey, start: str = "/fr/") -> tuple[list[str], list[str]]:
    """Every kind of page reachable from `start`; the pages wider than the screen."""
    page, queue, kinds, seen, wide = tab.page, [start], set(), [], []
    while queue and len(seen) < LIMIT:
        path = queue.pop(0)
        kind = _kind(path)
        if kind is None or kind in kinds:
            continue
        kinds.add(kind)
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a file to download (an export), not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200 or "/accounts/" in page.url:
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        seen.append(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide.append(f"{path}: {width} px ({', '.join(page.evaluate(_WIDER, WIDTH))})")
        wide += [f"{path}: {fault}" for fault in faults(page.inner_text("main"))]
        if small := page.evaluate(_SMALL_LABELS):
            wide.append(f"{path}: labels under 12 px: {small}")
        hrefs = page.eval_on_selector_all("a[href]", "all => all.map(a => a.getAttribute('href'))")
        for href in hrefs:
            link = urlsplit(urljoin(page.url, href))
            if (
                link.netloc == urlsplit(page.url).netloc
                and link.path.startswith("/fr/")
                and not NOT_PAGES.search(link.path)
                and link.path not in queue
            ):
                queue.append(link.path)
    return seen, wide


def _phone(browser, live_server, name: str) -> Journey:
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": WIDTH, "height": 844}
    )
    context.set_default_timeout(15_000)
    return Journey(context.new_page(), name)


def test_no_page_is_wider_than_a_phone(demo, browser, live_server):
    walked = {}
    visitor = _phone(browser, live_server, "phone-visitor")
    walked["visitor"] = _walk(visitor)

    member = _phone(browser, live_server, "phone-member")
    member.log_in("lou@demo.test")
    walked["member"] = _walk(member, "/fr/my/")

    treasurer = _phone(browser, live_server, "phone-treasurer")
    treasurer.log_in_with_totp(User.objects.get(email="camille@demo.test"))
    walked["treasurer"] = _walk(treasurer, "/fr/my/")

    for tab in (visitor, member, treasurer):
        tab.page.context.close()
        assert not tab.problems, tab.problems
    # The walk reached the pages it is meant to measure.
    assert len(walked["visitor"][0]) >= 15, walked["visitor"][0]
    assert len(walked["treasurer"][0]) >= 35, walked["treasurer"][0]
    for must in ("/fr/actors/", "/fr/reciprocity/", "/fr/my/", "/treasury/", "/books/"):
        assert any(must in path for seen, _wide in walked.values() for path in seen), must
    wide = [line for _seen, pages in walked.values() for line in pages]
    assert wide == [], "Too wide, small labels or French typography:\n" + "\n".join(wide)
