"""The world outline for the map: Natural Earth 110m countries (data/README.md), as SVG paths.

The TopoJSON is decoded and projected once per process; it is a file shipped with the code, never
changed at run time. Equirectangular projection, cropped to latitudes -58..84 (no Antarctica).
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
WIDTH = 1000
NORTH, SOUTH = 84.0, -58.0
SCALE = WIDTH / 360
HEIGHT = round((NORTH - SOUTH) * SCALE)


@dataclass(frozen=True)
class Country:
    """One country's outline: its ISO3 code (empty when it has none), name, SVG path and centre."""

    iso3: str
    name: str
    path: str
    centre: tuple[float, float]


def project(lon: float, lat: float) -> tuple[float, float]:
    return round((lon + 180) * SCALE, 1), round((NORTH - lat) * SCALE, 1)


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (kx, ky), (dx, dy) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for qx, qy in arc:
            x, y = x + qx, y + qy
            points.append(project(x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def _ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    """The ring's points, unwrapped at the antimeridian: where the outline jumps across the map
    (Russia's Chukotka, Fiji), the rest of the ring continues past the edge instead, so that the
    ring stays a simple polygon (drawn a second time shifted by the map's width; see countries())."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    shift = 0.0
    unwrapped = points[:1]
    for (x0, _), (x1, y1) in zip(points, points[1:], strict=False):
        if x1 - x0 > WIDTH / 2:
            shift -= WIDTH
        elif x0 - x1 > WIDTH / 2:
            shift += WIDTH
        unwrapped.append((round(x1 + shift, 1), y1))
    return unwrapped


def _path(ring: list[tuple[float, float]], dx: float = 0) -> str:
    return "M" + "L".join(f"{round(x + dx, 1)},{y}" for x, y in ring) + "Z"


def _area_and_centre(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not area:
        return 0.0, ring[0]
    centre = (round(cx / (3 * area), 1), round(cy / (3 * area), 1))
    return abs(area) / 2, (round(centre[0] % WIDTH, 1), centre[1])


@functools.cache
def countries() -> tuple[Country, ...]:
    topology = json.loads((DATA / "countries-110m.json").read_text())
    alpha3 = json.loads((DATA / "iso3166-numeric-to-alpha3.json").read_text())
    arcs = _decoded_arcs(topology)
    result = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        parts, largest = [], (0.0, (0.0, 0.0))
        for polygon in polygons:
            for number, indexes in enumerate(polygon):
                ring = _ring(arcs, indexes)
                parts.append(_path(ring))
                xs = [x for x, _ in ring]
                if max(xs) > WIDTH:
                    parts.append(_path(ring, -WIDTH))
                if min(xs) < 0:
                    parts.append(_path(ring, WIDTH))
                if number == 0:
                    largest = max(largest, _area_and_centre(ring))
        result.append(Country(alpha3.get(geometry.get("id", ""), ""), geometry["properties"]["name"],
                              "".join(parts), largest[1]))
    return tuple(result)


def centres() -> dict[str, tuple[float, float]]:
    """Each ISO3 code's point on the map: the centre of its largest polygon."""
    return {country.iso3: country.centre for country in countries() if country.iso3}
