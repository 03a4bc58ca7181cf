"""What every recurrent classifier of chapters 1-2 shares: read x_1..x_T, classify from
h_T.

A subclass defines the state it carries and one step of the recurrence; this class runs
the loop over time and the read-out

    p_T = W_ph h_T + b_p,        y_hat = softmax(p_T),

with the loss (cross-entropy) on the last step only, as in the course.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lib.recurrent.encodings import SequenceInput, check_has_steps


def uniform_(tensor: torch.Tensor, num_hiddens: int) -> torch.Tensor:
    """U(-1/sqrt(n), 1/sqrt(n)), the initialisation torch.nn.RNN/LSTM use for every
    weight."""
    bound = 1.0 / math.sqrt(num_hiddens)
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


class RecurrentClassifier(nn.Module):
    """Base class. Shapes: seq (B, T) symbols or (B, T, d) features -> logits (B, C).

    Args (every subclass takes them; subclasses name the first two and pass the input
    settings on as ``**inputs``):
        num_hiddens: n, the size of h_t.
        num_classes: c, the number of classes of the target.
        encoding: how inputs become x_t, one of ``onehot``, ``embedding``, ``scalar``,
            ``features`` (see :mod:`lib.recurrent.encodings`).
        num_symbols: alphabet size for symbol inputs (10 for digits).
        input_dim: d for ``features`` and ``embedding`` inputs.

    A subclass implements ``step(x_t, state)`` returning the next state, whose first
    entry is h_t. The state is ``num_states`` tensors (B, n), zero at the start
    (override ``init_state(batch_size, like)`` for another start).
    """

    num_states = 1  # h; a cell state makes it 2: (h, c)

    def __init__(
        self,
        num_hiddens: int = 128,
        num_classes: int = 10,
        encoding: str = "onehot",
        num_symbols: int | None = 10,
        input_dim: int | None = None,
    ):
        super().__init__()
        self.num_hiddens, self.num_classes = num_hiddens, num_classes
        self.inputs = SequenceInput(encoding, num_symbols, input_dim)
        self.input_dim = self.inputs.input_dim
        self.W_ph = nn.Parameter(torch.empty(num_classes, num_hiddens))
        self.b_p = nn.Parameter(torch.empty(num_classes))
        uniform_(self.W_ph, num_hiddens)
        uniform_(self.b_p, num_hiddens)

    def init_state(
        self, batch_size: int, like: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        """``num_states`` zero tensors (B, n) on ``like``'s device and dtype."""
        zeros = like.new_zeros(batch_size, self.num_hiddens)
        return (zeros,) * self.num_states

    def step(
        self, x_t: torch.Tensor, state: tuple[torch.Tensor, ...]
    ) -> tuple[torch.Tensor, ...]:
        raise NotImplementedError

    def hidden_states(self, X: torch.Tensor) -> list[torch.Tensor]:
        """Run the recurrence over X (B, T, d); return [h_1, ..., h_T], each (B, n).

        ``unbind`` splits X once; indexing X[:, t] inside the loop would make the
        backward pass grow with T^2 (each index op's gradient is a full-size zero
        tensor).
        """
        state = self.init_state(X.shape[0], X)
        hs = []
        for x_t in X.unbind(1):
            state = self.step(x_t, state)
            hs.append(state[0])
        return hs

    def forward(self, seq: torch.Tensor, return_hidden_states: bool = False):
        X = self.inputs(seq, dtype=self.W_ph.dtype)
        check_has_steps(X)
        hs = self.hidden_states(X)
        logits = hs[-1] @ self.W_ph.T + self.b_p
        return (logits, hs) if return_hidden_states else logits
