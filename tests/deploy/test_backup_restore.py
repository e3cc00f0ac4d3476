"""scripts/backup and scripts/restore (#23): the database and the media into a folder, then
into an empty database and media folder, the books checked sound on arrival; a folder
whose sums do not match restores nothing."""

import os
import subprocess
import uuid
from urllib.parse import urlparse

import psycopg
import pytest
from django.db import connection

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.members.tests.factories import OrganisationFactory
from tests.helpers import ROOT, database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL"),
]


def _server(url: str) -> str:
    """The same server's maintenance database, to create and drop others."""
    return urlparse(url)._replace(path="/postgres").geturl()


@pytest.fixture
def empty_database():
    url = urlparse(database_url())
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_server(database_url()), autocommit=True) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(_server(database_url()), autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(script: str, folder, *, database: str, media) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "scripts" / script), str(folder)],
        env={**os.environ, "DATABASE_URL": database, "MEDIA_ROOT": str(media)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _books(url: str) -> list[tuple]:
    with psycopg.connect(url) as database:
        return database.execute(
            "SELECT account_id, pending, posted FROM ledger_accountbalance ORDER BY account_id"
        ).fetchall()


def test_a_backup_restores_into_an_empty_database_with_sound_books(tmp_path, empty_database):
    organisation = OrganisationFactory()
    bank = account_get_or_create(purpose="bank", organisation=organisation)
    gifts = account_get_or_create(purpose="donations", organisation=organisation)
    for number in range(3):
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key=f"gift-{number}",
            entries=[debit(bank, 1000 + number), credit(gifts, 1000 + number)],
        )
    media = tmp_path / "media"
    (media / "logos").mkdir(parents=True)
    (media / "logos" / "coop.svg").write_text("<svg/>")

    backed = _run("backup", tmp_path / "backup", database=database_url(), media=media)
    assert backed.returncode == 0, backed.stderr
    restored = _run(
        "restore", tmp_path / "backup", database=empty_database, media=tmp_path / "restored"
    )

    assert restored.returncode == 0, restored.stderr
    assert "The ledger is sound" in restored.stdout
    assert (tmp_path / "restored" / "logos" / "coop.svg").read_text() == "<svg/>"
    assert _books(empty_database) == _books(database_url())
    assert (bank.pk, 0, 3003) in _books(empty_database)


def test_a_backup_whose_sums_do_not_match_restores_nothing(tmp_path, empty_database):
    backed = _run("backup", tmp_path / "backup", database=database_url(), media=tmp_path / "none")
    assert backed.returncode == 0, backed.stderr
    dump = tmp_path / "backup" / "database.dump"
    dump.write_bytes(dump.read_bytes()[:-10] + b"0123456789")

    restored = _run(
        "restore", tmp_path / "backup", database=empty_database, media=tmp_path / "restored"
    )

    assert restored.returncode != 0
    assert "database.dump: FAILED" in restored.stdout + restored.stderr
    with psycopg.connect(empty_database) as database:
        tables = database.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)
    assert not (tmp_path / "restored").exists()
