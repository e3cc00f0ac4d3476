"""Demo pool (used by `seed_demo`): the "Fonds commun normand" hosted by Normandie Libre,
with 15 members (organisations and people) pledging by bank transfer, two closed rotation
rounds (ballots, results, transfers received, payouts paid), a round open for voting, and an
allocation round with a 1 000 € matching pool taking nominations.

It goes through the same services as real use; only the dates of past rounds are moved back
once their ballots are cast (a vote cannot be cast in the past). Nothing calls Stripe."""

from datetime import timedelta

from django.utils import timezone
from schwifty import IBAN

from commons_fund.members.models import Organisation, Role, User
from commons_fund.payments import services as payments
from commons_fund.payments.models import BankAccount, Payout
from projects.models import Project

from . import ballots, collecting, rounds, services
from .models import Instalment, Pool, Round

ORGANISATIONS = {
    "ouvaton": "40",
    "octopuce": "30",
    "framasoft": "50",
    "la-quadrature-du-net": "20",
    "debian-france": "20",
    "data-patch": "25",
    "movilab": "15",
    "dokos": "30",
    "normandie-libre": "20",
}
PEOPLE = {
    "camille@demo.test": "10",
    "alex@demo.test": "15",
    "sacha@demo.test": "10",
    "lou@demo.test": "5",
    "dominique@demo.test": "10",
    "admin@demo.test": "10",
}
# Past rounds: candidates (project slugs) and each voter's grades, in candidate order.
HISTORY = [
    (
        ["movilab", "dokos", "bouquet-normand"],
        [
            (6, 4, 3),
            (5, 5, 2),
            (6, 3, 4),
            (5, 4, 4),
            (4, 5, 3),
            (6, 2, 2),
            (5, 3, 5),
            (3, 5, 4),
            (6, 4, 3),
            (5, 4, 2),
            (4, 4, 4),
            (6, 5, 3),
        ],
    ),
    (
        ["dokos", "bouquet-normand", "communs-des-tiers-lieux"],
        [
            (5, 4, 3),
            (6, 3, 4),
            (5, 5, 2),
            (4, 3, 5),
            (6, 4, 4),
            (5, 2, 3),
            (5, 4, 4),
            (3, 3, 5),
            (6, 5, 3),
            (4, 4, 4),
            (5, 3, 2),
        ],
    ),
]
OPEN_ROUND = ["bouquet-normand", "communs-des-tiers-lieux", "cahier-activites-tiers-lieux"]
ALLOCATION_ROUND = [
    "communs-des-tiers-lieux",
    "cahier-activites-tiers-lieux",
    "data-patch-commun-de-donnees",
]
BANKS = {"movilab": "30004", "dokos": "10107"}


def _actor(membership) -> User:
    if membership.user_id:
        return membership.user
    return (
        membership.organisation.memberships.filter(role__in=[Role.ADMIN, Role.TREASURER])
        .order_by("role", "id")
        .first()
        .user
    )


def _members(pool: Pool) -> list:
    members = []
    for slug, amount in ORGANISATIONS.items():
        organisation = Organisation.objects.get(slug=slug)
        admin = organisation.memberships.filter(role=Role.ADMIN).order_by("id").first().user
        membership = services.pool_join(pool=pool, actor=admin, organisation=organisation)
        services.pledge_create(membership=membership, actor=admin, amount=amount, method="transfer")
        members.append(membership)
    for email, amount in PEOPLE.items():
        person = User.objects.get(email=email)
        membership = services.pool_join(pool=pool, actor=person)
        services.pledge_create(
            membership=membership, actor=person, amount=amount, method="transfer"
        )
        members.append(membership)
    return members


def _open(pool, actor, slugs, *, start_in_days=-7) -> Round:
    start = timezone.now() + timedelta(days=start_in_days)
    round_ = rounds.round_schedule(
        pool=pool,
        actor=actor,
        nominations_open_at=start,
        voting_opens_at=start + timedelta(days=6),
        voting_closes_at=start + timedelta(days=13),
    )
    for slug in slugs:
        rounds.candidacy_nominate(
            round_=round_, actor=actor, project=Project.objects.get(slug=slug)
        )
    return rounds.round_open_nominations(round_=round_)


def _bank_accounts() -> None:
    for slug, bank in BANKS.items():
        organisation = Organisation.objects.get(slug=slug)
        if not BankAccount.objects.filter(organisation=organisation).exists():
            iban = IBAN.generate(
                "FR", bank_code=bank, branch_code="00001", account_code=f"{organisation.pk:011d}"
            )
            payments.bank_account_set(
                organisation=organisation,
                actor=_actor_of(organisation),
                holder_name=organisation.name,
                iban=iban.compact,
                bic="",
            )


def _actor_of(organisation: Organisation) -> User:
    return organisation.memberships.filter(role=Role.ADMIN).order_by("id").first().user


def _past_round(pool, treasurer, members, slugs, grades, months_ago) -> None:
    round_ = rounds.round_open_voting(round_=_open(pool, treasurer, slugs))
    candidacies = {c.project.slug: c for c in round_.candidacies.select_related("project")}
    for membership, marks in zip(members, grades, strict=False):
        ballots.ballot_cast(
            round_=round_,
            membership=membership,
            actor=_actor(membership),
            marks={candidacies[slug].pk: grade for slug, grade in zip(slugs, marks, strict=True)},
        )
    closes = timezone.now() - timedelta(days=30 * months_ago)
    Round.objects.filter(pk=round_.pk).update(
        nominations_open_at=closes - timedelta(days=14),
        voting_opens_at=closes - timedelta(days=7),
        vote_opened_at=closes - timedelta(days=7),
        voting_closes_at=closes,
    )
    round_ = rounds.round_tally(round_=Round.objects.get(pk=round_.pk))
    round_ = collecting.round_collect(round_=round_)
    for instalment in Instalment.objects.filter(round=round_).select_related("pledge"):
        instalment = collecting.collection_attempt(instalment=instalment)
        if instalment.pledge.membership_id == members[-1].pk:
            continue  # one member never paid: defaulted below
        payments.transfer_record_receipt(
            charge=instalment.charge,
            amount=instalment.amount.amount,
            received_on=closes.date() + timedelta(days=5),
            actor=treasurer,
        )
        collecting.collection_follow_charge(instalment=instalment)
    collecting.collection_default(
        instalment=Instalment.objects.get(round=round_, pledge__membership=members[-1]),
        actor=treasurer,
    )
    round_ = collecting.round_pay_out(round_=round_)
    payouts = list(Payout.objects.filter(cause_id=str(round_.pk), status="pending"))
    batch = payments.payout_batch_export(
        books=pool.host, payouts=payouts, actor=treasurer, execution_date=timezone.localdate()
    )
    payments.payout_batch_mark_paid(batch=batch, actor=treasurer, paid_on=timezone.localdate())
    collecting.round_close(round_=round_)


ENGLISH = (
    "Each month, members promise a sum; they elect by majority judgment the commons that "
    "receives the pot; then the promises are collected. Each elected commons waits until the "
    "others have had their turn."
)


def seed() -> None:
    if Pool.objects.filter(slug="fonds-commun-normand").exists():
        return
    host = Organisation.objects.get(slug="normandie-libre")
    treasurer = _actor_of(host)
    _bank_accounts()
    pool = services.pool_create(
        creator=treasurer,
        host=host,
        name="Fonds commun normand",
        slug="fonds-commun-normand",
        quorum_percent=40,
        minimum_pot="100",
        description="Chaque mois, les membres promettent une somme ; ils élisent au jugement "
        "majoritaire le commun qui reçoit le pot ; puis les promesses sont "
        "collectées. Chaque commun élu attend que les autres aient eu leur tour.",
    )
    Pool.objects.filter(pk=pool.pk).update(translations={"en": {"description": ENGLISH}})
    members = _members(pool)
    for months_ago, (slugs, grades) in zip((2, 1), HISTORY, strict=True):
        _past_round(pool, treasurer, members, slugs, grades, months_ago)
    voting = rounds.round_open_voting(round_=_open(pool, treasurer, OPEN_ROUND))
    candidacies = [c.pk for c in voting.candidacies.order_by("project__name")]
    for membership, grades in zip(
        members[:6], [(5, 4, 3), (4, 6, 2), (3, 5, 5), (6, 4, 3), (4, 4, 4), (5, 3, 6)], strict=True
    ):
        ballots.ballot_cast(
            round_=voting,
            membership=membership,
            actor=_actor(membership),
            marks=dict(zip(candidacies, grades, strict=True)),
        )
    services.pool_update(
        pool=pool,
        actor=treasurer,
        round_kind="allocation",
        projected_match_public=True,
        matching_pool="1000",
        matching_cap_percent=50,
    )
    _open(pool, treasurer, ALLOCATION_ROUND, start_in_days=7)
