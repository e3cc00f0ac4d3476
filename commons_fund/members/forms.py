from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import EmailTopic, Organisation, Role
from .services import organisation_default_slug
from .validators import compact_siren, compact_siret


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Language of my emails"),
        choices=settings.LANGUAGES,
        help_text=_("The site opens in it too when you log in."),
    )


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up, which answers a known email as it answers a new one, doing the same
    work for it too: the password given is hashed, as a new account's is, so that the time
    of the answer does not tell that the email has an account (about 1 s against 0.05 s).
    The person chooses the language of their emails (the page's, unless they change it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"] = _language_field()
        self.fields["language"].required = False  # left out: the page's language
        self.fields["language"].initial = get_language()

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

    def signup(self, request, user) -> None:
        page_language = get_language()
        if page_language not in dict(settings.LANGUAGES):
            page_language = settings.LANGUAGE_CODE
        user.language = self.cleaned_data.get("language") or page_language
        user.save(update_fields=["language"])


class PostalAddressForm(forms.Form):
    street_address = forms.CharField(label=_("Address"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=10, required=False)
    city = forms.CharField(label=_("City"), max_length=100, required=False)


class EmailPreferencesForm(forms.Form):
    language = _language_field()
    topics = forms.MultipleChoiceField(
        label=_("Emails I receive"),
        choices=EmailTopic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Emails about your money (a payment due, failed or to confirm, a bank account "
            "changed) and invitations are always sent."
        ),
    )


class OrganisationForm(forms.ModelForm):
    # Wider than the stored digits so that "552 100 554" can be typed with its spaces.
    siren = forms.CharField(
        label=_("SIREN"),
        max_length=20,
        required=False,
        help_text=Organisation._meta.get_field("siren").help_text,
    )
    siret = forms.CharField(
        label=_("SIRET"),
        max_length=24,
        required=False,
        help_text=Organisation._meta.get_field("siret").help_text,
    )
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https"
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "slug",
            "legal_form",
            "siren",
            "siret",
            "region",
            "department",
            "founded_year",
            "website",
            "street_address",
            "postal_code",
            "city",
            "representative_name",
            "representative_title",
            "description",
            "logo",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Used in the page address; leave empty to derive it from the name."
        )

    def clean_siren(self) -> str:
        return compact_siren(self.cleaned_data["siren"])

    def clean_siret(self) -> str:
        return compact_siret(self.cleaned_data["siret"])

    def clean_slug(self) -> str:
        return self.cleaned_data["slug"] or organisation_default_slug(
            self.cleaned_data.get("name", "")
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
