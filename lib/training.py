"""One training loop for every sequence classifier of chapters 1-3.

Course defaults: Adam, lr 1e-3, batch 128 (set on the task), gradient-norm clipping
at 10. Returns a plain :class:`History`; nothing is printed but a tqdm bar (hidden when
``TQDM_DISABLE=1``, as in tests and book builds).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from lib.runtime import progress_bar

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "rmsprop": torch.optim.RMSprop,
    "sgd": torch.optim.SGD,
}


@dataclass
class History:
    """What happened during training. Per-step lists have one entry per step."""

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)  # before clipping
    eval_step: list[int] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    converged_at: int | None = None
    seconds: float = 0.0

    @property
    def final_test_accuracy(self) -> float:
        return self.test_accuracy[-1]


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (logits.argmax(dim=1) == y).float().mean()


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """Run the ``with`` block with ``model`` in eval mode (dropout off), then put it
    back in the mode it was in, even when the block raises.

    >>> with eval_mode(model):
    ...     logits = model(x)
    """
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of ``model`` on (x, y), in eval mode."""
    with eval_mode(model):
        logits = model(x)
    return nn.functional.cross_entropy(logits, y).item(), accuracy(logits, y).item()


def make_optimizer(
    optimizer: str | Callable, params, lr: float
) -> torch.optim.Optimizer:
    """``optimizer`` is a name (adam, rmsprop, sgd) or a factory
    ``f(params, lr=...)``."""
    if isinstance(optimizer, str):
        if optimizer.lower() not in OPTIMIZERS:
            raise ValueError(
                f"optimizer={optimizer!r}: expected one of {list(OPTIMIZERS)}"
            )
        optimizer = OPTIMIZERS[optimizer.lower()]
    return optimizer(params, lr=lr)


def train(
    model: nn.Module,
    task,
    steps: int,
    optimizer: str | Callable = "adam",
    lr: float = 1e-3,
    max_norm: float | None = 10.0,
    eval_every: int = 100,
    stop_at_accuracy: float | None = None,
    progress: bool | None = None,
    on_eval: Callable[[int, nn.Module], None] | None = None,
) -> History:
    """Train ``model`` on batches from ``task.batch()``; evaluate on ``task.test``.

    ``max_norm=None`` turns clipping off. With ``stop_at_accuracy``, training stops once
    the mean training accuracy over the last ``eval_every`` steps (fresh random batches,
    never the test set) reaches it; ``History.converged_at`` records the step.
    ``on_eval(step, model)``, if given, is called after every evaluation (to record more
    than the history holds).
    """
    opt = make_optimizer(optimizer, model.parameters(), lr)
    hist, start = History(), time.perf_counter()
    losses, accs, norms = [], [], []
    bar = progress_bar(range(1, steps + 1), type(model).__name__, progress)
    for step in bar:
        x, y = task.batch()
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        norm = nn.utils.clip_grad_norm_(
            model.parameters(), max_norm if max_norm else float("inf")
        )
        opt.step()
        losses.append(loss.detach())
        accs.append(accuracy(logits.detach(), y))
        norms.append(norm)
        if step % eval_every == 0 or step == steps:
            _flush(hist, losses, accs, norms)
            test_loss, test_acc = evaluate(model, *task.test)
            hist.eval_step.append(step)
            hist.test_loss.append(test_loss)
            hist.test_accuracy.append(test_acc)
            bar.set_postfix(
                loss=f"{hist.train_loss[-1]:.3f}", test_acc=f"{test_acc:.3f}"
            )
            if on_eval is not None:
                on_eval(step, model)
            recent = hist.train_accuracy[-eval_every:]
            if (
                stop_at_accuracy is not None
                and sum(recent) / len(recent) >= stop_at_accuracy
            ):
                hist.converged_at = step
                break
    hist.seconds = time.perf_counter() - start
    return hist


def _flush(hist: History, losses, accs, norms) -> None:
    """Move the step tensors to Python floats in one go (one device sync per
    evaluation)."""
    for name, buf in (
        ("train_loss", losses),
        ("train_accuracy", accs),
        ("grad_norm", norms),
    ):
        getattr(hist, name).extend(torch.stack(buf).tolist())
        buf.clear()
