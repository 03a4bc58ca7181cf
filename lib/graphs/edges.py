"""Graphs as edge lists, and the normalised adjacency matrices of graph convolutions
(every graph chapter).

Convention. A graph on N nodes is an edge list ``edge_index`` of shape (2, E), dtype
long. Column e, (i, j) = (edge_index[0, e], edge_index[1, e]), is the entry A_ij of the
adjacency matrix: a message from j to i, so that (A H)_i = sum_j A_ij H_j is what node i
receives. An undirected graph lists each edge in both directions. With self-loops added,

    A~    = A + I                     every node also keeps its own features
    D~_ii = sum_j A~_ij = deg(i) + 1  degrees counting the self-loop
    A_hat = D~^{-1/2} A~ D~^{-1/2}    symmetric normalisation:  weight 1/sqrt(d~_i d~_j)
    A_bar = D~^{-1} A~                mean (row) normalisation: weight 1/d~_i

Without self-loops (``self_loops=False``): D^{-1/2} A D^{-1/2}, D_ii = deg(i), the
matrix in the normalised Laplacian L = I - D^{-1/2} A D^{-1/2} and in the first-order
filter I + D^{-1/2} A D^{-1/2} that the renormalisation trick replaces by A_hat.

Large graphs never become dense N x N matrices here: weights live on the E edges and
:func:`sparse_adjacency` builds a :class:`lib.graphs.sparse.SparseMatrix`.
:func:`dense_adjacency` and :func:`receptive_field` are for small graphs (printing A~
for six nodes, checking hop counts).
"""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import torch

from lib.graphs.sparse import SparseMatrix

COURSE_NODES = ("A", "B", "C", "D", "E", "F")
COURSE_EDGES = (("A", "B"), ("A", "E"), ("A", "F"), ("B", "D"), ("C", "D"), ("D", "F"))
NORMALIZATIONS = ("symmetric", "mean")


def course_graph() -> nx.Graph:
    """The course's six-node example graph (nodes A-F, edges as read from its
    figure)."""
    G = nx.Graph()
    G.add_nodes_from(COURSE_NODES)
    G.add_edges_from(COURSE_EDGES)
    return G


def from_networkx(G: nx.Graph) -> tuple[torch.Tensor, list]:
    """(edge_index (2, E), nodes): node k of the edge list is ``nodes[k]``
    (networkx's order).

    Undirected graphs give both directions of every edge; edge weights are ignored.
    """
    nodes = list(G.nodes)
    position = {node: k for k, node in enumerate(nodes)}
    pairs = [(position[u], position[v]) for u, v in G.edges]
    edge_index = torch.tensor(pairs, dtype=torch.long).reshape(-1, 2).T
    if not G.is_directed():
        edge_index = torch.cat([edge_index, edge_index.flip(0)], dim=1)
    return coalesce(edge_index, len(nodes)), nodes


def karate_club() -> tuple[torch.Tensor, torch.Tensor]:
    """Zachary's karate club (34 nodes, 78 edges): (edge_index, club labels (34,)),
    label 0 for Mr. Hi's faction (node 0), 1 for the Officer's (node 33)."""
    G = nx.karate_club_graph()
    edge_index, nodes = from_networkx(G)
    labels = torch.tensor([int(G.nodes[n]["club"] != "Mr. Hi") for n in nodes])
    return edge_index, labels


def karate_split() -> SimpleNamespace:
    """The semi-supervised toy on the karate club: one labelled member per faction.

    Returns ``y`` (34,), the labels of :func:`karate_club`; ``train_idx`` = [0, 33], the
    instructor and the administrator; ``val_idx`` = [0, 33] as well (nothing is tuned:
    there is no validation set, and no early stopping); ``test_idx`` (32,), the other
    members in order. These are the fields that
    :func:`lib.graphs.node_classification.train_nodes` reads.
    """
    _, labels = karate_club()
    unlabelled = [n for n in range(len(labels)) if n not in (0, 33)]
    return SimpleNamespace(
        y=labels,
        train_idx=torch.tensor([0, 33]),
        val_idx=torch.tensor([0, 33]),
        test_idx=torch.tensor(unlabelled),
    )


def check_edge_index(edge_index: torch.Tensor, num_nodes: int) -> None:
    """Raise a clear error unless ``edge_index`` is a (2, E) long tensor of ids in
    [0, N)."""
    if (
        not isinstance(edge_index, torch.Tensor)
        or edge_index.dim() != 2
        or edge_index.shape[0] != 2
    ):
        shape = (
            tuple(edge_index.shape)
            if isinstance(edge_index, torch.Tensor)
            else type(edge_index)
        )
        raise ValueError(f"edge_index must have shape (2, E), got {shape}")
    if edge_index.dtype != torch.long:
        raise TypeError(f"edge_index must be torch.long, got {edge_index.dtype}")
    if edge_index.numel() and (edge_index.min() < 0 or edge_index.max() >= num_nodes):
        raise ValueError(f"edge_index holds node ids outside [0, {num_nodes})")


def coalesce(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """Sorted by (i, j), duplicates removed."""
    check_edge_index(edge_index, num_nodes)
    key = torch.unique(edge_index[0] * num_nodes + edge_index[1])
    return torch.stack([key // num_nodes, key % num_nodes])


def add_self_loops(edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """The edge list of A~ = A + I: any existing self-loops replaced by exactly one per
    node."""
    check_edge_index(edge_index, num_nodes)
    edge_index = edge_index[:, edge_index[0] != edge_index[1]]
    loops = torch.arange(num_nodes, device=edge_index.device).expand(2, -1)
    return coalesce(torch.cat([edge_index, loops], dim=1), num_nodes)


def degree(
    index: torch.Tensor, num_nodes: int, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """How often each node appears in ``index`` (N,), e.g. d~_i for
    index = edge_index[0]."""
    return torch.bincount(index, minlength=num_nodes).to(dtype)


def normalized_edges(
    edge_index: torch.Tensor,
    num_nodes: int,
    kind: str = "symmetric",
    dtype: torch.dtype = torch.float32,
    self_loops: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(edge_index of A~, weight (E,)): the non-zeros of A_hat (symmetric) or
    A_bar (mean).

    symmetric: w_ij = 1 / sqrt(d~_i d~_j)        mean: w_ij = 1 / d~_i

    ``self_loops=False``: the same for A as given (coalesced; no self-loop added or
    removed) and its degrees d_i: D^{-1/2} A D^{-1/2} (w_ij = 1 / sqrt(d_i d_j)) or
    D^{-1} A (w_ij = 1 / d_i).
    """
    if kind not in NORMALIZATIONS:
        raise ValueError(f"kind={kind!r}: expected one of {NORMALIZATIONS}")
    if self_loops:
        edge_index = add_self_loops(edge_index, num_nodes)
    else:
        edge_index = coalesce(edge_index, num_nodes)
    i, j = edge_index
    d = degree(i, num_nodes, dtype)
    weight = (d[i] * d[j]).rsqrt() if kind == "symmetric" else 1.0 / d[i]
    return edge_index, weight


def sparse_adjacency(
    edge_index: torch.Tensor,
    num_nodes: int,
    weight: torch.Tensor | None = None,
    dtype: torch.dtype = torch.float32,
) -> SparseMatrix:
    """The (N, N) sparse matrix with entries ``weight`` (default 1 of ``dtype``) at
    ``edge_index`` (duplicate edges are summed)."""
    check_edge_index(edge_index, num_nodes)
    if weight is None:
        weight = torch.ones(edge_index.shape[1], dtype=dtype, device=edge_index.device)
    A = torch.sparse_coo_tensor(
        edge_index, weight, (num_nodes, num_nodes), check_invariants=True
    )
    return SparseMatrix.from_coo(A)


def normalized_adjacency(
    edge_index: torch.Tensor,
    num_nodes: int,
    kind: str = "symmetric",
    dtype: torch.dtype = torch.float32,
    self_loops: bool = True,
) -> SparseMatrix:
    """A_hat = D~^{-1/2} (A + I) D~^{-1/2} (or A_bar = D~^{-1} (A + I)), sparse (N, N).

    ``self_loops=False``: D^{-1/2} A D^{-1/2} (or D^{-1} A), as in
    :func:`normalized_edges`.
    """
    edge_index, weight = normalized_edges(
        edge_index, num_nodes, kind, dtype, self_loops
    )
    return sparse_adjacency(edge_index, num_nodes, weight)


def dense_adjacency(
    edge_index: torch.Tensor,
    num_nodes: int,
    weight: torch.Tensor | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """The same matrix, dense: for small graphs only (printing, checking formulas)."""
    return sparse_adjacency(edge_index, num_nodes, weight, dtype).to_dense()


def receptive_field(edge_index: torch.Tensor, num_nodes: int, k: int) -> torch.Tensor:
    """reach (N, N) bool: reach[i, j] iff j's input can reach i's output through k
    layers, i.e. the non-zero pattern of A~^k (equivalently A_hat^k). Small graphs
    only."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    step = dense_adjacency(add_self_loops(edge_index, num_nodes), num_nodes) > 0
    reach = torch.eye(num_nodes, dtype=torch.bool)
    for _ in range(k):
        reach = (reach.float() @ step.float()) > 0
    return reach


def disjoint_union(
    edge_indices: list[torch.Tensor], num_nodes: list[int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Many graphs as one (a batch): (edge_index, graph id of each node (sum N,))."""
    offsets = torch.tensor([0] + list(num_nodes[:-1])).cumsum(0)
    edges = torch.cat([e + o for e, o in zip(edge_indices, offsets.tolist())], dim=1)
    batch = torch.repeat_interleave(
        torch.arange(len(num_nodes)), torch.tensor(num_nodes)
    )
    return edges, batch
