"""Semi-supervised node classification: train on a few labelled nodes of one graph
(the graph convolution, attention and reproduction chapters).

The model sees the whole graph (features of every node, every edge) but the loss only
the labels of the training nodes. The objective of both papers reproduced in the
chapter is

    L = mean_{i in train} -log softmax(Z_i)[y_i] + (lambda / 2) sum_{W decayed} ||W||^2,

minimised with Adam (the L2 term is what their TensorFlow code adds to the loss; its
gradient lambda W is exactly what ``torch.optim.Adam(weight_decay=lambda)`` adds). Every
choice during training (when to stop, which weights to keep) looks at the validation
nodes only; the test nodes are evaluated once, at the end.

Two early-stopping rules, one per paper:

* :class:`WindowStopping` (Kipf & Welling): after ``window`` + 1 epochs, stop as soon as
  the validation objective exceeds the mean of the ``window`` before it; keep the last
  weights.
* :class:`PatienceStopping` (Velickovic et al.): stop once neither the validation loss
  fell nor the validation accuracy rose for ``patience`` epochs; keep the weights of the
  last epoch at which both were at their best.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import torch
from torch import nn

from lib.runtime import progress_bar
from lib.training import eval_mode


@dataclass
class NodeHistory:
    """One training run. Per-epoch lists; ``test_accuracy`` is measured once, after
    training."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epochs: int = 0
    kept_epoch: int = 0  # the epoch whose weights were evaluated
    test_accuracy: float = float("nan")
    seconds: float = 0.0


class WindowStopping:
    """Kipf & Welling: stop when val objective > mean of the previous ``window``
    values."""

    def __init__(self, window: int = 10):
        self.window, self.values = window, []

    def __call__(self, epoch: int, val_objective: float, **_) -> bool:
        self.values.append(val_objective)
        recent = self.values[-(self.window + 1) : -1]
        return len(self.values) > self.window + 1 and val_objective > sum(recent) / len(
            recent
        )

    def restore(self, model: nn.Module, last_epoch: int) -> int:
        return last_epoch


class PatienceStopping:
    """Velickovic et al.: patience on (val loss, val accuracy), restoring the best
    weights."""

    def __init__(self, patience: int = 100):
        self.patience, self.waited = patience, 0
        self.best_loss, self.best_accuracy = float("inf"), -1.0
        self.state, self.epoch = None, 0

    def __call__(
        self, epoch: int, val_loss: float, val_accuracy: float, model: nn.Module, **_
    ) -> bool:
        if val_accuracy >= self.best_accuracy or val_loss <= self.best_loss:
            if val_accuracy >= self.best_accuracy and val_loss <= self.best_loss:
                self.state, self.epoch = copy.deepcopy(model.state_dict()), epoch
            self.best_accuracy = max(val_accuracy, self.best_accuracy)
            self.best_loss = min(val_loss, self.best_loss)
            self.waited = 0
            return False
        self.waited += 1
        return self.waited >= self.patience

    def restore(self, model: nn.Module, last_epoch: int) -> int:
        if self.state is None:
            return last_epoch
        model.load_state_dict(self.state)
        return self.epoch


def l2_penalty(params: Iterable[torch.Tensor], weight_decay: float) -> torch.Tensor:
    """(lambda / 2) sum ||W||^2, TensorFlow's ``weight_decay * tf.nn.l2_loss``."""
    return weight_decay / 2 * sum((p**2).sum() for p in params)


@torch.no_grad()
def evaluate(
    model: nn.Module, inputs: tuple, y: torch.Tensor, idx: torch.Tensor
) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on the nodes ``idx``, dropout off."""
    with eval_mode(model):
        logits = model(*inputs).index_select(0, idx)
    loss = nn.functional.cross_entropy(logits, y[idx])
    return loss.item(), (logits.argmax(1) == y[idx]).float().mean().item()


def train_nodes(
    model: nn.Module,
    inputs: tuple,
    data,
    epochs: int,
    lr: float,
    weight_decay: float = 0.0,
    decayed: Iterable[torch.Tensor] | None = None,
    stopping=None,
    progress: bool | None = None,
    on_epoch: Callable[[int, nn.Module], None] | None = None,
) -> NodeHistory:
    """Train ``model(*inputs)`` -> logits (N, C) on ``data.train_idx``; stop on
    ``data.val_idx``.

    ``data`` has y, train_idx, val_idx and test_idx (e.g. a
    :class:`lib.graphs.planetoid.Planetoid`). ``decayed`` are the parameters under the
    L2 penalty (default: all of them). ``on_epoch(epoch, model)``, if given, is called
    after every epoch (epoch 0: before training), e.g. to record embeddings.
    """
    decayed = list(model.parameters() if decayed is None else decayed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    y, hist, start = data.y, NodeHistory(), time.perf_counter()
    y_train = y[data.train_idx]
    bar = progress_bar(range(1, epochs + 1), type(model).__name__, progress)
    if on_epoch is not None:
        on_epoch(0, model)
    for epoch in bar:
        model.train()
        logits = model(*inputs)
        loss = nn.functional.cross_entropy(
            logits.index_select(0, data.train_idx), y_train
        )
        objective = loss + l2_penalty(decayed, weight_decay)
        opt.zero_grad(set_to_none=True)
        objective.backward()
        opt.step()
        val_loss, val_acc = evaluate(model, inputs, y, data.val_idx)
        hist.train_loss.append(loss.item())
        hist.val_loss.append(val_loss)
        hist.val_accuracy.append(val_acc)
        hist.epochs = epoch
        if on_epoch is not None:
            on_epoch(epoch, model)
        if stopping is not None and stopping(
            epoch,
            val_loss=val_loss,
            val_accuracy=val_acc,
            model=model,
            val_objective=val_loss + l2_penalty(decayed, weight_decay).item(),
        ):
            break
    hist.kept_epoch = (
        stopping.restore(model, hist.epochs) if stopping is not None else hist.epochs
    )
    hist.seconds = time.perf_counter() - start
    hist.test_accuracy = evaluate(model, inputs, y, data.test_idx)[1]
    return hist
