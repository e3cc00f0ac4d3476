"""Read-only views of the ledger for staff: postings only ever go through the services."""

from django.contrib import admin
from django.http import HttpRequest

from commons_fund.readonly_admin import ReadOnlyAdmin

from .models import Account, CostCentre, Entry, Transaction


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "purpose", "organisation", "centre", "currency", "type"]
    list_filter = ["purpose", "type", "currency"]
    search_fields = ["organisation__name", "code", "centre__name"]


@admin.register(CostCentre)
class CostCentreAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "organisation", "owner_type"]
    search_fields = ["organisation__name", "code", "name"]


class EntryInline(admin.TabularInline[Entry, Transaction]):
    model = Entry
    fields = ("account", "amount", "currency", "phase")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Transaction | None = None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "memo", "occurred_at", "is_sealed"]
    list_filter = ["kind"]
    search_fields = ["idempotency_key", "memo"]
    date_hierarchy = "occurred_at"
    inlines = [EntryInline]
