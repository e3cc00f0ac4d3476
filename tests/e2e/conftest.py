"""Real-browser journeys: Playwright drives Debian's `chromium` against pytest-django's live
server. Every page a journey opens must leave the browser console free of errors (a blocked
script, a failed request, a JavaScript exception fail the test)."""

import os
from io import StringIO

import pytest
from django.core.management import call_command

from .screenshots import FOLDER, chromium

# Playwright's synchronous API runs an event loop in the test's thread; the ORM calls the
# tests make between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "commons-demo-2026"


@pytest.fixture(scope="session")
def browser():
    if chromium() is None:
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        yield browser
        browser.close()


class Journey:
    """A browser tab on the live server that keeps what went wrong in the console and takes
    the screenshots of the journey's key screens."""

    def __init__(self, page, name: str):
        self.page, self.name, self.problems, self.shots = page, name, [], 0
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"{message.text} ({self.page.url})")

    def shot(self, label: str) -> None:
        self.shots += 1
        FOLDER.mkdir(exist_ok=True)
        self.page.screenshot(
            path=FOLDER / f"{self.name}-{self.shots:02d}-{label}.png", full_page=True
        )

    def log_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.page.goto("/fr/accounts/login/")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", password)
        self.page.click("main form button[type=submit]")
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=StringIO())
    return live_server


@pytest.fixture
def journey(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = Journey(context.new_page(), request.node.name.removeprefix("test_"))
    yield tab
    context.close()
    assert not tab.problems, "Browser console errors:\n" + "\n".join(tab.problems)
