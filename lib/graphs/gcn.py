"""Graph convolutional networks from scratch, after Kipf & Welling (2017).

One layer, with A_hat = D~^{-1/2} (A + I) D~^{-1/2} (see :mod:`lib.graphs.edges`):

    H' = sigma(A_hat H W + b),
    row i:  h'_i = sigma( sum_{j in N(i) ∪ {i}} h_j W / sqrt(d~_i d~_j) + b )

Shapes: A_hat (N, N) sparse (or dense, for small graphs), H (N, F_in) dense or sparse,
W (F_in, F_out), b (F_out,) -> H' (N, F_out). The product is evaluated as
A_hat (H W): H W first shrinks the rows from F_in to F_out numbers, so the sparse
product moves E * F_out numbers instead of E * F_in (Cora: 16 instead of 1433 per edge).
A_hat is never densified here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from lib.graphs.sparse import dropout, matmul


class GCNLayer(nn.Module):
    """H' = A_hat H W (+ b); the non-linearity is applied by the caller
    (see :class:`GCN`).

    Glorot-uniform W as in the paper; Kipf & Welling's code has no bias by default.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = False):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.W = nn.Parameter(
            nn.init.xavier_uniform_(torch.empty(in_features, out_features))
        )
        self.b = nn.Parameter(torch.zeros(out_features)) if bias else None

    def forward(self, A_hat: torch.Tensor | None, H: torch.Tensor) -> torch.Tensor:
        """``A_hat=None`` stands for the identity: H' = H W (+ b), no graph (the
        layers of :class:`MLP`)."""
        check_inputs(A_hat, H, self.in_features)
        out = matmul(H, self.W)
        if A_hat is not None:
            out = matmul(A_hat, out)
        return out + self.b if self.b is not None else out

    def extra_repr(self) -> str:
        return f"{self.in_features} -> {self.out_features}, bias={self.b is not None}"


def check_inputs(A_hat: torch.Tensor | None, H: torch.Tensor, in_features: int) -> None:
    """Raise a clear error for mismatched shapes or dtypes (``A_hat=None``: the
    identity, any number N of rows)."""
    if A_hat is None:
        if H.dim() != 2 or H.shape[1] != in_features:
            raise ValueError(
                f"H must have shape (N, F_in) with F_in = {in_features}, "
                f"got {tuple(H.shape)}"
            )
        return
    if A_hat.dim() != 2 or A_hat.shape[0] != A_hat.shape[1]:
        raise ValueError(
            f"A_hat must be a square (N, N) matrix, got {tuple(A_hat.shape)}"
        )
    if H.dim() != 2 or H.shape != (A_hat.shape[0], in_features):
        raise ValueError(
            f"H must have shape (N, F_in) = ({A_hat.shape[0]}, {in_features}), "
            f"got {tuple(H.shape)}"
        )
    if not (H.is_floating_point() and A_hat.is_floating_point()):
        raise TypeError(
            f"A_hat and H must be floating point, got {A_hat.dtype} and {H.dtype}"
        )


class GCN(nn.Module):
    """Stacked graph convolutions: (dropout -> GCNLayer -> activation) per hidden layer,
    then dropout -> GCNLayer giving the logits. Kipf & Welling's model is
    ``GCN(F, 16, C, num_layers=2, dropout=0.5)``; the input dropout acts on the stored
    values of a sparse X (:func:`lib.graphs.sparse.dropout`).

    Args:
        num_hiddens: width of every hidden layer (with ``num_layers``), or a list of
            widths.
        activation: sigma between layers (ReLU; the karate-club example uses tanh).

    ``forward(A_hat, X)`` -> logits (N, C); ``return_hidden=True`` also returns the list
    of hidden representations [H^(1), ..., H^(L-1)] (after the activation).
    """

    def __init__(
        self,
        in_features: int,
        num_hiddens: int | Sequence[int],
        num_classes: int,
        num_layers: int = 2,
        dropout: float = 0.5,
        bias: bool = False,
        activation: Callable[[torch.Tensor], torch.Tensor] = torch.relu,
    ):
        super().__init__()
        sizes = _layer_sizes(in_features, num_hiddens, num_classes, num_layers)
        self.layers = nn.ModuleList(
            GCNLayer(a, b, bias) for a, b in zip(sizes[:-1], sizes[1:])
        )
        self.dropout, self.activation = dropout, activation

    def forward(
        self, A_hat: torch.Tensor | None, X: torch.Tensor, return_hidden: bool = False
    ):
        H, hidden = X, []
        for k, layer in enumerate(self.layers):
            H = layer(A_hat, dropout(H, self.dropout, self.training))
            if k < len(self.layers) - 1:
                H = self.activation(H)
                hidden.append(H)
        return (H, hidden) if return_hidden else H

    def decayed_parameters(self) -> list[nn.Parameter]:
        """The parameters under the L2 penalty: the first layer's only (Kipf and
        Welling's choice, Section 5.2); pass them as
        ``train_nodes(..., decayed=...)``."""
        return list(self.layers[0].parameters())


def _layer_sizes(
    in_features: int,
    num_hiddens: int | Sequence[int],
    num_classes: int,
    num_layers: int,
) -> list[int]:
    """[F_in, hidden..., C]: ``num_layers - 1`` hidden layers of width ``num_hiddens``,
    or the widths listed."""
    if isinstance(num_hiddens, int):
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        hidden = [num_hiddens] * (num_layers - 1)
    else:
        hidden = list(num_hiddens)
    return [in_features, *hidden, num_classes]


class MLP(GCN):
    """The graph-free baseline: :class:`GCN` with A_hat replaced by the identity, so
    that every node is classified from its own features alone,

        H' = sigma(H W + b)    (per layer; dropout on each layer's input),

    Kipf & Welling's "MLP" row (their code's ``MLP``: the same widths, dropout, Glorot
    initialisation, no bias and L2 on the first layer only). It is the GCN's code with
    no graph (each :class:`GCNLayer` is given ``A_hat=None``, the identity): the
    parameters are named and initialised as in :class:`GCN` (``layers[k].W``), so the
    same seed gives the same initial weights, and ``MLP(X)`` equals ``GCN(I, X)`` with
    the same state. ``X`` may be dense or a :class:`lib.graphs.sparse.SparseMatrix`.

    ``forward(X)`` -> logits (N, C); ``return_hidden=True`` also returns the hidden
    representations, as for :class:`GCN`.
    """

    def forward(self, X: torch.Tensor, return_hidden: bool = False):
        return super().forward(None, X, return_hidden)


def influence(
    model: Callable[[torch.Tensor], torch.Tensor], X: torch.Tensor
) -> torch.Tensor:
    """I (N, N) with I[i, j] = sum over features of |d out_i / d x_j| (Xu et al., 2018):
    how much node j's input moves node i's output; exactly zero where j cannot reach i.
    Computes the full Jacobian (N * F_out backward passes): for small graphs. ``model``
    maps X (N, F) to (N, F')."""
    J = torch.autograd.functional.jacobian(model, X.detach())  # (N, F', N, F)
    return J.abs().sum(dim=(1, 3))
