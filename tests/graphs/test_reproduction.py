"""lib.graphs.reproduction: the papers' setups, and one run of each at smoke scale."""

import pytest
import torch

from lib.graphs.edges import coalesce
from lib.graphs.gat import GAT
from lib.graphs.planetoid import Planetoid
from lib.graphs.reproduction import (
    GAT_PATIENCE,
    GAT_SETUP,
    GCN_SETUP,
    LastWeights,
    run_gat,
    run_gcn,
)


def random_graph(name="cora", num_nodes=30, num_features=12, num_classes=3):
    """A small Planetoid-shaped graph: random undirected edges, normalised features."""
    g = torch.Generator().manual_seed(0)
    pairs = torch.randint(num_nodes, (2, 4 * num_nodes), generator=g)
    pairs = pairs[:, pairs[0] != pairs[1]]  # no self-loops
    edge_index = coalesce(torch.cat([pairs, pairs.flip(0)], dim=1), num_nodes)
    X = torch.rand(num_nodes, num_features, generator=g)
    nodes = torch.randperm(num_nodes, generator=g)
    return Planetoid(
        name,
        X=X / X.sum(1, keepdim=True),
        y=torch.randint(num_classes, (num_nodes,), generator=g),
        edge_index=edge_index,
        train_idx=nodes[:9],
        val_idx=nodes[9:18],
        test_idx=nodes[18:],
        num_classes=num_classes,
    )


def test_the_setups_are_the_papers():
    assert (
        dict(
            hidden=16,
            layers=2,
            dropout=0.5,
            lr=0.01,
            weight_decay=5e-4,
            epochs=200,
            window=10,
        )
        == GCN_SETUP
    )
    for name in ("cora", "citeseer"):
        assert GAT_SETUP[name] == dict(
            hidden=8, heads=8, output_heads=1, dropout=0.6, lr=0.005, weight_decay=5e-4
        )
    assert GAT_SETUP["pubmed"] == dict(
        hidden=8, heads=8, output_heads=8, dropout=0.6, lr=0.01, weight_decay=1e-3
    )
    assert GAT_PATIENCE == 100


def test_a_gcn_run_is_reproducible_and_seeded():
    data = random_graph()
    a, b, c = run_gcn(data, seed=0, epochs=4), run_gcn(data, 0, 4), run_gcn(data, 1, 4)
    assert a.epochs <= 4 and len(a.train_loss) == a.epochs
    assert 0.0 <= a.test_accuracy <= 1.0
    assert a.train_loss == b.train_loss and a.test_accuracy == b.test_accuracy
    assert a.train_loss != c.train_loss


def test_a_gat_run_returns_the_model_and_its_graph():
    data = random_graph()
    last = LastWeights()
    hist, model, A = run_gat(data, seed=0, on_epoch=last, epochs=3)
    again, _, _ = run_gat(data, seed=0, epochs=3)
    assert isinstance(model, GAT) and hist.epochs == 3 and last.epoch == 3
    assert hist.train_loss == again.train_loss
    assert 0 <= hist.kept_epoch <= hist.epochs and 0.0 <= hist.test_accuracy <= 1.0
    i, j = A.indices
    assert (i == j).sum() == data.num_nodes  # one self-loop each
    assert A.nnz == data.edge_index.shape[1] + data.num_nodes
    assert model.hidden.heads == 8 and model.output.heads == 1
    assert set(last.state) == set(model.state_dict())


def test_value_dropout_off_changes_the_run():
    data = random_graph()
    with_code, _, _ = run_gat(data, seed=0, epochs=3)
    text_only, model, _ = run_gat(data, seed=0, value_dropout=0.0, epochs=3)
    assert model.hidden.value_dropout == 0.0
    assert with_code.train_loss != text_only.train_loss


def test_pubmed_has_eight_output_heads():
    _, model, _ = run_gat(random_graph("pubmed"), seed=0, epochs=1)
    assert model.output.heads == 8


def test_a_dataset_without_a_setup_is_refused():
    with pytest.raises(ValueError, match="no GAT setup"):
        run_gat(random_graph("karate"), seed=0, epochs=1)


def test_an_mlp_run_has_the_gcn_setup_and_ignores_the_edges():
    from lib.graphs.reproduction import run_mlp

    data = random_graph()
    a, b = run_mlp(data, seed=0, epochs=4), run_mlp(data, 0, 4)
    assert a.epochs <= 4 and a.train_loss == b.train_loss
    assert 0.0 <= a.test_accuracy <= 1.0
    assert a.train_loss != run_gcn(data, 0, 4).train_loss
    # another graph on the same nodes and features: the same run
    rewired = Planetoid(
        data.name,
        X=data.X,
        y=data.y,
        edge_index=random_graph(num_nodes=30).edge_index.flip(0)[:, :10],
        train_idx=data.train_idx,
        val_idx=data.val_idx,
        test_idx=data.test_idx,
        num_classes=data.num_classes,
    )
    assert run_mlp(rewired, 0, 4).train_loss == a.train_loss


def test_an_mlp_run_is_seeded_and_reads_no_edges():
    from lib.graphs.reproduction import run_mlp

    data = random_graph()
    a, b, c = run_mlp(data, seed=0, epochs=4), run_mlp(data, 0, 4), run_mlp(data, 1, 4)
    assert a.epochs <= 4 and len(a.train_loss) == a.epochs
    assert a.train_loss == b.train_loss and a.train_loss != c.train_loss
    rewired = random_graph()
    rewired.edge_index = rewired.edge_index[:, :4]  # another graph, the same nodes
    assert run_mlp(rewired, 0, 4).train_loss == a.train_loss
    assert run_gcn(rewired, 0, 4).train_loss != run_gcn(data, 0, 4).train_loss
