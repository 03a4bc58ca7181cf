"""Several seeds, several lengths: the experiments of chapters 2 and 3 (how far back?).

:func:`train_seeds` trains one fresh model per seed, each a run of its own (its seed
fixes the initialisation and every batch). :func:`accuracy_vs_length` does that for
several models over increasing palindrome lengths, and stops lengthening a model once
its mean accuracy over the seeds is at chance: longer sequences are not run for it (and
are reported as not run, never filled in). :func:`curves` puts runs that stopped at
different steps on one grid for mean +/- std bands. :func:`mean_accuracy` and
:func:`mean_steps` are the two summaries the chapters' claims are checked on: how well
the seeds end, and how soon they converge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
from torch import nn

from lib.runtime import default_device, seed_everything
from lib.training import History, train


def train_seeds(
    make_model: Callable[[], nn.Module],
    make_task: Callable[[int], object],
    seeds: Iterable[int],
    steps: int,
    device=None,
    **train_kwargs,
) -> list[History]:
    """One run per seed: ``seed_everything(seed)``, ``make_model()``,
    ``make_task(seed)``, train."""
    device = device or default_device()
    runs = []
    for seed in seeds:
        seed_everything(seed)
        model = make_model().to(device)
        runs.append(train(model, make_task(seed), steps, **train_kwargs))
    return runs


def mean_accuracy(runs: list[History]) -> float:
    """(1/S) sum_s a_s: the final test accuracy a_s of the S runs, averaged."""
    if not runs:
        raise ValueError("mean_accuracy needs at least one run")
    return float(np.mean([run.final_test_accuracy for run in runs]))


def mean_steps(runs: list[History], budget: int) -> float:
    """(1/S) sum_s n_s: the mean number of steps to converge over S runs, n_s the
    step at which run s converged, or ``budget`` (its step limit) if it never did."""
    if not runs:
        raise ValueError("mean_steps needs at least one run")
    return float(np.mean([run.converged_at or budget for run in runs]))


def at_chance(runs: list[History], chance: float, margin: float) -> bool:
    """True when the mean final test accuracy of the runs is below chance + margin."""
    return sum(run.final_test_accuracy for run in runs) / len(runs) < chance + margin


def accuracy_vs_length(
    models: dict[str, Callable[[], nn.Module]],
    lengths: Iterable[int],
    make_task: Callable[[int, int], object],
    seeds: Iterable[int],
    steps: int,
    chance: float,
    margin: float = 0.05,
    progress: Callable | None = None,
    **train_kwargs,
) -> dict[tuple[str, int], list[History]]:
    """Train every model at every length (shortest first) for every seed.

    ``make_task(length, seed)`` builds the task. Once the mean accuracy of a model's
    seeds ends below ``chance + margin`` at some length, the model is not run at longer
    lengths: the result has no entry for them. ``progress(name, length, runs)`` is
    called after each (model, length).
    """
    results, done = {}, set()
    for length in sorted(lengths):
        for name, make_model in models.items():
            if name in done:
                continue
            runs = train_seeds(
                make_model,
                lambda seed: make_task(length, seed),
                seeds,
                steps,
                **train_kwargs,
            )
            results[name, length] = runs
            if progress:
                progress(name, length, runs)
            if at_chance(runs, chance, margin):
                done.add(name)
    return results


def curves(
    runs: list[History], metric: str = "test_accuracy"
) -> tuple[np.ndarray, np.ndarray]:
    """(steps (N,), values (S, N)) of ``metric`` on the eval steps of the longest run.

    A run that stopped early (converged) keeps its last value for the remaining steps.
    """
    longest = max(runs, key=lambda run: len(run.eval_step))
    values = np.array(
        [
            getattr(run, metric)
            + [getattr(run, metric)[-1]] * (len(longest.eval_step) - len(run.eval_step))
            for run in runs
        ]
    )
    return np.asarray(longest.eval_step), values
