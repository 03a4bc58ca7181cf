"""The training setups of the two papers that the reproduction chapter reproduces,
and one run of each.

GCN: Kipf & Welling (2017), "Semi-Supervised Classification with Graph Convolutional
Networks", section 5.2, and their code:

* two graph convolutions, 16 hidden units, ReLU; dropout 0.5 on both layers' inputs;
* Adam, learning rate 0.01; L2 penalty 5e-4 on the first layer's weights only;
* at most 200 epochs; stop as soon as the validation objective exceeds the mean of the
  10 epochs before it (window 10), and test the last weights.

MLP: the paper's graph-free baseline (their Table 2), :class:`lib.graphs.gcn.MLP`: the
GCN's setup with A_hat replaced by the identity (same widths, dropout, optimiser, L2 on
the first layer, stopping rule).

GAT: Velickovic et al. (2018), "Graph Attention Networks", section 3.3, and their code:

* K = 8 heads of 8 units (concatenated, ELU), then an output layer of 1 head (PubMed: 8
  heads, averaged); dropout 0.6 on both layers' inputs and on the normalised attention
  coefficients (the authors' code also drops the summed values W h_j);
* Adam, learning rate 0.005 (PubMed 0.01); L2 penalty 5e-4 (PubMed 1e-3) on all weights;
* stop once neither the validation loss fell nor the validation accuracy rose for 100
  epochs (patience 100); test the weights of the last epoch at which both were best.

Both train on the standard Planetoid split (:class:`lib.graphs.planetoid.Planetoid`: 20
labelled nodes per class, 500 validation nodes, 1000 test nodes) with row-normalised
features. A run seeds everything first, so its seed fixes the initialisation and every
dropout mask; it runs on the device that holds the data.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from torch import nn

from lib.graphs.edges import add_self_loops, normalized_adjacency, sparse_adjacency
from lib.graphs.gat import GAT
from lib.graphs.gcn import GCN, MLP
from lib.graphs.node_classification import (
    NodeHistory,
    PatienceStopping,
    WindowStopping,
    train_nodes,
)
from lib.graphs.sparse import SparseMatrix
from lib.runtime import seed_everything

GCN_SETUP = dict(
    hidden=16, layers=2, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200, window=10
)
GAT_SETUP = {
    "cora": dict(
        hidden=8, heads=8, output_heads=1, dropout=0.6, lr=0.005, weight_decay=5e-4
    ),
    "citeseer": dict(
        hidden=8, heads=8, output_heads=1, dropout=0.6, lr=0.005, weight_decay=5e-4
    ),
    "pubmed": dict(
        hidden=8, heads=8, output_heads=8, dropout=0.6, lr=0.01, weight_decay=1e-3
    ),
}
GAT_MAX_EPOCHS, GAT_PATIENCE = 100_000, 100  # in effect: until the patience runs out


def run_gcn(data, seed: int, epochs: int | None = None) -> NodeHistory:
    """One run of Kipf & Welling's GCN (:data:`GCN_SETUP`) on ``data`` (a Planetoid).

    ``epochs`` replaces the paper's 200 (a few: to test the code path).
    """
    return _run_gcn_setup(GCN, data, seed, epochs)


def run_mlp(data, seed: int, epochs: int | None = None) -> NodeHistory:
    """One run of the graph-free baseline (:class:`lib.graphs.gcn.MLP`) with the GCN's
    setup (:data:`GCN_SETUP`): the same widths, dropout, optimiser, L2 penalty on the
    first layer and stopping rule; it reads ``data.X`` only, never the edges.

    With the same seed it starts from the GCN's initial weights.
    """
    return _run_gcn_setup(MLP, data, seed, epochs)


def _run_gcn_setup(
    model_class: type[GCN], data, seed: int, epochs: int | None
) -> NodeHistory:
    """One seeded run of ``model_class`` (:class:`GCN`, or :class:`MLP`: no graph, the
    input ``data.X`` alone) in Kipf & Welling's setup and training: Adam, L2 on the
    first layer, window stopping."""
    seed_everything(seed)
    device = data.edge_index.device
    inputs = (data.X,)
    if not issubclass(model_class, MLP):  # the MLP reads no graph
        A_hat = normalized_adjacency(data.edge_index, data.num_nodes).to(device)
        inputs = (A_hat, data.X)
    model = model_class(
        data.num_features,
        GCN_SETUP["hidden"],
        data.num_classes,
        num_layers=GCN_SETUP["layers"],
        dropout=GCN_SETUP["dropout"],
    ).to(device)
    return train_nodes(
        model,
        inputs,
        data,
        epochs=GCN_SETUP["epochs"] if epochs is None else epochs,
        lr=GCN_SETUP["lr"],
        weight_decay=GCN_SETUP["weight_decay"],
        decayed=model.decayed_parameters(),
        stopping=WindowStopping(GCN_SETUP["window"]),
    )


def run_gat(
    data,
    seed: int,
    value_dropout: float | None = None,
    on_epoch: Callable[[int, nn.Module], None] | None = None,
    epochs: int | None = None,
) -> tuple[NodeHistory, GAT, SparseMatrix]:
    """One run of Velickovic et al.'s GAT (``GAT_SETUP[data.name]``) on ``data``.

    Returns (history, the model with its tested weights, A: the graph with self-loops
    that the model reads). ``value_dropout=0.0`` drops only what the paper's text says
    (see :class:`lib.graphs.gat.GAT`); ``on_epoch`` goes to
    :func:`lib.graphs.node_classification.train_nodes`; ``epochs`` replaces the (in
    effect unlimited) :data:`GAT_MAX_EPOCHS`.
    """
    if data.name not in GAT_SETUP:
        raise ValueError(
            f"no GAT setup for {data.name!r}: expected one of {list(GAT_SETUP)}"
        )
    setup = GAT_SETUP[data.name]
    seed_everything(seed)
    device = data.edge_index.device
    A = sparse_adjacency(
        add_self_loops(data.edge_index, data.num_nodes), data.num_nodes
    ).to(device)
    model = GAT(
        data.num_features,
        setup["hidden"],
        data.num_classes,
        heads=setup["heads"],
        output_heads=setup["output_heads"],
        dropout=setup["dropout"],
        value_dropout=value_dropout,
    ).to(device)
    hist = train_nodes(
        model,
        (A, data.X),
        data,
        epochs=GAT_MAX_EPOCHS if epochs is None else epochs,
        lr=setup["lr"],
        weight_decay=setup["weight_decay"],
        stopping=PatienceStopping(GAT_PATIENCE),
        on_epoch=on_epoch,
    )
    return hist, model, A


class LastWeights:
    """An ``on_epoch`` callback that copies the weights after every epoch: ``epoch`` and
    ``state`` are then those of the last epoch trained, which early stopping's restoring
    of the best weights does not touch."""

    def __call__(self, epoch: int, model: nn.Module) -> None:
        self.epoch, self.state = epoch, copy.deepcopy(model.state_dict())
