"""Money movements and state changes are logged with their ids, as text or JSON lines."""

import io
import json
import logging
import logging.config
from datetime import date

import pytest

from commons_fund.logs import log_event, logging_config
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from commons_fund.payments import services


def _records(caplog, event: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "event", None) == event]


def test_an_event_reads_as_text_and_as_one_json_object_per_line():
    stream = io.StringIO()
    config = logging_config(log_format="json", level="INFO")
    config["handlers"]["console"]["stream"] = "ext://sys.stderr"
    logging.config.dictConfig(config)
    try:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.getLogger().handlers[0].formatter)
        logger = logging.getLogger("commons_fund.tests.json")
        logger.addHandler(handler)
        log_event(logger, "charge.succeeded", charge=12, amount=2000)
        logger.removeHandler(handler)
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)
    line = json.loads(stream.getvalue().strip())
    assert line["message"] == "charge.succeeded charge=12 amount=2000"
    assert (line["event"], line["charge"], line["amount"]) == ("charge.succeeded", 12, 2000)
    assert (line["level"], line["logger"]) == ("INFO", "commons_fund.tests.json")


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logging_config(log_format="xml", level="INFO")


@pytest.mark.django_db
def test_a_transfer_received_is_logged_with_its_ids(caplog):
    books = OrganisationFactory()
    treasurer = MembershipFactory(organisation=books, role=Role.TREASURER).user
    charge = services.charge_create(
        payer=OrganisationFactory(),
        books=books,
        amount="100",
        method="transfer",
        credit_purpose="contributions",
        description="Cotisation 2026",
    )
    caplog.set_level(logging.INFO)
    receipt = services.transfer_record_receipt(
        charge=charge, amount="100", received_on=date(2026, 11, 2), actor=treasurer
    )
    [received] = _records(caplog, "transfer.received")
    assert (received.charge, received.receipt, received.amount) == (charge.pk, receipt.pk, 10000)
    assert received.levelno == logging.INFO
    [posted] = _records(caplog, "ledger.posted")
    assert posted.key == f"receipt-{receipt.pk}" and posted.debits == 10000
