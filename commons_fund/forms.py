"""What every page form does with a service: run it on valid data, turn its refusal into
errors next to the fields it names, and answer 404 when the person may not act."""

import secrets
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class OneUseKeyForm(forms.Form):
    """A form that moves money or makes a debt: it carries a key made when it is shown, which
    the service records with what it writes (a unique column), so the same form sent twice
    (a double click, two tabs, a replay) acts once."""

    request_key = forms.CharField(
        widget=forms.HiddenInput,
        min_length=16,
        max_length=64,
        error_messages={"required": _("This form expired: open it again.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("request_key", secrets.token_hex(16))
        super().__init__(*args, **kwargs)


def form_add_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: next to the field it names when the form has
    that field, above the form otherwise (never a crash on a name the form lacks)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_apply(form: forms.BaseForm, action: Callable[[dict], object]) -> bool:
    """True when the form is valid and `action(cleaned_data)` went through; otherwise the
    form carries the errors and nothing was saved (services are atomic)."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        form_add_error(form, error)
        return False
    except PermissionDenied as error:
        raise Http404 from error
    return True


def flash_errors(request, errors: forms.BaseForm | ValidationError) -> None:
    """Each error of a form, or each message of a ValidationError, as an error message shown
    on the next page (for actions that redirect rather than show their form again)."""
    if isinstance(errors, ValidationError):
        texts = errors.messages
    else:
        texts = [message for field in errors.errors.values() for message in field]
    for text in texts:
        messages.error(request, text)
