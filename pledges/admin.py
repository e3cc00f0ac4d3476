"""Staff look at pools and rounds here; every change goes through the pages and services
(which check who acts and keep the ledger). Ballots and the roll of voters are not shown."""

from django.contrib import admin

from commons_fund.readonly_admin import ReadOnlyAdmin

from .models import Instalment, Pledge, Pool, Round


@admin.register(Pool)
class PoolAdmin(ReadOnlyAdmin):
    list_display = ["name", "host", "round_kind", "voting_method", "membership_policy"]
    list_filter = ["round_kind", "voting_method", "membership_policy"]
    search_fields = ["name", "slug", "host__name"]
    list_select_related = ["host"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["pool", "number", "state", "voting_opens_at", "voting_closes_at", "electorate"]
    list_filter = ["state", "kind"]
    search_fields = ["pool__name"]
    list_select_related = ["pool"]


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ["id", "membership", "amount", "method", "status", "created_at"]
    list_filter = ["status", "method"]
    search_fields = ["membership__pool__name", "membership__user__email"]
    list_select_related = ["membership__pool", "membership__user", "membership__organisation"]


@admin.register(Instalment)
class CollectionAdmin(ReadOnlyAdmin):
    list_display = ["id", "round", "pledge", "amount", "status", "attempts", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["round__pool", "pledge__membership__user"]
