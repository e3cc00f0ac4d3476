import factory

from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from commons_fund.payments.models import BankAccount


class BankAccountFactory(factory.django.DjangoModelFactory):
    """An organisation's bank account, usable for payouts at once (as a first account is)."""

    class Meta:
        model = BankAccount

    organisation = factory.SubFactory(OrganisationFactory)
    holder_name = "Coopérative normande"
    iban = "FR7630006000011234567890189"
    bic = "AGRIFRPP"
    updated_by = factory.SubFactory(UserFactory)
