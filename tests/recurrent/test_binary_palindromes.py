"""The course's 2020 binary palindromes, generated vectorised (chapter 2, peephole
experiments)."""

import itertools

import pytest
import torch

from lib.recurrent.palindromes import BinaryPalindromeTask, binary_palindromes


def course_palindrome(digits, flip, length):
    """The course's generate_binary_palindrome, per sample, for given digits and
    flip."""
    half = "".join(bin(d)[2:] for d in digits)
    half = half[::-1] if flip else half
    full = half + half[::-1]
    padded = [-1] * (4 * length + 2 - len(full)) + [int(b) for b in full]
    return tuple(v + 1 for v in padded)


@pytest.mark.parametrize("length", [2, 4])
def test_exactly_the_course_palindromes(length):
    possible = {
        course_palindrome(ds, flip, length)
        for ds in itertools.product(range(9), repeat=length // 2)
        for flip in (0, 1)
    }
    drawn = binary_palindromes(length, 20_000, torch.Generator().manual_seed(0))
    assert drawn.shape == (20_000, 4 * length + 2)
    seen = set(map(tuple, drawn.tolist()))
    assert seen == possible


@pytest.mark.parametrize("length", [2, 10, 20])
def test_left_padded_palindromes(length):
    p = binary_palindromes(length, 500, torch.Generator().manual_seed(length))
    for row in p.tolist():
        body = [v for v in row if v != 0]
        assert row[: len(row) - len(body)] == [0] * (
            len(row) - len(body)
        )  # padding only left
        assert body == body[::-1] and len(body) >= 2 and set(body) <= {1, 2}


def test_task_targets_and_chance():
    task = BinaryPalindromeTask(10, batch_size=60_000, seed=1)
    x, y = task.batch()
    assert x.shape == (60_000, 41) and set(y.unique().tolist()) <= {0, 1}
    assert abs(y.float().mean().item() - task.chance) < 0.01  # P(last bit = 1) = 2/3
    first_bit = (
        x.gather(1, (x == 0).sum(1, keepdim=True)) - 1
    )  # first symbol after padding
    assert torch.equal(first_bit.squeeze(1), y)
    assert torch.equal(
        BinaryPalindromeTask(10, seed=1).test[0],
        BinaryPalindromeTask(10, seed=1).test[0],
    )


@pytest.mark.parametrize("length", [1, 3, 11])
def test_odd_or_short_lengths_are_an_error(length):
    with pytest.raises(ValueError, match="even length"):
        binary_palindromes(length, 4, torch.Generator())
