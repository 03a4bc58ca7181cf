"""Training the character model of chapter 4, as in the course.

The course's recipe: random windows of T = 30 characters, batch 64, Adam with lr 2e-3
decayed by 0.96 every 5000 steps, gradient norm clipped at 5, the loss the mean
cross-entropy over every position of every window. Checkpoints are written at 1/3, 2/3
and the end of training.

Two validation losses, both in nats per character (divide by ln 2 for bits):

* ``valid_loss``: the training objective on the held-out text, i.e. every
  non-overlapping window of T characters read from a zero state. The first characters of
  a window have almost no context, so this is the pessimistic number, comparable to the
  training loss.
* ``valid_stream_loss``: the held-out text read continuously, the state carried from one
  character to the next, as a sampler uses the model. This is the model's cross-entropy
  as a language model of the text and the number the chapter reports.

:mod:`lib.text.cache` trains a run once and loads it after.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from lib.runtime import describe, experiment_size, progress_bar, seeded_generator
from lib.text.corpus import Corpus, parallel_streams, random_windows, tiled_windows
from lib.text.model import CharLSTM, VocabularyMismatchError, save_checkpoint
from lib.training import eval_mode

THIRDS = ("third-1.pt", "third-2.pt", "final.pt")


@dataclass(frozen=True)
class TrainConfig:
    """The course's training settings (its ``train_steps`` was 1e6; ours are set per
    size)."""

    steps: int = 10_000
    batch_size: int = 64
    seq_length: int = 30
    lr: float = 2e-3
    lr_decay: float = 0.96
    decay_every: int = 5000
    max_norm: float = 5.0
    eval_every: int = 500
    seed: int = 0

    def __post_init__(self):
        if self.steps < 3:
            raise ValueError(
                f"steps={self.steps}: training needs at least 3 steps (checkpoints "
                f"are written at 1/3, 2/3 and the end)"
            )


@dataclass
class CharHistory:
    """One entry per evaluation; train_* average the training batches since the previous
    one."""

    step: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    valid_loss: list[float] = field(default_factory=list)
    valid_accuracy: list[float] = field(default_factory=list)
    valid_stream_loss: list[float] = field(default_factory=list)
    valid_stream_accuracy: list[float] = field(default_factory=list)

    def append(self, **values) -> None:
        for name, value in values.items():
            getattr(self, name).append(value)


@torch.no_grad()
def evaluate_windows(
    model: CharLSTM, ids: torch.Tensor, seq_length: int = 30, batch_size: int = 1024
) -> tuple[float, float, torch.Tensor]:
    """(loss, accuracy, loss at each position t of a window (T,)) over every window of
    ``ids``."""
    x, y = tiled_windows(ids, seq_length)
    device = model.W_ph.device
    loss_sum, correct = (
        torch.zeros(seq_length, device=device),
        torch.zeros((), device=device),
    )
    with eval_mode(model):
        for xb, yb in zip(x.split(batch_size), y.split(batch_size)):
            logits, _ = model(xb.to(device))
            yb = yb.to(device)
            loss_sum += nn.functional.cross_entropy(
                logits.transpose(1, 2), yb, reduction="none"
            ).sum(0)
            correct += (logits.argmax(-1) == yb).sum()
    per_position = (loss_sum / len(x)).cpu()
    return per_position.mean().item(), correct.item() / y.numel(), per_position


@torch.no_grad()
def evaluate_stream(
    model: CharLSTM, ids: torch.Tensor, num_streams: int = 32, chunk: int = 256
) -> tuple[float, float]:
    """(loss, accuracy) reading ``ids`` as ``num_streams`` continuous pieces, state
    carried."""
    x, y = parallel_streams(ids, num_streams)
    device = model.W_ph.device
    state, loss_sum, correct = None, 0.0, 0
    with eval_mode(model):
        for xb, yb in zip(x.split(chunk, dim=1), y.split(chunk, dim=1)):
            logits, state = model(xb.to(device), state)
            yb = yb.to(device)
            loss_sum += nn.functional.cross_entropy(
                logits.transpose(1, 2), yb, reduction="sum"
            ).item()
            correct += (logits.argmax(-1) == yb).sum().item()
    return loss_sum / y.numel(), correct / y.numel()


def checkpoint_steps(steps: int) -> list[int]:
    """The steps after which a checkpoint is written: 1/3, 2/3 and the end of
    training."""
    return [round(steps * k / 3) for k in (1, 2, 3)]


def train(
    model: CharLSTM,
    corpus: Corpus,
    config: TrainConfig,
    checkpoint_dir: Path | None = None,
    progress: bool | None = None,
) -> CharHistory:
    """Train ``model`` on ``corpus.train`` (see the module docstring); returns the
    history.

    With ``checkpoint_dir``, writes third-1.pt, third-2.pt and final.pt there
    (see THIRDS).
    """
    device = model.W_ph.device
    generator = seeded_generator(config.seed)

    def step(opt: torch.optim.Optimizer) -> torch.Tensor:
        x, y = random_windows(
            corpus.train, config.batch_size, config.seq_length, generator
        )
        return train_step(model, opt, x.to(device), y.to(device), config.max_norm)

    return fit(
        model,
        corpus,
        config,
        step,
        f"CharLSTM on {corpus.name}",
        progress,
        checkpoint_dir,
    )


def fit(
    model: CharLSTM,
    corpus: Corpus,
    config: TrainConfig,
    step: Callable[[torch.optim.Optimizer], torch.Tensor],
    description: str,
    progress: bool | None = None,
    checkpoint_dir: Path | None = None,
) -> CharHistory:
    """The training loop of :func:`train` and :func:`lib.text.tbptt.train_streams`:
    ``config.steps`` calls of ``step(opt)``, each one optimisation step of ``model``
    returning (loss, accuracy) of shape (2,), under the course's recipe (Adam, the
    learning rate decayed every ``decay_every`` steps); an evaluation on the
    validation split every ``eval_every`` steps and at the thirds, where the
    checkpoints are written (with ``checkpoint_dir``). Returns the history.
    """
    if corpus.vocab != model.vocab:
        raise VocabularyMismatchError(
            f"the model reads {model.vocab}, the corpus {corpus.name!r} has "
            f"{corpus.vocab}"
        )
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.StepLR(opt, config.decay_every, config.lr_decay)
    saves = dict(zip(checkpoint_steps(config.steps), THIRDS))
    hist, losses, start = CharHistory(), [], time.perf_counter()
    model.train()
    bar = progress_bar(range(1, config.steps + 1), description, progress)
    for n in bar:
        losses.append(step(opt))
        schedule.step()
        if n % config.eval_every == 0 or n in saves:
            _record(hist, model, corpus, config, n, losses, start, opt)
            bar.set_postfix(
                train=f"{hist.train_loss[-1]:.3f}",
                valid=f"{hist.valid_stream_loss[-1]:.3f}",
            )
        if n in saves and checkpoint_dir is not None:
            save_checkpoint(
                model.checkpoint(**_run_info(corpus, config, n, hist)),
                Path(checkpoint_dir) / saves[n],
            )
    return hist


def train_step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    max_norm: float,
) -> torch.Tensor:
    """One Adam step on a batch; returns (loss, accuracy) as a detached tensor of shape
    (2,)."""
    logits, _ = model(x)
    loss = nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), y.reshape(-1)
    )
    opt.zero_grad(set_to_none=True)
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    opt.step()
    return torch.stack(
        [loss.detach(), (logits.detach().argmax(-1) == y).float().mean()]
    )


def _record(hist, model, corpus, config, step, losses, start, opt) -> None:
    """Evaluate on the validation split and append a row; seconds include the
    evaluation."""
    train_loss, train_acc = torch.stack(losses).mean(0).tolist()
    losses.clear()
    valid_loss, valid_acc, _ = evaluate_windows(model, corpus.valid, config.seq_length)
    stream_loss, stream_acc = evaluate_stream(model, corpus.valid)
    hist.append(
        step=step,
        seconds=time.perf_counter() - start,
        lr=opt.param_groups[0]["lr"],
        train_loss=train_loss,
        train_accuracy=train_acc,
        valid_loss=valid_loss,
        valid_accuracy=valid_acc,
        valid_stream_loss=stream_loss,
        valid_stream_accuracy=stream_acc,
    )


def _run_info(
    corpus: Corpus, config: TrainConfig, step: int, hist: CharHistory
) -> dict:
    return {
        "step": step,
        "train_config": asdict(config),
        "history": asdict(hist),
        "corpus": {
            "name": corpus.name,
            "sha256": corpus.sha256,
            "valid_fraction": corpus.valid_fraction,
            "keep_license": corpus.keep_license,
        },
        "size": experiment_size(),
        "machine": describe(),
    }


def bits(nats: float) -> float:
    """Nats per character -> bits per character."""
    return nats / math.log(2)
