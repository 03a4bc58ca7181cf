"""Truncated backpropagation through time, with and without carried state (chapter 4).

:func:`lib.text.training.train` reads random windows of T characters, each from a zero
state. That is truncated BPTT: the gradient of a window's loss reaches back at most T
steps, and the state a window starts from is zero, so the network never learns to use
more than T characters of context, while a sampler (and the stream loss) carries the
state along the whole text.

*Stateful* truncated BPTT keeps the window and the gradient's reach but carries the
state: the batch is ``B`` parallel streams, each reading its own part of the training
text in order (:func:`stream_windows`), and the final state of each window, detached
from the graph, is the initial state of the next window of the same stream
(:func:`train_streams`). The forward pass then sees the whole stream; the backward pass
still stops at the window's start.

This module trains outside :mod:`lib.text.cache` (its runs are a few minutes, rerun by
their notebook), so it is not part of a cached run's key.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn

from lib.runtime import seeded_generator
from lib.text.corpus import Corpus, parallel_streams
from lib.text.model import CharLSTM
from lib.text.training import CharHistory, TrainConfig, fit, train_step

State = tuple[torch.Tensor, torch.Tensor]


def stream_windows(
    ids: torch.Tensor,
    batch_size: int,
    seq_length: int = 30,
    generator: torch.Generator | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor, bool]]:
    """Batches of consecutive windows, for ever: (x, y, first), x and y of shape (B, T).

    An epoch skips a random number r < T of the text's first characters, cuts the rest
    into ``batch_size`` streams of equal length L (:func:`~lib.text.corpus.
    parallel_streams`) and yields their windows left to right: row b of the k-th batch
    is the text from r + b L + k T on, so row b of batch k + 1 continues row b of batch
    k. ``first`` is True for an epoch's first batch, where the streams start again
    (a carried state must be reset there). The random shift moves the window borders
    from one epoch to the next.
    """
    if seq_length < 1 or batch_size < 1:
        raise ValueError(
            f"batch_size={batch_size}, seq_length={seq_length}: both must be >= 1"
        )
    if (len(ids) - seq_length) // batch_size < seq_length:
        raise ValueError(
            f"a text of {len(ids)} characters cannot feed {batch_size} streams of at "
            f"least one window of {seq_length}"
        )
    while True:
        skip = int(torch.randint(seq_length, (1,), generator=generator))
        x, y = parallel_streams(ids[skip:], batch_size)
        for k in range(x.shape[1] // seq_length):
            part = slice(k * seq_length, (k + 1) * seq_length)
            yield x[:, part], y[:, part], k == 0


def train_streams(
    model: CharLSTM,
    corpus: Corpus,
    config: TrainConfig,
    carry_state: bool = True,
    progress: bool | None = None,
) -> CharHistory:
    """Train ``model`` on ``corpus.train`` read as ``config.batch_size`` streams of
    consecutive windows (:func:`stream_windows`); returns the history.

    The recipe of :func:`lib.text.training.train` otherwise: Adam, the learning-rate
    decay, the clipping, the evaluations (every ``eval_every`` steps and at the
    thirds). With ``carry_state`` each window starts from the previous window's final
    state, detached (stateful truncated BPTT); without, from zero, as ``train`` does.
    Writes no checkpoints.
    """
    device = model.W_ph.device
    batches = stream_windows(
        corpus.train,
        config.batch_size,
        config.seq_length,
        seeded_generator(config.seed),
    )
    state = None

    def step(opt: torch.optim.Optimizer) -> torch.Tensor:
        nonlocal state
        x, y, first = next(batches)
        if first or not carry_state:
            state = None
        stats, state = stateful_step(
            model, opt, x.to(device), y.to(device), state, config.max_norm
        )
        return stats

    kind = "carried" if carry_state else "zero"
    return fit(
        model,
        corpus,
        config,
        step,
        f"CharLSTM on {corpus.name}, {kind} state",
        progress,
    )


def stateful_step(
    model: nn.Module,
    opt: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    state: State | None,
    max_norm: float,
) -> tuple[torch.Tensor, State]:
    """One Adam step on a batch read from ``state`` (None: zero): the step of
    :func:`lib.text.training.train_step`, the model read from ``state``.

    Returns (loss, accuracy) as a detached tensor of shape (2,) and the final state,
    detached: the next window starts from it, and its gradient stops here.
    """
    reader = _FromState(model, state)
    stats = train_step(reader, opt, x, y, max_norm)
    return stats, tuple(s.detach() for s in reader.final)


class _FromState(nn.Module):
    """``model`` read from ``state``, called as :func:`~lib.text.training.train_step`
    calls a model (``model(x)`` -> (logits, final state)); keeps the final state. Its
    parameters are the model's."""

    def __init__(self, model: nn.Module, state: State | None):
        super().__init__()
        self.model, self.state, self.final = model, state, None

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, State]:
        logits, self.final = self.model(x, self.state)
        return logits, self.final
