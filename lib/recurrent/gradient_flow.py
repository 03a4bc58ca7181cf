"""How gradients flow back through time (chapters 1 and 2).

The quantity of the chapter is ||dL/dh_t||, the norm of the loss gradient with respect to the
hidden state at step t, for a loss on the last step T only. By the chain rule

    dL/dh_t = dL/dh_T  prod_{j=t+1}^{T} dh_j/dh_{j-1},

so its size against T - t shows whether the network can learn from step t at all.
"""

from __future__ import annotations

import torch
from torch import nn


def hidden_state_grad_norms(model: nn.Module, seq: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """||dL/dh_t|| for t = 1..T, averaged over the batch; shape (T,).

    ``model(seq, return_hidden_states=True)`` must return (logits, [h_1, ..., h_T]). Uses
    ``torch.autograd.grad`` on the hidden states, so the parameters' ``.grad`` is left alone.
    """
    logits, hs = model(seq, return_hidden_states=True)
    loss = nn.functional.cross_entropy(logits, y)
    grads = torch.autograd.grad(loss, hs)
    # the loss is a mean over the batch: undo the 1/B so that the norm is per sequence
    return torch.stack([g.norm(dim=1).mean() for g in grads]).detach() * seq.shape[0]


def set_spectral_radius_(W: torch.Tensor, radius: float) -> torch.Tensor:
    """Rescale the square matrix W in place so that max |eigenvalue| = radius."""
    with torch.no_grad():
        current = torch.linalg.eigvals(W).abs().max()
        return W.mul_(radius / current)


def largest_singular_value(W: torch.Tensor) -> float:
    """sigma_max(W) = ||W||_2, the bound on how much one step can stretch a gradient."""
    return float(torch.linalg.matrix_norm(W.detach(), ord=2))
