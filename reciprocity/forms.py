"""Forms of reciprocity pages: they read what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commons_fund.members.models import Organisation
from commons_fund.payments.forms import DATE_INPUT
from projects.models import Project

from .models import Period


class ContractForm(forms.Form):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None, empty_label=None)
    project = forms.ModelChoiceField(label=_("Commons"), queryset=Project.objects.none())
    rate = forms.CharField(
        label=_("Rate (%)"), max_length=10, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    base = forms.CharField(
        label=_("Revenue base"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In words: the revenue excluding VAT the rate applies to."),
    )
    floor = forms.CharField(
        label=_("Minimum per period"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    ceiling = forms.CharField(
        label=_("Maximum per period"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    period = forms.ChoiceField(
        label=_("Declaration period"), choices=Period.choices, initial=Period.QUARTERLY
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE_INPUT)
    language = forms.ChoiceField(
        label=_("Language of the contract"), choices=[("fr", "Français"), ("en", "English")]
    )
    show_amounts = forms.BooleanField(
        label=_("Show the amounts on the reciprocity wall"), required=False, initial=True
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners
        self.fields["project"].queryset = Project.objects.exclude(status="archived").order_by(
            "name"
        )

    def clean(self):
        data = super().clean()
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] <= data["starts_on"]:
            self.add_error("ends_on", _("The end comes after the start."))
        return data


class DeclarationForm(forms.Form):
    period_start = forms.TypedChoiceField(label=_("Period"), coerce=lambda value: value)
    revenue = forms.CharField(
        label=_("Revenue excluding VAT made with the commons"),
        max_length=30,
        help_text=_("Write 0 for a period without revenue."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {row.period_start.isoformat(): row.period_start for row in periods}
        self.fields["period_start"].choices = [
            (
                row.period_start.isoformat(),
                f"{row.period_start:%d/%m/%Y} – {row.period_end:%d/%m/%Y}",
            )
            for row in periods
        ]

    def clean_period_start(self):
        return self.periods[self.cleaned_data["period_start"]]


class CorrectionForm(forms.Form):
    revenue = forms.CharField(
        label=_("Corrected revenue excluding VAT"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("Pay by"), widget=forms.RadioSelect)
    saved_method = forms.ModelChoiceField(
        label=_("Card or SEPA mandate"), queryset=None, required=False
    )

    def __init__(self, *args, saved_methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saved_method"].queryset = saved_methods
        self.fields["method"].choices = [("transfer", _("Bank transfer"))] + (
            [("card", _("Saved card")), ("sepa_debit", _("SEPA mandate"))]
            if saved_methods.exists()
            else []
        )

    def clean(self):
        data = super().clean()
        saved = data.get("saved_method")
        if data.get("method") in ("card", "sepa_debit") and (
            saved is None or saved.kind != data["method"]
        ):
            self.add_error("saved_method", _("Choose a saved card or SEPA mandate."))
        return data


class PolicyForm(forms.Form):
    year = forms.IntegerField(label=_("Year of giving"), min_value=2000, max_value=2100)
    percent = forms.CharField(
        label=_("Share of the previous year's revenue (%)"),
        max_length=10,
        initial="1",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    base_revenue = forms.CharField(
        label=_("Previous year's revenue"),
        max_length=30,
        required=False,
        help_text=_("Leave empty to read it from the yearly accounts once they are entered."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Libre organisations"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Libre projects"),
        queryset=Project.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.exclude(
            pk=organisation.pk
        ).order_by("name")
        self.fields["projects"].queryset = Project.objects.exclude(status="archived").order_by(
            "name"
        )

    def beneficiaries(self) -> list:
        """Shared equally among the chosen organisations and projects."""
        return [
            (beneficiary, 1)
            for beneficiary in (*self.cleaned_data["organisations"], *self.cleaned_data["projects"])
        ]
