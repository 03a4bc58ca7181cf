"""Drawing small graphs for the graph chapters: nodes coloured by a value, edges
weighted by another."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import torch
from matplotlib.collections import LineCollection


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
