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

    Subclasses implement ``init_state(batch_size, like)`` returning a tuple whose first
    entry is h_0 (B, n), and ``step(x_t, state)`` returning the next state, first entry
    h_t.
    """

    def __init__(
        self,
        num_hiddens: int,
        num_classes: int,
        encoding: str = "onehot",
        num_symbols: int | None = None,
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
        raise NotImplementedError

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
