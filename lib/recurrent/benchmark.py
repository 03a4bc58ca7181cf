"""Timing one training step of chapter 2's recurrent models against torch's (chapter 2).

One step = forward on a (batch, T) batch of digits (one-hot, 10 symbols), cross-entropy
on the last step, backward, one Adam step; hidden size 128 and batch 128, as in the
course. The variants run interleaved (one step of each in turn, ``reps`` rounds), so
that a machine busy with other work slows them all alike, and each gets the median of
its rounds. Used by ``scripts/bench_lstm.py`` and the chapter's notebook.
"""

from __future__ import annotations

import statistics
import time

import torch
from torch import nn

from lib.recurrent.lstm import LSTM
from lib.recurrent.peephole import PeepholeLSTM
from lib.recurrent.relu_rnn import ReLURNN
from lib.recurrent.rnn import VanillaRNN

HIDDEN, BATCH, DIGITS = 128, 128, 10


class TorchClassifier(nn.Module):
    """torch.nn.LSTM / torch.nn.RNN with the same one-hot input and linear read-out from
    h_T."""

    def __init__(self, rnn: type[nn.RNNBase]):
        super().__init__()
        self.rnn = rnn(DIGITS, HIDDEN, batch_first=True)
        self.out = nn.Linear(HIDDEN, DIGITS)

    def forward(self, seq):
        H, _ = self.rnn(nn.functional.one_hot(seq, DIGITS).float())
        return self.out(H[:, -1])


VARIANTS = {
    "torch.nn.LSTM": lambda: TorchClassifier(nn.LSTM),
    "lib.recurrent.LSTM (fused kernel)": lambda: LSTM(HIDDEN, DIGITS),
    "lib.recurrent.LSTM (readable loop)": lambda: LSTM(HIDDEN, DIGITS, fused=False),
    "lib.recurrent.PeepholeLSTM": lambda: PeepholeLSTM(HIDDEN, DIGITS),
    "lib.recurrent.ReLURNN": lambda: ReLURNN(HIDDEN, DIGITS),
    "torch.nn.RNN": lambda: TorchClassifier(nn.RNN),
    "lib.recurrent.VanillaRNN": lambda: VanillaRNN(HIDDEN, DIGITS),
}
REFERENCE = "torch.nn.LSTM"


def make_step(model: nn.Module, x: torch.Tensor, y: torch.Tensor):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step() -> float:
        start = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if x.device.type == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    return step


def bench_length(
    T: int, reps: int, warmup: int, device: torch.device
) -> dict[str, float]:
    """Median seconds per training step of every variant at length T, measured
    interleaved."""
    gen = torch.Generator().manual_seed(T)
    x = torch.randint(DIGITS, (BATCH, T), generator=gen).to(device)
    y = torch.randint(DIGITS, (BATCH,), generator=gen).to(device)
    torch.manual_seed(0)
    steps = {
        name: make_step(make().to(device), x, y) for name, make in VARIANTS.items()
    }
    times = {name: [] for name in steps}
    for rep in range(warmup + reps):
        for name, step in steps.items():
            seconds = step()
            if rep >= warmup:
                times[name].append(seconds)
    return {name: statistics.median(ts) for name, ts in times.items()}
