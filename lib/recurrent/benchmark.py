"""Timing one training step of chapter 2's recurrent models against torch's (chapter 2).

One step = forward on a (batch, T) batch of digits (one-hot, 10 symbols), cross-entropy
on the last step, backward, one Adam step; hidden size 128 and batch 128, as in the
course. The variants run interleaved (one step of each in turn, ``reps`` rounds), so
that a machine busy with other work slows them all alike, and each gets the median of
its rounds. Used by ``scripts/bench_lstm.py``, ``scripts/bench_relu.py`` (the batch, the
timed step, the interleaving and the command line with its table) and the chapter's
notebook.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence

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


def digit_batch(T: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The timed batch at length T, the same for every variant and every run (seeded
    by T): x (BATCH, T) random digits, y (BATCH,) a random digit per row."""
    gen = torch.Generator().manual_seed(T)
    x = torch.randint(DIGITS, (BATCH, T), generator=gen).to(device)
    y = torch.randint(DIGITS, (BATCH,), generator=gen).to(device)
    return x, y


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


def interleaved_medians(
    steps: Mapping[str, Callable[[], float]], reps: int, warmup: int
) -> dict[str, float]:
    """Median seconds of each timed step (:func:`make_step`) over ``reps`` rounds of one
    step of each in turn, after ``warmup`` untimed rounds."""
    times = {name: [] for name in steps}
    for rep in range(warmup + reps):
        for name, step in steps.items():
            seconds = step()
            if rep >= warmup:
                times[name].append(seconds)
    return {name: statistics.median(ts) for name, ts in times.items()}


def bench_length(
    T: int, reps: int, warmup: int, device: torch.device
) -> dict[str, float]:
    """Median seconds per training step of every variant at length T, measured
    interleaved."""
    x, y = digit_batch(T, device)
    torch.manual_seed(0)
    steps = {
        name: make_step(make().to(device), x, y) for name, make in VARIANTS.items()
    }
    return interleaved_medians(steps, reps, warmup)


def command_line(
    doc: str,
    lengths: Sequence[int],
    reps: int,
    warmup: int,
    threads: int | None,
    argv: Sequence[str] | None = None,
) -> argparse.Namespace:
    """A benchmark script's options (``--lengths --reps --warmup --threads --device``,
    with these defaults; ``threads=None``: torch's), read from ``argv`` (None: the
    command line), applied (threads; ``args.device`` becomes a torch.device) and
    printed as the run's first line."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=list(lengths))
    parser.add_argument("--reps", type=int, default=reps)
    parser.add_argument("--warmup", type=int, default=warmup)
    parser.add_argument(
        "--threads",
        type=int,
        default=threads,
        help="torch threads (default: torch's)"
        if threads is None
        else f"torch threads (default {threads}: the book's)",
    )
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    args.device = torch.device(args.device)
    print(
        f"torch {torch.__version__} on {args.device}, {torch.get_num_threads()} "
        f"threads; batch {BATCH}, hidden {HIDDEN}, one-hot digits; "
        f"median of {args.reps} interleaved Adam steps\n"
    )
    return args


def print_table(
    times: Mapping[int, Mapping[str, float]],
    names: Iterable[str],
    reference: str,
    width: int,
) -> None:
    """One row per variant in ``names``: at each length T of ``times`` ({T: {name:
    seconds}}), its milliseconds and its ratio to ``reference``'s; the names in a
    column ``width`` characters wide."""
    header = f"{'variant':<{width}}" + "".join(
        f"{f'T={T} ms':>11}{'ratio':>7}" for T in times
    )
    print(header)
    print("-" * len(header))
    for name in names:
        row = f"{name:<{width}}"
        for at_T in times.values():
            row += f"{at_T[name] * 1e3:>11.1f}{at_T[name] / at_T[reference]:>7.2f}"
        print(row)
