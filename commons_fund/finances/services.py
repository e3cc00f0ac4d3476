"""Writes on yearly accounts: enter, correct, delete a year, import a CSV file, publish.

Every write is checked against the organisation's administrators and treasurers; the same
model validation (signs, shares, one row a year) holds whatever the way in.
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from commons_fund.members.models import Organisation
from commons_fund.models import save_validated

from .importing import CsvRefused, read_accounts_csv
from .models import FinancialYear
from .selectors import finances_editable

FIGURES = [
    "share_capital",
    "shares_count",
    "nominal_share_value",
    "equity",
    "retained_earnings",
    "operating_revenue",
    "operating_expenses",
    "operating_result",
    "net_result",
    "non_member_revenue",
    "non_member_cap",
    "active_accounts",
    "donations_made",
    "notes",
    "illustrative",
]


def _require_editor(*, organisation: Organisation, actor) -> None:
    if not finances_editable(organisation=organisation, user=actor):
        raise PermissionDenied


def _assign(accounts: FinancialYear, figures: dict) -> None:
    unknown = set(figures) - set(FIGURES)
    if unknown:
        raise ValueError(f"Not a figure of yearly accounts: {sorted(unknown)}")
    for name, value in figures.items():
        setattr(accounts, name, value)


@transaction.atomic
def financial_year_create(
    *, organisation: Organisation, actor, year: int, **figures
) -> FinancialYear:
    _require_editor(organisation=organisation, actor=actor)
    accounts = FinancialYear(organisation=organisation, year=year)
    _assign(accounts, figures)
    save_validated(accounts)
    return accounts


@transaction.atomic
def financial_year_update(*, accounts: FinancialYear, actor, **figures) -> FinancialYear:
    _require_editor(organisation=accounts.organisation, actor=actor)
    accounts = FinancialYear.objects.select_for_update().get(pk=accounts.pk)
    _assign(accounts, figures)
    save_validated(accounts)
    return accounts


@transaction.atomic
def financial_year_delete(*, accounts: FinancialYear, actor) -> None:
    _require_editor(organisation=accounts.organisation, actor=actor)
    accounts.delete()


@transaction.atomic
def finances_publish(*, organisation: Organisation, actor, publish: bool) -> Organisation:
    _require_editor(organisation=organisation, actor=actor)
    organisation = Organisation.objects.get(pk=organisation.pk)
    organisation.publish_finances = publish
    # save(), not update(): its signal expires the cached pages that showed them.
    organisation.save(update_fields=["publish_finances"])
    return organisation


def _named(errors: dict[str, list[str]]) -> list[str]:
    """Messages prefixed by the name of their column, as the person reads it."""
    named = []
    for name, messages in errors.items():
        label = (
            None
            if name == NON_FIELD_ERRORS
            else capfirst(FinancialYear._meta.get_field(name).verbose_name)
        )
        named += [
            _("%(column)s: %(message)s") % {"column": label, "message": m} if label else m
            for m in messages
        ]
    return named


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    # (line of the file, year when it could be read, messages)
    rejected: list[tuple[int, int | None, list[str]]] = field(default_factory=list)


def financial_years_import(
    *, organisation: Organisation, actor, data: bytes, replace: bool = False
) -> ImportReport:
    """Import a CSV file of yearly accounts: all its rows, or none of them.

    A year already entered is refused unless `replace`; a rejected row is reported with its
    line and what is wrong, and then nothing is saved. Raises ValidationError when the file
    as a whole cannot be read."""
    _require_editor(organisation=organisation, actor=actor)
    try:
        rows = read_accounts_csv(data)
    except CsvRefused as error:
        raise ValidationError({"file": str(error)}) from error
    if not rows:
        raise ValidationError({"file": _("The file has no row of accounts.")})
    report = ImportReport()
    existing = {a.year: a for a in FinancialYear.objects.filter(organisation=organisation)}
    seen, ready = set(), []
    for row in rows:
        year = row.values.get("year")
        messages = _named(row.errors)
        if year is not None and year in seen:
            messages.append(_("The file gives %(year)s twice.") % {"year": year})
        seen.add(year)
        accounts = existing.get(year) if replace else None
        if accounts is None and year in existing:
            messages.append(
                _("%(year)s is already entered; tick “replace” to update it.") % {"year": year}
            )
        if NON_FIELD_ERRORS not in row.errors:
            # Check what could be read too, so one pass reports every problem of the row.
            accounts = accounts or FinancialYear(organisation=organisation, year=year)
            _assign(accounts, {name: value for name, value in row.values.items() if name != "year"})
            try:
                accounts.full_clean(
                    exclude=list(row.errors),
                    validate_unique=not messages,
                    validate_constraints=not messages,
                )
            except ValidationError as error:
                messages += _named(
                    {
                        name: errors
                        for name, errors in error.message_dict.items()
                        if name not in row.errors
                    }
                )
        if messages:
            report.rejected.append((row.line, year, messages))
        else:
            ready.append(accounts)
    if report.rejected:
        return report
    with transaction.atomic():
        for accounts in ready:
            (report.updated if accounts.pk else report.created).append(accounts.year)
            save_validated(accounts)
    return report
