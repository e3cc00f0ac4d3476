"""Tallies for the rounds: pure functions over aggregated counts, no Django import.

- `majority_judgment(profiles)`: Balinski–Laraki majority judgment on grade counts.
- `quadratic_voting(ballots, credits=...)`: votes cost their square in credits.
- `approval(ballots)`: one approval per candidate per ballot.
- `quadratic_funding(contributions, pool=...)`: share a matching pool (CLR).
- `draw(candidates, seed)`: the published, recomputable tie-break.
- `merit_profile(result, ...)`: the data of a merit-profile chart and its explanation.
"""

from .approval import approval
from .draw import draw
from .errors import BallotError, VotingError
from .explain import merit_profile
from .funding import quadratic_funding
from .majority import MajorityResult, majority_judgment
from .quadratic import quadratic_voting
from .ranking import Ranked

__all__ = [
    "BallotError",
    "MajorityResult",
    "Ranked",
    "VotingError",
    "approval",
    "draw",
    "majority_judgment",
    "merit_profile",
    "quadratic_funding",
    "quadratic_voting",
]
