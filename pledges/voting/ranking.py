"""Shared ranks: candidates with equal scores share a rank and the next rank skips."""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Ranked:
    candidate: Hashable
    rank: int
    score: int


def competition_ranks(ordered: list[Any], same: Callable[[Any, Any], bool]) -> list[int]:
    """Ranks 1, 2, 2, 4... for an already sorted list, `same` telling ties apart."""
    ranks: list[int] = []
    for position, item in enumerate(ordered):
        if position and same(ordered[position - 1], item):
            ranks.append(ranks[-1])
        else:
            ranks.append(position + 1)
    return ranks


def rank_by_score(scores: dict[Hashable, int], candidates: Iterable[Hashable]) -> list[Ranked]:
    """Best score first; ties share a rank; ties listed in a stable order (by repr)."""
    ordered = sorted(candidates, key=lambda c: (-scores.get(c, 0), repr(c)))
    ranks = competition_ranks(ordered, lambda a, b: scores.get(a, 0) == scores.get(b, 0))
    return [
        Ranked(candidate=c, rank=r, score=scores.get(c, 0))
        for c, r in zip(ordered, ranks, strict=True)
    ]
