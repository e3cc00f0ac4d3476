"""Emails of reciprocity: a template's first line is the subject, the rest the body."""

from django.conf import settings
from django.urls import reverse

from commons_fund.dates import long_date
from commons_fund.members.mailing import people_email
from commons_fund.members.selectors import money_keepers


def reminder_send(*, missing) -> int:
    """Ask the partner's administrators and treasurers to declare a period's revenue, each
    in their own language. Money they owe under a signed contract: it cannot be turned
    off."""
    contract = missing.contract
    people = money_keepers(organisation=contract.partner)

    def context() -> dict[str, object]:
        return {
            "contract": contract,
            "days_late": missing.days_late,
            "start": long_date(missing.period_start),
            "end": long_date(missing.period_end),
            "url": settings.SITE_URL
            + reverse("reciprocity:contract_detail", kwargs={"pk": contract.pk}),
        }

    return people_email(
        people=people, template="reciprocity/email/declaration_reminder.txt", context=context
    )
