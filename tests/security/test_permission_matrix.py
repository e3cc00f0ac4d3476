"""Every URL of the project × every kind of person → the status the rules below expect.

The URLs are read from the URL conf: a view added without a rule here fails
`test_every_url_has_a_rule`. Statuses are read in this order of people:

    anonymous, plain user, pool member, organisation member, treasurer, administrator,
    partner (administrator of a partner under contract), staff

`ok` marks someone allowed to POST: the matrix does not send it (an empty form would
change things, which each app's own tests cover); everyone else's POST must be refused
and changes nothing. Logged-in people have a second factor and a fresh confirmation of
identity, so money pages answer on their rules rather than asking for them.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from commons_fund.members.tests.factories import money_login

from .targets import TARGETS
from .urls import project_url_names
from .world import ROLES, build_world

pytestmark = pytest.mark.django_db

PUBLIC = "200 200 200 200 200 200 200 200"
NOBODY = "404 404 404 404 404 404 404 404"
LOGGED_IN = "302 200 200 200 200 200 200 200"
API_LOGGED_IN = "403 200 200 200 200 200 200 200"
ORG_MONEY = "302 404 404 404 200 200 404 200"  # the organisation's treasurers and admins
ORG_MONEY_POST = "302 404 404 404 ok ok 404 ok"
ORG_ADMIN = "302 404 404 404 404 200 404 200"  # its administrators (and the maintainers)
ORG_ADMIN_POST = "302 404 404 404 404 ok 404 ok"
ORG_MEMBERS = "302 404 404 200 200 200 404 200"
PARTIES = "302 404 404 404 404 404 200 200"  # the contract's parties (here the partner)
PARTIES_POST = "302 404 404 404 404 404 ok ok"
PROJECT_WRITE_API = "403 403 403 403 403 ok 403 ok"
OWNER_POST = "302 404 404 404 404 ok 404 404"  # the pledge's owner only

RULES = {
    "healthz": PUBLIC,
    "metrics": NOBODY,  # Prometheus alone, with its token (commons_fund/tests/test_metrics.py)
    "stripe_webhook": "400 400 400 400 400 400 400 400",  # no valid signature
    "reciprocity_contract_pdf": "404 404 404 404 404 404 200 200",
    "api:api-root": PUBLIC,
    "api:schema": PUBLIC,
    "api:docs": PUBLIC,
    "api:organisation-list": PUBLIC,
    "api:organisation-detail": PUBLIC,
    "api:organisation-finances": PUBLIC,
    "api:project-list": PUBLIC,
    "api:project-detail": PUBLIC,
    "api:project-contributions": PROJECT_WRITE_API,
    "api:project-decision": PROJECT_WRITE_API,
    "api:project-lines": PROJECT_WRITE_API,
    "api:project-sources": PROJECT_WRITE_API,
    "api:project-steps": PROJECT_WRITE_API,
    "api:pool-list": PUBLIC,
    "api:pool-detail": PUBLIC,
    "api:round-list": PUBLIC,
    "api:round-detail": PUBLIC,
    "api:round-results": PUBLIC,
    "api:round-ballot": "403 400 400 400 400 400 400 400",  # the vote is closed, for all
    "api:round-candidacies": "403 400 400 400 400 400 400 400",  # nominations closed
    "api:pledge-list": API_LOGGED_IN,
    "api:pledge-detail": "403 404 404 404 404 ok 404 404",
    "api:reciprocity-contract-list": API_LOGGED_IN,
    "api:reciprocity-contract-detail": "403 404 404 404 404 404 200 200",
    "api:reciprocity-wall-list": PUBLIC,
    "api:reciprocity-policy-list": PUBLIC,
    "members:my_space": LOGGED_IN,
    "members:api_token": "302 ok ok ok ok ok ok ok",
    "members:email_preferences": LOGGED_IN,
    "members:postal_address": LOGGED_IN,
    "payments:my_payments": LOGGED_IN,
    "payments:payment_receipt": ORG_MONEY,  # the receiving organisation's (and its payer's)
    "payments:my_payment_method_remove": "302 404 404 404 404 404 404 404",  # its holder only
    "payments:payment_method_remove": ORG_MONEY_POST,
    "payments:tax_receipt_pdf": "302 404 200 404 200 200 404 200",  # its donor, its issuer
    "payments:tax_receipts": ORG_MONEY,
    "members:calendar_key_renew": "302 ok ok ok ok ok ok ok",
    "pledges:person_calendar": PUBLIC,  # whoever holds the secret address (a calendar app)
    "members:unsubscribe": PUBLIC,  # whoever holds the signed link (GET only asks)
    "members:organisation_list": PUBLIC,
    "members:organisation_create": LOGGED_IN,
    "members:organisation_detail": PUBLIC,
    "members:organisation_edit": ORG_ADMIN,
    "members:organisation_leave": "302 404 404 200 200 200 404 404",  # members, not staff
    "members:organisation_members": ORG_ADMIN,
    "members:membership_role": ORG_ADMIN_POST,
    "members:membership_remove": ORG_ADMIN_POST,
    "members:invitation_revoke": ORG_ADMIN_POST,
    "members:invitation": PUBLIC,  # whoever holds the signed link
    "ledger:books": ORG_MONEY,
    "ledger:fec": ORG_MONEY,
    "ledger:csv": ORG_MONEY,
    "robots_txt": PUBLIC,
    "sitemap": PUBLIC,
    "cms:feed_results": PUBLIC,
    "cms:feed_commons": PUBLIC,
    "cms:search": PUBLIC,
    "cms:actors": PUBLIC,
    "cms:feed_wall": PUBLIC,
    "finances:public": PUBLIC,
    "finances:manage": ORG_MONEY,
    "finances:year_create": ORG_MONEY,
    "finances:year_edit": ORG_MONEY,
    "finances:year_delete": ORG_MONEY_POST,
    "finances:import": ORG_MONEY,
    "finances:model_csv": ORG_MONEY,
    "finances:publish": ORG_MONEY_POST,
    "finances:rebate": ORG_MEMBERS,
    "payments:charge_confirm": "302 404 404 404 404 404 404 404",  # the paying member's
    "payments:give": PUBLIC,  # gifts without an account too
    "payments:gift_thanks": "404 404 404 404 404 404 404 404",  # a signed address only
    "payments:monthly_gift": "404 404 404 404 404 404 404 404",  # a signed address only
    "payments:treasury": ORG_MONEY,
    "payments:bank_account": ORG_MONEY,
    "payments:stripe_connect": ORG_ADMIN_POST,
    "payments:stripe_connect_onboarding": "302 404 404 404 404 302 404 302",  # to Stripe
    "payments:stripe_connect_return": "302 404 404 404 404 302 404 302",  # to the treasury
    "payments:bank_account_confirm": ORG_MONEY_POST,
    "payments:payment_methods": ORG_MONEY,
    "payments:charge_receipt": ORG_MONEY,
    "payments:charge_refund": ORG_MONEY,
    "payments:payouts_export": ORG_MONEY_POST,
    "payments:payout_batch_xml": ORG_MONEY,
    "payments:payout_batch_paid": ORG_MONEY_POST,
    "projects:project_list": PUBLIC,
    "projects:project_create": LOGGED_IN,
    "projects:project_detail": "301 301 301 301 301 301 301 301",  # to the commons' site page
    "projects:project_give": PUBLIC,  # gifts without an account too
    "projects:project_card": PUBLIC,  # images and frames for other sites
    "projects:project_embed": PUBLIC,
    "projects:project_manage": PUBLIC,
    "projects:project_edit": ORG_ADMIN,
    "projects:step_create": ORG_ADMIN,
    "projects:step_edit": ORG_ADMIN,
    "projects:step_status": ORG_ADMIN_POST,
    "projects:line_add": ORG_ADMIN_POST,
    "projects:line_remove": ORG_ADMIN_POST,
    "projects:step_revise": ORG_ADMIN,
    "projects:source_create": ORG_ADMIN,
    "projects:source_decide": ORG_ADMIN,
    "projects:source_receive": ORG_MONEY,
    "projects:contribution_create": ORG_ADMIN,
    "projects:contributor_payment": ORG_MONEY,
    "pledges:pool_list": PUBLIC,
    "pledges:pool_create": LOGGED_IN,  # the form, for the organisations one administers
    "pledges:pool_detail": PUBLIC,
    "pledges:pool_calendar": PUBLIC,
    "pledges:pool_edit": ORG_ADMIN,
    "pledges:college_add": ORG_ADMIN_POST,
    "pledges:pool_commons_add": ORG_ADMIN_POST,
    "pledges:pool_commons_remove": ORG_ADMIN_POST,
    "pledges:membership_approve": ORG_ADMIN_POST,
    "pledges:pool_join": "302 302 302 302 302 302 302 302",  # an empty form: told, sent back
    "pledges:pledge_create": "302 302 200 302 200 200 200 302",  # non-members: join first
    "pledges:payment_method_add": "302 404 200 404 200 200 200 404",  # who pays for a member
    "pledges:round_schedule": ORG_ADMIN_POST,
    "pledges:my_pledges": LOGGED_IN,
    "pledges:pledge_change": OWNER_POST,
    "pledges:pledge_method": OWNER_POST,
    "pledges:pledge_status": OWNER_POST,
    "pledges:round_detail": PUBLIC,
    "pledges:round_vote": "302 404 404 404 404 404 404 404",  # the vote is closed
    "pledges:round_receipts": PUBLIC,
    "pledges:round_nominate": "302 302 302 302 302 302 302 302",
    # Those who act for a member of the pool (treasurers of a member too), its administrators.
    "pledges:round_nominable": "302 404 200 404 200 200 200 200",
    "pledges:round_action": ORG_ADMIN_POST,
    "pledges:round_collections": ORG_MONEY,
    "pledges:collection_action": ORG_MONEY_POST,
    "reciprocity:wall": "301 301 301 301 301 301 301 301",  # to the wall's site page
    "reciprocity:contract_detail": PARTIES,
    "reciprocity:contract_accept": "302 404 404 404 404 404 ok 404",  # staff cannot sign
    "reciprocity:contract_create": LOGGED_IN,
    "reciprocity:contract_propose": PARTIES_POST,
    "reciprocity:contract_state": PARTIES_POST,
    "reciprocity:contract_terminate": PARTIES,  # the page that asks; its POST re-authenticates
    "reciprocity:declaration_create": PARTIES_POST,
    "reciprocity:declaration_correct": PARTIES_POST,
    "reciprocity:declaration_pay": PARTIES_POST,
    "reciprocity:organisation": ORG_MEMBERS,
    "reciprocity:reciprocity_badge": PUBLIC,  # badges for the partner's own site
    "reciprocity:one_percent_badge": PUBLIC,
    "reciprocity:policy_set": ORG_MONEY_POST,
    "reciprocity:certificate": ORG_MEMBERS,
}


def test_every_url_has_a_rule():
    names = project_url_names()
    assert names - set(RULES) == set(), "URLs without a permission rule"
    assert set(RULES) - names == set(), "rules for URLs that no longer exist"
    assert set(TARGETS) == set(RULES)


def _request(client, method, url):
    if method == "POST":
        return client.post(url, {})
    if method == "PATCH":
        return client.patch(url, {}, content_type="application/json")
    return client.get(url)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The world is built once per test process, in a transaction undone after this module;
    each person's test runs in a savepoint inside it, so nothing one does reaches another."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_kind_of_person_as_the_rules_say(world, role):
    """One test per kind of person (so that test workers share the matrix)."""
    column = ROLES.index(role)
    client = Client()  # one client (and one set of middleware) per person, logged in afresh
    wrong = []
    for name, rule in sorted(RULES.items()):
        method, kwargs = TARGETS[name]
        url = reverse(name, kwargs=kwargs(world.kwargs))
        expected = rule.split()[column]
        if expected == "ok":
            continue
        client.logout()
        if world.users[role] is not None:
            money_login(client, world.users[role])
        status = _request(client, method, url).status_code
        if status != int(expected):
            wrong.append(f"{method} {url} as {role}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)
