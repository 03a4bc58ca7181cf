"""The peephole LSTM of the course's 2020 assignment (chapter 2).

The equations, in the course's names (x_t in R^d, c_t, h_t in R^n, c_0 = 0)::

    f_t = sigmoid(W_fx x_t + W_fc c_{t-1} + b_f)     forget gate
    i_t = sigmoid(W_ix x_t + W_ic c_{t-1} + b_i)     input gate
    o_t = sigmoid(W_ox x_t + W_oc c_{t-1} + b_o)     output gate
    c_t = sigmoid(W_cx x_t + b_c) * i_t + c_{t-1} * f_t
    h_t = tanh(c_t) * o_t                            read out only: p_T = W_ph h_T + b_p

The gates look at the cell state c_{t-1} instead of h_{t-1}, and nothing else is
recurrent: h_t feeds the read-out but never the next step, and the candidate
sigmoid(W_cx x_t + b_c) has no recurrent term at all. How this differs from the peephole
LSTM of Gers et al. (2002), as written by Greff et al. (2017): there the gates see c
through *diagonal* peephole weights (each gate its own cell) *in addition* to the
recurrent h_{t-1}, the output gate peeks at the new c_t rather than c_{t-1}, and the
candidate is tanh(W_cx x_t + W_ch h_{t-1} + b_c). Here the candidate's sigmoid is
positive, so from c_0 = 0 the cell state never goes negative.

Parameters are stored under the course's names. Since the candidate does not depend on
the past, ``hidden_states`` computes every input projection in one matrix product and
the loop does one (B, n) x (n, 3n) product per step; ``forward`` goes further: as h_t is
never fed back, it only needs f_t and i_t at every step and o_t, h_t at the last.
:meth:`PeepholeLSTM.step` is the equations written out, and tests assert that all three
agree.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.recurrent.base import RecurrentClassifier, uniform_
from lib.recurrent.encodings import check_has_steps

PEEPHOLE_GATES = ("f", "i", "o")


class PeepholeLSTM(RecurrentClassifier):
    """Shapes: W_fx, W_ix, W_ox, W_cx (n, d); W_fc, W_ic, W_oc (n, n); biases (n,).

    Args are those of :class:`~lib.recurrent.base.RecurrentClassifier`, plus
    ``forget_bias`` (initial b_f; ``None`` keeps the uniform U(-1/sqrt(n), 1/sqrt(n))
    every other parameter gets).
    """

    num_states = 2  # (h, c)

    def __init__(
        self,
        num_hiddens: int = 128,
        num_classes: int = 10,
        forget_bias: float | None = 1.0,
        **inputs,
    ):
        super().__init__(num_hiddens, num_classes, **inputs)
        n, d = num_hiddens, self.input_dim
        for gate in PEEPHOLE_GATES:
            self.register_parameter(
                f"W_{gate}x", nn.Parameter(uniform_(torch.empty(n, d), n))
            )
            self.register_parameter(
                f"W_{gate}c", nn.Parameter(uniform_(torch.empty(n, n), n))
            )
            self.register_parameter(
                f"b_{gate}", nn.Parameter(uniform_(torch.empty(n), n))
            )
        self.W_cx = nn.Parameter(uniform_(torch.empty(n, d), n))
        self.b_c = nn.Parameter(uniform_(torch.empty(n), n))
        if forget_bias is not None:
            nn.init.constant_(self.b_f, forget_bias)

    def step(self, x_t, state):
        """The equations, one step: x_t (B, d), (h_{t-1}, c_{t-1}) -> (h_t, c_t), each
        (B, n)."""
        _, c_prev = state
        f = torch.sigmoid(x_t @ self.W_fx.T + c_prev @ self.W_fc.T + self.b_f)
        i = torch.sigmoid(x_t @ self.W_ix.T + c_prev @ self.W_ic.T + self.b_i)
        o = torch.sigmoid(x_t @ self.W_ox.T + c_prev @ self.W_oc.T + self.b_o)
        c = torch.sigmoid(x_t @ self.W_cx.T + self.b_c) * i + c_prev * f
        h = torch.tanh(c) * o
        return h, c

    def forward(self, seq: torch.Tensor, return_hidden_states: bool = False):
        """Logits (B, c) from h_T; only c is recurrent, so h_t for t < T is computed
        only when ``return_hidden_states`` asks for it (and o_t only at t = T)."""
        if return_hidden_states:
            return super().forward(seq, return_hidden_states=True)
        X = self.inputs(seq, dtype=self.W_ph.dtype)
        check_has_steps(X)
        n = self.num_hiddens
        W_x = torch.cat([self.W_fx, self.W_ix, self.W_cx])  # (3n, d)
        b = torch.cat([self.b_f, self.b_i, self.b_c])  # (3n,)
        W_c = torch.cat([self.W_fc, self.W_ic])  # (2n, n)
        XW = X @ W_x.T + b  # (B, T, 3n)
        gate_inputs, candidates = XW[..., : 2 * n], torch.sigmoid(XW[..., 2 * n :])
        _, c = self.init_state(X.shape[0], X)
        for gates_x, g in zip(gate_inputs.unbind(1), candidates.unbind(1)):
            c_prev = c
            f, i = torch.sigmoid(torch.addmm(gates_x, c_prev, W_c.T)).chunk(2, dim=1)
            c = g * i + c_prev * f
        o = torch.sigmoid(X[:, -1] @ self.W_ox.T + c_prev @ self.W_oc.T + self.b_o)
        h_T = torch.tanh(c) * o
        return h_T @ self.W_ph.T + self.b_p

    def hidden_states(self, X):
        """[h_1..h_T] for X (B, T, d), as :meth:`step` computes them, with the matrices
        fused.

        x-parts of all four pre-activations for every t at once:
        X (B, T, d) -> (B, T, 4n); per step only c_{t-1} (B, n) @ [W_fc; W_ic; W_oc]^T
        (n, 3n) remains.
        """
        n = self.num_hiddens
        W_x = torch.cat([self.W_fx, self.W_ix, self.W_ox, self.W_cx])  # (4n, d)
        b = torch.cat([self.b_f, self.b_i, self.b_o, self.b_c])  # (4n,)
        W_c = torch.cat([self.W_fc, self.W_ic, self.W_oc])  # (3n, n)
        XW = X @ W_x.T + b  # (B, T, 4n)
        gate_inputs, candidates = XW[..., : 3 * n], torch.sigmoid(XW[..., 3 * n :])
        _, c = self.init_state(X.shape[0], X)
        hs = []
        for gates_x, g in zip(gate_inputs.unbind(1), candidates.unbind(1)):
            f, i, o = torch.sigmoid(gates_x + c @ W_c.T).chunk(3, dim=1)
            c = g * i + c * f
            hs.append(torch.tanh(c) * o)
        return hs
