"""The books of an organisation, for its administrators and treasurers: balances and exports.

Anyone else gets 404, so the page does not reveal that the books exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from commons_fund.members.models import Organisation, Role
from commons_fund.members.selectors import organisation_has_role

from . import exports, selectors


def _books_organisation(request: HttpRequest, slug: str) -> Organisation:
    organisation = get_object_or_404(Organisation, slug=slug)
    if not organisation_has_role(
        organisation=organisation, user=request.user, roles=(Role.ADMIN, Role.TREASURER)
    ):
        raise Http404
    return organisation


@login_required
def books(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _books_organisation(request, slug)
    rows = selectors.organisation_balance_rows(organisation=organisation)
    this_year = timezone.localdate().year
    return render(
        request,
        "ledger/books.html",
        {
            "organisation": organisation,
            "rows": rows,
            "centres": selectors.centre_balance_rows(organisation=organisation),
            "years": range(this_year, this_year - 5, -1),
        },
    )


@login_required
def fec_download(request: HttpRequest, slug: str, year: int) -> StreamingHttpResponse:
    """The FEC, streamed as it is read: a big host's year never sits in memory."""
    organisation = _books_organisation(request, slug)
    response = StreamingHttpResponse(
        exports.fec_chunks(organisation=organisation, year=year),
        content_type=f"text/plain; charset={exports.FEC_ENCODING}",
    )
    filename = exports.fec_filename(organisation=organisation, year=year)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def csv_download(request: HttpRequest, slug: str, year: int) -> StreamingHttpResponse:
    organisation = _books_organisation(request, slug)
    response = StreamingHttpResponse(
        exports.csv_chunks(organisation=organisation, year=year),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{organisation.slug}-ledger-{year}.csv"'
    )
    return response
