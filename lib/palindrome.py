"""The palindrome task of the course (chapters 1-3): how far back can a network remember?

A palindrome of length T over the digits 0-9 reads the same both ways. The network reads its
first T-1 digits and must predict the last one, which equals the first: it has to carry one
digit across T-1 steps. Chance accuracy is 1/10.

Batches are drawn all at once on the device from an explicit ``torch.Generator`` (no Python
loop per sample), so a seed fixes every batch. Each (seed, length) also has a fixed held-out
test set drawn from its own generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

NUM_DIGITS = 10


def palindromes(length: int, batch_size: int, generator: torch.Generator,
                num_digits: int = NUM_DIGITS) -> torch.Tensor:
    """A (batch_size, length) long tensor of random palindromes, on the generator's device."""
    if length < 2:
        raise ValueError(f"a palindrome task needs length >= 2, got {length}")
    half = torch.randint(num_digits, (batch_size, (length + 1) // 2),
                         generator=generator, device=generator.device)
    return torch.cat([half, half[:, : length // 2].flip(1)], dim=1)


def split_palindromes(pals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Input: the first T-1 digits (B, T-1); target: the last digit (B,)."""
    return pals[:, :-1], pals[:, -1]


@dataclass
class PalindromeTask:
    """Training batches and a fixed test set for palindromes of one length.

    Example::

        task = PalindromeTask(length=20, seed=0)
        x, y = task.batch()        # x: (128, 19) digits, y: (128,) the digit to recall
        x_test, y_test = task.test
    """

    length: int
    batch_size: int = 128
    seed: int = 0
    device: torch.device | str = "cpu"
    test_size: int = 1000
    num_symbols: int = NUM_DIGITS
    num_classes: int = NUM_DIGITS
    generator: torch.Generator = field(init=False, repr=False)
    test: tuple[torch.Tensor, torch.Tensor] = field(init=False, repr=False)

    def __post_init__(self):
        self.device = torch.device(self.device)
        self.generator = torch.Generator(self.device).manual_seed(self._stream_seed("train"))
        test_gen = torch.Generator(self.device).manual_seed(self._stream_seed("test"))
        self.test = self._draw(self.test_size, test_gen)

    def _stream_seed(self, split: str) -> int:
        # distinct, reproducible streams per (seed, length, split)
        return (self.seed * 1_000_003 + self.length * 101 + (split == "test")) % 2**63

    def _draw(self, batch_size, generator):
        return split_palindromes(palindromes(self.length, batch_size, generator, self.num_symbols))

    def batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next training batch (inputs (B, T-1), targets (B,))."""
        return self._draw(self.batch_size, self.generator)

    @property
    def chance(self) -> float:
        return 1.0 / self.num_classes
