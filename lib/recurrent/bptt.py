"""Backpropagation through time for the vanilla RNN, written out from the equations
(chapter 1).

Forward (batch rows, mean cross-entropy over the B sequences of the batch):

    a_t = W_hx x_t + W_hh h_{t-1} + b_h,   h_t = tanh(a_t),   p_T = W_ph h_T + b_p,
    L = (1/B) sum_b -log softmax(p_T)[y]

Backward, the derivation of the chapter:

    dL/dp_T     = (y_hat - y) / B            (y one-hot)
    dL/dW_ph    = (y_hat - y) h_T^T          no sum over time: p_T only sees h_T
    dL/dh_T     = W_ph^T dL/dp_T
    dL/da_t     = dL/dh_t * (1 - h_t^2)      tanh' = 1 - tanh^2
    dL/dh_{t-1} = W_hh^T dL/da_t             one Jacobian diag(1 - h_t^2) W_hh per step
    dL/dW_hh    = sum_t dL/da_t h_{t-1}^T    W_hh is used at every step: a sum over time
    dL/dW_hx    = sum_t dL/da_t x_t^T,    dL/db_h = sum_t dL/da_t

The closed forms use no autograd; :func:`autograd_gradients` is the reference that
chapter 1 (and the tests) compare them with, in float64. For the experiments on
vanishing and exploding gradients, :func:`gaussian_with_spectral_radius_` draws W_hh
with a chosen spectral radius.
"""

from __future__ import annotations

import torch
from torch import nn

from lib.recurrent.gradient_flow import set_spectral_radius_
from lib.recurrent.rnn import VanillaRNN


def gaussian_with_spectral_radius_(W: torch.Tensor, radius: float) -> torch.Tensor:
    """Fill the square matrix W (n, n) in place with W_ij ~ N(0, 1/n), then rescale it
    to spectral radius rho(W) = max |eigenvalue| = ``radius``; returns W.

    The draw uses torch's global generator (``W.normal_``): ``torch.manual_seed``
    fixes it.
    """
    if W.dim() != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square (n, n) matrix, got {tuple(W.shape)}")
    if radius < 0:
        raise ValueError(f"radius must be >= 0, got {radius}")
    with torch.no_grad():
        W.normal_(0, W.shape[0] ** -0.5)
    return set_spectral_radius_(W, radius)


def autograd_gradients(
    model: nn.Module, seq: torch.Tensor, y: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The reference: dL/dtheta by autograd for every parameter of ``model`` (a copy
    of each ``.grad``), L the mean cross-entropy of ``model(seq)`` (B, c) against
    ``y`` (B,)."""
    model.zero_grad()
    nn.functional.cross_entropy(model(seq), y).backward()
    return {name: p.grad.clone() for name, p in model.named_parameters()}


def rnn_forward(
    model: VanillaRNN, X: torch.Tensor
) -> tuple[list[torch.Tensor], torch.Tensor]:
    """h_0..h_T (each (B, n), h_0 = 0) and the logits p_T (B, c) for X of shape
    (B, T, d)."""
    hs = [X.new_zeros(X.shape[0], model.num_hiddens)]
    for x_t in X.unbind(1):
        hs.append(torch.tanh(x_t @ model.W_hx.T + hs[-1] @ model.W_hh.T + model.b_h))
    return hs, hs[-1] @ model.W_ph.T + model.b_p


def output_gradient(
    model: VanillaRNN, logits: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """dL/dp_T = (y_hat - y) / B for the mean cross-entropy over the batch; shape
    (B, c)."""
    one_hot = torch.nn.functional.one_hot(y, model.num_classes).to(logits.dtype)
    return (torch.softmax(logits, dim=1) - one_hot) / logits.shape[0]


def backward_through_time(
    model: VanillaRNN, hs: list[torch.Tensor], dL_dhT: torch.Tensor
):
    """Yield (t, dL/dh_t, delta_t = dL/da_t) for t = T, T-1, ..., 1 (the recursion)."""
    dh = dL_dhT
    for t in range(len(hs) - 1, 0, -1):
        delta = dh * (1 - hs[t] ** 2)  # diag(1 - h_t^2): tanh's derivative
        yield t, dh, delta
        dh = delta @ model.W_hh  # W_hh^T delta_t, batch rows


@torch.no_grad()
def bptt_gradients(
    model: VanillaRNN, seq: torch.Tensor, y: torch.Tensor
) -> dict[str, torch.Tensor]:
    """Closed-form gradients of the mean cross-entropy w.r.t. every parameter of
    ``model``.

    Returns a dict keyed like ``model.named_parameters()`` (W_hx, W_hh, b_h, W_ph, b_p),
    plus ``dL/dh`` of shape (T, B, n): dL/dh_t for t = 1..T, the quantity whose norm
    vanishes or explodes. Supports the ``onehot``, ``scalar`` and ``features`` encodings
    (inputs without parameters of their own).
    """
    if "inputs.E" in dict(model.named_parameters()):
        raise ValueError(
            "bptt_gradients covers inputs without parameters (not 'embedding')"
        )
    X = model.inputs(seq, dtype=model.W_ph.dtype)
    hs, logits = rnn_forward(model, X)
    dp = output_gradient(model, logits, y)
    grads = {"W_ph": dp.T @ hs[-1], "b_p": dp.sum(0)}  # no sum over time
    dW_hx, dW_hh, db_h = (
        torch.zeros_like(p) for p in (model.W_hx, model.W_hh, model.b_h)
    )
    dhs = []
    for t, dh, delta in backward_through_time(model, hs, dp @ model.W_ph):
        dhs.append(dh)
        dW_hx += delta.T @ X[:, t - 1]
        dW_hh += delta.T @ hs[t - 1]
        db_h += delta.sum(0)
    grads.update(W_hx=dW_hx, W_hh=dW_hh, b_h=db_h)
    grads["dL/dh"] = torch.stack(dhs[::-1])
    return grads


@torch.no_grad()
def W_hh_gradient_terms(
    model: VanillaRNN, seq: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """The T terms delta_t h_{t-1}^T whose sum is dL/dW_hh, one per time step;
    (T, n, n).

    Term t is what step t contributes to the gradient of W_hh: it shows how much the
    early steps of a sequence take part in learning at all.
    """
    X = model.inputs(seq, dtype=model.W_ph.dtype)
    hs, logits = rnn_forward(model, X)
    dp = output_gradient(model, logits, y)
    terms = [
        delta.T @ hs[t - 1]
        for t, _, delta in backward_through_time(model, hs, dp @ model.W_ph)
    ]
    return torch.stack(terms[::-1])


@torch.no_grad()
def dW_hh_by_jacobian_products(
    model: VanillaRNN, seq: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """dL/dW_hh as the chapter writes it: a sum over k of products of Jacobians,

        dL/dW_hh = sum_k sum_b [dL/dh_T  prod_{j=k+1}^{T} diag(1 - h_j^2) W_hh]
                               diag(1 - h_k^2) (x) h_{k-1}

    computed literally (one explicit product per k, O(T^2) matrix products) rather than
    by the backward recursion of :func:`bptt_gradients`, so that the two can be
    compared.
    """
    X = model.inputs(seq, dtype=model.W_ph.dtype)
    hs, logits = rnn_forward(model, X)
    T, B = X.shape[1], X.shape[0]
    dL_dhT = output_gradient(model, logits, y) @ model.W_ph  # (B, n)
    eye = torch.eye(model.num_hiddens, dtype=X.dtype).expand(B, -1, -1)
    total = torch.zeros_like(model.W_hh)
    for k in range(1, T + 1):
        product = eye  # dh_T/dh_k, (B, n, n)
        for j in range(T, k, -1):
            jacobian = (1 - hs[j] ** 2).unsqueeze(
                2
            ) * model.W_hh  # diag(1 - h_j^2) W_hh
            product = product @ jacobian
        dL_dhk = (dL_dhT.unsqueeze(1) @ product).squeeze(1)  # (B, n)
        total += (dL_dhk * (1 - hs[k] ** 2)).T @ hs[k - 1]
    return total
