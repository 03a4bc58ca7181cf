"""A task that needs many propagation steps: which nodes can a marked source reach?
(the chapter on graph and recurrent networks)

Each graph is a random forest: components of 1..``max_component`` nodes, each a random
tree in which node t hangs from one of the two nodes before it (long, path-like trees
with branches). One node per graph is the source (feature x_i = 1, else 0); the label of
node i is 1 if it lies in the source's component. A node h hops away can only know after
h steps of message passing, so the task asks a model for as many steps as the longest
path, and a model that runs a fixed number of steps fails beyond it. A batch is the
disjoint union of its graphs.

:class:`ReachabilityTask` has the interface of :func:`lib.training.train` (``batch()``
and ``test``), and :class:`OnGraphBatch` adapts a ``model(A, X)`` to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import torch
from torch import nn

from lib.graphs.edges import disjoint_union, normalized_adjacency, sparse_adjacency
from lib.graphs.sparse import SparseMatrix
from lib.runtime import seeded_generator
from lib.training import eval_mode


@dataclass
class GraphBatch:
    """A (N, N) adjacency without self-loops (sum aggregation), A_hat the GCN's
    normalisation, X (N, 1) source indicator, hops (N,) distance from the source
    (-1: unreachable)."""

    A: SparseMatrix
    A_hat: SparseMatrix
    X: torch.Tensor
    hops: torch.Tensor


def random_forest(
    num_nodes: int, max_component: int, generator: torch.Generator
) -> torch.Tensor:
    """(2, E) undirected edge list of a random forest as described in the module
    docstring."""
    draws = torch.randint(1, max_component + 1, (num_nodes,), generator=generator)
    sizes = draws[: int((draws.cumsum(0) < num_nodes).sum()) + 1].clone()
    sizes[-1] -= sizes.sum() - num_nodes  # the last component fills up to N
    start = torch.repeat_interleave(sizes.cumsum(0) - sizes, sizes)
    node = torch.arange(num_nodes)
    position = node - start  # t, the place in its component
    back = torch.randint(0, 2, (num_nodes,), generator=generator) * (position >= 2)
    child = node[position >= 1]
    parent = (node - 1 - back)[position >= 1]  # one of the two nodes before t
    return torch.cat(
        [torch.stack([child, parent]), torch.stack([parent, child])], dim=1
    )


def hops_from(edge_index: torch.Tensor, num_nodes: int, sources) -> torch.Tensor:
    """Shortest-path distances in hops from each of ``sources`` (an int or a list) to
    every node, -1 where unreachable: shape (N,) for one source, (S, N) for a list."""
    i, j = edge_index.numpy()
    graph = sp.csr_matrix((np.ones(len(i)), (i, j)), shape=(num_nodes, num_nodes))
    dist = csgraph.shortest_path(graph, unweighted=True, indices=sources)
    return torch.from_numpy(np.where(np.isinf(dist), -1, dist)).long()


def make_batch(
    num_graphs: int, num_nodes: int, max_component: int, generator: torch.Generator
) -> tuple[GraphBatch, torch.Tensor]:
    """(batch, labels (num_graphs * num_nodes,)) of ``num_graphs`` random forests."""
    graphs = [
        random_forest(num_nodes, max_component, generator) for _ in range(num_graphs)
    ]
    edge_index, _ = disjoint_union(graphs, [num_nodes] * num_graphs)
    N = num_graphs * num_nodes
    sources = torch.randint(0, num_nodes, (num_graphs,), generator=generator)
    sources += torch.arange(num_graphs) * num_nodes
    dist = hops_from(edge_index, N, sources.tolist()).reshape(
        num_graphs, num_graphs, num_nodes
    )
    # own graph
    hops = dist[torch.arange(num_graphs), torch.arange(num_graphs)].reshape(N)
    X = torch.zeros(N, 1).index_fill_(0, sources, 1.0)
    batch = GraphBatch(
        sparse_adjacency(edge_index, N), normalized_adjacency(edge_index, N), X, hops
    )
    return batch, (batch.hops >= 0).long()


@dataclass
class ReachabilityTask:
    """Fresh random batches for training, a fixed test set (its own random stream)."""

    num_nodes: int = 24
    max_component: int = 12
    batch_size: int = 32
    test_graphs: int = 200
    seed: int = 0
    generator: torch.Generator = field(init=False, repr=False)
    test: tuple[GraphBatch, torch.Tensor] = field(init=False, repr=False)

    def __post_init__(self):
        self.generator = seeded_generator(2 * self.seed)
        test_generator = seeded_generator(2 * self.seed + 1)
        self.test = make_batch(
            self.test_graphs, self.num_nodes, self.max_component, test_generator
        )

    def batch(self) -> tuple[GraphBatch, torch.Tensor]:
        return make_batch(
            self.batch_size, self.num_nodes, self.max_component, self.generator
        )


class OnGraphBatch(nn.Module):
    """``model(A, X, **kwargs)`` as ``f(batch)``, reading ``batch.A`` or
    ``batch.A_hat``."""

    def __init__(self, model: nn.Module, adjacency: str = "A", **kwargs):
        super().__init__()
        if adjacency not in ("A", "A_hat"):
            raise ValueError(f"adjacency={adjacency!r}: expected 'A' or 'A_hat'")
        self.model, self.adjacency, self.kwargs = model, adjacency, kwargs

    def forward(self, batch: GraphBatch) -> torch.Tensor:
        return self.model(getattr(batch, self.adjacency), batch.X, **self.kwargs)


@torch.no_grad()
def accuracy_by_hops(
    model: nn.Module, batch: GraphBatch, y: torch.Tensor, max_hops: int
) -> tuple[np.ndarray, float]:
    """(accuracy on the reachable nodes at 0..max_hops hops (NaN where none), accuracy
    on the unreachable nodes)."""
    with eval_mode(model):
        correct = (model(batch).argmax(1) == y).float()
    by_hops = np.array(
        [
            correct[batch.hops == h].mean().item()
            if (batch.hops == h).any()
            else np.nan
            for h in range(max_hops + 1)
        ]
    )
    return by_hops, correct[batch.hops < 0].mean().item()
