"""EPC QR codes, read back as a banking app would (zxing-cpp decodes the image)."""

import pytest

from commons_fund.payments.epc import epc_qr_png, epc_qr_svg
from commons_fund.payments.selectors import TransferInstructions
from tests.helpers import qr_code_lines


def _transfer(**changes) -> TransferInstructions:
    fields = {
        "amount": 25352,
        "currency": "EUR",
        "reference": "CF-E01J-TK3T",
        "beneficiary": "Coopérative normande",
        "iban": "FR76 3000 6000 0112 3456 7890 189",
        "bic": "AGRIFRPP",
        "account_known": True,
    }
    return TransferInstructions(**{**fields, **changes})


def test_a_banking_app_reads_the_beneficiary_the_amount_and_the_reference():
    lines = qr_code_lines(epc_qr_png(transfer=_transfer()))
    assert lines[:2] == ["BCD", "002"] and lines[3] == "SCT"  # EPC069-12 v2, a transfer
    assert lines[2] in ("1", "2")  # UTF-8 or Latin-1: segno picks the smaller
    assert lines[4:8] == [
        "AGRIFRPP",
        "Coopérative normande",
        "FR7630006000011234567890189",
        "EUR253.52",
    ]
    assert lines[-1] == "CF-E01J-TK3T"  # unstructured remittance: the treasurer's reference


def test_the_bic_is_optional_and_long_names_are_cut_to_the_standard():
    lines = qr_code_lines(epc_qr_png(transfer=_transfer(bic="", beneficiary="x" * 90)))
    assert lines[4] == "" and lines[5] == "x" * 70


def test_no_code_without_an_account_or_in_another_currency():
    for transfer in (_transfer(account_known=False, iban=""), _transfer(currency="CHF")):
        with pytest.raises(ValueError):
            epc_qr_png(transfer=transfer)


def test_the_page_gets_plain_svg():
    svg = epc_qr_svg(transfer=_transfer())
    assert svg.startswith("<svg") and "<title>" in svg and "<script" not in svg
    assert 'class="epc-qr"' in svg
