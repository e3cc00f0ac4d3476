import factory

from commons_fund.members.models import Organisation, Role, User
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.payments import services as payments
from commons_fund.payments import stripe_client
from commons_fund.payments.models import BankAccount, SavedPaymentMethod, StripeAccount
from tests.helpers import press_on_hosted_page


class BankAccountFactory(factory.django.DjangoModelFactory):
    """An organisation's bank account, usable for payouts at once (as a first account is)."""

    class Meta:
        model = BankAccount

    organisation = factory.SubFactory(OrganisationFactory)
    holder_name = "Coopérative normande"
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    updated_by = factory.SubFactory(UserFactory)


def connected_host(organisation: Organisation) -> StripeAccount:
    """Connect the host's own Stripe account at the stand-in, as its administrator would:
    the onboarding link, the stand-in's "Finish" button, then the account refreshed."""
    admin = MembershipFactory(organisation=organisation, role=Role.ADMIN).user
    link = payments.stripe_account_onboarding_link(
        organisation=organisation,
        actor=admin,
        return_url="http://testserver/back/",
        refresh_url="http://testserver/again/",
    )
    press_on_hosted_page(link, "Finish", "complete")
    account = payments.stripe_account_refresh(organisation=organisation)
    assert account is not None and account.charges_enabled
    return account


VISA = "4242424242424242"


def card_method(number: str = VISA, *, account: str = "") -> str:
    """What Stripe.js does in the browser: a card number made a PaymentMethod, on the Stripe
    account of the host being paid ("" for the platform's)."""
    params = {
        "type": "card",
        "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
    }
    options = {"stripe_account": account} if account else {}
    return stripe_client.client().v1.payment_methods.create(params=params, options=options).id


def saved_card(
    payer: Organisation | User, books: Organisation | None, number: str = VISA
) -> SavedPaymentMethod:
    """A card the payer saved to pay `books` (connected first when it is not yet)."""
    if books is not None and not StripeAccount.objects.filter(organisation=books).exists():
        connected_host(books)
    account = payments.payments_account(books=books)
    return payments.payment_method_save_card(
        payer=payer, books=books, stripe_payment_method=card_method(number, account=account)
    )


class StripeAccountFactory(factory.django.DjangoModelFactory):
    """A host's connected Stripe account, onboarded, for tests that call no Stripe (those
    that do use connected_host, which makes it at the stand-in)."""

    class Meta:
        model = StripeAccount

    organisation = factory.SubFactory(OrganisationFactory)
    stripe_id = factory.Sequence(lambda n: f"acct_test{n:06d}")
    charges_enabled = True
    details_submitted = True
    payouts_enabled = True
