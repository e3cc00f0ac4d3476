"""The journeys people make, in a real browser (see conftest.py): screenshots of the key
screens go to tests/e2e/screenshots/ (git-ignored); any console error fails the journey."""

import re
from datetime import timedelta

import pytest
from django.db import transaction

from pledges import collecting, rounds
from pledges.models import InstalmentStatus, Round, RoundState

from .conftest import Journey

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_visitor_reads_in_french_then_switches_to_english(demo, journey, settings):
    settings.PAGE_CACHE_SECONDS = 60  # as in production: visitors get cached pages
    page = journey.page
    assert page.goto("/fr/").headers["x-page-cache"] == "miss"
    assert page.locator("html").get_attribute("lang") == "fr"
    journey.shot("home")
    page.keyboard.press("Tab")  # the first stop is the skip link, for keyboard users
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    page.get_by_role("navigation").get_by_role("link", name="Communs", exact=True).first.click()
    page.get_by_role("link", name="Bouquet normand").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Bouquet")
    assert page.locator(".progress").count() > 0
    journey.shot("commons-page")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="EN").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/en/communs/bouquet-normand/")  # its English page (#22)
    assert page.get_by_role("heading", level=1).inner_text() == "Normandy bundle"
    journey.shot("commons-page-english")
    page.get_by_role("link", name="Commons Fund").first.click()  # the brand: home
    assert page.url.endswith("/en/") and page.locator("html").get_attribute("lang") == "en"
    # No cookie was set on the way: the French home page now comes from the cache, whole.
    assert page.context.cookies() == []
    again = page.goto("/fr/")
    assert again.headers["x-page-cache"] == "hit"
    assert page.get_by_role("heading", level=1).is_visible()


def test_a_member_grades_every_candidate_changes_their_mind_and_finds_the_receipt(demo, journey):
    page = journey.page
    round_ = Round.objects.get(pool__slug="fonds-commun-normand", state=RoundState.VOTING)
    candidacies = list(round_.candidacies.order_by("project__name"))
    journey.log_in("lou@demo.test")
    page.goto(round_.get_absolute_url())
    journey.shot("ballot")
    for candidacy, grade in zip(candidacies, (2, 6, 4), strict=True):
        page.check(f'input[name="c{candidacy.pk}"][value="{grade}"]')
    page.get_by_role("button", name="Voter").click()
    first_receipt = page.locator(".receipt code").inner_text()
    journey.shot("receipt")
    page.get_by_role("link", name="Retour au tour").click()
    for candidacy, grade in zip(candidacies, (6, 2, 5), strict=True):  # a change of mind
        page.check(f'input[name="c{candidacy.pk}"][value="{grade}"]')
    page.fill('input[name="previous_receipt"]', first_receipt)
    page.get_by_role("button", name="Voter").click()
    receipt = page.locator(".receipt code").inner_text()
    assert receipt and receipt != first_receipt

    round_.refresh_from_db()
    rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(minutes=1))
    page.goto(round_.get_absolute_url())
    assert page.locator(".merit-profile svg").count() == len(candidacies)
    journey.shot("results-merit-profile")
    page.get_by_role("link", name="Bulletins et reçus publiés").click()
    page.fill('input[name="receipt"]', receipt)
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the search form, from the keyboard
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and receipt in rows.first.inner_text()
    journey.shot("receipt-found")
    page.fill('input[name="receipt"]', first_receipt)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert first_receipt not in page.locator("table").inner_text()  # the replaced ballot


def test_a_partner_signs_a_contract_downloads_it_and_declares_a_quarter(demo, journey):
    from datetime import date

    from commons_fund.members.models import Organisation, Role
    from projects.models import Project
    from reciprocity import services as reciprocity
    from reciprocity.models import ContractState, RevenueDeclaration

    partner = Organisation.objects.get(slug="octopuce")
    project = Project.objects.get(slug="movilab")
    host_admin = project.host.memberships.filter(role=Role.ADMIN).first().user
    contract = reciprocity.contract_create(
        partner=partner,
        project=project,
        actor=host_admin,
        rate="2,5",
        base="Chiffre d'affaires HT des formations Movilab",
        starts_on=date(2026, 1, 1),
    )
    contract = reciprocity.contract_propose(contract=contract, actor=host_admin)
    reciprocity.contract_accept(
        contract=contract, actor=host_admin, ip_address=None, pdf_sha256=contract.proposed_sha256
    )

    page = journey.page
    journey.log_in("sacha@demo.test")  # Octopuce's administrator
    page.goto(f"/fr/reciprocity/contracts/{contract.pk}/")
    journey.shot("contract-proposed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Le contrat (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_role("button", name="Accepter le contrat").click()
    assert "/accounts/reauthenticate/" in page.url  # the identity is confirmed first
    journey.shot("confirm-identity")
    page.fill("input[name=password]", "commons-demo-2026")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    page.goto(f"/fr/reciprocity/contracts/{contract.pk}/")
    journey.shot("contract-signed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Le contrat (PDF)").click()
    signed = download.value.path().read_bytes()
    assert signed.startswith(b"%PDF") and signed != contract.proposed_pdf

    page.select_option("select[name=period_start]", "2026-01-01")
    page.fill("input[name=revenue]", "12 000")
    page.get_by_role("button", name="Déclarer").click()
    page.wait_for_load_state()
    declaration = RevenueDeclaration.objects.get(contract=contract)
    assert declaration.due.amount == 300  # 2,5 % of 12 000 €
    assert "300,00" in page.locator("table").inner_text()
    journey.shot("quarter-declared")
    assert page.get_by_role("link", name="Mettre fin au contrat").count() == 1
    assert _buttons_below_contrast(page) == []  # "Mettre fin au contrat" read 1.1:1
    page.get_by_role("link", name="Mettre fin au contrat").click()  # #22: it asks first
    page.wait_for_load_state()
    assert "préavis de 3 mois" in page.locator("main").inner_text()
    assert _buttons_below_contrast(page) == []
    journey.shot("contract-end-confirm")
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED


# Each button's text against its own background (or the first one behind it), as WCAG
# computes contrast: at least 4.5:1.
CONTRAST_SCRIPT = """
() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((c) => {
    c /= 255;
    return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || color[3] > 0) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const button of document.querySelectorAll("main button, main .button")) {
    const fg = lum(rgb(getComputedStyle(button).color).slice(0, 3));
    const bg = lum(background(button));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) low.push(`${button.textContent.trim()}: ${ratio.toFixed(2)}:1`);
  }
  return low;
}
"""


def _buttons_below_contrast(page) -> list[str]:
    return page.evaluate(CONTRAST_SCRIPT)


def test_a_treasurer_with_two_factors_handles_a_failed_collection_a_transfer_and_payouts(
    demo, journey
):
    from commons_fund.members.models import Organisation, User
    from commons_fund.payments import services as payments
    from commons_fund.payments.models import Charge, ChargeStatus, PayoutBatch

    round_ = Round.objects.get(pool__slug="fonds-commun-normand", state=RoundState.VOTING)
    rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(minutes=1))
    with transaction.atomic():  # what the beat and the worker do, here in the test's thread
        round_ = collecting.round_collect(round_=round_)
    for instalment in round_.pot_instalments.filter(status=InstalmentStatus.DUE):
        collecting.collection_attempt(instalment=instalment)
    books = Organisation.objects.get(slug="normandie-libre")
    waiting = list(
        Charge.objects.filter(
            books=books, status=ChargeStatus.AWAITING_TRANSFER, method="transfer"
        ).order_by("pk")
    )
    failed, paid = waiting[0], waiting[1]
    Charge.objects.filter(pk=failed.pk).update(
        status=ChargeStatus.FAILED, failure_message="Virement rejeté : compte clôturé"
    )
    payments.payout_prepare(
        books=books,
        beneficiary=Organisation.objects.get(slug="movilab"),
        amount=25_000,
        description="Soutien au commun Movilab",
    )
    page = journey.page
    journey.log_in_with_totp(User.objects.get(email="dominique@demo.test"))
    page.goto("/fr/organisations/normandie-libre/treasury/?status=failed")
    assert "Virement rejeté : compte clôturé" in page.locator("main").inner_text()
    journey.shot("failed-collection")

    page.goto(f"/fr/organisations/normandie-libre/treasury/charges/{paid.pk}/receipt/")
    page.fill("input[name=amount]", f"{paid.amount / 100:.2f}".replace(".", ","))
    page.locator("main form button[type=submit]").click()
    journey.confirm_identity_if_asked()
    paid.refresh_from_db()
    assert paid.status == ChargeStatus.SUCCEEDED and paid.amount_received == paid.amount
    journey.shot("transfer-recorded")

    page.goto("/fr/organisations/normandie-libre/treasury/")
    page.get_by_role("button", name="Créer le fichier de virements SEPA").click()
    page.wait_for_load_state()
    batch = PayoutBatch.objects.filter(books=books).order_by("-pk").first()
    assert batch is not None and "Movilab" in batch.xml
    journey.shot("payout-file")
    with page.expect_download() as download:
        page.get_by_role("link", name=f"{batch.message_id}.xml").click()
    assert download.value.path().read_text().startswith("<?xml")


def test_a_newcomer_signs_up_creates_an_association_joins_and_pledges_by_card(
    demo, journey, stripe_in_browser, mailoutbox
):
    from commons_fund.members.models import Organisation
    from pledges.models import Pledge

    page = journey.page
    page.goto("/fr/accounts/signup/")
    page.fill("input[name=email]", "nadia@asso-bocage.example")
    page.fill("input[name=password1]", "une phrase de passe bien longue")
    page.fill("input[name=password2]", "une phrase de passe bien longue")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    journey.shot("check-your-email")
    link = re.search(r"https?://[^/\s]+(/fr/accounts/confirm-email/\S+/)", mailoutbox[-1].body)
    page.goto(link.group(1))
    page.locator("main form button[type=submit]").first.click()  # confirm the address
    page.wait_for_load_state()

    page.goto("/fr/organisations/new/")
    page.fill("input[name=name]", "Association du Bocage numérique")
    page.select_option("select[name=legal_form]", "association")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    association = Organisation.objects.get(name="Association du Bocage numérique")
    journey.shot("association-created")

    page.goto("/fr/pools/fonds-commun-normand/")
    page.select_option("select[name=member]", str(association.pk))
    page.get_by_role("button", name="Adhérer au fonds").click()
    page.wait_for_load_state()
    assert page.url.endswith("/fr/pools/fonds-commun-normand/pledge/")
    page.get_by_role("link", name="Enregistrez une carte ou un mandat SEPA").click()
    journey.fill_card()
    journey.shot("card")
    page.get_by_role("button", name="Enregistrer la carte").click()
    page.wait_for_url("**/pledge/")
    page.fill("input[name=amount]", "20")
    page.check("input[name=method][value=card]")
    page.locator("select[name=saved_method]").select_option(index=1)
    page.get_by_role("button", name="Promettre").click()
    page.wait_for_load_state()
    pledge = Pledge.objects.get(membership__organisation=association)
    assert (pledge.amount.amount, pledge.method) == (20, "card")
    page.goto("/fr/pools/fonds-commun-normand/")
    assert "Association du Bocage numérique" in page.locator("main").inner_text()
    journey.shot("promise-on-the-pool-page")


def test_a_member_gives_through_checkout_with_the_policy_on(
    demo, journey, stripe_in_browser, live_server, settings
):
    """#20: the "Donner" button did nothing — the page's `form-action 'self'` blocked the
    redirect to Checkout (it would block Stripe's real Checkout too)."""
    from commons_fund.payments.models import Charge

    settings.SITE_URL = live_server.url  # Checkout sends the donor back here
    page = journey.page
    journey.log_in("dominique@demo.test")
    page.goto("/fr/organisations/normandie-libre/give/")
    page.fill("input[name=amount]", "25")
    page.get_by_role("button", name="Continuer vers le paiement").click()
    page.wait_for_url("**/_checkout/**")  # the stand-in's hosted page
    journey.shot("checkout")
    page.get_by_role("button", name="Pay").click()
    page.wait_for_url(f"{live_server.url}/**")
    gift = Charge.objects.filter(credit_purpose="donations").order_by("-pk").first()
    assert gift is not None and gift.amount == 2500 and gift.checkout_session


def test_on_a_phone_the_menu_folds_behind_a_button(demo, browser, live_server):
    """#22: at 390 px the menu filled the top of the screen; it now opens from a button
    (keyboard and Escape included); at 1280 px there is no button and the menu shows."""
    for width, folded in ((390, True), (1280, False)):
        context = browser.new_context(
            base_url=live_server.url, locale="fr-FR", viewport={"width": width, "height": 800}
        )
        tab = Journey(context.new_page(), f"menu-{width}")
        page = tab.page
        page.goto("/fr/")
        button = page.get_by_role("button", name="Menu", exact=True)
        pools = page.get_by_role("navigation", name="Menu principal").get_by_role(
            "link", name="Fonds communs"
        )
        assert button.is_visible() is folded
        assert pools.is_visible() is not folded
        if folded:
            tab.shot("folded")
            button.focus()
            page.keyboard.press("Enter")
            assert pools.is_visible() and button.get_attribute("aria-expanded") == "true"
            tab.shot("open")
            page.keyboard.press("Escape")
            assert not pools.is_visible() and button.get_attribute("aria-expanded") == "false"
            width_used = page.evaluate("document.documentElement.scrollWidth")
            assert width_used <= width  # nothing wider than the screen on the home page
        context.close()
        assert not tab.problems, tab.problems


def _lines(page) -> list[int]:
    """How many lines each menu of the header takes: an item starting below the bottom of
    the one before it starts a line."""
    return page.evaluate(
        """() => [...document.querySelectorAll('header nav')].map(nav => {
            let lines = 0, bottom = -1;
            for (const li of nav.querySelectorAll('li')) {
                const box = li.getBoundingClientRect();
                if (box.top >= bottom) { lines += 1; }
                bottom = Math.max(bottom, box.bottom);
            }
            return lines;
        })"""
    )


def test_at_1280_px_each_menu_holds_on_one_line(demo, browser, live_server):
    """#22: at 1280 px "Inscription" wrapped onto a second line of the menu, logged in or
    not."""
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 800}
    )
    tab = Journey(context.new_page(), "menu-lines")
    tab.page.goto("/fr/")
    assert _lines(tab.page) and all(lines == 1 for lines in _lines(tab.page)), _lines(tab.page)
    tab.log_in("lou@demo.test")
    tab.page.goto("/fr/")
    assert all(lines == 1 for lines in _lines(tab.page)), _lines(tab.page)
    context.close()
    assert not tab.problems, tab.problems
