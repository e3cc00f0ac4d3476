from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commons_fund.money import parse_amount
from commons_fund.payments.forms import AmountField

from .models import AMOUNT_FIELDS, DEFAULT_NON_MEMBER_CAP, FinancialYear

MAX_FILE_BYTES = 1_000_000
MAX_REBATE_LINES = 1000


def _amount(label, *, required=True, negative=False, help_text=""):
    return AmountField(
        label=label,
        required=required,
        allow_zero=True,
        allow_negative=negative,
        help_text=help_text,
    )


def _label(name: str):
    return FinancialYear._meta.get_field(name).verbose_name


class FinancialYearForm(forms.Form):
    """A year's accounts; amounts as people type them ("−97 991", "88 029,00 €")."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1900, max_value=2100)
    share_capital = _amount(
        _label("share_capital"),
        required=False,
        help_text=gettext_lazy("Leave empty without share capital."),
    )
    shares_count = forms.IntegerField(label=_label("shares_count"), min_value=0, required=False)
    nominal_share_value = _amount(_label("nominal_share_value"), required=False)
    equity = _amount(_label("equity"), negative=True)
    retained_earnings = _amount(
        _label("retained_earnings"),
        negative=True,
        help_text=gettext_lazy("Negative for losses carried forward."),
    )
    operating_revenue = _amount(_label("operating_revenue"))
    operating_expenses = _amount(_label("operating_expenses"))
    operating_result = _amount(
        _label("operating_result"), negative=True, help_text=gettext_lazy("Negative for a loss.")
    )
    net_result = _amount(
        _label("net_result"),
        required=False,
        negative=True,
        help_text=gettext_lazy("Negative for a loss; leave empty if not known."),
    )
    non_member_revenue = _amount(_label("non_member_revenue"), required=False)
    non_member_cap = forms.DecimalField(
        label=_label("non_member_cap"),
        min_value=Decimal("0.01"),
        max_value=100,
        decimal_places=2,
        localize=True,
        initial=DEFAULT_NON_MEMBER_CAP,
    )
    active_accounts = forms.IntegerField(
        label=_label("active_accounts"), min_value=0, required=False
    )
    donations_made = _amount(_label("donations_made"), required=False)
    notes = forms.CharField(
        label=_label("notes"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    illustrative = forms.BooleanField(label=_label("illustrative"), required=False)

    def __init__(self, *args, accounts: FinancialYear | None = None, **kwargs):
        if accounts is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: (value.amount if name in AMOUNT_FIELDS and value is not None else value)
                    for name in self.base_fields
                    if name != "year"
                    for value in [getattr(accounts, name)]
                },
            )
        super().__init__(*args, **kwargs)
        if accounts is not None:
            del self.fields["year"]  # a year's accounts are corrected, never moved

    def figures(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "year"}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("One row a year, as in the model file."),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the years already entered"), required=False
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is too large (1 MB at most)."))
        return file.read()


class RebateForm(forms.Form):
    """A co-operative rebate simulation: the part of the surplus given back, and the services
    billed to each member, one per line ("Name; 1 200")."""

    part = forms.DecimalField(
        label=gettext_lazy("Part of the surplus given back (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=50,
        localize=True,
    )
    lines = forms.CharField(
        label=gettext_lazy("Services billed to each member"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "One member per line: a name, a semicolon, the amount billed "
            "over the year (for example “Atelier du Bocage; 1 200”)."
        ),
    )

    def clean_lines(self) -> list[tuple[str, Decimal]]:
        billed = []
        lines = [line for line in self.cleaned_data["lines"].splitlines() if line.strip()]
        if len(lines) > MAX_REBATE_LINES:
            raise ValidationError(_("At most %(count)s members.") % {"count": MAX_REBATE_LINES})
        for number, line in enumerate(lines, start=1):
            name, separator, amount = line.rpartition(";")
            if not separator or not name.strip():
                raise ValidationError(
                    _("Line %(number)s: write a name, a semicolon and an amount.")
                    % {"number": number}
                )
            try:
                billed.append((name.strip(), parse_amount(amount, allow_zero=True)))
            except ValidationError as error:
                raise ValidationError(
                    _("Line %(number)s: %(error)s")
                    % {"number": number, "error": " ".join(error.messages)}
                ) from error
        return billed
