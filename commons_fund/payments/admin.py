from django.contrib import admin

from commons_fund.readonly_admin import ReadOnlyAdmin

from .models import (
    BankAccount,
    BankAccountChange,
    Charge,
    MonthlyGift,
    Payout,
    PayoutBatch,
    WebhookEvent,
)


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = ["id", "description", "books", "amount", "method", "status", "created_at"]
    list_filter = ["status", "method"]
    search_fields = ["description", "transfer_reference", "stripe_payment_intent"]


@admin.register(MonthlyGift)
class MonthlyGiftAdmin(ReadOnlyAdmin):
    list_display = ["id", "user", "books", "amount", "status", "created_at", "cancelled_at"]
    list_filter = ["status"]
    search_fields = ["stripe_subscription"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["stripe_id", "type", "status", "deliveries", "received_at"]
    list_filter = ["status", "type"]
    search_fields = ["stripe_id"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "books", "beneficiary", "amount", "status", "created_at"]
    list_filter = ["status"]


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ReadOnlyAdmin):
    list_display = ["message_id", "books", "total", "execution_date", "paid_on"]
    exclude = ["xml"]


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "holder_name", "bic", "updated_at", "usable_from"]


@admin.register(BankAccountChange)
class BankAccountChangeAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "changed_at", "changed_by", "confirmed_by"]
    search_fields = ["organisation__name"]
