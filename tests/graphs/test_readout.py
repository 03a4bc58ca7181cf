import networkx as nx
import pytest
import torch

from lib.graphs.edges import from_networkx
from lib.graphs.readout import (
    MAX_DEGREE,
    CopiesTask,
    GraphClassifier,
    copies_of,
    degree_features,
    draw_weights_,
    graph_set,
    make_copies,
    mean_pool,
    pool,
    random_tree,
    sum_pool,
)
from lib.training import train


def test_pooling_equals_a_hand_computation():
    H = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]])
    batch = torch.tensor([0, 0, 1, 1, 1])
    assert torch.equal(sum_pool(H, batch), torch.tensor([[4.0, 6.0], [21.0, 24.0]]))
    assert torch.equal(mean_pool(H, batch), torch.tensor([[2.0, 3.0], [7.0, 8.0]]))
    assert torch.equal(pool(H, batch, "sum"), sum_pool(H, batch))
    assert torch.equal(pool(H, batch, "mean"), mean_pool(H, batch))


def test_pooling_shapes_unordered_ids_and_graphs_without_nodes():
    H = torch.randn(6, 3, dtype=torch.float64)
    batch = torch.tensor([2, 0, 2, 0, 0, 2])
    out = mean_pool(H, batch, num_graphs=4)
    assert out.shape == (4, 3) and out.dtype == torch.float64
    assert torch.allclose(out[0], H[[1, 3, 4]].mean(0))
    assert torch.allclose(out[2], H[[0, 2, 5]].mean(0))
    assert torch.equal(out[1], torch.zeros(3, dtype=torch.float64))  # no nodes
    assert torch.equal(out[3], torch.zeros(3, dtype=torch.float64))
    assert sum_pool(H, batch).shape == (3, 3)


def test_pooling_is_differentiable():
    H = torch.randn(4, 2, requires_grad=True)
    batch = torch.tensor([0, 0, 0, 1])
    mean_pool(H, batch).sum().backward()
    assert torch.allclose(H.grad, torch.tensor([[1 / 3] * 2] * 3 + [[1.0] * 2]))


@pytest.mark.parametrize(
    "H, batch, message",
    [
        (torch.zeros(4), torch.zeros(4, dtype=torch.long), "2-D tensor"),
        (
            torch.zeros(4, 2, dtype=torch.long),
            torch.zeros(4, dtype=torch.long),
            "floating",
        ),
        (torch.zeros(4, 2), torch.zeros(4), "torch.long"),
        (torch.zeros(4, 2), torch.zeros(4, 1, dtype=torch.long), "1-D tensor"),
        (torch.zeros(4, 2), torch.zeros(3, dtype=torch.long), "one graph id per row"),
        (torch.zeros(2, 2), torch.tensor([0, -1]), ">= 0"),
        ([[0.0]], torch.zeros(1, dtype=torch.long), "2-D tensor"),
    ],
)
def test_bad_pooling_inputs_raise(H, batch, message):
    for f in (sum_pool, mean_pool):
        with pytest.raises(ValueError, match=message):
            f(H, batch)


def test_bad_readout_and_num_graphs_raise():
    H, batch = torch.zeros(3, 2), torch.tensor([0, 1, 2])
    with pytest.raises(ValueError, match="num_graphs=2"):
        sum_pool(H, batch, num_graphs=2)
    with pytest.raises(ValueError, match="readout='max'"):
        pool(H, batch, "max")
    with pytest.raises(ValueError, match="readout='max'"):
        GraphClassifier(3, 4, 2, readout="max")


def test_degree_features_are_one_hot_and_capped():
    star, _ = from_networkx(nx.star_graph(7))  # centre of degree 7, 7 leaves
    X = degree_features(star, 8)
    assert X.shape == (8, MAX_DEGREE + 1) and X.dtype == torch.float32
    assert torch.equal(X.sum(1), torch.ones(8))
    assert X[0, MAX_DEGREE] == 1 and torch.equal(X[1:, 1], torch.ones(7))
    assert degree_features(star, 8, max_degree=7)[0, 7] == 1


def test_graph_set_unions_the_graphs():
    path, _ = from_networkx(nx.path_graph(3))
    tri, _ = from_networkx(nx.cycle_graph(3))
    graphs = graph_set([path, tri], [3, 3])
    assert graphs.num_graphs == 2 and graphs.X.shape == (6, MAX_DEGREE + 1)
    assert torch.equal(graphs.batch, torch.tensor([0, 0, 0, 1, 1, 1]))
    A = graphs.A_hat.to_dense()
    assert A.shape == (6, 6) and A[:3, 3:].abs().sum() == 0  # no edge across graphs
    assert torch.allclose(A[3:, 3:], torch.full((3, 3), 1 / 3))  # triangle + loops
    assert graph_set([tri], [3], dtype=torch.float64).X.dtype == torch.float64
    with pytest.raises(ValueError, match="X must have shape"):
        graph_set([path], [3], X=torch.ones(4, 1))
    with pytest.raises(ValueError, match="floating point"):
        graph_set([path], [3], X=torch.ones(3, 1, dtype=torch.long))
    with pytest.raises(ValueError, match="one node count per graph"):
        graph_set([path, tri], [3])
    with pytest.raises(ValueError, match="outside"):
        graph_set([tri], [2])


def test_classifier_shapes_and_permutation_invariance():
    torch.manual_seed(0)
    G = nx.lollipop_graph(4, 3)
    edges, _ = from_networkx(G)
    perm = torch.randperm(7)
    edges_p = perm[edges]  # node i is renumbered perm[i]
    assert not torch.equal(edges_p, edges)
    for readout in ("sum", "mean"):
        model = GraphClassifier(MAX_DEGREE + 1, 8, 3, num_layers=3, readout=readout)
        graphs = graph_set([edges, edges_p], [7, 7])
        logits = model(graphs)
        assert logits.shape == (2, 3)
        assert model.embed(graphs).shape == (2, 8)
        assert torch.allclose(logits[0], logits[1], atol=1e-5)


def test_mean_cannot_count_copies_and_sum_can_for_any_weights():
    generator = torch.Generator().manual_seed(0)
    tree = random_tree(6, generator)
    ks = [1, 2, 3]
    graphs = graph_set(
        [copies_of(tree, 6, k) for k in ks], [6 * k for k in ks], dtype=torch.float64
    )
    for readout in ("sum", "mean"):
        model = GraphClassifier(MAX_DEGREE + 1, 8, 4, readout=readout).double()
        for _ in range(5):
            with torch.no_grad():
                r = draw_weights_(model, generator).embed(graphs)
            factor = torch.tensor(ks, dtype=torch.float64)[:, None]
            expected = r[:1] * (factor if readout == "sum" else 1)
            assert torch.allclose(r, expected, rtol=1e-12, atol=1e-12)


def test_draw_weights_is_seeded_and_overwrites_everything():
    a, b = GraphClassifier(3, 4, 2), GraphClassifier(3, 4, 2)
    draw_weights_(a, torch.Generator().manual_seed(5))
    draw_weights_(b, torch.Generator().manual_seed(5))
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(p, q), name
        assert p.abs().sum() > 0, name  # biases start at zero; drawn now


@pytest.mark.parametrize("n", [1, 2, 3, 9])
def test_random_tree_is_a_tree(n):
    edges = random_tree(n, torch.Generator().manual_seed(n))
    assert edges.shape == (2, 2 * (n - 1)) and edges.dtype == torch.long
    G = nx.Graph(edges.T.tolist())
    G.add_nodes_from(range(n))
    assert nx.is_tree(G)
    same = random_tree(n, torch.Generator().manual_seed(n))
    assert torch.equal(edges, same)
    with pytest.raises(ValueError, match="num_nodes"):
        random_tree(0, torch.Generator())


def test_copies_have_k_components_and_labels_k_minus_one():
    graphs, y = make_copies(20, 4, (3, 8), torch.Generator().manual_seed(1))
    assert y.shape == (20,) and y.min() >= 0 and y.max() <= 3
    A = graphs.A_hat.to_dense()
    for g in range(20):
        nodes = (graphs.batch == g).nonzero().squeeze(1)
        G = nx.from_numpy_array((A[nodes][:, nodes] > 0).int().numpy())
        G.remove_edges_from(nx.selfloop_edges(G))
        assert nx.number_connected_components(G) == y[g] + 1
        assert len(nodes) % (y[g] + 1) == 0
        assert 3 <= len(nodes) // (y[g] + 1) <= 8
    with pytest.raises(ValueError, match="max_copies"):
        make_copies(2, 0, (3, 8), torch.Generator())
    with pytest.raises(ValueError, match="k must be"):
        copies_of(random_tree(3, torch.Generator()), 3, 0)


def test_copies_task_is_seeded_and_cycles_through_its_batches():
    a = CopiesTask(train_batches=3, test_graphs=10, seed=4)
    b = CopiesTask(train_batches=3, test_graphs=10, seed=4)
    assert torch.equal(a.test[1], b.test[1])
    assert torch.equal(a.test[0].batch, b.test[0].batch)
    seen = [id(a.batch()[0]) for _ in range(3)]
    assert sorted(seen) == sorted(id(x) for x, _ in a.train)  # one epoch: each once
    other = CopiesTask(train_batches=1, test_graphs=10, seed=5)
    assert not (
        torch.equal(other.test[1], a.test[1])
        and other.test[0].X.shape == a.test[0].X.shape
    )


def test_trains_with_the_shared_loop():
    task = CopiesTask(train_batches=2, batch_size=8, test_graphs=16)
    model = GraphClassifier(MAX_DEGREE + 1, 8, 4)
    hist = train(model, task, steps=4, lr=1e-2, eval_every=2, progress=False)
    assert len(hist.train_loss) == 4 and len(hist.test_accuracy) == 2
