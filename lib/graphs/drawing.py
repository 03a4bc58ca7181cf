"""Drawing graphs for the graph chapters.

Two kinds of picture. Plots of a whole graph, nodes coloured by a value and edges
weighted by another (:func:`layout`, :func:`draw_graph`), on a notebook's own axes. And
the chapters' diagrams, each computed from the objects the notebooks check:

* :func:`draw_message_passing`: one round of message passing at one node of the course
  graph, every arrow labelled with its entry of A_hat;
* :func:`draw_receptive_field`: the nodes within k hops of one node, k = 0, 1, ...,
  from :func:`~lib.graphs.edges.receptive_field`;
* :func:`draw_attention`: a GAT layer's attention on one node's neighbourhood, next to
  the GCN's fixed weights on the same edges;
* :func:`draw_ggnn_step`: a gated graph layer as a recurrent cell run over message
  passing.

The diagrams are drawn with the primitives and palette of :mod:`lib.diagrams` (a white
figure, mid-tone colours, dark grey text: they read in the light and the dark theme),
keep all their text inside their panels, and tag what they draw with ``gid``s that
:func:`drawn_weights` and :func:`drawn_nodes` read back, so that a notebook can assert
that a figure shows the numbers it checked. A notebook that glues one closes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch, Patch

from lib.diagrams import (
    BACKWARD,
    FORWARD,
    HIGHWAY,
    INK,
    MUTED,
    SHADE,
    arrow,
    box,
    label,
    legend,
    new_figure,
    new_panels,
    operator,
)
from lib.graphs.edges import (
    COURSE_EDGES,
    COURSE_NODES,
    course_graph,
    degree,
    from_networkx,
    normalized_edges,
    receptive_field,
)


def layout(edge_index: torch.Tensor, num_nodes: int, seed: int = 0) -> np.ndarray:
    """Fixed 2-D positions (num_nodes, 2) from networkx's spring layout (seeded)."""
    G = nx.Graph()
    G.add_nodes_from(range(num_nodes))
    G.add_edges_from(edge_index.T.tolist())
    pos = nx.spring_layout(G, seed=seed)
    return np.array([pos[k] for k in range(num_nodes)])


def draw_graph(
    ax,
    edge_index: torch.Tensor,
    pos: np.ndarray,
    node_color=None,
    labels: Sequence[str] | None = None,
    edge_weight: torch.Tensor | None = None,
    cmap: str = "viridis",
    node_size: float = 300,
    vmin=None,
    vmax=None,
    edge_cmap: str = "Greys",
    edge_vmin: float | None = None,
    edge_vmax: float | None = None,
):
    """Draw the undirected graph of ``edge_index`` on ``ax``; returns the node
    collection.

    ``edge_weight`` (E,) gives each directed edge (i, j) a width and a colour of
    ``edge_cmap`` (scaled to [edge_vmin, edge_vmax], default [0, max]); an undirected
    pair is drawn once, with the mean of its two weights. Self-loops are not drawn.
    """
    i, j = edge_index
    keep = i < j
    segments = np.stack([pos[i[keep]], pos[j[keep]]], axis=1)
    if edge_weight is not None:
        pair = {}
        for (a, b), w in zip(edge_index.T.tolist(), edge_weight.tolist()):
            if a != b:
                pair.setdefault((min(a, b), max(a, b)), []).append(w)
        weight = np.array(
            [np.mean(pair[(a, b)]) for a, b in edge_index[:, keep].T.tolist()]
        )
        low = 0.0 if edge_vmin is None else edge_vmin
        high = weight.max() if edge_vmax is None else edge_vmax
        scaled = np.clip((weight - low) / (high - low), 0, 1)
        colors = plt.get_cmap(edge_cmap)(scaled)
        widths = 0.5 + 4.5 * weight / weight.max()
    else:
        colors, widths = "0.6", 1.0
    ax.add_collection(
        LineCollection(segments, colors=colors, linewidths=widths, zorder=1)
    )
    numeric = node_color is not None and np.issubdtype(
        np.asarray(node_color).dtype, np.number
    )
    colour_map = dict(cmap=cmap, vmin=vmin, vmax=vmax) if numeric else {}
    nodes = ax.scatter(
        pos[:, 0],
        pos[:, 1],
        c=node_color if node_color is not None else "C0",
        s=node_size,
        zorder=2,
        edgecolors="k",
        linewidths=0.5,
        **colour_map,
    )
    if labels is not None:
        for (x, y), text in zip(pos, labels):
            ax.text(x, y, text, ha="center", va="center", fontsize=9, zorder=3)
    low, high = pos.min(0), pos.max(0)
    margin = 0.12 * (high - low).max() + 1e-9  # room for the node discs
    ax.set_xlim(low[0] - margin, high[0] + margin)
    ax.set_ylim(low[1] - margin, high[1] + margin)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return nodes


# The chapters' diagrams -----------------------------------------------------------

NODE_RADIUS = 0.32
NEW_FILL = "#f7c9a1"  # light orange: what is new at this step
COURSE_POSITIONS = {  # the square A-B-D-F, with E and C on either side
    "E": (0.0, 0.0),
    "A": (2.0, 0.0),
    "B": (3.6, 1.3),
    "F": (3.6, -1.3),
    "D": (5.2, 0.0),
    "C": (7.2, 0.0),
}


def positions(graph: nx.Graph) -> dict:
    """Drawing positions {node: (x, y)}: the course graph's fixed layout
    (``COURSE_POSITIONS``), any other graph networkx's spring layout (seeded) scaled to
    7 units across."""
    edges = {frozenset(edge) for edge in graph.edges}
    if set(graph.nodes) == set(COURSE_NODES) and edges == {
        frozenset(edge) for edge in COURSE_EDGES
    }:
        return dict(COURSE_POSITIONS)
    xy = nx.spring_layout(graph, seed=0)
    low = np.min(list(xy.values()), axis=0)
    scale = 7.0 / max(np.ptp(list(xy.values()), axis=0).max(), 1e-9)
    return {node: tuple((np.asarray(p) - low) * scale) for node, p in xy.items()}


def _normalised(graph: nx.Graph) -> tuple[dict, dict]:
    """({(i, j): A_hat_ij}, {i: d~_i}) of ``graph``, by node name, in float64, from
    :func:`~lib.graphs.edges.normalized_edges`."""
    edge_index, names = from_networkx(graph)
    loops, weight = normalized_edges(edge_index, len(names), dtype=torch.float64)
    d_tilde = degree(loops[0], len(names), torch.float64)
    weights = {
        (names[i], names[j]): w for (i, j), w in zip(loops.T.tolist(), weight.tolist())
    }
    return weights, dict(zip(names, d_tilde.int().tolist()))


def _busiest(graph: nx.Graph):
    """The node with the most neighbours (the first in order on a tie)."""
    return max(graph.nodes, key=graph.degree)


def _node(ax, xy, name, state, fill="white", edge=INK, width=1.4, color=INK):
    """A node's disc at ``xy`` with its name, tagged ``node:name:state``."""
    ax.add_patch(
        Circle(
            xy,
            NODE_RADIUS,
            facecolor=fill,
            edgecolor=edge,
            linewidth=width,
            gid=f"node:{name}:{state}",
            zorder=3,
        )
    )
    label(ax, xy, str(name), color=color, zorder=4)


def _rim(a, b, radius=NODE_RADIUS) -> tuple[float, float]:
    """The point of the disc around ``a`` that faces ``b``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return tuple(a + radius * (b - a) / np.linalg.norm(b - a))


def _link(ax, a, b, color=MUTED, width=1.0, gid="edge", head=False):
    """An edge (an arrow if ``head``) from the rim of ``a`` to the rim of ``b``."""
    return arrow(ax, _rim(a, b), _rim(b, a), color, gid, width=width, head=head)


def _self_loop(ax, xy, color, width, gid="self-loop"):
    """A loop on top of the node at ``xy``."""
    x, y = xy
    r, angle = NODE_RADIUS, np.radians(50)
    start = (x - r * np.cos(angle), y + r * np.sin(angle))
    end = (x + r * np.cos(angle), y + r * np.sin(angle))
    return arrow(ax, start, end, color, gid, rad=-2.6, width=width)


WHITE_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"}


def _weight(ax, xy, value, target, source, color=INK, size=9):
    """The weight ``value`` at ``xy``, tagged ``weight:target:source``."""
    return label(
        ax,
        xy,
        f"{value:.3f}",
        color=color,
        size=size,
        gid=f"weight:{target}:{source}",
        bbox=WHITE_BOX,
        zorder=5,
    )


def drawn_weights(ax) -> dict[tuple[str, str], float]:
    """{(target, source): weight} of the weights written on ``ax`` (as printed)."""
    found = {}
    for text in ax.texts:
        kind, *ends = (text.get_gid() or "").split(":")
        if kind == "weight":
            found[tuple(ends)] = float(text.get_text())
    return found


def drawn_nodes(ax) -> dict[str, str]:
    """{node name: state} of the nodes drawn on ``ax`` (``"receiver"``,
    ``"neighbour"``, ``"inside"``, ``"new"``, ``"outside"``, ``"sender"``...)."""
    found = {}
    for patch in ax.patches:
        kind, *rest = (patch.get_gid() or "").split(":")
        if kind == "node":
            found[rest[0]] = rest[1]
    return found


def _tilde_d(ax, xy, name, value, toward=(0.0, -1.0)):
    """d~_name = value next to the node at ``xy``, on the side ``toward`` points to."""
    toward = np.asarray(toward, dtype=float) / np.linalg.norm(toward)
    at = np.asarray(xy) + (NODE_RADIUS + 0.3) * toward
    label(ax, at, rf"$\tilde d_{{{name}}} = {value}$", color=INK, size=9, gid="degree")


def _sum_lines(node, terms) -> tuple[str, str]:
    """The row of A_hat H W at ``node``: with the formulas, and with the numbers.
    ``terms``: [(j, d~_i, d~_j, w_ij)]."""
    formula = " + ".join(
        rf"\frac{{1}}{{\sqrt{{{di} \cdot {dj}}}}}\, W^\top h_{{{j}}}"
        for j, di, dj, _ in terms
    )
    numbers = " + ".join(rf"{w:.3f}\, W^\top h_{{{j}}}" for j, _, _, w in terms)
    return (
        rf"$h'_{{{node}}} = \sigma\,\left({formula}\right)$",
        rf"$= \sigma\,({numbers})$",
    )


def _messages(ax, pos, node, senders, weights):
    """Arrows j -> ``node`` from every neighbour and from itself (a loop), widths and
    labels their weights."""
    for j in senders:
        w = weights[(node, j)]
        if j == node:
            _self_loop(ax, pos[node], FORWARD, 1 + 6 * w)
            at = (pos[node][0], pos[node][1] + NODE_RADIUS + 0.75)
        else:
            _link(ax, pos[j], pos[node], FORWARD, 1 + 6 * w, "message", head=True)
            at = (np.asarray(pos[j]) + np.asarray(pos[node])) / 2
        _weight(ax, at, w, node, j, FORWARD)


def draw_message_passing(node=None, graph: nx.Graph | None = None) -> Figure:
    """One round of message passing, a GCN layer's row, equation (gnn-row), at one
    node.

    ``graph``: default the course's six-node graph; ``node``: default the node with the
    most neighbours. Drawn: every node with its degree d~ (counting the self-loop);
    arrows (blue) into ``node`` from each neighbour and from itself (a loop), each
    labelled with its weight 1/sqrt(d~_i d~_j), the entry of A_hat from
    :func:`~lib.graphs.edges.normalized_edges` (:func:`drawn_weights` reads them back);
    the other edges grey; under the graph the sum h'_i = sigma(sum_j w_ij W^T h_j),
    with the formulas and with the numbers.
    """
    graph = course_graph() if graph is None else graph
    node = _busiest(graph) if node is None else node
    pos = positions(graph)
    weights, d_tilde = _normalised(graph)
    xs, ys = zip(*pos.values())
    xlim, ylim = (min(xs) - 0.9, max(xs) + 0.9), (min(ys) - 2.2, max(ys) + 0.9)
    fig, ax = new_figure(0.8 * np.ptp(xlim), 0.8 * np.ptp(ylim), xlim, ylim)
    senders = [node, *graph.neighbors(node)]
    for a, b in graph.edges:
        if node not in (a, b):
            _link(ax, pos[a], pos[b])
    _messages(ax, pos, node, senders, weights)
    for name, xy in pos.items():
        state = "receiver" if name == node else "neighbour"
        state = state if name in senders else "other"
        edge = MUTED if state == "other" else FORWARD
        fill, width = (SHADE, 2.2) if name == node else ("white", 1.4)
        _node(ax, xy, name, state, fill, edge, width)
        _tilde_d(ax, xy, name, d_tilde[name], (0, 1 if xy[1] > 0 else -1))
    terms = [(j, d_tilde[node], d_tilde[j], weights[(node, j)]) for j in senders]
    for line, dy in zip(_sum_lines(node, terms), (1.15, 1.8)):
        label(ax, (np.mean(xlim), min(ys) - dy), line, size=11)
    return fig


def _fields(graph: nx.Graph, node, max_k: int | None):
    """[(k, set of names within k hops of ``node``)] from
    :func:`~lib.graphs.edges.receptive_field`, k = 0, 1, ... until the field covers
    the graph, stops growing or k = ``max_k``."""
    edge_index, names = from_networkx(graph)
    i = names.index(node)
    fields = []
    for k in range(len(names) if max_k is None else max_k + 1):
        reach = receptive_field(edge_index, len(names), k)[i]
        field = {names[j] for j in reach.nonzero().flatten().tolist()}
        if fields and field == fields[-1][1]:
            break
        fields.append((k, field))
        if len(field) == len(names):
            break
    return fields


def _field_panel(ax, graph, pos, node, k, field, before):
    """One panel: the nodes within k hops shaded, those new at k highlighted."""
    for a, b in graph.edges:
        inside, new = {a, b} <= before, {a, b} <= field and not {a, b} <= before
        color = FORWARD if inside else BACKWARD if new else MUTED
        _link(ax, pos[a], pos[b], color, 2.0 if inside or new else 1.0)
    for name, xy in pos.items():
        state = "inside" if name in before else "new" if name in field else "outside"
        fill = {"inside": SHADE, "new": NEW_FILL, "outside": "white"}[state]
        edge = {"inside": FORWARD, "new": BACKWARD, "outside": MUTED}[state]
        _node(ax, xy, name, state, fill, edge, 2.6 if name == node else 1.4)
    text = f"k = {k}: {len(field)} of {len(pos)} nodes"
    x0, x1 = ax.get_xlim()
    label(ax, ((x0 + x1) / 2, ax.get_ylim()[1] - 0.3), text, size=10, gid="panel")


def draw_receptive_field(
    node=None, graph: nx.Graph | None = None, max_k: int | None = None
) -> Figure:
    """The receptive field of ``node`` growing layer by layer: the nodes whose input
    reaches its output through k layers, the rows of
    :func:`~lib.graphs.edges.receptive_field`, i.e. the nodes within k hops.

    One panel per k = 0, 1, ... until the field covers the graph (or ``max_k``), two
    panels a row: the nodes already inside shaded blue, those that join at this k
    orange (with the edges that bring them), the rest grey; ``node`` outlined thickly.
    Defaults: the course graph, the node with the most neighbours.
    :func:`drawn_nodes` reads each panel's nodes back.
    """
    graph = course_graph() if graph is None else graph
    node = _busiest(graph) if node is None else node
    pos = positions(graph)
    fields = _fields(graph, node, max_k)
    xs, ys = zip(*pos.values())
    xlim, ylim = (min(xs) - 0.6, max(xs) + 0.6), (min(ys) - 0.6, max(ys) + 1.0)
    fig, axes = new_panels(
        len(fields), 2, 0.45 * np.ptp(xlim), 0.45 * np.ptp(ylim), xlim, ylim, 0.4
    )
    before = set()
    for ax, (k, field) in zip(axes, fields):
        _field_panel(ax, graph, pos, node, k, field, before)
        before = field
    legend(
        fig,
        [
            Patch(
                facecolor=SHADE,
                edgecolor=FORWARD,
                label="within k \N{MINUS SIGN} 1 hops",
            ),
            Patch(facecolor=NEW_FILL, edgecolor=BACKWARD, label="new at k"),
            Patch(facecolor="white", edgecolor=MUTED, label="not yet"),
        ],
        ncol=3,
    )
    return fig


def _ego_positions(node, neighbours, radius=2.4) -> dict:
    """``node`` at the centre, ``neighbours`` around it on a circle, leaving its top
    third free for the self-loop."""
    angles = np.radians(np.linspace(150, 390, len(neighbours)))
    if len(neighbours) == 1:
        angles = np.radians([270.0])
    pos = {node: (0.0, 0.0)}
    for j, angle in zip(neighbours, angles):
        pos[j] = (radius * np.cos(angle), radius * np.sin(angle))
    return pos


def _weights_panel(ax, pos, node, weights, d_tilde, color, title, total):
    """Edges j -> node with widths and labels ``weights`` {j: w}, their sum under."""
    for j, w in weights.items():
        if j == node:
            _self_loop(ax, pos[node], color, 1 + 14 * w)
            _weight(ax, (0.0, NODE_RADIUS + 0.75), w, node, j, color)
            continue
        _link(ax, pos[j], pos[node], color, 1 + 14 * w, "message", head=True)
        _weight(ax, np.asarray(pos[j]) * 0.5, w, node, j, color)
    for j, xy in pos.items():
        state = "receiver" if j == node else "neighbour"
        _node(ax, xy, j, state, SHADE if j == node else "white", color)
        if j != node:
            _tilde_d(ax, xy, j, d_tilde[j], xy)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    label(ax, ((x0 + x1) / 2, y1 - 0.55), title, size=10)
    label(ax, ((x0 + x1) / 2, y0 + 0.35), total, size=10.5, gid="sum")


def draw_attention(
    edge_index: torch.Tensor, alpha: torch.Tensor, node: int, layer: str = "first layer"
) -> Figure:
    """A GAT layer's attention on one node's neighbourhood, next to the GCN's fixed
    weights on the same edges.

    ``edge_index`` (2, E): the edges the layer attends over, with self-loops (its
    adjacency's ``A.indices``); ``alpha`` (E,) or (E, K): the layer's attention
    (``return_attention=True``), averaged over the K heads; ``layer``: which layer it
    is, for the title; ``node``: the index of the
    node drawn, in the centre, its neighbours around it with their degrees d~. Left
    (teal): alpha_ij on the edges j -> node, as widths and labels, and their sum (one);
    right (blue): the GCN's 1/sqrt(d~_i d~_j) from
    :func:`~lib.graphs.edges.normalized_edges` on the same edges, and their sum.
    Widths are on one scale in both panels. :func:`drawn_weights` reads each panel's
    weights back (node names as strings).
    """
    alpha = alpha.detach().double().cpu()
    heads = alpha.shape[1] if alpha.dim() == 2 else 1
    alpha = alpha.mean(1) if alpha.dim() == 2 else alpha
    N = int(edge_index.max()) + 1
    loops, gcn = normalized_edges(edge_index.cpu(), N, dtype=torch.float64)
    d_tilde = degree(loops[0], N, torch.long).tolist()
    into = edge_index[0].cpu() == node
    learned = dict(zip(edge_index[1, into].tolist(), alpha[into].tolist()))
    fixed = dict(
        zip(loops[1, loops[0] == node].tolist(), gcn[loops[0] == node].tolist())
    )
    if learned.keys() != fixed.keys():
        raise ValueError(
            f"edge_index should hold node {node}'s neighbours and self-loop "
            f"{sorted(fixed)}; into {node} it has {sorted(learned)}"
        )
    pos = _ego_positions(node, [j for j in fixed if j != node])
    fig, axes = new_panels(2, 2, 3.8, 4.1, (-3.6, 3.6), (-4.0, 3.75))
    i, mean = str(node), f"\n{layer}, mean over {heads} heads" * (heads > 1)
    gcn_title = (
        rf"GCN: fixed $\hat A_{{{i}j}} = 1/\sqrt{{\tilde d_{{{i}}} \tilde d_j}}$"
        + "\n"
        + rf"$\tilde d_{{{i}}} = {d_tilde[node]}$"
    )
    panels = [
        (learned, HIGHWAY, rf"GAT: learned $\alpha_{{{i}j}}${mean}", r"\alpha"),
        (fixed, FORWARD, gcn_title, r"\hat A"),
    ]
    for ax, (weights, color, title, symbol) in zip(axes, panels):
        total = rf"$\Sigma_j\, {symbol}_{{{i}j}} = {sum(weights.values()):.3f}$"
        _weights_panel(ax, pos, node, weights, d_tilde, color, title, total)
    return fig


GGNN_STATES = ("0", "1", "2", None, "T")  # None: the steps left out, drawn as dots
CELLS = {  # update -> (name, the cell's box, its update with {m} and {h} to fill in)
    "gru": (
        "GRU",
        "GRU cell\n$r, z$: gates\n$n$: candidate",
        r"\mathrm{{GRU}}({m}, {h})",
    ),
    "tanh": (
        "tanh",
        "vanilla cell\n$\\tanh(W_{mh} m + W_{hh} h + b)$",
        r"\tanh(W_{{mh}} {m} + W_{{hh}} {h} + b)",
    ),
}


def _ggnn_unrolled(ax, y, cell):
    """H^(0) -> H^(1) -> ... -> H^(T), every arrow the same W and the same cell."""
    x = 0.7
    for k, step in enumerate(GGNN_STATES):
        if step is None:
            label(ax, (x, y), r"$\cdots$", size=14)
        else:
            box(ax, (x, y), f"$H^{{({step})}}$", width=1.0, height=0.6)
        if k + 1 < len(GGNN_STATES):
            arrow(ax, (x + 0.55, y), (x + 1.65, y), gid="step")
            label(ax, (x + 1.1, y + 0.3), f"$W$, {cell}", color=FORWARD, size=9)
        x += 2.2


def _ggnn_messages(ax, senders, hub):
    """The senders u in a column on the left, each sending W^T h_u^(t-1) to the
    sum at ``hub``."""
    ys = np.linspace(hub[1] + 1.2, hub[1] - 1.2, len(senders))
    for u, y in zip(senders, ys if len(senders) > 1 else [hub[1]]):
        start = (0.7, y)
        _node(ax, start, u, "sender", "white", FORWARD)
        arrow(ax, _rim(start, hub), _rim(hub, start, 0.3), gid="message")
        along = 0.35 * (hub[1] - y)  # the arrow's rise over the first 35%
        label(
            ax,
            (1.95, y + along + 0.26),
            rf"$W^\top h_{{{u}}}^{{(t-1)}}$",
            color=FORWARD,
            size=9,
            gid=f"message:{u}",
        )


def _ggnn_cell(ax, node, hub, update):
    """sum -> m_v -> the cell, with h_v^(t-1) from below and h_v^(t) out."""
    cell_at, prev_at, out_at = (6.5, hub[1]), (6.5, hub[1] - 2.0), (9.6, hub[1])
    operator(ax, hub, r"$\Sigma$", radius=0.3, edge=FORWARD, gid="sum", size=11)
    arrow(ax, (hub[0] + 0.3, hub[1]), (cell_at[0] - 1.1, hub[1]))
    label(ax, (4.75, hub[1] + 0.28), f"$m_{{{node}}}^{{(t)}}$", color=FORWARD)
    box(ax, cell_at, CELLS[update][1], width=2.2, height=1.3, edge=HIGHWAY, size=9)
    _node(ax, prev_at, node, "receiver", SHADE, FORWARD, 2.2)
    arrow(ax, _rim(prev_at, cell_at), (6.5, hub[1] - 0.65), HIGHWAY, "state")
    label(ax, (6.65, hub[1] - 1.15), f"$h_{{{node}}}^{{(t-1)}}$", ha="left")
    arrow(ax, (cell_at[0] + 1.1, hub[1]), _rim(out_at, cell_at), HIGHWAY, "state")
    label(ax, (8.35, hub[1] + 0.28), f"$h_{{{node}}}^{{(t)}}$")
    _node(ax, out_at, node, "receiver", SHADE, FORWARD, 2.2)


def _ggnn_equations(ax, node, update):
    """The step in symbols under the diagram, and what is shared."""
    m, h = f"m_{{{node}}}^{{(t)}}", f"h_{{{node}}}^{{(t-1)}}"
    name, _, cell = CELLS[update]
    label(
        ax,
        (5.1, -1.75),
        rf"${m} = \sum_{{u \in \mathcal{{N}}({node})}} W^\top h_u^{{(t-1)}}, "
        rf"\qquad h_{{{node}}}^{{(t)}} = {cell.format(m=m, h=h)}$",
        size=11,
    )
    label(
        ax,
        (5.1, -2.35),
        f"the same $W$ and the same {name} cell at every node and every step",
        size=9.5,
    )


def draw_ggnn_step(node=None, graph: nx.Graph | None = None, update="gru") -> Figure:
    """A gated graph layer, equation (gnnrnn-ggnn): a recurrent cell run over
    message passing.

    Top: the states of all nodes H^(0) -> H^(1) -> ... -> H^(T), every step with the
    same message weights W and the same cell, as an RNN unrolled over time. Below, one
    step at ``node`` (default: the node with the most neighbours of ``graph``, default
    the course graph): each neighbour u sends W^T h_u^(t-1) (blue); their sum
    m_v^(t) is the cell's input, the node's own state h_v^(t-1) its hidden state
    (teal), and the cell's output is h_v^(t). ``update``: ``"gru"`` (Li et al.) or
    ``"tanh"`` (the vanilla cell), as :class:`~lib.graphs.ggnn.GatedGraphLayer`.
    The senders are tagged ``node:u:sender`` (:func:`drawn_nodes`).
    """
    if update not in CELLS:
        raise ValueError(f"update={update!r}: expected one of {tuple(CELLS)}")
    graph = course_graph() if graph is None else graph
    node = _busiest(graph) if node is None else node
    fig, ax = new_figure(7.6, 5.2, (-0.3, 10.5), (-2.7, 4.75))
    _ggnn_unrolled(ax, 4.25, CELLS[update][0])
    hub = (3.8, 1.3)
    ax.add_patch(
        FancyBboxPatch(
            (0.05, -1.2),
            10.3,
            4.6,
            boxstyle="round,pad=0.05,rounding_size=0.3",
            facecolor="#fafafa",
            edgecolor=MUTED,
            linewidth=1.0,
            linestyle="--",
            gid="zoom",
        )
    )
    label(ax, (0.25, 3.1), f"one step $t$, at node {node}:", ha="left", size=9.5)
    _ggnn_messages(ax, list(graph.neighbors(node)), hub)
    _ggnn_cell(ax, node, hub, update)
    _ggnn_equations(ax, node, update)
    return fig
