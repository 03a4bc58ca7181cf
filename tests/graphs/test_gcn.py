import networkx as nx
import pytest
import torch

from lib.graphs.edges import (
    course_graph,
    dense_adjacency,
    from_networkx,
    normalized_adjacency,
)
from lib.graphs.gcn import GCN, GCNLayer, influence


def setup(dtype=torch.float64):
    edge_index, nodes = from_networkx(course_graph())
    N = len(nodes)
    A_hat = normalized_adjacency(edge_index, N)
    A_hat = A_hat.to(dtype=dtype)
    A_tilde = dense_adjacency(edge_index, N).to(dtype) + torch.eye(N, dtype=dtype)
    D = A_tilde.sum(1)
    return A_hat, D.rsqrt().diag() @ A_tilde @ D.rsqrt().diag(), N


def test_layer_is_the_formula_for_every_adjacency_layout():
    A_hat, A_ref, N = setup()
    torch.manual_seed(0)
    layer = GCNLayer(4, 3, bias=True).double()
    H = torch.randn(N, 4, dtype=torch.float64)
    expected = A_ref @ H @ layer.W + layer.b
    for A in (A_hat, A_hat.to_coo(), A_ref):
        assert torch.allclose(layer(A, H), expected)


def test_row_i_is_a_weighted_sum_over_the_neighbourhood():
    A_hat, _, N = setup()
    G = course_graph()
    nodes, deg = list(G.nodes), dict(G.degree)
    layer = GCNLayer(2, 2).double()
    H = torch.randn(N, 2, dtype=torch.float64)
    out = layer(A_hat, H)
    for i, u in enumerate(nodes):
        row = sum(
            H[nodes.index(v)] @ layer.W / ((deg[u] + 1) * (deg[v] + 1)) ** 0.5
            for v in [u, *G.neighbors(u)]
        )
        assert torch.allclose(out[i], row)


def test_equivariant_to_relabelling_the_nodes():
    torch.manual_seed(1)
    G = nx.karate_club_graph()
    edge_index, nodes = from_networkx(G)
    N, perm = len(nodes), torch.randperm(len(nodes))
    model = GCN(5, 8, 3).double().eval()
    X = torch.randn(N, 5, dtype=torch.float64)
    out = model(normalized_adjacency(edge_index, N).to(dtype=torch.float64), X)
    inverse = torch.argsort(perm)  # new id of old node
    A_perm = normalized_adjacency(inverse[edge_index], N).to(dtype=torch.float64)
    out_perm = model(A_perm, X[perm])
    assert torch.allclose(out_perm, out[perm])


def test_k_layers_see_exactly_k_hops():
    G = nx.karate_club_graph()
    edge_index, nodes = from_networkx(G)
    A_hat, N = normalized_adjacency(edge_index, len(nodes)), len(nodes)
    dist = torch.tensor(nx.floyd_warshall_numpy(G, nodelist=nodes, weight=None))
    torch.manual_seed(2)
    for k in (1, 2, 3):
        model = GCN(3, 4, 2, num_layers=k, dropout=0.0, activation=torch.tanh).eval()
        reach = influence(lambda X: model(A_hat, X), torch.randn(N, 3)) > 0
        assert torch.equal(reach, dist <= k)


def test_dropout_only_in_training_and_decayed_parameters():
    A_hat, _, N = setup(torch.float32)
    model = GCN(4, 8, 2, dropout=0.5)
    X = torch.randn(N, 4)
    model.eval()
    assert torch.equal(model(A_hat, X), model(A_hat, X))
    model.train()
    torch.manual_seed(0)
    assert not torch.equal(model(A_hat, X), model(A_hat, X))
    decayed = model.decayed_parameters()
    assert decayed and all(
        p is q for p, q in zip(decayed, model.layers[0].parameters())
    )
    assert not any(p is q for p in decayed for q in model.layers[1].parameters())


def test_hidden_widths_and_return_hidden():
    A_hat, _, N = setup(torch.float32)
    model = GCN(4, [5, 6, 2], 3)
    logits, hidden = model(A_hat, torch.randn(N, 4), return_hidden=True)
    assert logits.shape == (N, 3) and [h.shape[1] for h in hidden] == [5, 6, 2]
    assert len(GCN(4, 16, 3, num_layers=16).layers) == 16


def test_bad_inputs_are_refused():
    A_hat, _, N = setup(torch.float32)
    layer = GCNLayer(4, 2)
    with pytest.raises(ValueError, match=r"\(N, F_in\)"):
        layer(A_hat, torch.randn(N, 5))
    with pytest.raises(ValueError, match="square"):
        layer(torch.randn(N, N + 1), torch.randn(N, 4))
    with pytest.raises(TypeError, match="floating"):
        layer(A_hat, torch.ones(N, 4, dtype=torch.long))


def test_dirichlet_energy_is_the_edge_sum_and_vanishes_on_the_fixed_points():
    from lib.graphs.edges import karate_club
    from lib.graphs.oversmoothing import dirichlet_energy, propagate_powers

    edge_index, _ = karate_club()
    N = 34
    A_hat = normalized_adjacency(edge_index, N, dtype=torch.float64)
    A_tilde = dense_adjacency(edge_index, N, dtype=torch.float64) + torch.eye(
        N, dtype=torch.float64
    )
    d = A_tilde.sum(1)
    H = torch.randn(N, 3, dtype=torch.float64)
    scaled = H / d.sqrt().unsqueeze(1)
    edge_sum = 0.5 * (A_tilde * torch.cdist(scaled, scaled) ** 2).sum() / (H**2).sum()
    assert abs(dirichlet_energy(A_hat, H) - edge_sum.item()) < 1e-12
    assert dirichlet_energy(A_hat, d.sqrt().unsqueeze(1).repeat(1, 2)) < 1e-12
    powers = propagate_powers(A_hat, H, [0, 1, 8])
    assert torch.equal(powers[0], H) and torch.allclose(
        powers[8], torch.linalg.matrix_power(A_hat.to_dense(), 8) @ H
    )
    energies = [dirichlet_energy(A_hat, powers[k]) for k in (0, 1, 8)]
    assert energies[0] > energies[1] > energies[2]


def test_mlp_is_the_gcn_with_the_identity_for_a_hat():
    from lib.graphs.gcn import MLP
    from lib.graphs.sparse import SparseMatrix

    torch.manual_seed(3)
    N, F = 7, 5
    X = torch.randn(N, F, dtype=torch.float64)
    mlp = MLP(F, [6, 4], 3, bias=True).double().eval()
    gcn = GCN(F, [6, 4], 3, bias=True).double().eval()
    gcn.load_state_dict(mlp.state_dict())  # same names, same shapes
    assert torch.allclose(mlp(X), gcn(torch.eye(N, dtype=torch.float64), X))
    # rows are classified independently: permuting or dropping other rows is harmless
    perm = torch.randperm(N)
    assert torch.allclose(mlp(X[perm]), mlp(X)[perm])
    assert torch.allclose(mlp(X[:3]), mlp(X)[:3])
    # sparse features give the dense answer
    idx = X.nonzero().T
    sparse_X = SparseMatrix(idx, X[idx[0], idx[1]], (N, F))
    assert torch.allclose(mlp(sparse_X), mlp(X))
    logits, hidden = mlp(X, return_hidden=True)
    assert logits.shape == (N, 3) and [h.shape[1] for h in hidden] == [6, 4]


def test_mlp_starts_from_the_gcn_weights_and_decays_its_first_layer():
    from lib.graphs.gcn import MLP

    torch.manual_seed(4)
    mlp = MLP(9, 16, 3)
    torch.manual_seed(4)
    gcn = GCN(9, 16, 3)
    for (name, p), (gname, q) in zip(
        mlp.state_dict().items(), gcn.state_dict().items()
    ):
        assert name == gname and torch.equal(p, q)
    decayed = mlp.decayed_parameters()
    assert len(decayed) == 1 and decayed[0] is mlp.layers[0].W
    X = torch.randn(4, 9)
    mlp.eval()
    assert torch.equal(mlp(X), mlp(X))
    mlp.train()
    assert not torch.equal(mlp(X), mlp(X))  # dropout 0.5 by default
    with pytest.raises(ValueError, match=r"\(N, F_in\)"):
        mlp(torch.randn(4, 8))


def test_the_layer_without_a_graph_propagates_by_the_identity():
    torch.manual_seed(5)
    layer = GCNLayer(4, 3, bias=True).double()
    H = torch.randn(6, 4, dtype=torch.float64)
    eye = torch.eye(6, dtype=torch.float64)
    assert torch.equal(layer(None, H), H @ layer.W + layer.b)
    assert torch.allclose(layer(None, H), layer(eye, H))
    with pytest.raises(ValueError, match=r"\(N, F_in\)"):
        layer(None, torch.randn(6, 5))


def test_the_mlp_is_the_gcns_code_with_the_same_parameters_and_dropout():
    from lib.graphs.gcn import MLP
    from lib.runtime import seed_everything

    N, F = 8, 5
    seed_everything(6)
    mlp = MLP(F, 7, 3)
    seed_everything(6)
    gcn = GCN(F, 7, 3)
    assert sum(p.numel() for p in mlp.parameters()) == sum(
        p.numel() for p in gcn.parameters()
    )
    X = torch.rand(N, F)
    seed_everything(7)
    trained_mlp = mlp(X)  # dropout on: the same masks for the same seed
    seed_everything(7)
    trained_gcn = gcn(torch.eye(N), X)
    assert torch.allclose(trained_mlp, trained_gcn, atol=1e-6)
