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

from lib.recurrent.benchmark import (
    REFERENCE,
    VARIANTS,
    bench_length,
    command_line,
    print_table,
)


def main() -> None:
    args = command_line(__doc__, lengths=[10, 20, 50], reps=30, warmup=5, threads=None)
    results = {
        T: bench_length(T, args.reps, args.warmup, args.device) for T in args.lengths
    }
    print_table(results, VARIANTS, REFERENCE, width=26)
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
