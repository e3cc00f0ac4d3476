from django.contrib import admin

from .models import FinancialYear


@admin.register(FinancialYear)
class FinancialYearAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "year",
        "operating_revenue",
        "operating_result",
        "equity",
        "illustrative",
    ]
    list_filter = ["illustrative", "year"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at", "updated_at"]
