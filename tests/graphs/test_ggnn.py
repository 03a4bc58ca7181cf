import networkx as nx
import pytest
import torch

from lib.graphs.edges import from_networkx, sparse_adjacency
from lib.graphs.gcn import influence
from lib.graphs.ggnn import GGNN, GatedGraphLayer
from lib.graphs.reachability import (
    ReachabilityTask,
    hops_from,
    make_batch,
    random_forest,
)


def path_graph(n):
    edge_index, _ = from_networkx(nx.path_graph(n))
    return sparse_adjacency(edge_index, n)


def test_one_step_is_the_gru_equations():
    torch.manual_seed(0)
    A = path_graph(5)
    layer = GatedGraphLayer(4, num_steps=1)
    H = torch.randn(5, 4)
    m = A.to_dense() @ H @ layer.W.weight.T  # m_i = sum_j A_ij h_j W
    g = layer.cell
    W_ir, W_iz, W_in = g.weight_ih.chunk(3)
    W_hr, W_hz, W_hn = g.weight_hh.chunk(3)
    b_ir, b_iz, b_in = g.bias_ih.chunk(3)
    b_hr, b_hz, b_hn = g.bias_hh.chunk(3)
    r = torch.sigmoid(m @ W_ir.T + b_ir + H @ W_hr.T + b_hr)
    z = torch.sigmoid(m @ W_iz.T + b_iz + H @ W_hz.T + b_hz)
    n = torch.tanh(m @ W_in.T + b_in + r * (H @ W_hn.T + b_hn))
    assert torch.allclose(layer(A, H), (1 - z) * n + z * H, atol=1e-6)


@pytest.mark.parametrize("update", ["gru", "tanh"])
def test_t_steps_reach_exactly_t_hops_on_a_path(update):
    torch.manual_seed(1)
    A, n = path_graph(8), 8
    layer = GatedGraphLayer(3, num_steps=3, update=update)
    reach = influence(lambda H: layer(A, H), torch.randn(n, 3)) > 0
    hops = (torch.arange(n)[:, None] - torch.arange(n)[None, :]).abs()
    assert torch.equal(reach, hops <= 3)
    assert torch.equal(layer(A, torch.ones(n, 3), num_steps=0), torch.ones(n, 3))


def test_ggnn_draws_the_number_of_steps_only_in_training():
    model = GGNN(1, 4, 2, num_steps=(2, 5))
    seen = []
    model.propagate.forward = lambda A, H, T: seen.append(T) or H
    A, X = path_graph(3), torch.zeros(3, 1)
    torch.manual_seed(0)
    for _ in range(40):
        model(A, X)
    assert set(seen) == {2, 3, 4, 5}
    seen.clear()
    model.eval()
    model(A, X)
    model(A, X, num_steps=9)
    assert seen == [5, 9]
    with pytest.raises(ValueError, match="update"):
        GatedGraphLayer(4, 2, update="lstm")
    with pytest.raises(ValueError, match="num_steps"):
        GGNN(1, 4, 2, num_steps=(5, 2))


def test_reachability_labels_are_the_source_component():
    g = torch.Generator().manual_seed(0)
    edge_index = random_forest(30, 6, g)
    hops = hops_from(edge_index, 30, 0)
    assert hops[0] == 0 and (hops <= 5).all()  # components have <= 6 nodes
    G = nx.Graph(edge_index.T.tolist())
    G.add_nodes_from(range(30))
    reachable = nx.node_connected_component(G, 0)
    assert {i for i in range(30) if hops[i] >= 0} == reachable
    assert nx.is_forest(G)
    batch, y = make_batch(4, 10, 5, g)
    assert (
        batch.X.shape == (40, 1)
        and batch.X.sum() == 4
        and torch.equal(y, (batch.hops >= 0).long())
    )


def test_task_is_reproducible_and_test_set_fixed():
    a, b = (
        ReachabilityTask(seed=3, test_graphs=5),
        ReachabilityTask(seed=3, test_graphs=5),
    )
    assert torch.equal(a.batch()[1], b.batch()[1]) and torch.equal(a.test[1], b.test[1])
    assert not torch.equal(ReachabilityTask(seed=4, test_graphs=5).test[1], a.test[1])
