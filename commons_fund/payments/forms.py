from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commons_fund.forms import OneUseKeyForm
from commons_fund.members.models import Organisation
from commons_fund.money import parse_amount

from .models import Payout, TaxReceiptPolicy

# The browser's date picker reads and writes ISO dates, whatever the language.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class AmountField(forms.CharField):
    """An amount as people type it ("1 234,50 €"), cleaned to a Decimal."""

    def __init__(
        self, *, allow_zero: bool = False, allow_negative: bool = False, **kwargs: Any
    ) -> None:
        self.allow_zero, self.allow_negative = allow_zero, allow_negative
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Decimal | None:
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_amount(
                value, allow_zero=self.allow_zero, allow_negative=self.allow_negative
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class TransferReceiptForm(OneUseKeyForm):
    amount = AmountField(label=_("Amount received"))
    received_on = forms.DateField(
        label=_("Received on"), initial=timezone.localdate, widget=DATE_INPUT
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RefundForm(OneUseKeyForm):
    amount = AmountField(label=_("Amount to refund"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class BankAccountForm(forms.Form):
    holder_name = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(
        label=_("BIC"),
        max_length=15,
        required=False,
        help_text=_("Optional when it can be found from the IBAN."),
    )


class PayoutExportForm(forms.Form):
    payouts: forms.ModelMultipleChoiceField[Payout] = forms.ModelMultipleChoiceField(
        label=_("Payouts"), queryset=Payout.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    execution_date = forms.DateField(
        label=_("Execution date"), initial=timezone.localdate, widget=DATE_INPUT
    )

    def __init__(self, *args: Any, payouts: QuerySet[Payout], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payouts"].queryset = payouts  # type: ignore[attr-defined]


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), initial=timezone.localdate, widget=DATE_INPUT)


class GiftForm(forms.Form):
    amount = AmountField(label=_("Amount of the gift"), help_text=_("For example 20 or 12,50."))
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[("once", _("Once")), ("monthly", _("Every month, until I stop it"))],
        initial="once",
        required=False,  # not said: once
        widget=forms.RadioSelect,
    )

    def clean_frequency(self) -> str:
        return self.cleaned_data["frequency"] or "once"


class GuestGiftForm(GiftForm):
    """A gift without an account: who gives (the receipt and the tax receipt name them)."""

    email = forms.EmailField(label=_("Your email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)

    field_order = ["email", "first_name", "last_name", "amount", "frequency"]


class SepaMandateForm(forms.Form):
    holder_name = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    email = forms.EmailField(label=_("Email for debit notices"))
    accept = forms.BooleanField(
        label=_("I authorise the debits described above from this account."),
        error_messages={"required": _("The mandate must be accepted to save the account.")},
    )


class OrganisationMandateForm(SepaMandateForm):
    """A mandate an organisation gives a host that takes SEPA debits on its Stripe account."""

    creditor = forms.ModelChoiceField(label=_("Debits from"), queryset=Organisation.objects.none())

    field_order = ["creditor", "holder_name", "iban", "email", "accept"]

    def __init__(self, *args: Any, creditors: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["creditor"].queryset = creditors  # type: ignore[attr-defined]


class TaxReceiptPolicyForm(forms.ModelForm):  # type: ignore[type-arg]  # no runtime generics
    class Meta:
        model = TaxReceiptPolicy
        fields = ["basis", "reason", "purpose", "signatory_name", "signatory_title"]


class TaxReceiptsIssueForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000)
