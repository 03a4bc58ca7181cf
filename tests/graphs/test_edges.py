import networkx as nx
import pytest
import torch

from lib.graphs.edges import (
    add_self_loops,
    coalesce,
    course_graph,
    dense_adjacency,
    disjoint_union,
    from_networkx,
    karate_club,
    karate_split,
    normalized_adjacency,
    normalized_edges,
    receptive_field,
)


def course():
    edge_index, nodes = from_networkx(course_graph())
    return edge_index, nodes, len(nodes)


def test_course_graph_as_read_from_the_figure():
    edge_index, nodes, N = course()
    assert nodes == list("ABCDEF")
    assert edge_index.shape == (2, 12)  # 6 edges, both directions
    A = dense_adjacency(edge_index, N)
    assert torch.equal(A, A.T) and A.diagonal().sum() == 0
    named = {(nodes[i], nodes[j]) for i, j in edge_index.T.tolist() if i < j}
    assert named == {
        ("A", "B"),
        ("A", "E"),
        ("A", "F"),
        ("B", "D"),
        ("C", "D"),
        ("D", "F"),
    }


def test_symmetric_normalisation_is_the_formula():
    edge_index, _, N = course()
    A_tilde = dense_adjacency(edge_index, N) + torch.eye(N)
    D_inv_sqrt = torch.diag(A_tilde.sum(1) ** -0.5)
    A_hat = normalized_adjacency(edge_index, N).to_dense()
    assert torch.allclose(A_hat, D_inv_sqrt @ A_tilde @ D_inv_sqrt)
    A_bar = normalized_adjacency(edge_index, N, kind="mean").to_dense()
    assert torch.allclose(A_bar, torch.diag(1 / A_tilde.sum(1)) @ A_tilde)
    assert torch.allclose(A_bar.sum(1), torch.ones(N))  # rows average


def test_without_self_loops_is_D_inv_sqrt_A_D_inv_sqrt():
    edge_index, _, N = course()
    A = dense_adjacency(edge_index, N, dtype=torch.float64)
    D_inv_sqrt = torch.diag(A.sum(1).rsqrt())
    S = normalized_adjacency(edge_index, N, dtype=torch.float64, self_loops=False)
    expected = D_inv_sqrt @ A @ D_inv_sqrt
    torch.testing.assert_close(S.to_dense(), expected, rtol=0, atol=1e-15)
    assert abs(torch.linalg.eigvalsh(S.to_dense()).min() + 1) < 1e-12  # bipartite: -1
    ei, w = normalized_edges(edge_index, N, dtype=torch.float64, self_loops=False)
    assert torch.equal(ei, edge_index) and (ei[0] != ei[1]).all()  # no loop added
    assert torch.equal(w, (A.sum(1)[ei[0]] * A.sum(1)[ei[1]]).rsqrt())
    A_mean = normalized_adjacency(edge_index, N, "mean", self_loops=False).to_dense()
    assert torch.allclose(A_mean.sum(1), torch.ones(N))  # D^-1 A: rows average


def test_without_self_loops_keeps_the_loops_a_graph_has():
    edge_index = torch.tensor([[0, 0, 1], [0, 1, 0]])  # a loop at node 0
    S = normalized_adjacency(edge_index, 2, self_loops=False).to_dense()
    assert torch.allclose(S, torch.tensor([[0.5, 0.5**0.5], [0.5**0.5, 0.0]]))


def test_self_loops_are_exactly_one_per_node():
    edge_index = torch.tensor([[0, 0, 1, 2], [0, 1, 0, 2]])  # loops at 0 and 2 already
    with_loops = add_self_loops(edge_index, 3)
    A = dense_adjacency(with_loops, 3)
    assert torch.equal(A.diagonal(), torch.ones(3)) and A.max() == 1


def test_coalesce_sorts_and_deduplicates():
    edge_index = torch.tensor([[2, 0, 2, 1], [1, 1, 1, 0]])
    assert coalesce(edge_index, 3).tolist() == [[0, 1, 2], [1, 0, 1]]


@pytest.mark.parametrize(
    "bad, error",
    [
        (torch.zeros(3, 4, dtype=torch.long), ValueError),
        (torch.zeros(2, 4), TypeError),
        (torch.tensor([[0, 5], [1, 0]]), ValueError),
        (torch.tensor([[0, -1], [1, 0]]), ValueError),
    ],
)
def test_bad_edge_lists_are_refused(bad, error):
    with pytest.raises(error):
        normalized_edges(bad, 3)


def test_unknown_normalisation_is_an_error():
    with pytest.raises(ValueError, match="symmetric"):
        normalized_edges(torch.tensor([[0], [1]]), 2, kind="sum")


def test_receptive_field_is_the_k_hop_neighbourhood_on_the_karate_club():
    G = nx.karate_club_graph()
    edge_index, nodes = from_networkx(G)
    dist = dict(nx.all_pairs_shortest_path_length(G))
    for k in range(0, 6):
        reach = receptive_field(edge_index, len(nodes), k)
        expected = torch.tensor([[dist[u][v] <= k for v in nodes] for u in nodes])
        assert torch.equal(reach, expected)


def test_karate_club_labels():
    edge_index, labels = karate_club()
    assert edge_index.shape == (2, 156) and labels.shape == (34,)
    assert labels[0] == 0 and labels[33] == 1 and labels.sum() == 17


def test_karate_split_labels_one_member_per_faction():
    _, labels = karate_club()
    split = karate_split()
    assert torch.equal(split.y, labels)
    assert split.train_idx.tolist() == [0, 33] and split.val_idx.tolist() == [0, 33]
    assert split.test_idx.tolist() == list(range(1, 33))  # the others, in order
    assert split.y[split.train_idx].tolist() == [0, 1]  # one per faction
    assert split.train_idx.dtype == split.test_idx.dtype == torch.long


def test_disjoint_union_shifts_node_ids():
    e = torch.tensor([[0, 1], [1, 0]])
    edges, batch = disjoint_union([e, e], [2, 3])
    assert edges.tolist() == [[0, 1, 2, 3], [1, 0, 3, 2]]
    assert batch.tolist() == [0, 0, 1, 1, 1]
