"""Staff look at the commons here; their maintainers change them on the site."""

from django.contrib import admin
from django.db import models

from commons_fund.readonly_admin import ReadOnlyAdmin

from .models import FundingSource, Project


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "host", "kind", "status", "updated_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "slug", "host__name"]
    list_select_related = ["host"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FundingSource)
class FundingSourceAdmin(ReadOnlyAdmin):
    list_display = ["id", "project", "kind", "funder_name", "amount", "status", "received_on"]
    list_filter = ["status", "kind"]
    search_fields = ["project__name", "funder_name"]
    list_select_related = ["project"]
