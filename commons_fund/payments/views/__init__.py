"""Payment pages, one module per audience: Stripe's webhook endpoint, the payers' pages
(confirm a payment, give, saved methods, my payments, receipts) and an organisation's
treasury (charges received, transfers, refunds, bank account, payouts, tax receipts). Each
answers 404 to whoever may not see it."""

from .connect import (
    stripe_connect,
    stripe_connect_onboarding,
    stripe_connect_return,
)
from .payers import (
    charge_confirm,
    gift_thanks,
    give,
    give_page,
    monthly_gift,
    my_payment_method_remove,
    my_payments,
    payment_receipt,
    tax_receipt_pdf,
)
from .treasury import (
    bank_account,
    bank_account_confirm,
    charge_record_receipt,
    charge_refund,
    payment_method_remove,
    payment_methods,
    payout_batch_paid,
    payout_batch_xml,
    payouts_export,
    tax_receipts,
    treasury,
)
from .webhooks import (
    stripe_webhook,
)

__all__ = [
    "bank_account",
    "bank_account_confirm",
    "charge_confirm",
    "charge_record_receipt",
    "charge_refund",
    "gift_thanks",
    "give",
    "give_page",
    "monthly_gift",
    "my_payment_method_remove",
    "my_payments",
    "payment_method_remove",
    "payment_methods",
    "payment_receipt",
    "payout_batch_paid",
    "payout_batch_xml",
    "payouts_export",
    "stripe_connect",
    "stripe_connect_onboarding",
    "stripe_connect_return",
    "stripe_webhook",
    "tax_receipt_pdf",
    "tax_receipts",
    "treasury",
]
