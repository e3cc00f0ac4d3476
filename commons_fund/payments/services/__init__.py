"""Writes of payments, one module per flow. Stripe is never called inside a database
transaction that holds locks: the local row is written first, the call is made with an
idempotency key derived from it, and the answer is applied in a short transaction of its own.

Callers use `from commons_fund.payments import services` and the names below."""

from ..monthly_links import monthly_gift_of_token, monthly_gift_token, monthly_gift_url
from .charges import (
    KIND_OF_CREDIT,
    REFERENCE_ALPHABET,
    charge_action_email_send,
    charge_apply_intent,
    charge_create,
    charge_payers,
    charge_submit,
    charges_submit_pending,
)
from .connect import (
    payments_account,
    stripe_account_apply,
    stripe_account_create,
    stripe_account_onboarding_link,
    stripe_account_refresh,
)
from .customers import (
    card_setup_finish,
    card_setup_start,
    customer_for,
    iban_validate,
    payment_method_refresh,
    payment_method_remove,
    payment_method_save_card,
    payment_method_save_sepa,
)
from .gift_receipts import gift_receipt_email_send, gift_receipts_send_due
from .gifts import (
    GIFT_WAITING_HOURS,
    GIFTS_WAITING_MAX,
    charge_refresh,
    checkout_apply,
    gift_of_token,
    gift_start,
    gifts_expire,
)
from .monthly_gifts import (
    monthly_gift_cancel,
    monthly_gift_checkout_apply,
    monthly_gift_invoice_paid,
    monthly_gift_refresh,
    monthly_gift_start,
)
from .payouts import (
    bank_account_change_email_send,
    bank_account_confirm,
    bank_account_set,
    payout_batch_export,
    payout_batch_mark_paid,
    payout_create,
    payout_prepare,
)
from .refunds import (
    refund_create,
    refund_mark_succeeded,
    refunds_submit_pending,
)
from .tax_receipts import (
    GIFT_PURPOSES,
    tax_receipt_email_send,
    tax_receipt_policy_set,
    tax_receipts_issue,
    tax_receipts_issue_due,
)
from .transfers import (
    transfer_give_up,
    transfer_record_receipt,
)
from .webhooks import (
    PAYMENT_INTENT_EVENTS,
    webhook_handle,
    webhook_receive,
)

__all__ = [
    "GIFTS_WAITING_MAX",
    "GIFT_PURPOSES",
    "GIFT_WAITING_HOURS",
    "KIND_OF_CREDIT",
    "PAYMENT_INTENT_EVENTS",
    "REFERENCE_ALPHABET",
    "bank_account_change_email_send",
    "bank_account_confirm",
    "bank_account_set",
    "card_setup_finish",
    "card_setup_start",
    "charge_action_email_send",
    "charge_apply_intent",
    "charge_create",
    "charge_payers",
    "charge_refresh",
    "charge_submit",
    "charges_submit_pending",
    "checkout_apply",
    "customer_for",
    "gift_of_token",
    "gift_receipt_email_send",
    "gift_receipts_send_due",
    "gift_start",
    "gifts_expire",
    "iban_validate",
    "monthly_gift_cancel",
    "monthly_gift_checkout_apply",
    "monthly_gift_invoice_paid",
    "monthly_gift_of_token",
    "monthly_gift_refresh",
    "monthly_gift_start",
    "monthly_gift_token",
    "monthly_gift_url",
    "payment_method_refresh",
    "payment_method_remove",
    "payment_method_save_card",
    "payment_method_save_sepa",
    "payments_account",
    "payout_batch_export",
    "payout_batch_mark_paid",
    "payout_create",
    "payout_prepare",
    "refund_create",
    "refund_mark_succeeded",
    "refunds_submit_pending",
    "stripe_account_apply",
    "stripe_account_create",
    "stripe_account_onboarding_link",
    "stripe_account_refresh",
    "tax_receipt_email_send",
    "tax_receipt_policy_set",
    "tax_receipts_issue",
    "tax_receipts_issue_due",
    "transfer_give_up",
    "transfer_record_receipt",
    "webhook_handle",
    "webhook_receive",
]
