"""The network as files for Gephi (GEXF) and Cytoscape (GraphML), written by networkx."""

import io

import networkx as nx

from transfers.aggregates import Network

FORMATS = {
    "gexf": ("application/gexf+xml", nx.write_gexf),
    "graphml": ("application/graphml+xml", nx.write_graphml),
}


def network_graph(network: Network) -> nx.DiGraph:
    """States as nodes (label: name; roles), transfers as edges weighted by their count.

    A supply edge and a transit leg between the same two States are one edge, with both counts."""
    graph = nx.DiGraph()
    roles = network.roles()
    for code, name in network.nodes.items():
        graph.add_node(code, label=name, roles=",".join(sorted(roles[code])))
    for edge in network.edges:
        if graph.has_edge(edge.source, edge.target):
            data = graph.edges[edge.source, edge.target]
        else:
            graph.add_edge(edge.source, edge.target, weight=0, transfers=0, transit_legs=0)
            data = graph.edges[edge.source, edge.target]
        data["weight"] += edge.count
        data["transfers" if edge.kind == "supply" else "transit_legs"] += edge.count
    return graph


def network_file(network: Network, format: str) -> tuple[bytes, str]:
    """The file's bytes and its content type; ``format`` is gexf or graphml (the URL allows no other)."""
    content_type, write = FORMATS[format]
    buffer = io.BytesIO()
    write(network_graph(network), buffer)
    return buffer.getvalue(), content_type
