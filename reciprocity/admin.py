"""Staff look at reciprocity contracts and declarations here; the parties sign, declare and
pay on the site."""

from django.contrib import admin

from commons_fund.readonly_admin import ReadOnlyAdmin

from .models import ReciprocityContract, RevenueDeclaration


@admin.register(ReciprocityContract)
class ReciprocityContractAdmin(ReadOnlyAdmin):
    list_display = ["reference", "partner", "project", "rate", "period", "starts_on", "state"]
    list_filter = ["state", "period"]
    search_fields = ["reference", "partner__name", "project__name"]
    list_select_related = ["partner", "project"]
    exclude = ["signed_pdf"]


@admin.register(RevenueDeclaration)
class RevenueDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["contract", "period_start", "period_end", "revenue", "due", "status"]
    list_filter = ["status"]
    search_fields = ["contract__reference", "contract__partner__name"]
    list_select_related = ["contract__partner"]
