"""How fast is lib's LSTM? One training step of each recurrent model against
torch.nn.LSTM.

    python scripts/bench_lstm.py [--lengths 10 20 50] [--reps 30] [--threads N]
        [--device cpu]

One step = forward on a (128, T) batch of digits (one-hot, 10 symbols), cross-entropy on
the last step, backward, one Adam step; hidden size 128, as in the course. The variants
run interleaved (one step of each in turn, ``reps`` rounds), so that a machine busy with
other work slows them all alike; the script prints the median milliseconds of each and
its ratio to torch.nn.LSTM at the same T. The target of chapter 2: lib.recurrent.LSTM
within 1.2x of torch.nn.LSTM.
"""

from __future__ import annotations

import argparse

import torch

from lib.recurrent.benchmark import BATCH, HIDDEN, REFERENCE, VARIANTS, bench_length


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10, 20, 50])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's)"
    )
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(
        f"torch {torch.__version__} on {device}, {torch.get_num_threads()} threads; "
        f"batch {BATCH}, hidden {HIDDEN}, one-hot digits; "
        f"median of {args.reps} interleaved Adam steps\n"
    )
    results = {T: bench_length(T, args.reps, args.warmup, device) for T in args.lengths}
    header = f"{'variant':<26}" + "".join(
        f"{f'T={T} ms':>11}{'ratio':>7}" for T in args.lengths
    )
    print(header)
    print("-" * len(header))
    for name in VARIANTS:
        row = f"{name:<26}"
        for T in args.lengths:
            ms, ratio = results[T][name] * 1e3, results[T][name] / results[T][REFERENCE]
            row += f"{ms:>11.1f}{ratio:>7.2f}"
        print(row)
    worst = max(
        results[T]["lib.recurrent.LSTM (fused kernel)"] / results[T][REFERENCE]
        for T in args.lengths
    )
    verdict = "met" if worst <= 1.2 else "NOT met"
    print(
        "\ntarget (lib.recurrent.LSTM within 1.2x of torch.nn.LSTM at every T): "
        f"{verdict}, worst ratio {worst:.2f}"
    )


if __name__ == "__main__":
    main()
