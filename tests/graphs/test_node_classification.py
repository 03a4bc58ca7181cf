import copy
from types import SimpleNamespace

import torch
from torch import nn

from lib.graphs.edges import karate_club, normalized_adjacency
from lib.graphs.gcn import GCN
from lib.graphs.node_classification import (
    PatienceStopping,
    WindowStopping,
    l2_penalty,
    train_nodes,
)


def test_window_stopping_is_kipf_and_wellings_rule():
    rule = WindowStopping(window=3)
    losses = [5, 4, 3, 2, 1, 1.5, 1.4, 1.3, 2.0]
    stops = [rule(e, val_objective=v) for e, v in enumerate(losses, 1)]
    # epoch 9: 2.0 > mean(1.5, 1.4, 1.3); epoch 6: 1.5 < mean(3, 2, 1) = 2
    assert stops == [False] * 8 + [True]


def test_patience_stopping_keeps_the_last_epoch_best_in_both():
    model = nn.Linear(1, 1)
    rule = PatienceStopping(patience=2)
    history = [(1.0, 0.5), (0.9, 0.6), (0.8, 0.55), (0.95, 0.58), (0.97, 0.4)]
    snapshots = {}
    for epoch, (loss, acc) in enumerate(history, 1):
        with torch.no_grad():
            model.weight.fill_(epoch)
        snapshots[epoch] = copy.deepcopy(model.state_dict())
        stop = rule(epoch, val_loss=loss, val_accuracy=acc, model=model)
        if stop:
            break
    # epoch 3 improved the loss only (kept going, no snapshot); 4 and 5 improved nothing
    assert epoch == 5 and rule.restore(model, epoch) == 2
    assert model.weight.item() == 2.0


def test_l2_penalty_is_adams_weight_decay():
    torch.manual_seed(0)
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    x = torch.randn(5, 3)
    opt_a = torch.optim.Adam(a.parameters(), lr=0.1, weight_decay=0.01)
    opt_b = torch.optim.Adam(b.parameters(), lr=0.1)
    for _ in range(3):
        opt_a.zero_grad()
        opt_b.zero_grad()
        a(x).sum().backward()
        (b(x).sum() + l2_penalty(b.parameters(), 0.01)).backward()
        opt_a.step()
        opt_b.step()
    assert all(
        torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters())
    )


def test_train_nodes_on_the_karate_club():
    edge_index, labels = karate_club()
    N = len(labels)
    data = SimpleNamespace(
        y=labels,
        train_idx=torch.tensor([0, 33]),
        val_idx=torch.tensor([1, 2, 31, 32]),
        test_idx=torch.arange(3, 31),
    )
    torch.manual_seed(0)
    model = GCN(N, 8, 2, dropout=0.0)
    hist = train_nodes(
        model,
        (normalized_adjacency(edge_index, N), torch.eye(N)),
        data,
        epochs=100,
        lr=0.01,
        weight_decay=5e-4,
        decayed=model.decayed_parameters(),
        stopping=WindowStopping(10),
    )
    assert (
        0 < hist.epochs <= 100 and len(hist.val_loss) == hist.epochs == hist.kept_epoch
    )
    assert hist.train_loss[-1] < hist.train_loss[0]
    assert 0.0 <= hist.test_accuracy <= 1.0 and hist.seconds > 0
