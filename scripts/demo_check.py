"""What a visitor and a member do first, in a real browser, on the running `make demo`.

Run by `scripts/check_demo` (CI runs it twice on the same var/): the French and English home
pages; dominique@demo.test logs in, invites someone to Normandie Libre (the email is sent by
the Celery worker over the embedded SQLite broker, so it must show in the worker's log),
saves a card through the Stripe stand-in's Stripe.js and pledges 20 € a round by card.
Exits non-zero, saying what went wrong, on any failed step or browser console error.
"""

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "commons-demo-2026"  # noqa: S105 - the demo's published password
MEMBER = "dominique@demo.test"
POOL = "/fr/pools/fonds-commun-normand"


def check(condition: bool, what: str) -> None:
    if not condition:
        raise SystemExit(f"demo check FAILED: {what}")
    print(f"  ok  {what}")


def wait_for_text(path: Path, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return True
        time.sleep(0.5)
    return False


def run(page, base: str, worker_log: Path) -> None:
    page.goto(f"{base}/fr/")
    check(page.locator("html").get_attribute("lang") == "fr", "the home page is in French")
    check(page.get_by_role("heading", level=1).is_visible(), "the French home has a title")
    page.goto(f"{base}/en/")
    check(page.locator("html").get_attribute("lang") == "en", "the English home page")

    page.goto(f"{base}/fr/accounts/login/")
    page.fill("input[name=login]", MEMBER)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    check("/fr/my/" in page.url, f"{MEMBER} is logged in")

    invited = f"demo-check-{os.getpid()}-{int(time.time())}@example.org"
    page.goto(f"{base}/fr/organisations/normandie-libre/members/")
    page.fill("input[name=email]", invited)
    page.get_by_role("button", name="Envoyer l’invitation").click()
    page.wait_for_load_state()
    check(invited in page.locator("main").inner_text(), "the invitation is listed")

    # Her own pledge (seeded by transfer, or by card by a previous check) is cancelled first.
    page.goto(f"{base}/fr/my/pledges/")
    own = (
        page.locator("li.card")
        .filter(has_text="pour Dominique Normand")
        .filter(has=page.get_by_role("button", name="Annuler la promesse"))
    )
    if own.count():
        own.first.get_by_role("button", name="Annuler la promesse").click()
        page.wait_for_load_state()
        page.get_by_role("button", name="Oui, annuler la promesse").click()  # confirmed
        page.wait_for_load_state()

    page.goto(f"{base}{POOL}/payment-method/")
    member = page.locator("select#member")
    if member.count():
        member.select_option(label="Dominique Normand")
        page.get_by_role("button", name="Choisir").click()
        page.wait_for_load_state()
    page.locator("#card-element input[placeholder=number]").fill("4242424242424242")
    page.locator("#card-element input[placeholder=exp_month]").fill("12")
    page.locator("#card-element input[placeholder=exp_year]").fill("30")
    page.locator("#card-element input[placeholder=cvc]").fill("123")
    page.locator("#card-element input[placeholder=postal_code]").fill("76000")
    page.get_by_role("button", name="Enregistrer la carte").click()
    page.wait_for_url("**/pledge/")
    check(True, "a card is saved through the Stripe stand-in")

    page.select_option("select[name=membership]", label="Dominique Normand")
    page.fill("input[name=amount]", "20")
    page.check("input[name=method][value=card]")
    cards = page.locator("select[name=saved_method] option")
    page.locator("select[name=saved_method]").select_option(index=cards.count() - 1)
    page.get_by_role("button", name="Promettre").click()
    page.wait_for_load_state()
    pledges = page.locator("main").inner_text().replace("\u00a0", " ").replace("\u202f", " ")
    check(
        "/fr/my/pledges/" in page.url and "20,00 € par tour, pour Dominique Normand" in pledges,
        "dominique pledges 20 € a round by card",
    )

    check(
        wait_for_text(worker_log, invited, timeout=90),
        "the Celery worker (SQLite broker) sent the invitation email",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--worker-log", type=Path, default=Path("var/celery.log"))
    args = parser.parse_args()
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("demo check FAILED: Debian's chromium is not installed")
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        page = context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and problems.append(f"console: {m.text} ({page.url})"),
        )
        page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
        try:
            run(page, args.base.rstrip("/"), args.worker_log)
        finally:
            browser.close()
    check(not problems, "no browser console error" + "".join(f"\n    {p}" for p in problems))
    print("demo check passed")


if __name__ == "__main__":
    sys.exit(main())
