"""The geometry of the actors' page, drawn on the server as SVG by `cms/actors.html`:
- the network: givers in a column on the left, receivers on the right, a band per flow
  whose width follows its amount;
- the map of metropolitan France by département, shaded by the number of actors there
  (shapes from `cms/data/departements.json`, built by `scripts/departments_map.py`).

Floats here are pixels, never money.
"""

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from .actors import Actor, DepartmentRow, Flow

WIDTH = 760
ROW = 34
TOP = 24
GIVER_X, RECEIVER_X = 262, 498
MAX_DRAWN = 40  # the largest flows are drawn; the table lists every one
THINNEST, THICKEST = 2.0, 16.0
LABEL_LENGTH = 32


@dataclass(frozen=True)
class Node:
    actor: Actor
    x: int
    y: float
    label: str
    giver: bool


@dataclass(frozen=True)
class Link:
    flow: Flow
    path: str
    width: float


@dataclass(frozen=True)
class Network:
    nodes: list[Node]
    links: list[Link]
    height: int
    width: int = WIDTH
    left_label: int = GIVER_X - 12
    right_label: int = RECEIVER_X + 12


def _short(name: str) -> str:
    return name if len(name) <= LABEL_LENGTH else name[: LABEL_LENGTH - 1] + "…"


def _column(actors: list[Actor], height: int) -> dict[str, float]:
    step = (height - 2 * TOP) / max(1, len(actors))
    return {actor.key: round(TOP + step * (index + 0.5), 1) for index, actor in enumerate(actors)}


def network(flows: list[Flow]) -> Network:
    """The largest flows as bands from giver to receiver. Givers are ranked by what they
    give; each receiver sits at the mean height of its givers (weighted by the amounts),
    which keeps bands from crossing where it can."""
    drawn = flows[:MAX_DRAWN]
    given: dict[str, Decimal] = {}
    givers: dict[str, Actor] = {}
    for flow in drawn:
        givers[flow.source.key] = flow.source
        given[flow.source.key] = given.get(flow.source.key, Decimal(0)) + (flow.amount or 0)
    giver_order = sorted(givers.values(), key=lambda a: (-given[a.key], a.name.lower()))
    rank = {actor.key: index for index, actor in enumerate(giver_order)}
    weights: dict[str, list[tuple[float, float]]] = {}
    receivers: dict[str, Actor] = {}
    for flow in drawn:
        receivers[flow.target.key] = flow.target
        weights.setdefault(flow.target.key, []).append(
            (rank[flow.source.key], float(flow.amount or 0) + 1)
        )
    receiver_order = sorted(
        receivers.values(),
        key=lambda a: (
            sum(r * w for r, w in weights[a.key]) / sum(w for _r, w in weights[a.key]),
            a.name.lower(),
        ),
    )
    height = 2 * TOP + ROW * max(len(giver_order), len(receiver_order), 1)
    left, right = _column(giver_order, height), _column(receiver_order, height)
    largest = max((float(flow.amount or 0) for flow in drawn), default=0) or 1
    middle = (GIVER_X + RECEIVER_X) / 2
    links = []
    for flow in drawn:
        y1, y2 = left[flow.source.key], right[flow.target.key]
        width = THINNEST + (THICKEST - THINNEST) * float(flow.amount or 0) / largest
        path = f"M{GIVER_X} {y1}C{middle} {y1} {middle} {y2} {RECEIVER_X} {y2}"
        links.append(Link(flow, path, round(width, 1)))
    nodes = [Node(a, GIVER_X, left[a.key], _short(a.name), True) for a in giver_order]
    nodes += [Node(a, RECEIVER_X, right[a.key], _short(a.name), False) for a in receiver_order]
    return Network(nodes, links, height)


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    path: str
    count: int
    shade: int  # 0 (no actor) to 4
    centre: tuple[float, float] = (0.0, 0.0)  # of its largest ring's points
    radius: float = 0.0  # of the circle that shows its actors (Paris is a few pixels wide)


@dataclass(frozen=True)
class FranceMap:
    view_box: str
    departments: list[Department]
    source: str
    licence: str


SHADES = ((0, 0), (1, 1), (2, 2), (3, 3), (5, 4))  # (from this many actors, shade)


@cache
def _shapes() -> dict:
    return json.loads((Path(__file__).parent / "data" / "departements.json").read_text())


@cache
def _centre(path: str) -> tuple[float, float]:
    """The mean of the points of a shape's largest ring ("M x y l dx dy … z", whole pixels)."""
    largest: list[tuple[int, int]] = []
    for ring in path.split("M")[1:]:
        start, _l, moves = ring.rstrip("z").partition("l")
        x, y = map(int, start.split())
        points = [(x, y)]
        numbers = [int(n) for n in re.findall(r"-?\d+", moves)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append((x, y))
        largest = max(largest, points, key=len)
    return (
        round(sum(x for x, _y in largest) / len(largest), 1),
        round(sum(y for _x, y in largest) / len(largest), 1),
    )


def _shade(count: int) -> int:
    return max(shade for least, shade in SHADES if count >= least)


def france_map(rows: list[DepartmentRow], names: dict[str, str]) -> FranceMap:
    """Metropolitan France's départements, each shaded by its number of actors and marked
    with a circle as large (overseas départements are in the table only)."""
    data = _shapes()
    counts = {row.code: len(row.actors) for row in rows}
    departments = []
    for code, path in data["shapes"].items():
        count = counts.get(code, 0)
        radius = round(3 + 2.5 * math.sqrt(count), 1) if count else 0.0
        departments.append(
            Department(
                code, names.get(code, code), path, count, _shade(count), _centre(path), radius
            )
        )
    return FranceMap(data["viewBox"], departments, data["source"], data["licence"])
