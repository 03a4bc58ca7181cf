"""The vanilla recurrent network of chapter 1 (backpropagation through time).

    h_t = tanh(W_hx x_t + W_hh h_{t-1} + b_h),     h_0 = 0
    p_t = W_ph h_t + b_p,                           y_hat = softmax(p_T)

Written from scratch with exactly these parameter names (no nn.Linear, no nn.RNN). In
code the batch is the first axis, so W_hx x_t becomes ``x_t @ W_hx.T``.

Shapes: W_hx (n, d), W_hh (n, n), b_h (n,), W_ph (c, n), b_p (c,) for input size d,
n = num_hiddens hidden units and c = num_classes classes.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.recurrent.base import RecurrentClassifier, uniform_


class VanillaRNN(RecurrentClassifier):
    """Elman RNN classifying a sequence from its last hidden state.

    Args are those of :class:`~lib.recurrent.base.RecurrentClassifier`: ``num_hiddens``
    n, ``num_classes`` c, and the input settings ``encoding``, ``num_symbols``,
    ``input_dim``.

    ``forward(seq)`` returns the logits p_T (B, c);
    ``forward(seq, return_hidden_states=True)`` also returns [h_1, ..., h_T].
    """

    def __init__(self, num_hiddens: int = 128, num_classes: int = 10, **inputs):
        super().__init__(num_hiddens, num_classes, **inputs)
        n, d = num_hiddens, self.input_dim
        self.W_hx = nn.Parameter(uniform_(torch.empty(n, d), n))
        self.W_hh = nn.Parameter(uniform_(torch.empty(n, n), n))
        self.b_h = nn.Parameter(uniform_(torch.empty(n), n))

    def step(self, x_t, state):
        (h_prev,) = state
        return (torch.tanh(x_t @ self.W_hx.T + h_prev @ self.W_hh.T + self.b_h),)
