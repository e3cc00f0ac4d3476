class VotingError(ValueError):
    """Input a tally cannot be computed from; the message says what is wrong."""


class BallotError(VotingError):
    """One ballot breaks its method's rule (`voting/rules.py`): `code` names the rule,
    `params` its figures; `index` is the ballot's position in a tally's input (0-based)."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        index: int | None = None,
        params: dict[str, object] | None = None,
    ):
        super().__init__(message)
        self.code, self.index, self.params = code, index, params or {}

    def at(self, index: int) -> "BallotError":
        """The same error, placed at a ballot of a tally's input."""
        return BallotError(
            f"Ballot {index}: {self}", code=self.code, index=index, params=self.params
        )
