"""How a sequence becomes the vectors x_t a recurrent network reads (chapters 1 and 2).

Four encodings, one interface. Symbols are integer tensors of shape (B, T) with values
in [0, num_symbols); features are float tensors of shape (B, T, d) used as they are.

=============  ================  =============================================
encoding       input             x_t
=============  ================  =============================================
``onehot``     (B, T) integers   e_{s_t}, a one-hot vector of size num_symbols
``embedding``  (B, T) integers   row s_t of a learned table E (num_symbols, d)
``scalar``     (B, T) integers   the digit itself as one number
                                 (the course's input_dim=1)
``features``   (B, T, d) floats  unchanged
=============  ================  =============================================
"""

from __future__ import annotations

import torch
from torch import nn

ENCODINGS = ("onehot", "embedding", "scalar", "features")


class SequenceInput(nn.Module):
    """Maps a batch of sequences to x of shape (B, T, input_dim), checking what it is
    given."""

    def __init__(
        self,
        encoding: str = "onehot",
        num_symbols: int | None = None,
        input_dim: int | None = None,
    ):
        super().__init__()
        if encoding not in ENCODINGS:
            raise ValueError(f"encoding={encoding!r}: expected one of {ENCODINGS}")
        if encoding != "features" and not num_symbols:
            raise ValueError(f"encoding={encoding!r} needs num_symbols")
        if encoding in ("features", "embedding") and not input_dim:
            raise ValueError(f"encoding={encoding!r} needs input_dim")
        self.encoding, self.num_symbols = encoding, num_symbols
        self.input_dim = {"onehot": num_symbols, "scalar": 1}.get(encoding, input_dim)
        if encoding == "embedding":
            self.E = nn.Parameter(torch.randn(num_symbols, input_dim))

    def forward(
        self, seq: torch.Tensor, dtype: torch.dtype | None = None
    ) -> torch.Tensor:
        """x (B, T, input_dim) in ``dtype`` (the model's; default: torch's default
        dtype)."""
        self.check(seq)
        dtype = dtype or torch.get_default_dtype()
        if self.encoding == "features":
            if seq.dtype != dtype:
                raise TypeError(
                    f"features are {seq.dtype} but the model computes in {dtype}: "
                    f"convert one of them with .to()"
                )
            return seq
        if self.encoding == "onehot":
            return nn.functional.one_hot(seq, self.num_symbols).to(dtype)
        if self.encoding == "scalar":
            return seq.unsqueeze(-1).to(dtype)
        return self.E[seq].to(dtype)

    def check(self, seq: torch.Tensor) -> None:
        """Raise a clear error for a wrong shape, dtype or symbol."""
        if not isinstance(seq, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor, got {type(seq).__name__}")
        if self.encoding == "features":
            if seq.dim() != 3 or seq.shape[-1] != self.input_dim:
                raise ValueError(
                    f"features must have shape (B, T, {self.input_dim}), "
                    f"got {tuple(seq.shape)}"
                )
            if not seq.is_floating_point():
                raise TypeError(f"features must be floating point, got {seq.dtype}")
            return
        if seq.dim() != 2:
            raise ValueError(f"symbols must have shape (B, T), got {tuple(seq.shape)}")
        if seq.is_floating_point() or seq.is_complex() or seq.dtype == torch.bool:
            raise TypeError(f"symbols must be integers (torch.long), got {seq.dtype}")
        if seq.numel() and (seq.min() < 0 or seq.max() >= self.num_symbols):
            raise ValueError(
                f"symbols must lie in [0, {self.num_symbols}), "
                f"got values in [{int(seq.min())}, {int(seq.max())}]"
            )


def check_has_steps(X: torch.Tensor) -> None:
    """Raise a clear error for sequences without a step: x (B, T, ...) needs T >= 1."""
    if X.shape[1] == 0:
        raise ValueError("sequences must have at least one step (T >= 1)")
