import networkx as nx
import pytest
import torch

from lib.graphs.edges import (add_self_loops, coalesce, course_graph, dense_adjacency, disjoint_union,
                        from_networkx, karate_club, normalized_adjacency, normalized_edges,
                        receptive_field)


def course():
    edge_index, nodes = from_networkx(course_graph())
    return edge_index, nodes, len(nodes)


def test_course_graph_as_read_from_the_figure():
    edge_index, nodes, N = course()
    assert nodes == list("ABCDEF")
    assert edge_index.shape == (2, 12)                                # 6 edges, both directions
    A = dense_adjacency(edge_index, N)
    assert torch.equal(A, A.T) and A.diagonal().sum() == 0
    named = {(nodes[i], nodes[j]) for i, j in edge_index.T.tolist() if i < j}
    assert named == {("A", "B"), ("A", "E"), ("A", "F"), ("B", "D"), ("C", "D"), ("D", "F")}


def test_symmetric_normalisation_is_the_formula():
    edge_index, _, N = course()
    A_tilde = dense_adjacency(edge_index, N) + torch.eye(N)
    D_inv_sqrt = torch.diag(A_tilde.sum(1) ** -0.5)
    A_hat = normalized_adjacency(edge_index, N).to_dense()
    assert torch.allclose(A_hat, D_inv_sqrt @ A_tilde @ D_inv_sqrt)
    A_bar = normalized_adjacency(edge_index, N, kind="mean").to_dense()
    assert torch.allclose(A_bar, torch.diag(1 / A_tilde.sum(1)) @ A_tilde)
    assert torch.allclose(A_bar.sum(1), torch.ones(N))                # rows average


def test_self_loops_are_exactly_one_per_node():
    edge_index = torch.tensor([[0, 0, 1, 2], [0, 1, 0, 2]])          # loops at 0 and 2 already
    with_loops = add_self_loops(edge_index, 3)
    A = dense_adjacency(with_loops, 3)
    assert torch.equal(A.diagonal(), torch.ones(3)) and A.max() == 1


def test_coalesce_sorts_and_deduplicates():
    edge_index = torch.tensor([[2, 0, 2, 1], [1, 1, 1, 0]])
    assert coalesce(edge_index, 3).tolist() == [[0, 1, 2], [1, 0, 1]]


@pytest.mark.parametrize("bad, error", [
    (torch.zeros(3, 4, dtype=torch.long), ValueError),
    (torch.zeros(2, 4), TypeError),
    (torch.tensor([[0, 5], [1, 0]]), ValueError),
    (torch.tensor([[0, -1], [1, 0]]), ValueError),
])
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


def test_disjoint_union_shifts_node_ids():
    e = torch.tensor([[0, 1], [1, 0]])
    edges, batch = disjoint_union([e, e], [2, 3])
    assert edges.tolist() == [[0, 1, 2, 3], [1, 0, 3, 2]]
    assert batch.tolist() == [0, 0, 1, 1, 1]
