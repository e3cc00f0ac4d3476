"""Forms of the maintainers' pages. They only read what was typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commons_fund.forms import OneUseKeyForm
from commons_fund.members.models import Organisation, User
from commons_fund.members.territories import DEPARTMENT_CHOICES, REGION_CHOICES
from commons_fund.money import format_amount
from commons_fund.payments.forms import DATE_INPUT, AmountField

from .licences import FREE_LICENCES
from .models import LineKind, Project, SourceKind, Step

DECIMAL_INPUT = forms.TextInput(attrs={"inputmode": "decimal"})


class ProjectForm(forms.ModelForm):
    licence = forms.ChoiceField(
        label=_("Licence (SPDX)"),
        choices=[(code, code) for code in FREE_LICENCES],
        help_text=_("A free licence: the commons stays open to all."),
    )
    regions = forms.MultipleChoiceField(
        label=_("Regions"),
        choices=REGION_CHOICES,
        required=False,
        help_text=_("Leave régions and départements empty for a national commons."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    departments = forms.MultipleChoiceField(
        label=_("Départements"),
        choices=DEPARTMENT_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    repository_url = forms.URLField(
        label=_("Repository"), max_length=300, required=False, assume_scheme="https"
    )
    website_url = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )

    class Meta:
        model = Project
        fields = [
            "name",
            "slug",
            "summary",
            "description",
            "kind",
            "licence",
            "status",
            "repository_url",
            "website_url",
            "regions",
            "departments",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "summary": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, hosts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Used in the page address; leave empty to derive it from the name."
        )
        if hosts is not None:
            self.fields["host"] = forms.ModelChoiceField(
                label=_("Hosting structure"),
                queryset=hosts,
                help_text=_("The organisation that holds the money for this commons."),
            )

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"] or (self.instance.slug if self.instance.pk else "")


class StepForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    deliverables = forms.CharField(
        label=_("Deliverables"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    planned_start = forms.DateField(label=_("Planned start"), required=False, widget=DATE_INPUT)
    planned_end = forms.DateField(label=_("Planned end"), required=False, widget=DATE_INPUT)

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The end comes after the start."))
        return data


class StepStatusForm(forms.Form):
    status = forms.CharField(max_length=20)


class BudgetLineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=LineKind.choices)
    label = forms.CharField(label=_("Label"), max_length=200)
    hours = forms.CharField(label=_("Hours"), max_length=20, required=False, widget=DECIMAL_INPUT)
    hourly_rate = forms.CharField(
        label=_("Hourly rate (excl. VAT)"), max_length=20, required=False, widget=DECIMAL_INPUT
    )
    lump_sum = forms.CharField(
        label=_("or a lump sum (excl. VAT)"), max_length=30, required=False, widget=DECIMAL_INPUT
    )
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        initial=20,
    )
    required = forms.BooleanField(
        label=_("Required (part of the minimum)"), required=False, initial=True
    )


BudgetRevisionFormSet = forms.formset_factory(
    BudgetLineForm, extra=1, can_delete=True, min_num=1, validate_min=True
)


class FundingSourceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[choice for choice in SourceKind.choices if choice[0] != SourceKind.POOL_ROUND],
    )
    funder_name = forms.CharField(
        label=_("Funder"),
        max_length=120,
        help_text=_("For example ADEME, ANCT, a région, a cooperative."),
    )
    amount = AmountField(label=_("Amount"))
    step = forms.ModelChoiceField(
        label=_("Step"),
        queryset=Step.objects.none(),
        required=False,
        empty_label=_("The commons as a whole"),
    )
    applied_on = forms.DateField(label=_("Applied on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = project.steps.order_by("position")


class FundingDecisionForm(forms.Form):
    granted = forms.TypedChoiceField(
        label=_("Answer"),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("Granted")), ("no", _("Refused"))],
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE_INPUT)


class FundingReceiptForm(forms.Form):
    received_on = forms.DateField(label=_("Received on"), widget=DATE_INPUT)


class ContributionForm(OneUseKeyForm):
    contributor = forms.EmailField(
        label=_("Contributor's email"), help_text=_("The person must have an account here.")
    )
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("In their own name"),
    )
    step = forms.ModelChoiceField(
        label=_("Step"),
        queryset=Step.objects.none(),
        required=False,
        empty_label=_("The commons as a whole"),
    )
    day = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    hours = forms.CharField(label=_("Hours"), max_length=20, widget=DECIMAL_INPUT)
    rate = forms.CharField(label=_("Hourly rate"), max_length=20, widget=DECIMAL_INPUT)
    description = forms.CharField(label=_("What was done"), max_length=500)

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = project.steps.order_by("position")

    def clean_contributor(self) -> User:
        user = User.objects.filter(email__iexact=self.cleaned_data["contributor"]).first()
        if user is None:
            raise forms.ValidationError(_("Nobody has an account with this email address."))
        return user


class ContributorPaymentForm(OneUseKeyForm):
    contributor = forms.TypedChoiceField(label=_("Contributor"), coerce=int)
    amount = AmountField(label=_("Amount"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_INPUT)

    def __init__(self, *args, debts, **kwargs):
        super().__init__(*args, **kwargs)
        self.contributors = {row.contributor.pk: row.contributor for row in debts}
        self.fields["contributor"].choices = [
            (row.contributor.pk, f"{row.contributor.display_name} ({format_amount(row.debt)})")
            for row in debts
            if row.debt > 0
        ]

    def clean_contributor(self) -> User:
        return self.contributors[self.cleaned_data["contributor"]]
