"""Measuring over-smoothing: how alike node representations become with depth
(the chapter on graph convolutional networks).

The normalised Dirichlet energy of node representations H (N, F) on a graph with A_hat,

    E(H) = tr(H^T (I - A_hat) H) / tr(H^T H)
         = (1/2) sum_{i,j} A~_ij || h_i / sqrt(d~_i) - h_j / sqrt(d~_j) ||^2
           / ||H||_F^2,

is 0 exactly when every row, divided by sqrt(d~_i), is the same within each connected
component (the fixed points of A_hat, eigenvalue 1), and at most 2. Repeated propagation
H -> A_hat H drives it to 0 (Rusch et al., 2023, survey the measure).
"""

from __future__ import annotations

import torch

from lib.graphs.sparse import SparseMatrix


def dirichlet_energy(A_hat: SparseMatrix, H: torch.Tensor) -> float:
    """E(H) in [0, 2): the share of H's squared norm that varies across edges."""
    H = H.detach()
    total = (H * H).sum()
    if total == 0:
        raise ValueError("E(H) is undefined for H = 0")
    return ((H * H).sum() - (H * (A_hat @ H)).sum()).item() / total.item()


def propagate_powers(
    A_hat: SparseMatrix, X: torch.Tensor, ks: list[int]
) -> dict[int, torch.Tensor]:
    """{k: A_hat^k X} for the (sorted, non-negative) ks, computed with max(ks)
    products."""
    if any(k < 0 for k in ks):
        raise ValueError(f"powers must be >= 0, got {ks}")
    out, H = {}, X
    for k in range(max(ks) + 1):
        if k in ks:
            out[k] = H
        H = A_hat @ H
    return out
