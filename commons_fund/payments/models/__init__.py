"""Payments: Stripe customers and saved payment methods, charges (card, SEPA Direct Debit or
bank transfer), refunds, transfer receipts, monthly gifts, webhook events, payouts and tax
receipts — one module per kind, every name importable from `payments.models`."""

from .charges import (
    CREDIT_PURPOSES,
    FINAL_STATUSES,
    Charge,
    ChargeStatus,
    Refund,
    RefundStatus,
    TransferReceipt,
)
from .connect import StripeAccount
from .customers import (
    Customer,
    MethodKind,
    SavedPaymentMethod,
)
from .monthly_gifts import MonthlyGift, MonthlyGiftStatus
from .payouts import (
    BankAccount,
    BankAccountChange,
    Payout,
    PayoutBatch,
    PayoutStatus,
)
from .tax_receipts import (
    TAX_RECEIPT_LEGAL_FORMS,
    TaxReceipt,
    TaxReceiptBasis,
    TaxReceiptPolicy,
)
from .webhooks import (
    EventStatus,
    WebhookEvent,
)

__all__ = [
    "CREDIT_PURPOSES",
    "FINAL_STATUSES",
    "TAX_RECEIPT_LEGAL_FORMS",
    "BankAccount",
    "BankAccountChange",
    "Charge",
    "ChargeStatus",
    "Customer",
    "EventStatus",
    "MethodKind",
    "MonthlyGift",
    "MonthlyGiftStatus",
    "Payout",
    "PayoutBatch",
    "PayoutStatus",
    "Refund",
    "RefundStatus",
    "SavedPaymentMethod",
    "StripeAccount",
    "TaxReceipt",
    "TaxReceiptBasis",
    "TaxReceiptPolicy",
    "TransferReceipt",
    "WebhookEvent",
]
