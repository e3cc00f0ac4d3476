"""Pledge pools ("fonds communs", tontines virtuelles): members promise a sum per round, vote
for the commons that receives the pot, and only then is the promise collected.

Rules that decide an election are copied from the pool into each round when its vote opens,
so a round's rules never change once people vote; a change of the pool applies to the
rounds that open later. Ballot secrecy: `VoterRoll` says who voted, `Ballot` what was voted,
with no link between them.

One module per part (pools, promises, rounds, ballots); every model is imported from here."""

from .ballots import (
    Ballot,
    BallotLine,
    SealedBallot,
    VoterRoll,
    random_key,
)
from .pools import (
    DEFAULT_PUBLICATION_THRESHOLD,
    MAX_AMOUNT,
    METHODS_ALLOWED,
    POOL_RULES,
    CollectionMethods,
    College,
    MembershipPolicy,
    MemberStatus,
    NominationRule,
    NoQuorumRule,
    Period,
    Pool,
    PoolCommons,
    PoolMemberCount,
    PoolMembership,
    RotationRule,
    RoundKind,
    VotingMethod,
)
from .promises import (
    Pledge,
    PledgeStatus,
)
from .rounds import (
    FAILED_STATES,
    FINAL_INSTALMENT,
    RESULT_STATES,
    Candidacy,
    CandidacyStatus,
    Instalment,
    InstalmentStatus,
    Round,
    RoundState,
)

__all__ = [
    "DEFAULT_PUBLICATION_THRESHOLD",
    "FAILED_STATES",
    "FINAL_INSTALMENT",
    "MAX_AMOUNT",
    "METHODS_ALLOWED",
    "POOL_RULES",
    "RESULT_STATES",
    "Ballot",
    "BallotLine",
    "Candidacy",
    "CandidacyStatus",
    "CollectionMethods",
    "College",
    "Instalment",
    "InstalmentStatus",
    "MemberStatus",
    "MembershipPolicy",
    "NoQuorumRule",
    "NominationRule",
    "Period",
    "Pledge",
    "PledgeStatus",
    "Pool",
    "PoolCommons",
    "PoolMemberCount",
    "PoolMembership",
    "RotationRule",
    "Round",
    "RoundKind",
    "RoundState",
    "SealedBallot",
    "VoterRoll",
    "VotingMethod",
    "random_key",
]
