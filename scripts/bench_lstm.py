"""How fast is lib's LSTM? One training step of each recurrent model against torch.nn.LSTM.

    python scripts/bench_lstm.py [--lengths 10 20 50] [--reps 30] [--threads N] [--device cpu]

One step = forward on a (128, T) batch of digits (one-hot, 10 symbols), cross-entropy on the
last step, backward, one Adam step; hidden size 128, as in the course. The variants run
interleaved (one step of each in turn, ``reps`` rounds), so that a machine busy with other work
slows them all alike; the script prints the median milliseconds of each and its ratio to
torch.nn.LSTM at the same T. The target of chapter 2: lib.LSTM within 1.2x of torch.nn.LSTM.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from lib.lstm import LSTM
from lib.peephole import PeepholeLSTM
from lib.relu_rnn import ReLURNN
from lib.rnn import VanillaRNN

HIDDEN, BATCH, DIGITS = 128, 128, 10


class TorchClassifier(nn.Module):
    """torch.nn.LSTM / torch.nn.RNN with the same one-hot input and linear read-out from h_T."""

    def __init__(self, rnn: type[nn.RNNBase]):
        super().__init__()
        self.rnn = rnn(DIGITS, HIDDEN, batch_first=True)
        self.out = nn.Linear(HIDDEN, DIGITS)

    def forward(self, seq):
        H, _ = self.rnn(nn.functional.one_hot(seq, DIGITS).float())
        return self.out(H[:, -1])


VARIANTS = {
    "torch.nn.LSTM": lambda: TorchClassifier(nn.LSTM),
    "lib.LSTM (fused kernel)": lambda: LSTM(HIDDEN, DIGITS),
    "lib.LSTM (readable loop)": lambda: LSTM(HIDDEN, DIGITS, fused=False),
    "lib.PeepholeLSTM": lambda: PeepholeLSTM(HIDDEN, DIGITS),
    "lib.ReLURNN": lambda: ReLURNN(HIDDEN, DIGITS),
    "torch.nn.RNN": lambda: TorchClassifier(nn.RNN),
    "lib.VanillaRNN": lambda: VanillaRNN(HIDDEN, DIGITS),
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


def bench_length(T: int, reps: int, warmup: int, device: torch.device) -> dict[str, float]:
    """Median seconds per training step of every variant at length T, measured interleaved."""
    gen = torch.Generator().manual_seed(T)
    x = torch.randint(DIGITS, (BATCH, T), generator=gen).to(device)
    y = torch.randint(DIGITS, (BATCH,), generator=gen).to(device)
    torch.manual_seed(0)
    steps = {name: make_step(make().to(device), x, y) for name, make in VARIANTS.items()}
    times = {name: [] for name in steps}
    for rep in range(warmup + reps):
        for name, step in steps.items():
            seconds = step()
            if rep >= warmup:
                times[name].append(seconds)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 20, 50])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads; batch {BATCH}, "
          f"hidden {HIDDEN}, one-hot digits; median of {args.reps} interleaved Adam steps\n")
    results = {T: bench_length(T, args.reps, args.warmup, device) for T in args.lengths}
    header = f"{'variant':<26}" + "".join(f"{f'T={T} ms':>11}{'ratio':>7}" for T in args.lengths)
    print(header)
    print("-" * len(header))
    for name in VARIANTS:
        row = f"{name:<26}"
        for T in args.lengths:
            ms, ratio = results[T][name] * 1e3, results[T][name] / results[T][REFERENCE]
            row += f"{ms:>11.1f}{ratio:>7.2f}"
        print(row)
    worst = max(results[T]["lib.LSTM (fused kernel)"] / results[T][REFERENCE] for T in args.lengths)
    verdict = "met" if worst <= 1.2 else "NOT met"
    print(f"\ntarget (lib.LSTM within 1.2x of torch.nn.LSTM at every T): {verdict}, worst ratio {worst:.2f}")


if __name__ == "__main__":
    main()
