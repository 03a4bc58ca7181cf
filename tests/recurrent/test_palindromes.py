import pytest
import torch

from lib.recurrent.palindromes import PalindromeTask, palindromes, split_palindromes
from lib.recurrent.rnn import VanillaRNN
from lib.training import train


@pytest.mark.parametrize("length", [2, 3, 10, 11, 50])
def test_palindromes_read_the_same_both_ways(length):
    p = palindromes(length, 64, torch.Generator().manual_seed(length))
    assert p.shape == (64, length) and p.dtype == torch.long
    assert torch.equal(p, p.flip(1))
    assert p.min() >= 0 and p.max() <= 9


def test_target_is_the_first_digit_and_input_drops_the_last():
    x, y = split_palindromes(palindromes(9, 32, torch.Generator().manual_seed(0)))
    assert x.shape == (32, 8) and torch.equal(y, x[:, 0])


def test_batches_are_reproducible_per_seed_and_test_set_is_fixed():
    a, b, c = (
        PalindromeTask(12, seed=3),
        PalindromeTask(12, seed=3),
        PalindromeTask(12, seed=4),
    )
    assert torch.equal(a.batch()[0], b.batch()[0])
    assert not torch.equal(a.batch()[0], c.batch()[0])
    assert torch.equal(a.test[0], b.test[0]) and not torch.equal(a.test[0], c.test[0])
    test_before = a.test[0].clone()
    a.batch()
    assert torch.equal(a.test[0], test_before)


def test_digits_are_roughly_uniform():
    first = PalindromeTask(5, batch_size=20_000).batch()[1]
    freq = torch.bincount(first, minlength=10).float() / 20_000
    assert (freq - 0.1).abs().max() < 0.01


def test_too_short_is_an_error():
    with pytest.raises(ValueError, match="length >= 2"):
        palindromes(1, 4, torch.Generator())


def test_training_learns_short_palindromes():
    torch.manual_seed(0)
    task = PalindromeTask(5, seed=0, test_size=500)
    hist = train(VanillaRNN(32), task, steps=300, lr=1e-2, eval_every=100)
    assert hist.final_test_accuracy > 0.9
    assert len(hist.train_loss) == len(hist.grad_norm) == 300
    assert hist.eval_step == [100, 200, 300]


def test_training_can_stop_at_convergence():
    torch.manual_seed(0)
    hist = train(
        VanillaRNN(32),
        PalindromeTask(4, seed=0),
        steps=2000,
        lr=1e-2,
        eval_every=50,
        stop_at_accuracy=0.99,
    )
    assert hist.converged_at is not None and hist.converged_at < 2000
    assert len(hist.train_loss) == hist.converged_at


def test_unknown_optimizer_is_an_error():
    with pytest.raises(ValueError, match="optimizer"):
        train(VanillaRNN(8), PalindromeTask(4), steps=1, optimizer="adagrad-typo")
