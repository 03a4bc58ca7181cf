"""How gradients flow back through time (chapters 1 and 2).

The quantity of the chapter is ||dL/dh_t||, the norm of the loss gradient with respect
to the hidden state at step t, for a loss on the last step T only. By the chain rule

    dL/dh_t = dL/dh_T  prod_{j=t+1}^{T} dh_j/dh_{j-1},

so its size against T - t shows whether the network can learn from step t at all.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def hidden_state_grad_norms(
    model: nn.Module, seq: torch.Tensor, y: torch.Tensor
) -> torch.Tensor:
    """||dL/dh_t|| for t = 1..T, averaged over the batch; shape (T,).

    ``model(seq, return_hidden_states=True)`` must return (logits, [h_1, ..., h_T]).
    Uses ``torch.autograd.grad`` on the hidden states, so the parameters' ``.grad`` is
    left alone.
    """
    logits, hs = model(seq, return_hidden_states=True)
    return per_sequence_grad_norms(nn.functional.cross_entropy(logits, y), hs)


def per_sequence_grad_norms(
    loss: torch.Tensor, states: Sequence[torch.Tensor]
) -> torch.Tensor:
    """||dL/ds_t|| for each state s_t (B, n) in ``states``, per sequence, averaged over
    the batch; shape (len(states),).

    ``loss`` is a mean over the B sequences of the batch, L = (1/B) sum_b L_b, and s_t
    of sequence b only reaches L_b, so row b of dL/ds_t is (1/B) dL_b/ds_t: the norm of
    each row, times B, is the norm for one sequence alone. Uses ``torch.autograd.grad``,
    so the parameters' ``.grad`` is left alone.
    """
    grads = torch.autograd.grad(loss, states)  # each (B, n)
    batch_size = states[0].shape[0]
    return torch.stack([g.norm(dim=1).mean() for g in grads]).detach() * batch_size


def set_spectral_radius_(W: torch.Tensor, radius: float) -> torch.Tensor:
    """Rescale the square matrix W in place so that max |eigenvalue| = radius."""
    with torch.no_grad():
        current = torch.linalg.eigvals(W).abs().max()
        return W.mul_(radius / current)


def largest_singular_value(W: torch.Tensor) -> float:
    """sigma_max(W) = ||W||_2, the bound on how much one step can stretch a gradient."""
    return float(torch.linalg.matrix_norm(W.detach(), ord=2))
