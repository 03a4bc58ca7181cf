"""lib.recurrent.benchmark: every variant takes a training step and gets a time (no
timing assertions)."""

import torch

from lib.recurrent.benchmark import REFERENCE, VARIANTS, bench_length


def test_every_variant_is_timed():
    times = bench_length(3, reps=1, warmup=1, device=torch.device("cpu"))
    assert set(times) == set(VARIANTS) and REFERENCE in times
    assert all(t > 0 for t in times.values())


def test_the_batch_is_seeded_by_its_length():
    from lib.recurrent.benchmark import BATCH, DIGITS, digit_batch

    x, y = digit_batch(7, torch.device("cpu"))
    assert x.shape == (BATCH, 7) and y.shape == (BATCH,)
    assert int(x.max()) < DIGITS and int(y.min()) >= 0
    x2, y2 = digit_batch(7, torch.device("cpu"))
    assert torch.equal(x, x2) and torch.equal(y, y2)


def test_interleaved_medians_skip_the_warmup_and_take_the_median():
    from lib.recurrent.benchmark import interleaved_medians

    calls = []

    def timed(seconds):
        values = iter(seconds)
        return lambda: calls.append(1) or next(values)

    steps = {"a": timed([9.0, 1.0, 3.0, 2.0]), "b": timed([9.0, 5.0, 4.0, 6.0])}
    assert interleaved_medians(steps, reps=3, warmup=1) == {"a": 2.0, "b": 5.0}
    assert len(calls) == 8


def test_command_line_and_table(capsys):
    from lib.recurrent.benchmark import command_line, print_table

    threads = torch.get_num_threads()
    try:
        args = command_line(
            "Title.\n\nmore", [1, 2], 3, 4, threads=None, argv=["--lengths", "5"]
        )
    finally:
        torch.set_num_threads(threads)
    assert args.lengths == [5] and (args.reps, args.warmup) == (3, 4)
    assert args.device == torch.device("cpu")
    print_table({5: {"ref": 0.002, "x": 0.001}}, ["ref", "x"], "ref", width=7)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-4:] == [
        "variant     T=5 ms  ratio",
        "-" * 25,
        "ref" + " " * 12 + "2.0   1.00",
        "x" + " " * 14 + "1.0   0.50",
    ]
