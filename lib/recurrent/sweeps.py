"""Several seeds, several lengths: the experiments of chapters 2 and 3 (how far back?).

:func:`train_seeds` trains one fresh model per seed, each a run of its own (its seed
fixes the initialisation and every batch). :func:`accuracy_vs_length` does that for
several models over increasing palindrome lengths, and stops lengthening a model once
its mean accuracy over the seeds is at chance: longer sequences are not run for it (and
are reported as not run, never filled in). :func:`curves` puts runs that stopped at
different steps on one grid for mean +/- std bands. :func:`mean_accuracy` and
:func:`mean_steps` (or :func:`median_steps`, which one stalled seed cannot swing) are
the summaries the chapters' claims are checked on: how well the seeds end, and how soon
they converge. :func:`at_budget` reads a shorter budget off
a longer run (a run of 10,000 steps holds the run of 1,000 in its first 1,000 steps),
and :func:`perfect_up_to` and :func:`at_chance_from` summarise a sweep per model.
"""

from __future__ import annotations

import dataclasses
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


def median_steps(runs: list[History], budget: int) -> float:
    """The median over S runs of n_s, the step at which run s converged, or ``budget``
    if it never did. Unlike :func:`mean_steps`, one stalled run moves it by at most one
    place in the order, not by budget / S: a verdict on it holds at a longer budget."""
    if not runs:
        raise ValueError("median_steps needs at least one run")
    return float(np.median([run.converged_at or budget for run in runs]))


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


def at_budget(run: History, steps: int) -> History:
    """The run as training with a budget of ``steps`` steps would have returned it.

    Training is the same step by step whatever the budget (the optimiser has no
    schedule, the batches come from the seed), so the first ``steps`` steps of a
    longer run *are* the shorter run: the per-step lists cut at ``steps``, the
    evaluations up to step ``steps``, and ``converged_at`` kept only if the run
    converged by then. A run that stopped before ``steps`` (it converged) is returned
    as it is. ``steps`` must be one of the run's evaluation steps, since training
    always evaluates at its last step; ``seconds`` is scaled by the share of the steps
    kept (an estimate).
    """
    if run.converged_at is not None and run.converged_at <= steps:
        return dataclasses.replace(run)
    last = run.eval_step[-1] if run.eval_step else 0
    if steps > last:
        raise ValueError(
            f"the run has {last} steps and did not converge: it cannot show a budget "
            f"of {steps}"
        )
    if steps not in run.eval_step:
        raise ValueError(
            f"step {steps} is not one of the run's evaluation steps "
            f"({run.eval_step[:3]}...): the budget must end on one"
        )
    n_eval = run.eval_step.index(steps) + 1
    return History(
        train_loss=run.train_loss[:steps],
        train_accuracy=run.train_accuracy[:steps],
        grad_norm=run.grad_norm[:steps],
        eval_step=run.eval_step[:n_eval],
        test_loss=run.test_loss[:n_eval],
        test_accuracy=run.test_accuracy[:n_eval],
        converged_at=None,
        seconds=run.seconds * steps / max(len(run.train_loss), 1),
    )


def perfect_up_to(
    results: dict[tuple[str, int], list[History]], name: str, threshold: float = 0.99
) -> int | None:
    """The longest length L such that model ``name`` ends at ``threshold`` test accuracy
    or above on every seed at every length of ``results`` up to L (None if it misses at
    the shortest). Lengths the sweep did not run for the model end the count."""
    best = None
    for length in sorted(L for n, L in results if n == name):
        if not all(h.final_test_accuracy >= threshold for h in results[name, length]):
            break
        best = length
    return best


def at_chance_from(
    results: dict[tuple[str, int], list[History]],
    name: str,
    chance: float,
    margin: float = 0.05,
) -> int | None:
    """The shortest length L such that model ``name`` ends below ``chance + margin`` on
    every seed at L and at every longer length the sweep ran for it (None if it is above
    that at its longest run length). Lengths not run do not count either way."""
    first = None
    for length in sorted((L for n, L in results if n == name), reverse=True):
        if not all(
            h.final_test_accuracy < chance + margin for h in results[name, length]
        ):
            break
        first = length
    return first
