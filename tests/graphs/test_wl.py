from collections import Counter

import networkx as nx
import pytest
import torch

from lib.graphs.edges import from_networkx
from lib.graphs.wl import (
    representation_gap,
    wl_colors,
    wl_distinguishes,
    wl_refine,
)


def graph(G):
    return from_networkx(G)[0], G.number_of_nodes()


def decalin():
    G = nx.cycle_graph(6)
    G.add_edges_from([(5, 6), (6, 7), (7, 8), (8, 9), (9, 0)])
    return G


def bicyclopentyl():
    G = nx.disjoint_union(nx.cycle_graph(5), nx.cycle_graph(5))
    G.add_edge(0, 5)
    return G


# non-isomorphic pairs that 1-WL cannot tell apart
HARD = {
    "6-cycle / two triangles": (
        nx.cycle_graph(6),
        nx.disjoint_union(nx.cycle_graph(3), nx.cycle_graph(3)),
    ),
    "cube / Wagner": (
        nx.convert_node_labels_to_integers(nx.hypercube_graph(3)),
        nx.circulant_graph(8, [1, 4]),
    ),
    "decalin / bicyclopentyl": (decalin(), bicyclopentyl()),
}
# pairs 1-WL separates, and the first round at which the histograms differ
EASY = {
    "6-cycle / tadpole": (nx.cycle_graph(6), nx.tadpole_graph(3, 3), 1),
    "path / star": (nx.path_graph(5), nx.star_graph(4), 1),
    # two trees with the same degrees: spiders with legs (1, 2, 2) and (1, 1, 3)
    "spiders": (
        nx.Graph([(0, 1), (1, 2), (1, 3), (2, 4), (3, 5)]),
        nx.Graph([(0, 4), (0, 5), (1, 3), (2, 3), (3, 4)]),
        2,
    ),
}


def test_histograms_of_a_path_by_hand():
    hist = wl_colors(*graph(nx.path_graph(3)), rounds=2)
    assert len(hist) == 3 and all(isinstance(h, Counter) for h in hist)
    assert sorted(hist[0].values()) == [3]  # one colour
    assert sorted(hist[1].values()) == [1, 2]  # ends / middle
    assert sorted(hist[2].values()) == [1, 2]  # stable
    colors = wl_refine(*graph(nx.path_graph(3)), rounds=1)
    assert colors[1][0] == colors[1][2] != colors[1][1]


def test_colours_do_not_depend_on_the_numbering():
    G = nx.lollipop_graph(4, 3)
    H = nx.relabel_nodes(G, {k: (5 * k) % 7 for k in range(7)})
    edges, n = graph(G)
    edges_h = torch.tensor([[(5 * int(i)) % 7 for i in row] for row in edges])
    assert wl_colors(edges, n, 4) == wl_colors(edges_h, n, 4)
    assert nx.is_isomorphic(G, H)


@pytest.mark.parametrize("name", HARD)
def test_1wl_cannot_tell_these_apart(name):
    a, b = HARD[name]
    assert not nx.is_isomorphic(a, b)
    assert wl_distinguishes(graph(a), graph(b)) is None
    hist_a = wl_colors(*graph(a), rounds=10)
    assert hist_a == wl_colors(*graph(b), rounds=10)


@pytest.mark.parametrize("name", EASY)
def test_1wl_separates_these_at_the_expected_round(name):
    a, b, first = EASY[name]
    assert wl_distinguishes(graph(a), graph(b)) == first
    assert wl_distinguishes(graph(a), graph(b), rounds=first - 1) is None


@pytest.mark.parametrize("name", HARD)
@pytest.mark.parametrize("readout", ["sum", "mean"])
def test_gcn_readouts_agree_on_1wl_equivalent_graphs(name, readout):
    a, b = HARD[name]
    gap = representation_gap(
        graph(a), graph(b), 20, torch.Generator().manual_seed(0), readout=readout
    )
    assert gap < 1e-9


@pytest.mark.parametrize("readout", ["sum", "mean"])
def test_the_gap_check_can_fail(readout):
    a, b, _ = EASY["6-cycle / tadpole"]
    gap = representation_gap(
        graph(a), graph(b), 5, torch.Generator().manual_seed(0), readout=readout
    )
    assert gap > 1e-2


def test_initial_labels_refine_the_colours():
    edges, n = graph(nx.cycle_graph(4))
    assert len(wl_colors(edges, n, 2)[2]) == 1
    assert len(wl_colors(edges, n, 2, labels=["x", "y", "y", "y"])[2]) == 3


@pytest.mark.parametrize(
    "edges, n, rounds, message",
    [
        (torch.tensor([[0.0, 1.0], [1.0, 0.0]]), 2, 1, "torch.long"),
        (torch.tensor([[0, 1, 2]]), 3, 1, r"shape \(2, E\)"),
        ([[0, 1], [1, 0]], 2, 1, r"shape \(2, E\)"),
        (torch.tensor([[0, 5], [5, 0]]), 3, 1, "outside"),
        (torch.tensor([[0, 1], [1, 0]]), -1, 1, "num_nodes"),
        (torch.tensor([[0, 1], [1, 0]]), 2.0, 1, "num_nodes"),
        (torch.tensor([[0, 1], [1, 0]]), 2, -1, "rounds"),
    ],
)
def test_bad_inputs_raise(edges, n, rounds, message):
    with pytest.raises(ValueError, match=message):
        wl_colors(edges, n, rounds)


def test_bad_labels_and_draws_raise():
    edges, n = graph(nx.path_graph(3))
    with pytest.raises(ValueError, match="one label per node"):
        wl_colors(edges, n, 1, labels=["a"])
    with pytest.raises(ValueError, match="draws"):
        representation_gap((edges, n), (edges, n), 0, torch.Generator())
