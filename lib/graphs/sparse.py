"""Sparse matrices for graph networks: products, their backward pass, dropout
(every graph chapter).

Two sparse matrices appear in a graph convolution: the normalised adjacency A_hat (N, N)
with E non-zeros, and bag-of-words features X (N, F) (Cora: 1.3% of the 2708 x 1433
entries). The products the model needs and the ones its backward pass needs are

    Y = M H        dL/dH = M^T dL/dY        (M fixed, H dense and learned or upstream)

:class:`SparseMatrix` stores M in compressed sparse row (CSR) form *together with its
transpose*, so that both are fast row-wise CSR products; PyTorch's generic sparse
backward instead transposes M (a sort of its E non-zeros) at every call. For a symmetric
M such as A_hat, M^T = M. The sparsity pattern is fixed; :meth:`SparseMatrix.dropout`
only masks the stored values, which is exactly dropout on the dense matrix (a dropped
zero is still zero) at a cost of nnz random numbers instead of N * F.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
import torch


def _csr(
    crow: torch.Tensor, col: torch.Tensor, values: torch.Tensor, shape
) -> torch.Tensor:
    # The structure comes from a coalesced COO matrix, valid by construction;
    # PyTorch's one-time "CSR support is in beta" notice would otherwise reach the
    # reader as a warning.
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Sparse CSR tensor support is in beta"
        )
        return torch.sparse_csr_tensor(crow, col, values, shape, check_invariants=False)


def row_pointers(rows: torch.Tensor, num_rows: int) -> torch.Tensor:
    """CSR's crow_indices (num_rows + 1,): where each row starts in the sorted
    ``rows``."""
    return torch.searchsorted(rows, torch.arange(num_rows + 1, device=rows.device))


class _CSRProduct(torch.autograd.Function):
    """Y = M H for a :class:`SparseMatrix` M with stored values v, differentiable in H
    and v:

    dL/dH   = M^T dL/dY        (a CSR product with the stored transpose)
    dL/dv_e = <dL/dY_i, H_j>   for e = (i, j)
                               (only the entries of the pattern are needed)
    """

    @staticmethod
    def forward(
        ctx, values: torch.Tensor, H: torch.Tensor, matrix: SparseMatrix
    ) -> torch.Tensor:
        ctx.matrix = matrix
        ctx.save_for_backward(H)
        return matrix.csr_pair()[0] @ H

    @staticmethod
    def backward(ctx, grad_Y: torch.Tensor):
        (H,) = ctx.saved_tensors
        grad_values = grad_H = None
        if ctx.needs_input_grad[0]:
            rows, cols = ctx.matrix.indices
            # index_select: the same as grad_Y[rows], several times faster on a CPU
            grad_values = (grad_Y.index_select(0, rows) * H.index_select(0, cols)).sum(
                -1
            )
        if ctx.needs_input_grad[1]:
            grad_H = ctx.matrix.csr_pair()[1] @ grad_Y
        return grad_values, grad_H, None


class SparseMatrix:
    """A matrix with a fixed sparsity pattern. ``M @ H`` for a dense H (K, F) gives a
    dense (N, F) and back-propagates to H, and to the values when they require a
    gradient (the attention weights of :mod:`lib.graphs.gat`). Build it with
    :meth:`from_coo` or :meth:`from_scipy`.

    Attributes: ``indices`` (2, nnz) row-major sorted, ``values`` (nnz,),
    ``shape`` (N, K).
    """

    def __init__(
        self,
        indices: torch.Tensor,
        values: torch.Tensor,
        shape: tuple[int, int],
        _structure: tuple | None = None,
    ):
        """``indices`` must be sorted row-major without duplicates (:meth:`from_coo`
        sorts)."""
        self.indices, self.values, self.shape = indices, values, torch.Size(shape)
        if _structure is None:
            rows, cols = indices
            key = rows * shape[1] + cols
            if key.numel() and not (key[1:] > key[:-1]).all():
                raise ValueError(
                    "indices must be sorted row-major without duplicates: "
                    "build the matrix with SparseMatrix.from_coo"
                )
            order = torch.argsort(cols * shape[0] + rows)  # row-major order of M^T
            _structure = (
                row_pointers(rows, shape[0]),
                cols,
                row_pointers(cols[order], shape[1]),
                rows[order],
                order,
            )
        self._structure = _structure
        self._csr_pair = None
        self._blocks = {}

    @classmethod
    def from_coo(cls, M: torch.Tensor) -> SparseMatrix:
        """From a torch sparse COO tensor (coalesced here)."""
        if not M.is_sparse or M.dim() != 2:
            raise ValueError(
                f"expected a 2-d torch sparse COO tensor, got layout {M.layout}, "
                f"shape {tuple(M.shape)}"
            )
        M = M.coalesce()
        return cls(M.indices(), M.values(), tuple(M.shape))

    @classmethod
    def from_scipy(
        cls, matrix: sp.spmatrix, dtype: torch.dtype = torch.float32
    ) -> SparseMatrix:
        coo = sp.coo_matrix(matrix)
        indices = torch.from_numpy(np.vstack([coo.row, coo.col]).astype(np.int64))
        M = torch.sparse_coo_tensor(
            indices,
            torch.from_numpy(coo.data).to(dtype),
            coo.shape,
            check_invariants=True,
        )
        return cls.from_coo(M)

    def with_values(self, values: torch.Tensor) -> SparseMatrix:
        """The same pattern with other values (nnz,); the structure is shared, not
        rebuilt."""
        if values.shape != self.values.shape:
            raise ValueError(
                f"expected {tuple(self.values.shape)} values, got {tuple(values.shape)}"
            )
        return SparseMatrix(self.indices, values, self.shape, self._structure)

    def block_diagonal(self, copies: int) -> SparseMatrix:
        """diag(M, M, ..., M) with ``copies`` blocks, shape (copies N, copies K), values
        repeated; its structure is built once and cached. Row block k of
        ``block_diagonal(K) @ Z`` is M @ Z_k: one product for K matrices with the same
        pattern (the heads of lib.graphs.gat)."""
        if copies not in self._blocks:
            n, k = self.shape
            shift = torch.arange(copies, device=self.device).repeat_interleave(self.nnz)
            indices = self.indices.repeat(1, copies) + torch.stack(
                [shift * n, shift * k]
            )
            self._blocks[copies] = SparseMatrix(
                indices, self.values.detach().repeat(copies), (copies * n, copies * k)
            )
        return self._blocks[copies]

    def csr_pair(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(M, M^T) as torch CSR tensors, built once per set of values
        (A_hat: once in all)."""
        if self._csr_pair is None:
            crow, col, t_crow, t_col, order = self._structure
            values = self.values.detach()
            self._csr_pair = (
                _csr(crow, col, values, self.shape),
                _csr(t_crow, t_col, values[order], self.shape[::-1]),
            )
        return self._csr_pair

    def __matmul__(self, H: torch.Tensor) -> torch.Tensor:
        if H.dim() != 2 or H.shape[0] != self.shape[1]:
            raise ValueError(
                f"cannot multiply a {tuple(self.shape)} matrix by {tuple(H.shape)}"
            )
        if H.dtype != self.dtype:
            raise TypeError(
                f"the matrix holds {self.dtype} but H is {H.dtype}: convert one of "
                f"them (SparseMatrix.to(dtype=...) or H.to(...))"
            )
        return _CSRProduct.apply(self.values, H, self)

    # --- the usual tensor questions ---------------------------------------------------
    @property
    def dtype(self) -> torch.dtype:
        return self.values.dtype

    @property
    def device(self) -> torch.device:
        return self.values.device

    @property
    def nnz(self) -> int:
        return self.values.numel()

    def dim(self) -> int:
        return 2

    def is_floating_point(self) -> bool:
        return self.values.is_floating_point()

    def to(
        self, device: torch.device | str | None = None, dtype: torch.dtype | None = None
    ) -> SparseMatrix:
        """Moved to ``device`` and/or with values of ``dtype``
        (e.g. ``A.to(dtype=torch.float64)``)."""
        device = torch.device(device) if device is not None else self.device
        structure = tuple(t.to(device) for t in self._structure)
        return SparseMatrix(
            self.indices.to(device),
            self.values.to(device, dtype),
            self.shape,
            structure,
        )

    def to_coo(self) -> torch.Tensor:
        return torch.sparse_coo_tensor(
            self.indices,
            self.values,
            self.shape,
            is_coalesced=True,
            check_invariants=False,
        )

    def to_dense(self) -> torch.Tensor:
        return self.to_coo().to_dense()

    def t(self) -> SparseMatrix:
        """M^T, sharing the stored structure."""
        crow, col, t_crow, t_col, order = self._structure
        back = torch.argsort(order)
        indices = self.indices.flip(0)[:, order]
        return SparseMatrix(
            indices,
            self.values[order],
            (self.shape[1], self.shape[0]),
            (t_crow, t_col, crow, col, back),
        )

    def __repr__(self) -> str:
        return (
            f"SparseMatrix(shape={tuple(self.shape)}, nnz={self.nnz}, "
            f"dtype={self.dtype})"
        )


def matmul(M, H: torch.Tensor) -> torch.Tensor:
    """M H for M a :class:`SparseMatrix`, a torch sparse COO tensor or a dense
    tensor."""
    if isinstance(M, SparseMatrix):
        return M @ H
    return torch.sparse.mm(M, H) if M.is_sparse else M @ H


def dropout(X, p: float, training: bool = True):
    """Inverted dropout for a dense tensor or a :class:`SparseMatrix`
    (its stored values): each entry is zeroed with probability p and the rest are scaled
    by 1 / (1 - p)."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if not training or p == 0.0:
        return X
    if isinstance(X, SparseMatrix):
        return X.with_values(dropout(X.values, p))
    # keep where U >= p, U ~ Uniform[0, 1): one uniform per entry is half the cost of
    # torch's bernoulli_ on a CPU, where drawing the mask dominates a GCN epoch; the
    # mask is built in place as 0 or 1/(1-p), in X's dtype
    scale = torch.rand_like(X).ge_(p).div_(1.0 - p)
    return X * scale
