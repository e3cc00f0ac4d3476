from datetime import date
from types import SimpleNamespace

import pytest
import xmlschema

from commons_fund.payments import sepa

DEBTOR = SimpleNamespace(
    holder_name="Ouvaton SA coop", iban="FR1420041010050500013M02606", bic="PSSTFRPP"
)


def _payout(pk: int, amount: int, description: str) -> SimpleNamespace:
    account = SimpleNamespace(
        holder_name="Normandie Libre", iban="FR7630006000011234567890189", bic="AGRIFRPP"
    )
    beneficiary = SimpleNamespace(bank_account=account)
    return SimpleNamespace(pk=pk, amount=amount, description=description, beneficiary=beneficiary)


def test_a_file_is_checked_against_a_schema_parsed_once():
    sepa._schema.cache_clear()
    for pk in (1, 2):
        message_id, xml = sepa.credit_transfer_file(
            debtor=DEBTOR, payouts=[_payout(pk, 30000, "Pot")], execution_date=date(2027, 1, 4)
        )
        assert message_id in xml and f"CF-PAYOUT-{pk}" in xml
        assert "<CtrlSum>300.00</CtrlSum>" in xml
    assert sepa._schema.cache_info().misses == 1


def test_a_file_that_breaks_the_schema_is_refused():
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        sepa.credit_transfer_file(
            debtor=SimpleNamespace(holder_name="Ouvaton", iban="FR14", bic="NOTABIC"),
            payouts=[_payout(1, 30000, "Pot")],
            execution_date=date(2027, 1, 4),
        )
