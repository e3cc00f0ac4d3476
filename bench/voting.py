"""Voting engine benchmarks, against independent peers in the same process (run by hand).

    .venv/bin/python bench/voting.py            # peers that are installed
    # pref_voting is heavy (numba, scipy, ortools...): it lives in a separate virtualenv
    python3.11 -m venv var/bench-venv
    var/bench-venv/bin/pip install -r requirements.lock -r bench/requirements.txt
    var/bench-venv/bin/python bench/voting.py

1. Majority judgment, 100,000 voters × 20 candidates × 7 grades (seeded; uniform and skewed):
   our tally on the counts vs `majorityjudgement` (same counts) and `pref_voting` (the
   voters' grade maps); identical ranking to `majorityjudgement` is checked; aim ≥ 100×.
2. Quadratic funding, 100,000 contributions, 20,000 contributors, 100 projects, 10 % cap:
   time including aggregation (aim ≤ 0.2 s), checked to the cent against the 50-digit
   Decimal computation, and against Gitcoin's qf-calculator on the same contributions
   (`bench/qf_calculator.py`: its pivot of the votes and its standard QF with the cap, in
   floats; aim: ours at least 3× faster). The two are timed in turns, each keeping its best.
3. Quadratic voting, 100,000 ballots × 20 candidates, validated and tallied (aim ≤ 0.5 s);
   each ballot lists the candidates in the form's order, as the rounds' ballots do.
"""

import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

import pandas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import qf_calculator
from pledges.tests.voting.reference import (
    drmaciver_majority_judgement,
    quadratic_funding_decimal,
)
from pledges.voting import majority_judgment, quadratic_funding, quadratic_voting

VOTERS, CANDIDATES, GRADES = 100_000, 20, 7


def best_of(function, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def judgments(kind: str, seed: int) -> list[list[int]]:
    """grades[voter][candidate]: uniform, or skewed around a quality per candidate."""
    rnd = random.Random(seed)
    if kind == "uniform":
        return [[rnd.randrange(GRADES) for _ in range(CANDIDATES)] for _ in range(VOTERS)]
    quality = [rnd.uniform(1, GRADES - 2) for _ in range(CANDIDATES)]
    return [
        [min(GRADES - 1, max(0, round(rnd.gauss(quality[c], 1.5)))) for c in range(CANDIDATES)]
        for _ in range(VOTERS)
    ]


def line(name: str, seconds: float | None, ours: float | None = None, note: str = "") -> None:
    if seconds is None:
        print(f"  {name:<38} {'not installed':>12}  {note}")
        return
    ratio = f"{seconds / ours:10.0f}×" if ours else ""
    print(f"  {name:<38} {seconds * 1000:10.2f} ms {ratio:>11}  {note}")


def bench_majority() -> None:
    print(f"Majority judgment: {VOTERS:,} voters × {CANDIDATES} candidates × {GRADES} grades")
    MajorityJudgement = drmaciver_majority_judgement()
    try:
        from pref_voting.grade_methods import majority_judgement as pv_majority_judgement
        from pref_voting.grade_profiles import GradeProfile
    except ImportError:
        pv_majority_judgement = GradeProfile = None
    for kind, seed in (("uniform", 1), ("skewed", 2)):
        grades = judgments(kind, seed)
        started = time.perf_counter()
        profiles = {f"c{c:02}": [0] * GRADES for c in range(CANDIDATES)}
        for ballot in grades:
            for c, grade in enumerate(ballot):
                profiles[f"c{c:02}"][grade] += 1
        aggregation = time.perf_counter() - started
        ours, results = best_of(lambda p=profiles: majority_judgment(p), repeat=20)
        print(f" {kind}:")
        line("ours (counts → ranking)", ours)
        line(
            "ours, with aggregation in Python",
            ours + aggregation,
            ours,
            "(in production the database GROUP BY aggregates)",
        )
        peers = []
        if MajorityJudgement is not None:
            seconds, theirs = best_of(
                lambda p=profiles: sorted(
                    p, key=lambda name, p=p: MajorityJudgement(p[name]), reverse=True
                ),
                repeat=1,
            )
            same = [r.candidate for r in results] == theirs
            tie_free = len({r.rank for r in results}) == len(results)
            line(
                "majorityjudgement (counts)",
                seconds,
                ours,
                "identical ranking"
                if same
                else ("ties ordered differently" if not tie_free else "DIFFERENT RANKING"),
            )
            peers.append(seconds)
        else:
            line("majorityjudgement", None)
        if pv_majority_judgement is not None:
            maps = [{f"c{c:02}": grade for c, grade in enumerate(ballot)} for ballot in grades]
            profile = GradeProfile(maps, list(range(GRADES)))
            seconds, winners = best_of(lambda pr=profile: pv_majority_judgement(pr), repeat=1)
            ours_winners = sorted(r.candidate for r in results if r.rank == 1)
            line(
                "pref_voting (voters' grade maps)",
                seconds,
                ours,
                "same winner" if sorted(winners) == ours_winners else "DIFFERENT WINNER",
            )
            peers.append(seconds)
        else:
            line("pref_voting", None, note="see bench/requirements.txt")
        if peers:
            ratio = min(peers) / ours
            print(
                f"  fastest peer / ours: {ratio:,.0f}× (aim ≥ 100×: "
                f"{'met' if ratio >= 100 else 'NOT met'})"
            )


def bench_funding() -> None:
    contributions_count, contributors, projects = 100_000, 20_000, 100
    print(
        f"\nQuadratic funding: {contributions_count:,} contributions, {contributors:,} "
        f"contributors, {projects} projects, cap 10 %"
    )
    rnd = random.Random(3)
    popularity = [rnd.paretovariate(1.2) for _ in range(projects)]
    contributions = [
        (
            f"u{rnd.randrange(contributors)}",
            f"p{rnd.choices(range(projects), popularity)[0]}",
            Decimal(rnd.randrange(100, 10_000)) / 100,
        )
        for _ in range(contributions_count)
    ]
    pool = Decimal("250000.00")
    calculator, where = qf_calculator.load()
    votes = None
    if calculator is not None:  # its input: a table of votes, as its app reads them
        votes = pandas.DataFrame(
            {
                "voter": [contributor for contributor, _project, _amount in contributions],
                "project_name": [project for _contributor, project, _amount in contributions],
                "amountUSD": [float(amount) for _contributor, _project, amount in contributions],
            }
        )
    seconds = theirs_seconds = float("inf")
    for _turn in range(5):
        turn, result = best_of(
            lambda: quadratic_funding(contributions, pool=pool, cap=Decimal("0.1")), repeat=1
        )
        seconds = min(seconds, turn)
        if calculator is not None:
            turn, theirs = best_of(
                lambda: calculator.get_qf_matching(
                    "standard", calculator.pivot_votes(votes), 10, float(pool)
                ),
                repeat=1,
            )
            theirs_seconds = min(theirs_seconds, turn)
    line(
        "ours (aggregation included)",
        seconds,
        note=f"aim ≤ 200 ms: {'met' if seconds <= 0.2 else 'NOT met'}",
    )
    if calculator is None:
        line("qf-calculator", None, note=where)
        print("  qf-calculator / ours: not measured (aim ≥ 3×: NOT met)")
    else:
        matched = theirs.set_index("project_name")["matching_amount"]
        gap = max(abs(float(result[project]) - matched[project]) for project in result)
        line(
            "qf-calculator (pivot, standard QF, cap)",
            theirs_seconds,
            seconds,
            f"at most {gap * 100:.2f} cent apart (floats)",
        )
        ratio = theirs_seconds / seconds
        print(f"  read from {where}")
        print(
            f"  qf-calculator / ours: {ratio:.1f}× (aim ≥ 3×: {'met' if ratio >= 3 else 'NOT met'})"
        )
    started = time.perf_counter()
    expected = quadratic_funding_decimal(contributions, pool=pool, cap=Decimal("0.1"))
    line(
        "50-digit Decimal computation",
        time.perf_counter() - started,
        seconds,
        "same cents" if expected == result else "DIFFERENT CENTS",
    )
    print(f"  paid: {sum(result.values())} of {pool}")


def bench_quadratic_voting() -> None:
    ballots_count = 100_000
    print(f"\nQuadratic voting: {ballots_count:,} ballots × {CANDIDATES} candidates, 100 credits")
    rnd = random.Random(4)
    names = [f"c{c:02}" for c in range(CANDIDATES)]
    ballots = []
    for _ in range(ballots_count):
        ballot, budget = {}, 100
        for name in rnd.sample(names, CANDIDATES):  # credits spent in a random order...
            votes = rnd.randint(0, int(budget**0.5))
            ballot[name] = votes
            budget -= votes * votes
        ballots.append({name: ballot[name] for name in names})  # ...listed as the form does
    seconds, _result = best_of(lambda: quadratic_voting(ballots, credits=100))
    line(
        "ours (validated and tallied)",
        seconds,
        note=f"aim ≤ 500 ms: {'met' if seconds <= 0.5 else 'NOT met'}",
    )


if __name__ == "__main__":
    # The ≤ 200 ms and ≤ 500 ms aims are absolute: the machine's load is printed with them.
    print(f"load average {os.getloadavg()[0]:.1f}")
    bench_majority()
    bench_funding()
    bench_quadratic_voting()
    print(f"\nload average {os.getloadavg()[0]:.1f}")
