"""What message passing cannot tell apart: 1-WL colour refinement (the chapter on graph
and recurrent networks).

The Weisfeiler-Lehman test (1-WL, colour refinement) gives every node a colour and
refines it round by round,

    c_i^(0) = the same colour for every node (or a colour from the node's label)
    c_i^(t) = hash( c_i^(t-1), {{ c_j^(t-1) : j in N(i) }} )     ({{ }}: a multiset)

and compares two graphs by their colour histograms (how many nodes have each colour)
after every round. Different histograms prove the graphs non-isomorphic; equal ones
prove nothing. The partition into colours can only get finer, so after at most N rounds
it stops changing.

Message passing is colour refinement with vectors for colours: a GCN layer,
h_i' = sigma(sum_{j in N(i) ∪ {i}} h_j W / sqrt(d~_i d~_j)), computes h_i' from h_i,
the multiset of the neighbours' (h_j, d_j) and d_i, all of which the WL colour holds.
So, by induction, a node's state after L layers is a function of its colour after
L + 1 rounds (L rounds when the features are constant), the same function for every
graph. Two graphs with equal histograms have equal multisets of node states, hence
equal sum and mean readouts, for any weights (Xu et al., 2019; Morris et al., 2019).

Colours are hex digests (BLAKE2b) of the round's input, so that colours of different
graphs and different runs are comparable without a shared table; a collision would
merge two colours and is, for graphs of any size met here, too unlikely to matter.

Graphs are (edge_index (2, E) long, num_nodes) as everywhere in :mod:`lib.graphs`;
the neighbours of i are the j of its edges (i, j).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import torch

from lib.graphs.edges import check_edge_index
from lib.graphs.readout import GraphClassifier, draw_weights_, graph_set


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _check_graph(edge_index, num_nodes) -> None:
    if not isinstance(num_nodes, int) or isinstance(num_nodes, bool) or num_nodes < 0:
        raise ValueError(f"num_nodes must be an int >= 0, got {num_nodes!r}")
    if isinstance(edge_index, torch.Tensor) and edge_index.dtype != torch.long:
        raise ValueError(f"edge_index must be torch.long, got {edge_index.dtype}")
    check_edge_index(edge_index, num_nodes)


def wl_refine(
    edge_index: torch.Tensor,
    num_nodes: int,
    rounds: int,
    labels: Sequence | None = None,
) -> list[list[str]]:
    """The colour of every node after each round: ``rounds + 1`` lists of
    ``num_nodes`` colours (round 0 first). ``labels`` (one per node, any values with a
    ``str``) give the initial colours; default the same for all."""
    _check_graph(edge_index, num_nodes)
    if not isinstance(rounds, int) or rounds < 0:
        raise ValueError(f"rounds must be an int >= 0, got {rounds!r}")
    if labels is not None and len(labels) != num_nodes:
        raise ValueError(f"need one label per node ({num_nodes}), got {len(labels)}")
    neighbours: list[list[int]] = [[] for _ in range(num_nodes)]
    for i, j in edge_index.T.tolist():
        neighbours[i].append(j)
    colors = [
        _digest(f"init:{'' if labels is None else labels[i]}") for i in range(num_nodes)
    ]
    history = [colors]
    for _ in range(rounds):
        colors = [
            _digest(
                colors[i] + ":" + ",".join(sorted(colors[j] for j in neighbours[i]))
            )
            for i in range(num_nodes)
        ]
        history.append(colors)
    return history


def wl_colors(
    edge_index: torch.Tensor,
    num_nodes: int,
    rounds: int,
    labels: Sequence | None = None,
) -> list[Counter]:
    """The colour histogram after each round, ``rounds + 1`` Counters
    {colour: number of nodes} (round 0 first); see :func:`wl_refine`."""
    return [Counter(c) for c in wl_refine(edge_index, num_nodes, rounds, labels)]


def wl_distinguishes(
    graph_a: tuple[torch.Tensor, int],
    graph_b: tuple[torch.Tensor, int],
    rounds: int | None = None,
) -> int | None:
    """The first round at which 1-WL's histograms of the two graphs differ, or None if
    they agree in every round up to ``rounds`` (default the larger node count, after
    which the colours no longer change): None means 1-WL cannot tell them apart."""
    (edges_a, n_a), (edges_b, n_b) = graph_a, graph_b
    rounds = max(n_a, n_b) if rounds is None else rounds
    hist_a = wl_colors(edges_a, n_a, rounds)
    hist_b = wl_colors(edges_b, n_b, rounds)
    for t, (a, b) in enumerate(zip(hist_a, hist_b)):
        if a != b:
            return t
    return None


def representation_gap(
    graph_a: tuple[torch.Tensor, int],
    graph_b: tuple[torch.Tensor, int],
    draws: int,
    generator: torch.Generator,
    readout: str = "sum",
    num_layers: int = 3,
    num_hiddens: int = 16,
) -> float:
    """max over ``draws`` random weight draws of max |r(a) - r(b)|: the readouts of a
    :class:`lib.graphs.readout.GraphClassifier` (degree features, in float64) for the
    two graphs. Every weight and bias is drawn from N(0, 1) with ``generator``, so the
    draws are not limited to what an initialisation gives."""
    if draws < 1:
        raise ValueError(f"draws must be >= 1, got {draws}")
    (edges_a, n_a), (edges_b, n_b) = graph_a, graph_b
    _check_graph(edges_a, n_a)
    _check_graph(edges_b, n_b)
    graphs = graph_set([edges_a, edges_b], [n_a, n_b], dtype=torch.float64)
    model = GraphClassifier(
        graphs.X.shape[1], num_hiddens, 2, num_layers=num_layers, readout=readout
    ).double()
    gap = 0.0
    with torch.no_grad():
        for _ in range(draws):
            r = draw_weights_(model, generator).embed(graphs)
            gap = max(gap, (r[0] - r[1]).abs().max().item())
    return gap
