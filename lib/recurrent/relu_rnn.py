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

Two ways to compute, one set of parameters:

* :meth:`ReLURNN.step` is the equations, one step; looping it over t with autograd
  is the reference.
* ``hidden_states`` and ``forward`` run :class:`ReLURecurrence`: the same equations
  with both products fused into one, P_t = [h_t, x_t] [W_dec | W_inc] + [b_dec | b_inc]
  (the dec- and inc- pre-activations side by side), and backpropagation through time
  written out by hand. Where autograd records every small operation of every step,
  with a gradient buffer each, and sums W's gradient from T separate terms, the
  hand-written loops work in buffers allocated once per sequence: per step, one
  product and five elementwise operations forward, two products (three when the
  inputs need a gradient) and three elementwise operations backward, and one bool per
  ReLU kept in between. ``scripts/bench_relu.py`` times it against the autograd
  loops; ``tests/recurrent/test_relu_rnn.py`` asserts the same outputs and gradients
  as the step-by-step loop.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.recurrent.base import RecurrentClassifier, uniform_
from lib.recurrent.encodings import check_has_steps


class ReLURecurrence(torch.autograd.Function):
    """h_1..h_T (or only h_T) of :mod:`the equations <lib.recurrent.relu_rnn>`, with
    backpropagation through time written out.

    ``apply(X, W, b, return_all)``: X (B, T, d); W = [W_dec | W_inc] (n + d, 2n);
    b = [b_dec | b_inc] (2n,). Returns H (B, T, n) = [h_1..h_T] if ``return_all``,
    else h_T (B, n).

    Forward, for t = 0..T-1, with P_t = [h_t, x_t] W + b = [P_t^dec, P_t^inc]::

        [dec_t, inc_t] = ReLU(P_t),   c_{t+1} = c_t + inc_t - dec_t,
        h_{t+1} = ReLU(c_{t+1})

    Backward, with g(v) = dL/dv, 1[.] the 0/1 indicator and g_direct(h_t) what the
    loss sends to h_t itself (only to h_T when the output is h_T), from t = T down::

        g(c_T)     = g_direct(h_T) * 1[c_T > 0]
        g(P_t)     = [-g(c_{t+1}), g(c_{t+1})] * 1[P_t > 0]        both halves
        g(W)      += [h_t, x_t]^T g(P_t),    g(b) += sum over the batch of g(P_t)
        g(x_t)     = g(P_t) W_x^T                                  W_x: last d rows
        g(h_t)     = g_direct(h_t) + g(P_t) W_h^T                  W_h: first n rows
        g(c_t)     = g(c_{t+1}) + g(h_t) * 1[c_t > 0]              (t >= 1)

    What it keeps for the backward pass: [h_t, x_t] for every t (the inputs of the
    products) and 1[P_t > 0], a bool each; 1[c_t > 0] = 1[h_t > 0].
    """

    @staticmethod
    def forward(ctx, X, W, b, return_all: bool):
        B, T, d = X.shape
        n = W.shape[1] // 2
        # HX[t] = [h_t, x_t] for t = 0..T: h_0 = 0; the x-part of HX[T] is never read
        HX = X.new_empty(T + 1, B, n + d)
        HX[0, :, :n] = 0
        HX[:T, :, n:] = X.transpose(0, 1)
        active = torch.empty(T, B, 2 * n, dtype=torch.bool, device=X.device)
        P = X.new_empty(B, 2 * n)  # P_t, then ReLU(P_t) = [dec_t, inc_t]
        c = X.new_zeros(B, n)
        for t in range(T):
            torch.addmm(b, HX[t], W, out=P)
            torch.gt(P, 0, out=active[t])
            P.relu_()
            c.add_(P[:, n:]).sub_(P[:, :n])  # c + inc - dec
            torch.clamp(c, min=0, out=HX[t + 1, :, :n])  # h_{t+1} = ReLU(c_{t+1})
        ctx.save_for_backward(HX, active, W)
        ctx.return_all = return_all
        H = HX[1:, :, :n]
        return H.transpose(0, 1).clone() if return_all else H[-1].clone()

    @staticmethod
    def backward(ctx, grad):
        HX, active, W = ctx.saved_tensors
        T, B, n = active.shape[0], active.shape[1], W.shape[1] // 2
        W_h_T, W_x_T = W[:n].T, W[n:].T
        # +1 / -1 where P_t's inc / dec ReLU is active, 0 where it is not: g(P_t) is
        # signs[t] * g(c_{t+1}) on both halves
        signs = active.to(torch.int8)
        signs[..., :n].neg_()
        signs = signs.view(T, B, 2, n)
        h_positive = HX[1:, :, :n] > 0  # 1[c_t > 0] for t = 1..T
        direct = grad.transpose(0, 1) if ctx.return_all else None  # g_direct, (T, B, n)
        need_x = ctx.needs_input_grad[0]
        grad_X = HX.new_empty(B, T, HX.shape[2] - n) if need_x else None
        grad_W, grad_b = torch.zeros_like(W), HX.new_zeros(B, 2 * n)
        g_P, g_h = HX.new_empty(B, 2 * n), HX.new_empty(B, n)
        g_c = (direct[T - 1] if ctx.return_all else grad) * h_positive[T - 1]
        for t in range(T - 1, -1, -1):
            torch.mul(signs[t], g_c.unsqueeze(1), out=g_P.view(B, 2, n))
            grad_W.addmm_(HX[t].T, g_P)
            grad_b.add_(g_P)
            if need_x:
                torch.mm(g_P, W_x_T, out=grad_X[:, t])
            if t > 0:
                if direct is None:
                    torch.mm(g_P, W_h_T, out=g_h)
                else:
                    torch.addmm(direct[t - 1], g_P, W_h_T, out=g_h)
                g_c.addcmul_(g_h, h_positive[t - 1])
        return grad_X, grad_W, grad_b.sum(0), None


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

    def _recurrence(self, X, return_all: bool):
        W = torch.cat([self.W_dec, self.W_inc], dim=1)  # (n + d, 2n)
        b = torch.cat([self.b_dec, self.b_inc])  # (2n,)
        return ReLURecurrence.apply(X, W, b, return_all)

    def hidden_states(self, X):
        """[h_1..h_T] for X (B, T, d), as :meth:`step` computes them, through
        :class:`ReLURecurrence`.

        In the report's indexing X holds x_0..x_{T-1} (h_{t+1} reads x_t), so the last
        state, h_T, has read every input, as h_T does for the other models of chapter 2.
        """
        return list(self._recurrence(X, return_all=True).unbind(1))

    def forward(self, seq: torch.Tensor, return_hidden_states: bool = False):
        """Logits (B, c) from h_T; without ``return_hidden_states`` only h_T leaves
        the recurrence (the earlier states stay in its buffers)."""
        if return_hidden_states:
            return super().forward(seq, return_hidden_states=True)
        X = self.inputs(seq, dtype=self.W_ph.dtype)
        check_has_steps(X)
        return self._recurrence(X, return_all=False) @ self.W_ph.T + self.b_p
