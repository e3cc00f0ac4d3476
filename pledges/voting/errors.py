class VotingError(ValueError):
    """Input a tally cannot be computed from; the message says what is wrong."""


class BallotError(VotingError):
    """One ballot breaks the rules; `index` is its position in the input (0-based)."""

    def __init__(self, message: str, *, index: int):
        super().__init__(message)
        self.index = index
