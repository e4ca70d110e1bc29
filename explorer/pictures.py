"""Geometry for the explorer's pictures, drawn as SVG by the templates (no JavaScript).

Each function takes what a selector returned and gives the template coordinates and labels; the
templates also render a table or list with the same facts, for screen readers and for reading.
"""

import math
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from transfers.aggregates import Network
from transfers.choices import LegRole, MaterielCategory, TransportMode

from . import world

# Colour-blind-safe categorical colours (Okabe-Ito, then Tol's muted), one per materiel category.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#882255", "#117733",
           "#332288", "#999933", "#44AA99", "#666666"]
CATEGORY_COLOURS = {value: PALETTE[i % len(PALETTE)] for i, value in enumerate(MaterielCategory.values)}
CATEGORY_LABELS = dict(MaterielCategory.choices)


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


def year_category_chart(rows: list[dict], *, width: int = 640, height: int = 240) -> dict:
    """Stacked bars: transfers per year first reported, split by materiel category."""
    years = sorted({row["year"] for row in rows})
    if not years:
        return {"bars": [], "width": width, "height": height, "ticks": [], "legend": []}
    years = list(range(years[0], years[-1] + 1))
    totals = {year: 0 for year in years}
    for row in rows:
        totals[row["year"]] += row["count"]
    top = max(totals.values()) or 1
    left, bottom, plot_height = 48, 28, height - 40
    step = (width - left - 8) / len(years)
    bar_width = min(48.0, max(2.0, step * 0.8))
    bars, stacked = [], {year: 0 for year in years}
    for row in sorted(rows, key=lambda r: (r["year"], MaterielCategory.values.index(r["category"])
                                          if r["category"] in MaterielCategory.values else 99)):
        year, count = row["year"], row["count"]
        h = count / top * plot_height
        y = height - bottom - stacked[year] / top * plot_height - h
        stacked[year] += count
        label = CATEGORY_LABELS.get(row["category"], row["category"] or "no category")
        bars.append(Bar(round(left + (year - years[0]) * step, 1), round(y, 1), round(bar_width, 1), round(h, 1),
                        CATEGORY_COLOURS.get(row["category"], "#666666"), f"{year}: {count:,} – {label}"))
    label_every = max(1, math.ceil(len(years) / 10))
    ticks = [{"x": round(left + (year - years[0]) * step + bar_width / 2, 1), "label": year}
             for year in years[::label_every]]
    present = {row["category"] for row in rows}
    legend = [{"colour": CATEGORY_COLOURS[value], "label": CATEGORY_LABELS[value]}
              for value in MaterielCategory.values if value in present]
    chart = {"bars": bars, "width": width, "height": height, "ticks": ticks, "legend": legend, "top": top,
             "axis_y": height - bottom, "left": left, "years": years, "totals": totals}
    chart["svg"] = chart_svg(chart)
    return chart


def network_picture(network: Network, *, id: str, title: str, highlight: str = "", size: int = 520) -> dict:
    """Nodes on a circle (States ordered by code), edges as lines whose width grows with the count.

    Supply edges are solid, transit legs dashed. The roles colour each node: supplier, recipient,
    both, or transit only.
    """
    codes = list(network.nodes)
    roles = network.roles()
    centre, radius = size / 2, size / 2 - 60
    position = {}
    for i, code in enumerate(codes):
        angle = 2 * math.pi * i / max(1, len(codes)) - math.pi / 2
        position[code] = (round(centre + radius * math.cos(angle), 1), round(centre + radius * math.sin(angle), 1))
    top = max((edge.count for edge in network.edges), default=1)
    edges = []
    for edge in network.edges:
        (x1, y1), (x2, y2) = position[edge.source], position[edge.target]
        # Stop short of the target's circle so that the arrowhead shows.
        length = math.hypot(x2 - x1, y2 - y1) or 1
        x2, y2 = x2 - (x2 - x1) / length * 12, y2 - (y2 - y1) / length * 12
        edges.append({
            "x1": x1, "y1": y1, "x2": round(x2, 1), "y2": round(y2, 1), "kind": edge.kind,
            "width": round(1 + 5 * math.log1p(edge.count) / math.log1p(top), 1),
            "title": f"{edge.source} → {edge.target}: {edge.count:,} transfer{'s' if edge.count != 1 else ''}"
                     + (" (transit leg)" if edge.kind == "transit" else ""),
            "source": edge.source, "target": edge.target, "count": edge.count,
        })
    nodes = []
    for code in codes:
        x, y = position[code]
        role = roles[code]
        kind = ("both" if {"supplier", "recipient"} <= role else "supplier" if "supplier" in role
                else "recipient" if "recipient" in role else "transit")
        # Labels outside the circle, anchored away from the centre.
        lx, ly = centre + (x - centre) * 1.13, centre + (y - centre) * 1.13
        anchor = "start" if x > centre + 5 else "end" if x < centre - 5 else "middle"
        nodes.append({"code": code, "name": network.nodes[code], "x": x, "y": y, "kind": kind,
                      "lx": round(lx, 1), "ly": round(ly + 4, 1), "anchor": anchor, "highlight": code == highlight,
                      "roles": ", ".join(sorted(role)) or "none"})
    picture = {"size": size, "nodes": nodes, "edges": edges, "label_all": len(codes) <= 60}
    picture["svg"] = network_svg(picture, id=id, title=title)
    return picture


def network_svg(picture: dict, *, id: str, title: str) -> SafeString:
    """``network_picture`` as SVG markup. Written here rather than in a template: a network of a few
    hundred States and edges took Django's template engine half a second to draw, and format_html
    per element still 0.2 s (it escapes every coordinate); the numbers are the picture's own floats,
    so only the texts (codes, names, titles) are escaped."""
    state_url = reverse("explorer:state", args=["XXX"]).replace("XXX", "")
    edges = "\n".join(
        f'<line class="edge {escape(e["kind"])}" data-source="{escape(e["source"])}" '
        f'data-target="{escape(e["target"])}" x1="{e["x1"]}" y1="{e["y1"]}" x2="{e["x2"]}" y2="{e["y2"]}" '
        f'stroke-width="{e["width"]}" marker-end="url(#{escape(id)}-arrow)"><title>{escape(e["title"])}</title></line>'
        for e in picture["edges"]
    )
    nodes = "\n".join(
        f'<a href="{state_url}{escape(n["code"])}/" class="node {escape(n["kind"])}'
        f'{" highlight" if n["highlight"] else ""}" data-code="{escape(n["code"])}"><circle cx="{n["x"]}" '
        f'cy="{n["y"]}" r="{11 if n["highlight"] else 8}"><title>{escape(n["name"])} ({escape(n["code"])}): '
        f'{escape(n["roles"])}</title></circle>'
        + (f'<text x="{n["lx"]}" y="{n["ly"]}" text-anchor="{n["anchor"]}">{escape(n["code"])}</text>'
           if picture["label_all"] else "")
        + "</a>"
        for n in picture["nodes"]
    )
    return format_html(
        '<svg viewBox="0 0 {size} {size}" role="img" aria-labelledby="{id}-title" class="network-svg">'
        '<title id="{id}-title">{title}</title><defs><marker id="{id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444">'
        "</path></marker></defs>\n{edges}\n{nodes}</svg>",
        # Safe: every text above went through escape(); the rest are this module's numbers and markup.
        size=picture["size"], id=id, title=title, edges=mark_safe(edges), nodes=mark_safe(nodes),  # noqa: S308
    )


def chart_svg(chart: dict) -> SafeString:
    """``year_category_chart``'s bars as SVG markup (hundreds of bars: a template loop took 0.1 s)."""
    bars = "".join(
        f'<rect x="{b.x}" y="{b.y}" width="{b.width}" height="{b.height}" fill="{escape(b.colour)}">'
        f"<title>{escape(b.title)}</title></rect>"
        for b in chart["bars"]
    )
    ticks = "".join(
        f'<text x="{t["x"]}" y="{chart["axis_y"] + 16}" text-anchor="middle" class="tick">{escape(t["label"])}</text>'
        for t in chart["ticks"]
    )
    return mark_safe(bars + ticks)  # noqa: S308 - every text went through escape(); the rest are numbers


def _leg_label(leg) -> str:
    if leg.place_id and leg.state_id:
        return f"{leg.place.name} ({leg.state.name})"
    return leg.place.name if leg.place_id else leg.state.name


def route_picture(transfer) -> dict:
    """The transfer's path as stops on a line, in the route's order (legs by ``seq``): the supplier
    (or the route's origin, where a leg says where the goods left from), each leg with its role and
    the mode of transport that reached it, then the recipient (or the destination leg), and the place
    inside the recipient the materiel goes to, where there is one. Unknown parties are drawn as such."""
    legs = list(transfer.route.all())  # prefetched in route order

    def party(state, role):
        if state is None:
            return {"label": f"unknown {role}", "code": "", "role": role, "mode": ""}
        return {"label": state.name, "code": state.iso3, "role": role, "mode": ""}

    stops = [party(transfer.supplier, "supplier")]
    for leg in legs:
        role = leg.get_role_display().split(" –")[0].lower()
        stop = {"label": _leg_label(leg), "code": leg.state.iso3 if leg.state_id else "",
                "role": role if leg.state_id else f"{role} region",
                "mode": "" if leg.mode == TransportMode.UNKNOWN else leg.get_mode_display().split(" (")[0].lower()}
        if leg.role == LegRole.ORIGIN and leg.state_id and leg.state_id == transfer.supplier_id and len(stops) == 1:
            stop["role"] = "supplier, origin"  # the supplier's own port or base: one stop, not two
            stops[0] = stop
            continue
        stops.append(stop)
    last = legs[-1] if legs else None
    if not (last and last.role == LegRole.DESTINATION and last.state_id and last.state_id == transfer.recipient_id):
        stops.append(party(transfer.recipient, "recipient"))
    else:
        stops[-1]["role"] = "recipient, destination"
    if transfer.destination_id:
        stops.append({"label": transfer.destination.name, "code": "", "role": "destination", "mode": ""})
    width = 640
    step = (width - 120) / max(1, len(stops) - 1)
    for i, stop in enumerate(stops):
        stop["x"] = round(60 + i * step, 1)
        stop["below"] = i % 2 == 1  # alternate labels above and below the line, so that they do not collide
        # The mode of the leg that reaches this stop, written over the middle of that segment.
        stop["mode_x"] = round(stop["x"] - step / 2, 1) if i else 0
    return {"stops": stops, "width": width, "height": 120, "first": stops[0]["x"], "last": stops[-1]["x"]}


def _shade(count: int, top: int) -> int:
    """0 (none) to 5 (most), on a log scale."""
    if count <= 0:
        return 0
    return 1 + min(4, int(4 * math.log1p(count) / math.log1p(top))) if top > 1 else 5


def map_picture(totals: dict[str, dict[str, int]], network: Network, *, show: str) -> dict:
    """Countries shaded by transfers supplied (or received), and flows drawn between their centres:
    supplier -> recipient, or supplier -> transit State -> recipient."""
    centres = world.centres()
    top = max((counts[show] for counts in totals.values()), default=0)
    countries = []
    for country in world.countries():
        counts = totals.get(country.iso3, {"supplier": 0, "recipient": 0})
        countries.append({
            "path": country.path, "iso3": country.iso3, "name": country.name,
            "shade": _shade(counts[show], top), "supplied": counts["supplier"], "received": counts["recipient"],
        })
    top_edge = max((edge.count for edge in network.edges), default=1)
    flows = []
    routed = {(supplier, recipient) for supplier, _, recipient, _ in network.routes}
    for edge in network.edges:
        if edge.kind == "supply" and (edge.source, edge.target) in routed:
            continue  # drawn by its transit legs
        if edge.source not in centres or edge.target not in centres:
            continue  # a State with no outline on the 110m map
        (x1, y1), (x2, y2) = centres[edge.source], centres[edge.target]
        # A gentle arc, bent to the left of the direction of travel.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        cx, cy = mx - (y2 - y1) * 0.2, my + (x2 - x1) * 0.2
        flows.append({
            "d": f"M{x1},{y1} Q{round(cx, 1)},{round(cy, 1)} {x2},{y2}", "kind": edge.kind,
            "width": round(1 + 4 * math.log1p(edge.count) / math.log1p(top_edge), 1),
            "title": f"{edge.source} → {edge.target}: {edge.count:,}" + (" (transit leg)" if edge.kind == "transit"
                                                                          else ""),
        })
    return {"width": world.WIDTH, "height": world.HEIGHT, "countries": countries, "flows": flows}
