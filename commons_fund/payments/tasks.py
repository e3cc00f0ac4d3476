"""Celery tasks of payments: thin, they take ids and call one service."""

from celery import shared_task

from . import services
from .models import BankAccountChange, Charge, TaxReceipt


@shared_task
def charge_send_action_email(charge_id: int) -> bool:
    charge = Charge.objects.select_related("user", "organisation").filter(pk=charge_id).first()
    if charge is None:
        return False
    return services.charge_action_email_send(charge=charge)


@shared_task
def charge_submit(charge_id: int) -> str:
    charge = Charge.objects.filter(pk=charge_id).first()
    if charge is None:
        return "missing"
    return services.charge_submit(charge=charge).status


@shared_task
def charges_submit_pending() -> int:
    return services.charges_submit_pending()


@shared_task
def gifts_expire() -> int:
    return services.gifts_expire()


@shared_task
def gift_receipt_email(charge_id: int) -> int:
    charge = Charge.objects.filter(pk=charge_id).first()
    return services.gift_receipt_email_send(charge=charge) if charge else 0


@shared_task
def gift_receipts_send_due() -> int:
    return services.gift_receipts_send_due()


@shared_task
def refunds_submit_pending() -> int:
    return services.refunds_submit_pending()


@shared_task
def bank_account_change_notify(change_id: int) -> int:
    change = BankAccountChange.objects.select_related("organisation", "changed_by").filter(
        pk=change_id
    )
    return services.bank_account_change_email_send(change=change.get()) if change else 0


@shared_task
def tax_receipts_issue_due() -> int:
    return services.tax_receipts_issue_due()


@shared_task
def tax_receipt_email(receipt_id: int) -> int:
    receipt = TaxReceipt.objects.filter(pk=receipt_id).first()
    return services.tax_receipt_email_send(receipt=receipt) if receipt else 0
