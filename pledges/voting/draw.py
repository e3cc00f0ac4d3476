"""The tie-break draw: deterministic, published, recomputable by anyone.

Each candidate's ticket is the SHA-256 digest (hexadecimal) of the UTF-8 text
"<seed>:<candidate>", where <candidate> is the candidate's published identifier. Candidates
are ordered by ticket, smallest first; the first one wins. To check a published draw:

    python3 -c 'import hashlib; print(hashlib.sha256(b"SEED:CANDIDATE").hexdigest())'

The seed is fixed and published before the vote closes (for instance the round's id and the
closing date), so nobody can choose it knowing the result.
"""

import hashlib
from collections.abc import Hashable, Iterable

from .errors import VotingError


def ticket(candidate: Hashable, seed: str) -> str:
    return hashlib.sha256(f"{seed}:{candidate}".encode()).hexdigest()


def draw(candidates: Iterable[Hashable], seed: str) -> list[Hashable]:
    """The candidates in draw order (winner first)."""
    pool = list(candidates)
    if not pool:
        raise VotingError("A draw needs at least one candidate.")
    if len({str(candidate) for candidate in pool}) != len(pool):
        raise VotingError("Candidates of a draw need distinct identifiers.")
    if not seed:
        raise VotingError("A draw needs a published seed.")
    return sorted(pool, key=lambda candidate: ticket(candidate, seed))
