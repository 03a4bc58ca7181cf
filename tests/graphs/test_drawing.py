"""The graph chapters' diagrams draw what the objects they come from hold: the weights
written are the entries of A_hat or a GAT layer's attention, the receptive fields are
the nodes within k hops, the GGNN's senders are the neighbours; every figure is white,
parses its mathtext and keeps its text inside."""

import io

import matplotlib.pyplot as plt
import networkx as nx
import pytest
import torch
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from lib.graphs import (
    GATLayer,
    add_self_loops,
    course_graph,
    draw_attention,
    draw_ggnn_step,
    draw_graph,
    draw_message_passing,
    draw_receptive_field,
    drawn_nodes,
    drawn_weights,
    from_networkx,
    karate_club,
    layout,
    normalized_adjacency,
    sparse_adjacency,
)

pytestmark = pytest.mark.usefixtures("close_figures")


def karate_attention(seed=0):
    """(edge_index with self-loops, alpha (E, 4)) of a random 4-head GAT layer."""
    edge_index, _ = karate_club()
    A = sparse_adjacency(add_self_loops(edge_index, 34), 34)
    torch.manual_seed(seed)
    layer = GATLayer(34, 8, heads=4).eval()
    with torch.no_grad():
        _, alpha = layer(A, torch.eye(34), return_attention=True)
    return A.indices, alpha


def course_hat():
    """{(i, j): A_hat_ij} of the course graph, by name, float64, dense."""
    edge_index, names = from_networkx(course_graph())
    dense = normalized_adjacency(edge_index, 6, dtype=torch.float64).to_dense()
    return {
        (a, b): dense[i, j].item()
        for i, a in enumerate(names)
        for j, b in enumerate(names)
    }


DRAWINGS = {
    "message passing": draw_message_passing,
    "receptive field": draw_receptive_field,
    "attention": lambda: draw_attention(*karate_attention(), 4),
    "ggnn": draw_ggnn_step,
    "ggnn tanh": lambda: draw_ggnn_step(update="tanh"),
}


@pytest.mark.parametrize("draw", DRAWINGS.values(), ids=DRAWINGS.keys())
def test_draws_on_white_with_every_text_inside_its_panel(draw):
    fig = draw()
    assert isinstance(fig, Figure)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # parses every mathtext label
    assert buffer.getvalue().startswith(b"\x89PNG")
    assert to_rgba(fig.get_facecolor()) == to_rgba("white")
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        assert to_rgba(ax.get_facecolor()) == to_rgba("white")
        panel = ax.get_window_extent(renderer)
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert (
                box.x0 >= panel.x0 - 1
                and box.x1 <= panel.x1 + 1
                and box.y0 >= panel.y0 - 1
                and box.y1 <= panel.y1 + 1
            ), f"{text.get_text()!r} leaves its panel: {box} outside {panel}"
            assert to_rgba(text.get_color()) != to_rgba("black"), text.get_text()
    for legend in fig.legends:
        box = legend.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1 and box.y0 >= 0


def test_message_passing_writes_the_entries_of_a_hat():
    fig = draw_message_passing()
    drawn = drawn_weights(fig.axes[0])
    hat = course_hat()
    G = course_graph()
    receiver = max(G.nodes, key=G.degree)
    assert receiver == "A", "A has the most neighbours (3, tied with D, first in order)"
    assert set(drawn) == {("A", j) for j in ["A", *G.neighbors("A")]}
    for edge, value in drawn.items():
        assert abs(value - hat[edge]) <= 5e-4, (edge, value, hat[edge])
    assert drawn[("A", "E")] == 0.354  # 1/sqrt(4 * 2)
    nodes = drawn_nodes(fig.axes[0])
    assert nodes["A"] == "receiver" and nodes["C"] == nodes["D"] == "other"


def test_message_passing_at_another_node():
    drawn = drawn_weights(draw_message_passing("C").axes[0])
    assert drawn == {("C", "C"): 0.5, ("C", "D"): round(1 / 8**0.5, 3)}


@pytest.mark.parametrize("node", ["A", "C"])
def test_receptive_field_panels_are_the_hops(node):
    G = course_graph()
    hops = nx.single_source_shortest_path_length(G, node)
    fig = draw_receptive_field(node)
    assert len(fig.axes) == max(hops.values()) + 1, "one panel per k until it covers"
    before = set()
    for k, ax in enumerate(fig.axes):
        states = drawn_nodes(ax)
        inside = {n for n, s in states.items() if s in ("inside", "new")}
        assert inside == {n for n, h in hops.items() if h <= k}, (k, states)
        assert {n for n, s in states.items() if s == "new"} == inside - before
        before = inside


def test_receptive_field_stops_at_max_k_and_when_it_stops_growing():
    assert len(draw_receptive_field("C", max_k=1).axes) == 2
    G = nx.Graph([(0, 1), (2, 3)])  # two components: the field of 0 stops at {0, 1}
    assert len(draw_receptive_field(0, G).axes) == 2


def test_attention_writes_the_layers_weights_and_the_gcns():
    edge_index, alpha = karate_attention()
    node = 4
    fig = draw_attention(edge_index, alpha, node)
    assert len(fig.axes) == 2
    learned, fixed = (drawn_weights(ax) for ax in fig.axes)
    into = edge_index[0] == node
    mean = alpha.mean(1)
    expected = {
        ("4", str(j)): a
        for j, a in zip(edge_index[1, into].tolist(), mean[into].tolist())
    }
    assert learned.keys() == expected.keys() == fixed.keys()
    assert len(learned) == 4  # neighbours 0, 6, 10 and the self-loop
    for edge, value in learned.items():
        assert abs(value - expected[edge]) <= 5e-4
    assert abs(sum(expected.values()) - 1) < 1e-6
    hat = normalized_adjacency(karate_club()[0], 34, dtype=torch.float64).to_dense()
    for (_, j), value in fixed.items():
        assert abs(value - hat[node, int(j)].item()) <= 5e-4
    sums = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid() == "sum"]
    assert sums[0].endswith("= 1.000$"), sums


def test_attention_of_one_head_and_without_self_loops():
    edge_index, alpha = karate_attention()
    drawn = drawn_weights(draw_attention(edge_index, alpha[:, 2], 4).axes[0])
    into = edge_index[0] == 4
    assert sorted(drawn.values()) == sorted(
        round(a, 3) for a in alpha[into, 2].tolist()
    )
    off = edge_index[0] != edge_index[1]
    with pytest.raises(ValueError, match="self-loop"):
        draw_attention(edge_index[:, off], alpha[off], 4)


def test_ggnn_step_draws_the_neighbours_as_senders():
    fig = draw_ggnn_step("D")
    nodes = drawn_nodes(fig.axes[0])
    senders = {n for n, s in nodes.items() if s == "sender"}
    assert senders == set(course_graph().neighbors("D")), nodes
    assert nodes["D"] == "receiver"
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(r"\mathrm{GRU}" in t for t in texts), texts
    with pytest.raises(ValueError, match="update"):
        draw_ggnn_step(update="lstm")


def test_draw_graph_still_draws():
    edge_index, names = from_networkx(course_graph())
    _, ax = plt.subplots()
    nodes = draw_graph(ax, edge_index, layout(edge_index, 6), labels=names)
    assert len(nodes.get_offsets()) == 6
