"""#20 in a real browser: a host connects its own Stripe account (the stand-in's onboarding),
a member then pays its pool by card, and the payment is made on the host's account."""

from datetime import timedelta

import pytest
from django.db import transaction

from commons_fund.members.models import Organisation, User
from commons_fund.payments import stripe_client
from commons_fund.payments.models import StripeAccount
from pledges import collecting, rounds
from pledges.models import InstalmentStatus, Pledge, Round, RoundState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_host_connects_its_stripe_account_and_its_pool_is_paid_on_it(
    demo, journey, stripe_in_browser, live_server
):
    host = Organisation.objects.get(slug="normandie-libre")
    StripeAccount.objects.filter(organisation=host).delete()  # not connected yet
    page = journey.page
    dominique = User.objects.get(email="dominique@demo.test")
    journey.log_in_with_totp(dominique)  # Normandie Libre's administrator

    page.goto("/fr/pools/fonds-commun-normand/")
    assert "Virement seulement pour l’instant" in page.locator("main").inner_text()
    page.goto("/fr/organisations/normandie-libre/treasury/")
    assert "Aucun compte Stripe connecté" in page.locator("main").inner_text()
    journey.shot("not-connected")
    page.get_by_role("button", name="Connecter un compte Stripe").click()
    journey.confirm_identity_if_asked()
    assert "terminez l’inscription" in page.locator("body").inner_text()
    page.get_by_role("link", name="Terminer la connexion sur Stripe").click()
    page.wait_for_url("**/_onboarding/**")  # Stripe's onboarding (the stand-in's)
    journey.shot("onboarding")
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url(f"{live_server.url}/fr/organisations/normandie-libre/treasury/")
    assert "Le compte Stripe est connecté" in page.locator("body").inner_text()
    account = StripeAccount.objects.get(organisation=host)
    assert account.charges_enabled and account.stripe_id in page.locator("main").inner_text()
    journey.shot("connected")

    # Dominique now pays her own promise by card, saved on the host's account.
    page.goto("/fr/pools/fonds-commun-normand/payment-method/")
    journey.fill_card()
    page.get_by_role("button", name="Enregistrer la carte").click()
    page.wait_for_url("**/pledge/")
    pledge = Pledge.objects.get(membership__user=dominique, membership__pool__host=host)
    page.goto("/fr/my/pledges/")
    page.locator(f"select#payment-{pledge.pk}").select_option(index=1)
    page.locator(f"form[action$='/my/pledges/{pledge.pk}/method/'] button").click()
    page.wait_for_load_state()
    pledge.refresh_from_db()
    assert pledge.method == "card"
    assert pledge.saved_method.customer.stripe_account == account.stripe_id

    # The round is counted and collected (what the beat and the worker do).
    round_ = Round.objects.get(pool=pledge.membership.pool, state=RoundState.VOTING)
    rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(minutes=1))
    with transaction.atomic():
        round_ = collecting.round_collect(round_=round_)
    instalment = round_.pot_instalments.get(pledge=pledge)
    instalment = collecting.collection_attempt(instalment=instalment)
    assert instalment.status == InstalmentStatus.SUCCEEDED
    # At Stripe (the stand-in): the PaymentIntent is on the host's account, none on ours.
    on_host = stripe_client.client().v1.payment_intents.list(
        params={"limit": 100}, options={"stripe_account": account.stripe_id}
    )
    assert [intent.id for intent in on_host.data] == [instalment.charge.stripe_payment_intent]
    assert on_host.data[0].amount == instalment.charge.amount
    assert stripe_client.client().v1.payment_intents.list(params={"limit": 100}).data == []
