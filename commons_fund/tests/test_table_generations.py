"""The page cache drops the pages that read a table a write changed, and only those (#23)."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone, translation

from commons_fund import page_cache
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from commons_fund.table_generations import _written_tables, table_key
from pledges import services
from pledges.tests.factories import PoolFactory
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    page_cache._known_tables.clear()


@pytest.fixture
def commons_page():
    project = ProjectFactory(name="Bouquet normand", slug="bouquet-normand")
    with translation.override("fr"):
        return project.get_absolute_url()


def _tables_read() -> set[str]:
    return set().union(*page_cache._known_tables.values())


def _empty_write(table: str) -> None:
    """A write statement on a table, changing no row: raw SQL, as a migration or a bulk fix
    would send."""
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET id = id WHERE 1 = 0')


def test_a_write_to_a_table_the_page_did_not_read_keeps_it(client, commons_page):
    assert client.get(commons_page)["X-Page-Cache"] == "miss"
    read = _tables_read()
    assert "projects_project" in read and "pledges_ballot" not in read
    _empty_write("pledges_ballot")
    assert client.get(commons_page)["X-Page-Cache"] == "hit"
    _empty_write("projects_project")  # raw SQL is seen too
    assert client.get(commons_page)["X-Page-Cache"] == "miss"


def test_with_the_site_scope_any_write_drops_every_page(client, commons_page, settings):
    settings.PAGE_CACHE_SCOPE = "site"
    client.get(commons_page)
    _empty_write("pledges_ballot")
    assert client.get(commons_page)["X-Page-Cache"] == "miss"


def test_a_count_kept_by_a_trigger_is_fresh_on_the_pages_that_show_it(client):
    pool = PoolFactory(name="Fonds vif", quorum_percent=0)
    page = "/fr/pools/"
    assert client.get(page)["X-Page-Cache"] == "miss"
    assert "pledges_poolmembercount" in _tables_read()
    assert client.get(page)["X-Page-Cache"] == "hit"
    person = UserFactory()
    services.pool_join(pool=pool, actor=person)  # the trigger adds one to the count
    response = client.get(page)
    assert response["X-Page-Cache"] == "miss"


def test_a_log_in_keeps_the_pages_that_show_people():
    person = UserFactory()
    member = Client()
    member.force_login(person)
    member.get("/fr/my/")  # the first answer sets a cookie: the next ones have their key
    member.get("/fr/my/")
    assert member.get("/fr/my/")["X-Page-Cache"] == "hit"
    UserFactory._meta.model.objects.filter(pk=person.pk).update(last_login=timezone.now())
    assert member.get("/fr/my/")["X-Page-Cache"] == "hit"
    OrganisationFactory(name="Coopérative du lin")  # organisations: my space lists them
    assert member.get("/fr/my/")["X-Page-Cache"] == "miss"


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "pledges_ballot" ("round_id") VALUES (%s)', {"pledges_ballot"}),
        (
            'UPDATE "ledger_transaction" SET "is_sealed" = %s',
            {"ledger_transaction", "ledger_accountbalance"},
        ),
        (
            "DELETE FROM pledges_poolmembership WHERE id = 1",
            {"pledges_poolmembership", "pledges_poolmembercount"},
        ),
        ('UPDATE "members_user" SET "last_login" = %s WHERE "members_user"."id" = %s', set()),
        (
            'UPDATE "members_user" SET "last_login" = %s, "is_active" = %s WHERE "id" = %s',
            {"members_user"},
        ),
        ('DELETE FROM "django_session" WHERE "session_key" = %s', set()),
        ('SELECT "id" FROM "pledges_pool" FOR UPDATE', set()),
        ("CREATE INDEX pool_name ON pledges_pool (name)", {"*"}),
    ],
)
def test_the_tables_a_statement_writes(sql, tables):
    assert _written_tables(sql) == tables


def _generation_writes(monkeypatch) -> list[set[str]]:
    """The tables of each write of generations to the cache, from now on."""
    writes: list[set[str]] = []
    write = cache.set_many
    monkeypatch.setattr(
        cache,
        "set_many",
        lambda values, timeout: writes.append(set(values)) or write(values, timeout),
    )
    return writes


def test_the_tables_a_transaction_wrote_start_new_generations_in_one_cache_write(monkeypatch):
    writes = _generation_writes(monkeypatch)
    with transaction.atomic():
        _empty_write("pledges_ballot")
        _empty_write("ledger_transaction")  # and the balances its trigger keeps
        _empty_write("pledges_ballot")
    assert writes == [
        {
            table_key(table)
            for table in ("pledges_ballot", "ledger_transaction", "ledger_accountbalance")
        }
    ]


def test_a_savepoint_rolled_back_leaves_the_other_writes_to_expire(monkeypatch):
    writes = _generation_writes(monkeypatch)
    with transaction.atomic():
        _empty_write("pledges_ballot")
        with pytest.raises(RuntimeError), transaction.atomic():
            _empty_write("projects_project")
            raise RuntimeError("rolled back")
        _empty_write("pledges_pool")
    assert set().union(*writes) == {table_key("pledges_ballot"), table_key("pledges_pool")}
