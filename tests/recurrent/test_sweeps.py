"""lib.recurrent.sweeps: seeds as their own runs, the stop-at-chance rule, curves of
different lengths."""

import numpy as np
import pytest
import torch

from lib.recurrent.palindromes import PalindromeTask
from lib.recurrent.rnn import VanillaRNN
from lib.recurrent.sweeps import (
    accuracy_vs_length,
    at_chance,
    curves,
    mean_accuracy,
    mean_steps,
    train_seeds,
)
from lib.training import History


def make_task(length, seed):
    return PalindromeTask(length, batch_size=32, seed=seed, test_size=200)


def test_seeds_are_reproducible_and_distinct():
    a = train_seeds(
        lambda: VanillaRNN(8), lambda s: make_task(4, s), [0, 1], steps=5, eval_every=5
    )
    b = train_seeds(
        lambda: VanillaRNN(8), lambda s: make_task(4, s), [0, 1], steps=5, eval_every=5
    )
    assert [r.train_loss for r in a] == [r.train_loss for r in b]
    assert a[0].train_loss != a[1].train_loss


def test_a_model_at_chance_is_not_run_at_longer_lengths():
    seen = []
    models = {"learns": lambda: VanillaRNN(16), "frozen": lambda: VanillaRNN(16)}
    # lr = 0: neither model can leave chance, so neither is run beyond the first length
    results = accuracy_vs_length(
        models,
        [3, 4, 5],
        make_task,
        seeds=[0, 1],
        steps=2,
        chance=0.1,
        margin=0.15,
        progress=lambda *a: seen.append(a[:2]),
        lr=0.0,
        eval_every=2,
    )
    assert set(results) == {("learns", 3), ("frozen", 3)}
    assert seen == [("learns", 3), ("frozen", 3)]


def test_models_that_learn_go_on():
    torch.manual_seed(0)
    results = accuracy_vs_length(
        {"rnn": lambda: VanillaRNN(32)},
        [3, 4],
        make_task,
        seeds=[0],
        steps=300,
        chance=0.1,
        lr=1e-2,
        eval_every=100,
    )
    assert set(results) == {("rnn", 3), ("rnn", 4)}
    assert results["rnn", 4][0].final_test_accuracy > 0.5


def test_at_chance_is_judged_on_the_mean_over_seeds():
    runs = [History(test_accuracy=[0.5, 0.12]), History(test_accuracy=[0.11])]
    assert at_chance(runs, chance=0.1, margin=0.05)
    assert at_chance(
        runs + [History(test_accuracy=[0.2])], chance=0.1, margin=0.05
    )  # 0.143
    assert not at_chance(runs + [History(test_accuracy=[0.9])], chance=0.1, margin=0.05)


def test_mean_accuracy_averages_the_final_test_accuracies():
    runs = [History(test_accuracy=[0.5, 0.2]), History(test_accuracy=[0.4])]
    assert mean_accuracy(runs) == (0.2 + 0.4) / 2
    assert isinstance(mean_accuracy(runs), float)


def test_mean_steps_counts_the_budget_for_runs_that_never_converged():
    runs = [
        History(converged_at=120),
        History(converged_at=None),
        History(converged_at=300),
    ]
    assert mean_steps(runs, budget=1000) == (120 + 1000 + 300) / 3
    assert mean_steps([History()], budget=30) == 30.0


def test_means_of_no_runs_are_an_error():
    with pytest.raises(ValueError, match="at least one run"):
        mean_accuracy([])
    with pytest.raises(ValueError, match="at least one run"):
        mean_steps([], budget=10)


def test_curves_pad_runs_that_stopped_early():
    long = History(eval_step=[10, 20, 30], test_accuracy=[0.1, 0.5, 0.9])
    short = History(eval_step=[10], test_accuracy=[1.0])
    steps, values = curves([short, long])
    assert steps.tolist() == [10, 20, 30]
    np.testing.assert_array_equal(values, [[1.0, 1.0, 1.0], [0.1, 0.5, 0.9]])


def test_on_eval_is_called_after_every_evaluation():
    from lib.training import train

    calls = []
    train(
        VanillaRNN(8),
        make_task(4, 0),
        steps=25,
        eval_every=10,
        on_eval=lambda step, model: calls.append((step, type(model).__name__)),
    )
    assert calls == [(10, "VanillaRNN"), (20, "VanillaRNN"), (25, "VanillaRNN")]
