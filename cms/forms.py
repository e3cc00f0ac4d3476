"""Forms of the site's own pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.selectors import parse_territory, territory_choices

from .actors import FlowKind


class ActorFilterForm(forms.Form):
    """The actors' page filters: a territory (national, a région, a département) and a kind
    of money."""

    territory = forms.ChoiceField(label=_("Territory"), required=False)
    kind = forms.ChoiceField(
        label=_("Money"), required=False, choices=[("", _("All")), *FlowKind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [("", _("All")), *territory_choices()]

    def clean_territory(self) -> tuple[str, str] | None:
        value = self.cleaned_data["territory"]
        return parse_territory(value) if value else None
