"""The email that thanks a donor for a paid gift, its receipt attached."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commons_fund.jobs import queue
from commons_fund.members.mailing import people_email
from commons_fund.money import format_amount, from_minor_units

from ..models import Charge, ChargeStatus, MonthlyGift
from ..monthly_links import monthly_gift_url
from ..receipts import charge_receipt_pdf, receipt_number


def gift_receipt_email_send(*, charge: Charge) -> int:
    """Thank the donor of a paid gift, its receipt attached; for a month of a monthly gift,
    with the link that stops it. Once: a task delivered twice sends nothing more."""
    with transaction.atomic():
        charge = Charge.objects.select_for_update().get(pk=charge.pk)
        donor = charge.user
        if (
            charge.receipt_emailed_at is not None
            or charge.status != ChargeStatus.SUCCEEDED
            or charge.credit_purpose != "donations"
            or donor is None
        ):
            return 0
        monthly = charge.cause if isinstance(charge.cause, MonthlyGift) else None
        sent = people_email(
            people=[donor],
            template="payments/email/gift_receipt.txt",
            context={
                "charge": charge,
                "name": charge.books.name if charge.books else "Commons Fund",
                "amount": format_amount(
                    from_minor_units(charge.amount, charge.currency), charge.currency
                ),
                "stop_url": monthly_gift_url(monthly) if monthly else "",
            },
            attachments=[
                (
                    f"recu-{receipt_number(charge)}.pdf",
                    charge_receipt_pdf(charge=charge, language=donor.language),
                    "application/pdf",
                )
            ],
        )
        charge.receipt_emailed_at = timezone.now()
        charge.save(update_fields=["receipt_emailed_at"])
    return sent


def gift_receipts_send_due() -> int:
    """Celery beat, the safety net: queue again the receipts of gifts paid in the last two
    days whose email was not sent (the broker was down when they were paid)."""
    now = timezone.now()
    due = Charge.objects.filter(
        status=ChargeStatus.SUCCEEDED,
        credit_purpose="donations",
        user__isnull=False,
        receipt_emailed_at__isnull=True,
        paid_on__gte=timezone.localdate() - timedelta(days=2),
        updated_at__lte=now - timedelta(minutes=10),
    ).values_list("pk", flat=True)
    return sum(queue("commons_fund.payments.tasks.gift_receipt_email", pk) for pk in due)
