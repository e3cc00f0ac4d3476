"""Real-browser journeys: Playwright drives Debian's `chromium` against pytest-django's live
server. Every page a journey opens must leave the browser console free of errors (a blocked
script, a failed request, a JavaScript exception fail the test)."""

import copy
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

    def fill_card(self, number: str = "4242424242424242") -> None:
        """Type a test card into the stand-in's card element (Stripe.js)."""
        for field, value in (
            ("number", number),
            ("exp_month", "12"),
            ("exp_year", "30"),
            ("cvc", "123"),
            ("postal_code", "14000"),
        ):
            self.page.locator(f"#card-element input[placeholder={field}]").fill(value)

    def log_in_with_totp(self, user) -> None:
        """Log in a person who handles money: two-factor authentication turned on first (a
        TOTP secret of the test's), then the code asked after the password."""
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        self.log_in(user.email)
        assert "/accounts/2fa/authenticate/" in self.page.url  # the second factor is asked
        self.page.fill("input[name=code]", _totp_code(secret))
        self.page.locator("main form button[type=submit]").first.click()
        # Wait for the answer itself: under load, the page already loaded would pass at once.
        self.page.wait_for_url(lambda url: "/accounts/2fa/authenticate/" not in url)

    def confirm_identity_if_asked(self, password: str = DEMO_PASSWORD) -> None:
        """A money action asks the password again when the last confirmation is old; it
        then resumes the action."""
        self.page.wait_for_load_state()
        if "/accounts/reauthenticate/" in self.page.url:
            self.shot("confirm-identity")
            self.page.fill("input[name=password]", password)
            self.page.locator("main form button[type=submit]").click()
            self.page.wait_for_load_state()


def _totp_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    return format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))


@pytest.fixture
def stripe_in_browser(stripe_api, settings):
    """Stripe.js comes from the stand-in of this test run, which the policy allows."""
    settings.STRIPE_JS_URL = f"{stripe_api}/js.stripe.com/v3/"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "connect-src", "frame-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive], stripe_api]
    settings.CONTENT_SECURITY_POLICY = policy
    return stripe_api


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
