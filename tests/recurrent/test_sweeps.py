"""lib.recurrent.sweeps: seeds as their own runs, the stop-at-chance rule, curves of
different lengths."""

import numpy as np
import pytest
import torch

from lib.recurrent.palindromes import PalindromeTask
from lib.recurrent.rnn import VanillaRNN
from lib.recurrent.sweeps import (
    accuracy_vs_length,
    at_budget,
    at_chance,
    at_chance_from,
    curves,
    mean_accuracy,
    mean_steps,
    median_steps,
    perfect_up_to,
    train_seeds,
)
from lib.runtime import seed_everything
from lib.training import History, train


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


def test_median_steps_counts_the_budget_and_one_stall_moves_it_one_place():
    runs = [
        History(converged_at=120),
        History(converged_at=None),
        History(converged_at=300),
    ]
    assert median_steps(runs, budget=1000) == 300.0
    assert median_steps(runs, budget=10**6) == 300.0  # a longer budget: the same
    assert median_steps(runs[:2], budget=1000) == (120 + 1000) / 2
    assert median_steps([History()], budget=30) == 30.0


def test_means_of_no_runs_are_an_error():
    with pytest.raises(ValueError, match="at least one run"):
        mean_accuracy([])
    with pytest.raises(ValueError, match="at least one run"):
        mean_steps([], budget=10)
    with pytest.raises(ValueError, match="at least one run"):
        median_steps([], budget=10)


def test_curves_pad_runs_that_stopped_early():
    long = History(eval_step=[10, 20, 30], test_accuracy=[0.1, 0.5, 0.9])
    short = History(eval_step=[10], test_accuracy=[1.0])
    steps, values = curves([short, long])
    assert steps.tolist() == [10, 20, 30]
    np.testing.assert_array_equal(values, [[1.0, 1.0, 1.0], [0.1, 0.5, 0.9]])


def test_on_eval_is_called_after_every_evaluation():
    calls = []
    train(
        VanillaRNN(8),
        make_task(4, 0),
        steps=25,
        eval_every=10,
        on_eval=lambda step, model: calls.append((step, type(model).__name__)),
    )
    assert calls == [(10, "VanillaRNN"), (20, "VanillaRNN"), (25, "VanillaRNN")]


def test_a_longer_run_holds_the_shorter_one():
    def run(steps):
        seed_everything(0)
        return train(VanillaRNN(8), make_task(4, 0), steps, eval_every=10)

    short, cut = run(30), at_budget(run(60), 30)
    for name in ("train_loss", "train_accuracy", "grad_norm", "eval_step"):
        assert getattr(cut, name) == getattr(short, name), name
    assert cut.test_accuracy == short.test_accuracy
    assert cut.test_loss == short.test_loss
    assert cut.converged_at is None and short.converged_at is None


def test_at_budget_keeps_a_run_that_converged_in_time():
    run = History(
        train_loss=[1.0] * 20,
        eval_step=[10, 20],
        test_accuracy=[0.5, 1.0],
        converged_at=20,
        seconds=2.0,
    )
    kept = at_budget(run, 100)
    assert kept == run and kept is not run
    assert at_budget(run, 20).converged_at == 20
    cut = at_budget(run, 10)
    assert cut.converged_at is None and cut.test_accuracy == [0.5]
    assert cut.train_loss == [1.0] * 10 and cut.seconds == 1.0


def test_at_budget_needs_an_evaluation_step_within_the_run():
    run = History(train_loss=[1.0] * 20, eval_step=[10, 20], test_accuracy=[0.1, 0.2])
    with pytest.raises(ValueError, match="not one of the run's evaluation steps"):
        at_budget(run, 15)
    with pytest.raises(ValueError, match="cannot show a budget of 30"):
        at_budget(run, 30)


def sweep(accuracies):
    """{(name, length): runs} from {(name, length): [final accuracy per seed]}."""
    return {
        key: [History(test_accuracy=[a]) for a in accs]
        for key, accs in accuracies.items()
    }


def test_perfect_up_to_needs_every_seed_and_every_shorter_length():
    results = sweep(
        {
            ("rnn", 5): [1.0, 0.995],
            ("rnn", 10): [1.0, 0.99],
            ("rnn", 20): [1.0, 0.98],  # one seed short of 0.99
            ("rnn", 30): [1.0, 1.0],  # perfect again, but after a miss
            ("lstm", 5): [0.5, 1.0],
        }
    )
    assert perfect_up_to(results, "rnn") == 10
    assert perfect_up_to(results, "rnn", threshold=0.95) == 30
    assert perfect_up_to(results, "lstm") is None


def test_at_chance_from_needs_every_seed_at_every_longer_length():
    results = sweep(
        {
            ("rnn", 5): [1.0, 1.0],
            ("rnn", 10): [0.12, 0.11],
            ("rnn", 20): [0.3, 0.1],  # one seed above chance + margin
            ("rnn", 30): [0.11, 0.14],
            ("rnn", 50): [0.1, 0.09],
            ("lstm", 5): [1.0, 1.0],
        }
    )
    assert at_chance_from(results, "rnn", chance=0.1) == 30
    assert at_chance_from(results, "rnn", chance=0.1, margin=0.01) == 50
    assert at_chance_from(results, "lstm", chance=0.1) is None
