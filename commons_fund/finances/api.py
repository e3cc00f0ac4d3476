"""JSON of a structure's finances: each year's accounts and its computed indicators.

Amounts are strings with two decimals (never floats); an indicator that does not apply is
null."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commons_fund.members.models import Organisation

from .models import AMOUNT_FIELDS
from .selectors import (
    Overview,
    YearFigures,
    finances_overview,
    finances_summary,
    finances_visible,
)

Amount = serializers.DecimalField
AMOUNT = {"max_digits": 14, "decimal_places": 2, "allow_null": True}


class HalfCapitalSerializer(serializers.Serializer):
    threshold = Amount(**AMOUNT)
    losses = Amount(**AMOUNT)
    gap = Amount(**AMOUNT)
    years_to_close = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    crossed = serializers.BooleanField()


class NonMembersSerializer(serializers.Serializer):
    percent = serializers.DecimalField(max_digits=6, decimal_places=2)
    cap = serializers.DecimalField(max_digits=5, decimal_places=2)
    within_cap = serializers.BooleanField()


class BreakEvenSerializer(serializers.Serializer):
    needed = serializers.IntegerField()
    current = serializers.IntegerField()
    gap = serializers.IntegerField()


class IndicatorsSerializer(serializers.Serializer):
    result = Amount(**AMOUNT, help_text="The net result, else the operating result.")
    share_value = Amount(**AMOUNT)
    runway_years = serializers.DecimalField(
        source="runway", max_digits=8, decimal_places=1, allow_null=True
    )
    half_capital = HalfCapitalSerializer(allow_null=True)
    non_members = NonMembersSerializer(allow_null=True)
    break_even = BreakEvenSerializer(allow_null=True)
    donation_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    donation_due = Amount(**AMOUNT)


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    accounts = serializers.SerializerMethodField()
    indicators = serializers.SerializerMethodField()

    def get_accounts(self, figures: YearFigures) -> dict:
        a = figures.accounts
        data = {
            name: None if a.amount_of(name) is None else f"{a.amount_of(name):.2f}"
            for name in AMOUNT_FIELDS
        }
        return {
            **data,
            "currency": a.equity.currency.code,
            "shares_count": a.shares_count,
            "non_member_cap": f"{a.non_member_cap:.2f}",
            "active_accounts": a.active_accounts,
            "illustrative": a.illustrative,
            "notes": a.notes,
        }

    def get_indicators(self, figures: YearFigures) -> dict:
        return IndicatorsSerializer(figures).data


class FinancesSerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.slug")
    summary = serializers.SerializerMethodField()
    years = YearSerializer(many=True)

    def get_summary(self, overview: Overview) -> list[str]:
        return finances_summary(overview=overview)


class OrganisationFinancesView(APIView):
    """`/api/v1/organisations/<slug>/finances/`: the organisation's yearly accounts and their
    indicators (404 when it shows them to its members only and the caller is not one)."""

    @extend_schema(responses=FinancesSerializer, operation_id="organisations_finances_retrieve")
    def get(self, request: Request, slug: str) -> Response:
        organisation = get_object_or_404(Organisation, slug=slug)
        if not finances_visible(organisation=organisation, user=request.user):
            raise Http404
        return Response(FinancesSerializer(finances_overview(organisation=organisation)).data)
