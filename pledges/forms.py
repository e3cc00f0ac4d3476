"""Forms of pool pages: they read what was typed; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from commons_fund.money import minor_units
from commons_fund.payments.forms import AmountField
from commons_fund.payments.models import SavedPaymentMethod
from projects.models import Project

from .models import POOL_RULES, Pool, PoolMembership


class PoolRulesForm(forms.ModelForm):
    """A pool's name and rules, as its host's administrators set them (the services check
    them again, with the model's rules)."""

    minimum_pot = AmountField(
        label=_("Minimum pot"),
        allow_zero=True,
        initial="0",
        help_text=_("Below it, promises are voided and nothing is charged."),
    )
    matching_pool = AmountField(
        label=_("Matching pool per round"),
        allow_zero=True,
        required=False,
        initial="0",
        help_text=Pool._meta.get_field("matching_pool").help_text,
    )

    class Meta:
        model = Pool
        fields = list(POOL_RULES)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, funders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matching_funder"].queryset = funders
        self.fields["matching_funder"].empty_label = _("The hosting structure")
        if self.instance.pk:
            self.initial["minimum_pot"] = self.instance.minimum_pot.amount
            self.initial["matching_pool"] = self.instance.matching_pool.amount

    def clean_matching_pool(self) -> Decimal:
        return self.cleaned_data.get("matching_pool") or Decimal(0)

    def _post_clean(self):
        """The services validate the pool (and say which field is wrong)."""


class PoolCreateForm(PoolRulesForm):
    host = forms.ModelChoiceField(label=_("Hosted by"), queryset=None, empty_label=None)

    class Meta(PoolRulesForm.Meta):
        fields = ["host", *PoolRulesForm.Meta.fields]

    def __init__(self, *args, hosts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = hosts
        self.order_fields(["host"])


class CollegeForm(forms.Form):
    name = forms.CharField(label=_("College"), max_length=80)
    weight_percent = forms.IntegerField(
        label=_("Weight (%)"),
        min_value=1,
        max_value=100,
        help_text=_("The colleges' weights add up to 100 %."),
    )


class PoolCommonsForm(forms.Form):
    """A commons to add to the pool's list, by its address (slug) or its exact name."""

    commons = forms.CharField(
        label=_("Commons"),
        max_length=200,
        help_text=_("Its address (as in /commons/<address>/) or its exact name."),
    )

    def clean_commons(self) -> Project:
        given = self.cleaned_data["commons"].strip()
        project = (
            Project.objects.filter(slug=given.lower()).first()
            or Project.objects.filter(name__iexact=given).order_by("pk").first()
        )
        if project is None:
            raise forms.ValidationError(_("No commons has this address or name."))
        return project


class JoinForm(forms.Form):
    """Join as oneself, or for one of the organisations one administers."""

    member = forms.ChoiceField(label=_("Join as"))
    college = forms.ModelChoiceField(label=_("College"), queryset=None, required=False)

    def __init__(self, *args, user, organisations, colleges, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        self.fields["member"].choices = [("me", user.display_name)] + [
            (pk, organisation.name) for pk, organisation in self.organisations.items()
        ]
        self.fields["college"].queryset = colleges
        if not colleges.exists():
            del self.fields["college"]

    def clean_member(self):
        value = self.cleaned_data["member"]
        return None if value == "me" else self.organisations[value]


class PledgeForm(forms.Form):
    membership = forms.ModelChoiceField(label=_("Member"), queryset=None, empty_label=None)
    amount = AmountField(label=_("Amount per round"), help_text=_("For example 20 or 12,50."))
    method = forms.ChoiceField(label=_("Payment method"), widget=forms.RadioSelect)
    saved_method = forms.ModelChoiceField(
        label=_("Saved card or SEPA mandate"),
        queryset=SavedPaymentMethod.objects.none(),
        required=False,
        empty_label=_("None (bank transfer)"),
    )
    rounds_total = forms.IntegerField(
        label=_("Number of rounds"),
        min_value=1,
        max_value=120,
        required=False,
        help_text=_("Empty: until cancelled."),
    )

    def __init__(self, *args, memberships, methods, saved_methods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = memberships
        self.fields["method"].choices = methods
        self.fields["saved_method"].queryset = saved_methods


class PledgeChangeForm(forms.Form):
    amount = AmountField(label=_("New amount per round"))


class PledgeStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("active", _("Resume")), ("paused", _("Pause")), ("cancelled", _("Cancel"))]
    )


# Up to this many nominable commons, a list to choose from; beyond, a field to type in
# (with suggestions from `pledges:round_nominable` as one types): a page never lists them all.
NOMINABLE_LISTED = 50


class NominationForm(forms.Form):
    """The commons to nominate: chosen from a list when there are few, typed (its name or
    its address) when there are many."""

    project = forms.ModelChoiceField(label=_("Commons"), queryset=Project.objects.none())

    def __init__(self, *args, projects, search_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.projects = projects
        if search_url and projects[: NOMINABLE_LISTED + 1].count() > NOMINABLE_LISTED:
            self.fields["project"] = forms.CharField(
                label=_("Commons"),
                max_length=200,
                help_text=_("Type its name or its address (as in /commons/<address>/)."),
                widget=forms.TextInput(
                    attrs={
                        "list": "nominable-commons",
                        "autocomplete": "off",
                        "data-search-url": search_url,
                    }
                ),
            )
        else:
            self.fields["project"].queryset = projects

    def clean_project(self) -> Project:
        value = self.cleaned_data["project"]
        if isinstance(value, Project):
            return value
        given = value.strip()
        project = (
            self.projects.filter(slug=given.lower()).first()
            or self.projects.filter(name__iexact=given).order_by("pk").first()
        )
        if project is None:
            raise forms.ValidationError(_("No commons that may be nominated has this name."))
        return project


class ScheduleForm(forms.Form):
    nominations_open_at = forms.DateTimeField(
        label=_("Nominations open"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    voting_opens_at = forms.DateTimeField(
        label=_("Vote opens"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    voting_closes_at = forms.DateTimeField(
        label=_("Vote closes"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave the dates empty to follow the pool's rhythm."),
    )


class ExtendForm(forms.Form):
    voting_closes_at = forms.DateTimeField(
        label=_("New close of the vote"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class BallotForm(forms.Form):
    """One field per candidate; what a field holds depends on the round's method."""

    previous_receipt = forms.CharField(
        label=_("Receipt of your previous ballot"),
        max_length=20,
        required=False,
        help_text=_("Only to change a vote already cast."),
    )

    def __init__(
        self,
        *args,
        round_,
        candidacies,
        membership: PoolMembership | None = None,
        grades=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.candidacies = candidacies
        for candidacy in candidacies:
            name = f"c{candidacy.pk}"
            label = candidacy.project.name
            if round_.kind == "allocation":
                self.fields[name] = AmountField(label=label, required=False, allow_zero=True)
            elif round_.voting_method == "majority_judgment":
                self.fields[name] = forms.TypedChoiceField(
                    label=label,
                    coerce=int,
                    choices=list(enumerate(grades)),
                    widget=forms.RadioSelect,
                )
            elif round_.voting_method == "quadratic":
                self.fields[name] = forms.IntegerField(
                    label=label,
                    min_value=0,
                    max_value=1000,
                    required=False,
                    initial=0,
                    widget=forms.NumberInput(attrs={"data-quadratic": "1"}),
                )
            else:
                self.fields[name] = forms.BooleanField(label=label, required=False)

    def marks(self) -> dict[int, int]:
        marks = {}
        for candidacy in self.candidacies:
            value = self.cleaned_data.get(f"c{candidacy.pk}")
            if value is None or value == "":
                continue
            if hasattr(value, "as_tuple"):  # an amount (allocation), in cents
                value = minor_units(value)
            marks[candidacy.pk] = int(value)
        return marks


class ReceiptSearchForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt"), max_length=20, required=False)
