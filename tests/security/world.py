"""The demo data, plus a person for each role the permission matrix asks about, and the
keyword arguments that reach a real object behind each URL."""

from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command

from commons_fund.finances.models import FinancialYear
from commons_fund.members import services as members
from commons_fund.members.mailing import unsubscribe_token
from commons_fund.members.models import EmailTopic, Membership, Organisation, Role, User
from commons_fund.members.selectors import invitation_token
from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments.models import (
    Charge,
    Customer,
    PayoutBatch,
    SavedPaymentMethod,
    TaxReceipt,
)
from pledges import services as pledges
from pledges.models import Instalment, Pledge, Pool, Round
from projects.models import FundingSource, Project
from reciprocity.models import ReciprocityContract

ROLES = [
    "anonymous",
    "plain",
    "pool_member",
    "org_member",
    "treasurer",
    "admin",
    "partner",
    "staff",
]


@dataclass
class World:
    users: dict
    kwargs: dict


def _coop_mandate(coop):
    """A SEPA mandate of the cooperative, recorded as Stripe would have saved it."""
    customer, _created = Customer.objects.get_or_create(
        organisation=coop, defaults={"stripe_id": "cus_world"}
    )
    return SavedPaymentMethod.objects.create(
        customer=customer, stripe_id="pm_world", kind="sepa_debit", label="SEPA FR •••• 2606"
    )


def build_world() -> World:
    """Normandie Libre is the organisation under test: it hosts the pool, the Normandy
    bundle, keeps books and accounts. The partner is Data Patch, whose contract with Dokos
    is signed."""
    call_command("seed_demo", stdout=StringIO())
    coop = Organisation.objects.get(slug="normandie-libre")
    pool = Pool.objects.get(slug="fonds-commun-normand")
    users = {
        "anonymous": None,
        "plain": UserFactory(email="plain@example.org"),
        "pool_member": UserFactory(email="pool-member@example.org"),
        "org_member": UserFactory(email="org-member@example.org"),
        "treasurer": UserFactory(email="treasurer@example.org"),
        "admin": User.objects.get(email="dominique@demo.test"),
        "partner": User.objects.get(email="alex@demo.test"),
        "staff": UserFactory(email="staff@example.org", is_staff=True),
    }
    pledges.pool_join(pool=pool, actor=users["pool_member"])
    Membership.objects.create(organisation=coop, user=users["org_member"], role=Role.MEMBER)
    Membership.objects.create(organisation=coop, user=users["treasurer"], role=Role.TREASURER)
    invitation = members.invitation_create(
        organisation=coop, inviter=users["admin"], email="guest@example.org", role=Role.MEMBER
    )
    FinancialYear.objects.create(
        organisation=coop,
        year=2025,
        equity=1000,
        retained_earnings=0,
        operating_revenue=5000,
        operating_expenses=4000,
        operating_result=1000,
    )
    project = Project.objects.get(slug="bouquet-normand")
    closed = Round.objects.filter(pool=pool, state="closed").order_by("number").first()
    instalment = Instalment.objects.filter(round=closed).order_by("pk").first()
    contract = ReciprocityContract.objects.get(partner__slug="data-patch")
    pledge = Pledge.objects.get(membership__pool=pool, membership__user=users["admin"])
    step = project.steps.order_by("position").first()
    kwargs = {
        "slug": coop.slug,
        "project": project.slug,
        "pool": pool.slug,
        "step": step.position,
        "line": step.budget_lines.order_by("pk").first().pk,
        "source": FundingSource.objects.filter(project=project).order_by("pk").first().pk,
        "round": closed.number,
        "round_pk": closed.pk,
        "collection": instalment.pk,
        "charge": Charge.objects.filter(books=coop).order_by("pk").first().pk,
        # paid by an organisation none of the people above keep the money of
        "paid_charge": Charge.objects.filter(books=coop, status="succeeded", user=None)
        .exclude(
            organisation__memberships__user__email__in=["dominique@demo.test", "alex@demo.test"]
        )
        .order_by("pk")
        .first()
        .pk,
        "batch": PayoutBatch.objects.filter(books=coop).order_by("pk").first().pk,
        "membership": Membership.objects.get(organisation=coop, user=users["org_member"]).pk,
        "invitation": invitation.pk,
        "token": invitation_token(invitation=invitation),
        "unsubscribe": unsubscribe_token(user=users["pool_member"], topic=EmailTopic.VOTES),
        "calendar_key": members.user_calendar_key_renew(user=users["pool_member"]).calendar_key,
        "contract": contract.pk,
        "declaration": contract.declarations.order_by("pk").first().pk,
        "pledge": pledge.pk,  # the administrator's own pledge in the pool
        "pool_membership": pool.memberships.get(user=users["pool_member"]).pk,
        "saved_method": _coop_mandate(coop).pk,
        "tax_receipt": TaxReceipt.objects.create(
            organisation=coop,
            year=2025,
            number=1,
            donor_user=users["pool_member"],
            amount=1000,
            pdf=b"%PDF-1.4",
            sha256="0" * 64,
        ).pk,
    }
    return World(users, kwargs)
