"""Emails of reciprocity: a template's first line is the subject, the rest the body."""

from babel.dates import format_date
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from commons_fund.members.models import Membership, Role


def reminder_send(*, missing) -> int:
    """Ask the partner's administrators and treasurers to declare a period's revenue."""
    contract = missing.contract
    emails = sorted(
        set(
            Membership.objects.filter(
                organisation=contract.partner, role__in=[Role.ADMIN, Role.TREASURER]
            ).values_list("user__email", flat=True)
        )
    )
    if not emails:
        return 0
    locale = {"fr": "fr_FR", "en": "en_GB"}[contract.language]
    with translation.override(contract.language):
        text = render_to_string(
            "reciprocity/email/declaration_reminder.txt",
            {
                "contract": contract,
                "days_late": missing.days_late,
                "start": format_date(missing.period_start, format="long", locale=locale),
                "end": format_date(missing.period_end, format="long", locale=locale),
                "url": settings.SITE_URL
                + reverse("reciprocity:contract_detail", kwargs={"pk": contract.pk}),
            },
        )
    subject, _sep, body = text.partition("\n")
    return send_mail(" ".join(subject.split()), body.lstrip("\n"), None, emails)
