"""The "Recurrent ReLU Network" a student proposed in a report on this assignment
(chapter 2).

The student's equations, with row vectors as the report writes them ([h_t, x_t] is the
concatenation, of size n + d)::

    dec_t     = ReLU([h_t, x_t] W_dec + b_dec)    how much to take away from the counter
    inc_t     = ReLU([h_t, x_t] W_inc + b_inc)    how much to add
    c_{t+1}   = c_t + inc_t - dec_t               c_0 = 0: no gate, no decay
    h_{t+1}   = ReLU(c_{t+1})                     h_0 = 0

W_dec, W_inc have shape (n + d, n): their first n rows act on h_t, the last d rows on
x_t. The cell is a pure accumulator (dc_{t+1}/dc_t = I + terms through h_t), the idea
being that an identity path carries information, and gradients, undamped over many
steps. The report claims 100% accuracy up to palindrome length 300 within 2500 steps;
chapter 2 tests that claim.

:meth:`ReLURNN.step` is the equations; ``hidden_states`` computes the same with the
x-parts of both products for all t in one matrix product and one (B, n) x (n, 2n)
product per step.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.recurrent.base import RecurrentClassifier, uniform_


class ReLURNN(RecurrentClassifier):
    """Shapes: W_dec, W_inc (n + d, n); b_dec, b_inc (n,); W_ph (c, n); b_p (c,).

    Args are those of :class:`~lib.recurrent.base.RecurrentClassifier`. Every
    parameter starts U(-1/sqrt(n), 1/sqrt(n)), torch's recurrent default (the report
    does not say how it initialised).
    """

    num_states = 2  # (h, c)

    def __init__(self, num_hiddens: int = 128, num_classes: int = 10, **inputs):
        super().__init__(num_hiddens, num_classes, **inputs)
        n, d = num_hiddens, self.input_dim
        self.W_dec = nn.Parameter(uniform_(torch.empty(n + d, n), n))
        self.W_inc = nn.Parameter(uniform_(torch.empty(n + d, n), n))
        self.b_dec = nn.Parameter(uniform_(torch.empty(n), n))
        self.b_inc = nn.Parameter(uniform_(torch.empty(n), n))

    def step(self, x_t, state):
        """The equations, one step: x_t (B, d), (h_t, c_t) -> (h_{t+1}, c_{t+1}), each
        (B, n)."""
        h, c = state
        hx = torch.cat([h, x_t], dim=1)  # [h_t, x_t], (B, n + d)
        dec = torch.relu(hx @ self.W_dec + self.b_dec)
        inc = torch.relu(hx @ self.W_inc + self.b_inc)
        c = c + inc - dec
        return torch.relu(c), c

    def hidden_states(self, X):
        """[h_1..h_T] for X (B, T, d), as :meth:`step` computes them, with the matrices
        fused.

        In the report's indexing X holds x_0..x_{T-1} (h_{t+1} reads x_t), so the last
        state, h_T, has read every input, as h_T does for the other models of chapter 2.
        """
        n = self.num_hiddens
        W_h = torch.cat([self.W_dec[:n], self.W_inc[:n]], dim=1)  # (n, 2n)
        W_x = torch.cat([self.W_dec[n:], self.W_inc[n:]], dim=1)  # (d, 2n)
        XW = X @ W_x + torch.cat([self.b_dec, self.b_inc])  # (B, T, 2n)
        h, c = self.init_state(X.shape[0], X)
        hs = []
        for xw_t in XW.unbind(1):
            dec, inc = torch.relu(xw_t + h @ W_h).chunk(2, dim=1)
            c = c + inc - dec
            h = torch.relu(c)
            hs.append(h)
        return hs
