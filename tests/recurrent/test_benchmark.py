"""lib.recurrent.benchmark: every variant takes a training step and gets a time (no
timing assertions)."""

import torch

from lib.recurrent.benchmark import REFERENCE, VARIANTS, bench_length


def test_every_variant_is_timed():
    times = bench_length(3, reps=1, warmup=1, device=torch.device("cpu"))
    assert set(times) == set(VARIANTS) and REFERENCE in times
    assert all(t > 0 for t in times.values())
