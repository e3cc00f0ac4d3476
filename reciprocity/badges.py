"""An organisation's badges for its own site: "Partenaire réciprocité" (up to date or
late, as on the wall) and "1 % pour le libre". An organisation that has not earned one
answers 404 for it."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from commons_fund.badges import badge_response
from commons_fund.members.models import Organisation

from . import selectors


@require_safe
def reciprocity_badge(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    up_to_date = selectors.partner_up_to_date(partner=organisation, today=timezone.localdate())
    if up_to_date is None:
        raise Http404
    return badge_response(
        label=_("Reciprocity partner"),
        value=_("up to date") if up_to_date else _("late"),
        tone="good" if up_to_date else "late",
    )


@require_safe
def one_percent_badge(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    year = selectors.one_percent_year(organisation=organisation, today=timezone.localdate())
    if year is None:
        raise Http404
    # xgettext:no-python-format
    return badge_response(label=_("1 % for the libre"), value=str(year))
