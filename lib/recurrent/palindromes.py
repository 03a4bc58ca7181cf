"""The palindrome task of the course (chapters 1-3): how far back can a network
remember?

A palindrome of length T over the digits 0-9 reads the same both ways. The network reads
its first T-1 digits and must predict the last one, which equals the first: it has to
carry one digit across T-1 steps. Chance accuracy is 1/10.

Batches are drawn all at once on the device from an explicit ``torch.Generator`` (no
Python loop per sample), so a seed fixes every batch. Each (seed, length) also has a
fixed held-out test set drawn from its own generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from lib.runtime import seeded_generator

NUM_DIGITS = 10


def palindromes(
    length: int,
    batch_size: int,
    generator: torch.Generator,
    num_digits: int = NUM_DIGITS,
) -> torch.Tensor:
    """A (batch_size, length) long tensor of random palindromes, on the generator's
    device."""
    if length < 2:
        raise ValueError(f"a palindrome task needs length >= 2, got {length}")
    half = torch.randint(
        num_digits,
        (batch_size, (length + 1) // 2),
        generator=generator,
        device=generator.device,
    )
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
        self.generator = seeded_generator(self._stream_seed("train"), self.device)
        test_gen = seeded_generator(self._stream_seed("test"), self.device)
        self.test = self._draw(self.test_size, test_gen)

    def _stream_seed(self, split: str) -> int:
        # distinct, reproducible streams per (seed, length, split)
        return (self.seed * 1_000_003 + self.length * 101 + (split == "test")) % 2**63

    def _draw(self, batch_size, generator):
        return split_palindromes(
            palindromes(self.length, batch_size, generator, self.num_symbols)
        )

    def batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next training batch (inputs (B, T-1), targets (B,))."""
        return self._draw(self.batch_size, self.generator)

    @property
    def chance(self) -> float:
        return 1.0 / self.num_classes


# The binary variant of the course's 2020 version (the peephole LSTM experiments) ------

# digits are drawn from 0..8, as np.random.randint(0, 9)
BINARY_PAD, BINARY_MAX_DIGIT = 0, 9
BITS_PER_DIGIT = 4  # 8 = 0b1000 is the longest


def binary_palindromes(
    length: int, batch_size: int, generator: torch.Generator
) -> torch.Tensor:
    """A (batch_size, 4 * length + 2) long tensor of left-padded binary palindromes.

    As the course's 2020 ``BinaryPalindromeDataset(length)`` builds them: draw length/2
    digits from 0..8, write each in binary without leading zeros (0 -> "0", 5 -> "101"),
    join them, reverse that half with probability 1/2, append its mirror image, and pad
    on the left to 4 * length + 2 symbols. Symbols: 0 = padding, 1 = bit 0, 2 = bit 1
    (the course's -1, 0, 1 plus one, which is what its networks read). Only even
    lengths: for odd ones the course's palindromes can outgrow 4 * length + 2 and no
    longer batch.
    """
    if length < 2 or length % 2:
        raise ValueError(
            f"binary palindromes need an even length >= 2 (the course's "
            f"input_length), got {length}"
        )
    device, K, width = generator.device, length // 2, 4 * length + 2
    digits = torch.randint(
        BINARY_MAX_DIGIT, (batch_size, K), generator=generator, device=device
    )
    flip = torch.rand(batch_size, generator=generator, device=device) < 0.5
    powers = 2 ** torch.arange(BITS_PER_DIGIT - 1, -1, -1, device=device)  # 8, 4, 2, 1
    bits = (digits.unsqueeze(-1) // powers % 2).flatten(1)  # (B, 4K), MSB first
    num_bits = (digits.unsqueeze(-1) >= powers).sum(-1).clamp(min=1)  # "0" has one bit
    valid = torch.arange(
        BITS_PER_DIGIT, device=device
    ) >= BITS_PER_DIGIT - num_bits.unsqueeze(-1)
    valid = valid.flatten(1)
    # move the significant bits to the front, in order (a stable sort of "is padding")
    half = bits.gather(
        1, torch.sort((~valid).to(torch.uint8), dim=1, stable=True).indices
    )
    n = valid.sum(1, keepdim=True)  # bits in the half
    j = torch.arange(4 * K, device=device)
    half = half.gather(1, torch.where(flip.unsqueeze(1) & (j < n), n - 1 - j, j))
    q = torch.arange(width, device=device) - (width - 2 * n)  # index in half+mirror
    mirrored = half.gather(1, torch.where(q < n, q, 2 * n - 1 - q).clamp(0, 4 * K - 1))
    return torch.where(q >= 0, mirrored + 1, BINARY_PAD)


def split_binary_palindromes(pals: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Input: all symbols but the last (B, 4L+1); target: the last bit, 0 or 1 (B,)."""
    return pals[:, :-1], pals[:, -1] - 1


@dataclass
class BinaryPalindromeTask(PalindromeTask):
    """The course's 2020 binary palindromes of ``length`` (its input_length): 4L+1 input
    steps.

    Inputs are symbols 0 (padding), 1, 2 (bits 0, 1); use ``encoding="scalar"`` for the
    course's input_dim = 1 or ``"onehot"`` with ``num_symbols=3``. Targets are the last
    bit (2 classes).
    """

    num_symbols: int = 3
    num_classes: int = 2

    def _draw(self, batch_size, generator):
        return split_binary_palindromes(
            binary_palindromes(self.length, batch_size, generator)
        )

    @property
    def chance(self) -> float:
        """The best constant guess, "1": the last bit is the first bit of the half,
        which is a leading 1 unless the digit is 0 (not reversed, P = 8/9) or the parity
        of a digit in 0..8 (reversed, P(odd) = 4/9): P(1) = (8/9 + 4/9) / 2 = 2/3."""
        return 2.0 / 3.0
