import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from commons_fund.members.validators import validate_plain_text, validate_siren, validate_siret

digits = st.text(alphabet="0123456789", min_size=8, max_size=8)


@given(digits)
def test_every_siren_with_its_luhn_digit_is_accepted_and_any_other_digit_refused(body):
    check = luhn.calc_check_digit(body)
    validate_siren(body + check)
    for wrong in set("0123456789") - {check}:
        with pytest.raises(ValidationError):
            validate_siren(body + wrong)


@pytest.mark.parametrize("value", ["55210055", "5521005540", "55210055A", ""])
def test_malformed_sirens_are_refused(value):
    with pytest.raises(ValidationError):
        validate_siren(value)


def test_siret():
    validate_siret("73282932000074")
    for value in ("73282932000075", "7328293200007", "abc"):
        with pytest.raises(ValidationError):
            validate_siret(value)


@pytest.mark.parametrize("value", ["<b>Coop</b>", "a > b", "tab\there", " "])
def test_names_refuse_markup_control_characters_and_blank(value):
    with pytest.raises(ValidationError):
        validate_plain_text(value)


@pytest.mark.parametrize("value", ["L'Île & Co — SCIC", "Coopérative « Données »", "Ça marche !"])
def test_names_accept_ordinary_french_punctuation(value):
    validate_plain_text(value)
