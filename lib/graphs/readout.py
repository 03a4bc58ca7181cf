"""Whole graphs: readout (pooling over nodes) and a graph classifier (the chapter on
graph and recurrent networks).

A batch of G graphs is one graph, their disjoint union
(:func:`lib.graphs.edges.disjoint_union`), with a vector ``batch`` (N,) that gives each
node the id of its graph. After L graph convolutions every node i has a state h_i (a
row of H, (N, F)); a readout turns the states of graph g's nodes,
V_g = {i : batch_i = g}, into one vector:

    sum pooling:   r_g = sum_{i in V_g} h_i                      (G, F)
    mean pooling:  r_g = (1 / |V_g|) sum_{i in V_g} h_i          (G, F)

(a graph with no nodes gets r_g = 0 under both). Both are invariant to the numbering of
the nodes. Mean pooling sees the *distribution* of the node states and forgets how many
there are: k disjoint copies of one graph have the same mean for every k, whatever the
weights. Sum pooling keeps the count (Xu et al., 2019, "How powerful are graph neural
networks?", Section 5.2).

Shapes: H (N, F) floating point, batch (N,) long with ids in [0, G) -> (G, F).

:class:`GraphClassifier`: a :class:`lib.graphs.gcn.GCN` as node encoder, its last
layer followed by the activation too, so that each of its L layers computes
H' = sigma(A_hat H W + b); then a readout and a linear head,

    logits_g = r_g W_out + b_out      r (G, F_hidden) -> logits (G, C).

:class:`CopiesTask` is a data set where the readout decides: each graph is k disjoint
copies of one random tree, node features are one-hot degrees
(:func:`degree_features`), and the label is k. Its ``batch()`` and ``test`` have the
interface of :func:`lib.training.train`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import networkx as nx
import torch
from torch import nn

from lib.graphs.edges import (
    check_edge_index,
    disjoint_union,
    from_networkx,
    normalized_adjacency,
)
from lib.graphs.gcn import GCN
from lib.graphs.sparse import SparseMatrix
from lib.runtime import seeded_generator
from lib.training import History, train

READOUTS = ("sum", "mean")
MAX_DEGREE = 5


def check_pool_inputs(H: torch.Tensor, batch: torch.Tensor) -> None:
    """Raise a ValueError that says what is wrong unless H is (N, F) floating point and
    ``batch`` (N,) long with non-negative ids."""
    if not isinstance(H, torch.Tensor) or H.dim() != 2:
        shape = tuple(H.shape) if isinstance(H, torch.Tensor) else type(H).__name__
        raise ValueError(f"H must be a 2-D tensor (N, F), got {shape}")
    if not H.is_floating_point():
        raise ValueError(f"H must be floating point, got {H.dtype}")
    if not isinstance(batch, torch.Tensor) or batch.dim() != 1:
        shape = tuple(batch.shape) if isinstance(batch, torch.Tensor) else type(batch)
        raise ValueError(f"batch must be a 1-D tensor (N,), got {shape}")
    if batch.dtype != torch.long:
        raise ValueError(f"batch must be torch.long (graph ids), got {batch.dtype}")
    if batch.shape[0] != H.shape[0]:
        raise ValueError(
            f"batch must give one graph id per row of H: H has {H.shape[0]} rows, "
            f"batch has {batch.shape[0]} entries"
        )
    if batch.numel() and batch.min() < 0:
        raise ValueError(f"graph ids must be >= 0, got {int(batch.min())}")


def _num_graphs(batch: torch.Tensor, num_graphs: int | None) -> int:
    needed = int(batch.max()) + 1 if batch.numel() else 0
    if num_graphs is None:
        return needed
    if num_graphs < needed:
        raise ValueError(
            f"num_graphs={num_graphs}, but batch holds graph id {needed - 1}"
        )
    return num_graphs


def sum_pool(
    H: torch.Tensor, batch: torch.Tensor, num_graphs: int | None = None
) -> torch.Tensor:
    """r_g = sum_{i: batch_i = g} h_i: (N, F), (N,) -> (G, F). ``num_graphs``
    (default max id + 1) leaves room for trailing graphs without nodes (rows of 0)."""
    check_pool_inputs(H, batch)
    G = _num_graphs(batch, num_graphs)
    out = torch.zeros(G, H.shape[1], dtype=H.dtype, device=H.device)
    return out.index_add(0, batch, H)


def mean_pool(
    H: torch.Tensor, batch: torch.Tensor, num_graphs: int | None = None
) -> torch.Tensor:
    """r_g = (1 / |V_g|) sum_{i: batch_i = g} h_i: (N, F), (N,) -> (G, F); 0 for a
    graph without nodes."""
    total = sum_pool(H, batch, num_graphs)
    count = torch.bincount(batch, minlength=total.shape[0]).clamp(min=1)
    return total / count.to(H.dtype).unsqueeze(1)


POOLS: dict[str, Callable[..., torch.Tensor]] = {"sum": sum_pool, "mean": mean_pool}


def pool(
    H: torch.Tensor, batch: torch.Tensor, readout: str, num_graphs: int | None = None
) -> torch.Tensor:
    """:func:`sum_pool` or :func:`mean_pool`, by name."""
    if readout not in READOUTS:
        raise ValueError(f"readout={readout!r}: expected one of {READOUTS}")
    return POOLS[readout](H, batch, num_graphs)


@dataclass
class GraphSet:
    """G graphs as one disjoint union: A_hat (N, N) the GCN's normalised adjacency,
    X (N, F) node features, batch (N,) graph id of each node."""

    A_hat: SparseMatrix
    X: torch.Tensor
    batch: torch.Tensor
    num_graphs: int


def degree_features(
    edge_index: torch.Tensor, num_nodes: int, max_degree: int = MAX_DEGREE
) -> torch.Tensor:
    """One-hot degrees (num_nodes, max_degree + 1), degrees above ``max_degree`` in the
    last column: the usual node features of graphs that have none (Xu et al., 2019).
    A node's degree is its 1-WL colour after one round (:mod:`lib.graphs.wl`)."""
    check_edge_index(edge_index, num_nodes)
    d = torch.bincount(edge_index[0], minlength=num_nodes).clamp(max=max_degree)
    return nn.functional.one_hot(d, max_degree + 1).float()


def graph_set(
    edge_indices: list[torch.Tensor],
    num_nodes: list[int],
    X: torch.Tensor | None = None,
    dtype: torch.dtype = torch.float32,
) -> GraphSet:
    """The :class:`GraphSet` of the graphs ``edge_indices[g]`` (each numbered from 0)
    on ``num_nodes[g]`` nodes; features X (sum N, F), default
    :func:`degree_features` in ``dtype``. A_hat has X's dtype."""
    if len(edge_indices) != len(num_nodes) or not num_nodes:
        raise ValueError(
            f"need one node count per graph and at least one graph, got "
            f"{len(edge_indices)} edge lists and {len(num_nodes)} node counts"
        )
    for e, n in zip(edge_indices, num_nodes):
        check_edge_index(e, n)
    edge_index, batch = disjoint_union(list(edge_indices), list(num_nodes))
    N = int(sum(num_nodes))
    if X is None:
        X = degree_features(edge_index, N).to(dtype)
    if X.dim() != 2 or X.shape[0] != N:
        raise ValueError(f"X must have shape ({N}, F), got {tuple(X.shape)}")
    if not X.is_floating_point():
        raise ValueError(f"X must be floating point, got {X.dtype}")
    A_hat = normalized_adjacency(edge_index, N, dtype=X.dtype)
    return GraphSet(A_hat, X, batch, len(num_nodes))


class GraphClassifier(nn.Module):
    """logits (G, C) = head(readout(sigma(GCN(A_hat, X)), batch)).

    The node encoder is ``GCN(in_features, num_hiddens, num_hiddens, num_layers,
    dropout)``; its last layer is followed by the activation as well, so that all L
    layers compute H' = sigma(A_hat H W). ``readout`` is "sum" or "mean";
    ``head`` a ``torch.nn.Linear(num_hiddens, num_classes)``.

    ``forward(graphs)`` takes a :class:`GraphSet`; ``embed(graphs)`` returns the pooled
    r (G, num_hiddens) before the head, ``node_states(graphs)`` the states it pools.
    """

    def __init__(
        self,
        in_features: int,
        num_hiddens: int,
        num_classes: int,
        num_layers: int = 2,
        readout: str = "sum",
        dropout: float = 0.0,
        bias: bool = True,
        activation: Callable[[torch.Tensor], torch.Tensor] = torch.relu,
    ):
        super().__init__()
        if readout not in READOUTS:
            raise ValueError(f"readout={readout!r}: expected one of {READOUTS}")
        self.readout, self.activation = readout, activation
        self.encoder = GCN(
            in_features,
            num_hiddens,
            num_hiddens,
            num_layers=num_layers,
            dropout=dropout,
            bias=bias,
            activation=activation,
        )
        self.head = nn.Linear(num_hiddens, num_classes)

    def node_states(self, graphs: GraphSet) -> torch.Tensor:
        """H^(L) (N, num_hiddens): every node's state after the L layers."""
        return self.activation(self.encoder(graphs.A_hat, graphs.X))

    def embed(self, graphs: GraphSet) -> torch.Tensor:
        return pool(
            self.node_states(graphs), graphs.batch, self.readout, graphs.num_graphs
        )

    def forward(self, graphs: GraphSet) -> torch.Tensor:
        return self.head(self.embed(graphs))

    def extra_repr(self) -> str:
        return f"readout={self.readout!r}"


def train_classifier(
    model: nn.Module,
    task,
    steps: int,
    lr: float = 3e-3,
    evaluations: int = 5,
    decay: float = 0.1,
    progress: bool | None = None,
) -> History:
    """:func:`lib.training.train` with Adam at ``lr``, then ``lr * decay`` for the
    last 1 / ``evaluations`` of the steps (the test set is evaluated ``evaluations``
    times, at the end of each part; it does not decide anything). The lower rate at
    the end lets the weights settle instead of jumping between nearby solutions."""
    if evaluations < 1 or steps < evaluations:
        raise ValueError(
            f"need steps >= evaluations >= 1, got steps={steps}, "
            f"evaluations={evaluations}"
        )
    every = steps // evaluations
    optimizers: list[torch.optim.Optimizer] = []

    def adam(params, lr):
        optimizers.append(torch.optim.Adam(params, lr=lr))
        return optimizers[-1]

    def lower_rate(step: int, _model: nn.Module) -> None:
        if step == (evaluations - 1) * every:
            for group in optimizers[0].param_groups:
                group["lr"] = lr * decay

    return train(
        model,
        task,
        steps,
        optimizer=adam,
        lr=lr,
        eval_every=every,
        progress=progress,
        on_eval=lower_rate,
    )


@torch.no_grad()
def draw_weights_(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """Overwrite every parameter of ``model`` with N(0, 1) draws from ``generator``
    (in place; returns the model): weights no initialisation would give, for checks
    that must hold for any weights."""
    for p in model.parameters():
        p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype))
    return model


def random_tree(num_nodes: int, generator: torch.Generator) -> torch.Tensor:
    """(2, E) undirected edge list of a uniformly random labelled tree on
    ``num_nodes`` >= 1 nodes (a random Pruefer sequence, decoded by networkx)."""
    if num_nodes < 1:
        raise ValueError(f"num_nodes must be >= 1, got {num_nodes}")
    if num_nodes == 1:
        return torch.zeros(2, 0, dtype=torch.long)
    if num_nodes == 2:
        return torch.tensor([[0, 1], [1, 0]])
    code = torch.randint(0, num_nodes, (num_nodes - 2,), generator=generator)
    tree = nx.from_prufer_sequence(code.tolist())
    return from_networkx(tree)[0]


def make_copies(
    num_graphs: int,
    max_copies: int,
    tree_nodes: tuple[int, int],
    generator: torch.Generator,
) -> tuple[GraphSet, torch.Tensor]:
    """(graphs, labels (num_graphs,)): graph g is k_g disjoint copies of one random tree
    of n_g nodes, k_g uniform in 1..max_copies and n_g uniform in tree_nodes = (lo, hi),
    both inclusive and independent; the label is k_g - 1. Node features:
    :func:`degree_features`."""
    lo, hi = tree_nodes
    if not 1 <= lo <= hi or max_copies < 1:
        raise ValueError(
            f"need 1 <= lo <= hi and max_copies >= 1, got tree_nodes={tree_nodes}, "
            f"max_copies={max_copies}"
        )
    copies = torch.randint(1, max_copies + 1, (num_graphs,), generator=generator)
    sizes = torch.randint(lo, hi + 1, (num_graphs,), generator=generator)
    edges, nodes = [], []
    for k, n in zip(copies.tolist(), sizes.tolist()):
        edges.append(copies_of(random_tree(n, generator), n, k))
        nodes.append(k * n)
    return graph_set(edges, nodes), copies - 1


def copies_of(edge_index: torch.Tensor, num_nodes: int, k: int) -> torch.Tensor:
    """The edge list of k disjoint copies of a graph (copy c numbered from
    c * num_nodes)."""
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    return disjoint_union([edge_index] * k, [num_nodes] * k)[0]


@dataclass
class CopiesTask:
    """How many copies? A fixed training set of ``train_batches`` batches of
    ``batch_size`` graphs, visited in a new random order every epoch, and a test set of
    ``test_graphs`` graphs drawn from its own random stream; graphs as in
    :func:`make_copies`. ``batch()`` and ``test`` are what :func:`lib.training.train`
    reads."""

    max_copies: int = 4
    tree_nodes: tuple[int, int] = (3, 8)
    batch_size: int = 64
    train_batches: int = 125
    test_graphs: int = 400
    seed: int = 0
    generator: torch.Generator = field(init=False, repr=False)
    train: list[tuple[GraphSet, torch.Tensor]] = field(init=False, repr=False)
    test: tuple[GraphSet, torch.Tensor] = field(init=False, repr=False)

    def __post_init__(self):
        self.generator = seeded_generator(2 * self.seed)
        test_generator = seeded_generator(2 * self.seed + 1)
        self.train = [
            make_copies(
                self.batch_size, self.max_copies, self.tree_nodes, self.generator
            )
            for _ in range(self.train_batches)
        ]
        self.test = make_copies(
            self.test_graphs, self.max_copies, self.tree_nodes, test_generator
        )
        self._order: list[int] = []

    def batch(self) -> tuple[GraphSet, torch.Tensor]:
        if not self._order:
            self._order = torch.randperm(
                self.train_batches, generator=self.generator
            ).tolist()
        return self.train[self._order.pop()]
