import networkx as nx
import pytest
import torch

from lib.graphs.edges import add_self_loops, from_networkx, sparse_adjacency
from lib.graphs.gat import GAT, GATLayer, attention_entropy, edge_softmax


def karate(dtype=torch.float64):
    edge_index, nodes = from_networkx(nx.karate_club_graph())
    N = len(nodes)
    return sparse_adjacency(add_self_loops(edge_index, N), N).to(dtype=dtype), N


def test_edge_softmax_is_a_softmax_over_each_neighbourhood():
    torch.manual_seed(0)
    target = torch.tensor([0, 0, 1, 2, 2, 2])
    scores = torch.randn(6, 3) * 50  # large: overflow-safe
    alpha = edge_softmax(scores, target, 3)
    for i in range(3):
        assert torch.allclose(
            alpha[target == i], torch.softmax(scores[target == i], dim=0)
        )
    assert torch.allclose(
        torch.zeros(3, 3).index_add_(0, target, alpha), torch.ones(3, 3)
    )


@pytest.mark.parametrize("concat", [True, False])
def test_layer_is_the_paper_equations(concat):
    """e_ij = LeakyReLU(a^T [W h_i || W h_j]), alpha = softmax_j,
    h'_i = sum_j alpha_ij W h_j."""
    A, N = karate()
    torch.manual_seed(1)
    layer = GATLayer(5, 4, heads=3, concat=concat).double().eval()
    H = torch.randn(N, 5, dtype=torch.float64)
    out, alpha = layer(A, H, return_attention=True)
    nbrs = [A.indices[1][A.indices[0] == i] for i in range(N)]
    heads = []
    for k in range(3):
        W = layer.W[:, 4 * k : 4 * (k + 1)]
        a = torch.cat([layer.a_dst[k], layer.a_src[k]])  # a = [a_dst || a_src]
        rows = []
        for i in range(N):
            z_i, z_j = H[i] @ W, H[nbrs[i]] @ W
            e = torch.nn.functional.leaky_relu(
                torch.cat([z_i.expand_as(z_j), z_j], 1) @ a, 0.2
            )
            rows.append(torch.softmax(e, 0) @ z_j)
        heads.append(torch.stack(rows))
    expected = torch.cat(heads, 1) if concat else torch.stack(heads).mean(0)
    assert torch.allclose(out, expected + layer.b)
    assert alpha.shape == (A.nnz, 3)


def test_attention_dropout_only_in_training_and_gradients_reach_every_parameter():
    A, N = karate(torch.float32)
    torch.manual_seed(2)
    model = GAT(6, 4, 2, heads=2)
    X = torch.randn(N, 6)
    model.eval()
    assert torch.equal(model(A, X), model(A, X))
    model.train()
    assert not torch.equal(model(A, X), model(A, X))
    model(A, X).square().sum().backward()
    assert all(
        p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters()
    )


def test_equivariant_to_relabelling_the_nodes():
    edge_index, nodes = from_networkx(nx.karate_club_graph())
    N = len(nodes)
    torch.manual_seed(3)
    perm, model = torch.randperm(N), GAT(4, 3, 2, heads=2).double().eval()
    X = torch.randn(N, 4, dtype=torch.float64)
    A = sparse_adjacency(add_self_loops(edge_index, N), N).to(dtype=torch.float64)
    inverse = torch.argsort(perm)
    A_perm = sparse_adjacency(add_self_loops(inverse[edge_index], N), N).to(
        dtype=torch.float64
    )
    assert torch.allclose(model(A_perm, X[perm]), model(A, X)[perm])


def test_wrong_feature_shape_is_refused():
    A, N = karate(torch.float32)
    with pytest.raises(ValueError, match="H must have shape"):
        GATLayer(5, 2)(A, torch.randn(N, 4))


def test_attention_entropy_is_log_degree_for_uniform_and_zero_for_one_hot():
    A, N = karate(torch.float32)
    target = A.indices[0]
    degree = torch.bincount(target, minlength=N).float()  # d~_i
    uniform = (1 / degree[target]).unsqueeze(1).expand(-1, 2)  # (E, 2 heads)
    torch.testing.assert_close(
        attention_entropy(uniform, target, N), degree.log().unsqueeze(1).expand(-1, 2)
    )
    first = torch.ones_like(target, dtype=torch.bool)
    first[1:] = target[1:] != target[:-1]  # one edge per node
    one_hot = first.float().unsqueeze(1)  # (E, 1)
    assert torch.equal(attention_entropy(one_hot, target, N), torch.zeros(N, 1))


def test_attention_entropy_of_a_gat_is_at_most_uniform():
    A, N = karate(torch.float32)
    torch.manual_seed(0)
    model = GAT(N, 4, 2, heads=3).eval()
    with torch.no_grad():
        _, (alpha1, _) = model(A, torch.eye(N), return_attention=True)
    entropy = attention_entropy(alpha1, A.indices[0], N)  # (N, 3)
    log_degree = torch.bincount(A.indices[0], minlength=N).float().log()
    assert entropy.shape == (N, 3) and (entropy <= log_degree.unsqueeze(1) + 1e-5).all()


def test_attention_entropy_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="target"):
        attention_entropy(torch.ones(4, 2), torch.zeros(3, dtype=torch.long), 2)
