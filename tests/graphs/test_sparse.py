import numpy as np
import pytest
import scipy.sparse as sp
import torch

from lib.graphs.sparse import SparseMatrix, dropout, matmul


def random_sparse(n, k, density=0.3, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    dense = torch.rand(n, k, generator=g, dtype=dtype)
    dense[torch.rand(n, k, generator=g) > density] = 0
    return dense, SparseMatrix.from_coo(dense.to_sparse())


def test_product_and_both_gradients_match_dense_autograd():
    dense, M = random_sparse(7, 5)
    H = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    values = M.values.clone().requires_grad_(True)
    Y = M.with_values(values) @ H
    Y_ref = dense @ H
    assert torch.allclose(Y, Y_ref)
    G = torch.randn_like(Y)
    grad_H, grad_v = torch.autograd.grad(Y, (H, values), G)
    assert torch.allclose(grad_H, dense.T @ G)  # dL/dH = M^T dL/dY
    i, j = M.indices
    assert torch.allclose(grad_v, (G @ H.detach().T)[i, j])  # dL/dM_ij on the pattern


def test_gradcheck():
    _, M = random_sparse(6, 4, seed=1)
    H = torch.randn(4, 2, dtype=torch.float64, requires_grad=True)
    values = M.values.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda v, h: M.with_values(v) @ h, (values, H))


def test_transpose_and_conversions():
    dense, M = random_sparse(6, 4, seed=2)
    assert torch.equal(M.t().to_dense(), dense.T)
    assert torch.equal(M.t().t().to_dense(), dense)
    H = torch.randn(6, 3, dtype=torch.float64)
    assert torch.allclose(M.t() @ H, dense.T @ H)
    S = sp.random(5, 9, density=0.4, random_state=0, format="csr")
    assert np.allclose(
        SparseMatrix.from_scipy(S, torch.float64).to_dense().numpy(), S.toarray()
    )
    assert (
        M.nnz == int((dense != 0).sum())
        and M.shape == (6, 4)
        and M.dtype == torch.float64
    )


def test_matmul_accepts_every_layout():
    dense, M = random_sparse(5, 5, seed=3)
    H = torch.randn(5, 2, dtype=torch.float64)
    for A in (M, dense.to_sparse(), dense):
        assert torch.allclose(matmul(A, H), dense @ H)


def test_shape_mismatch_is_an_error():
    _, M = random_sparse(4, 3)
    with pytest.raises(ValueError, match="cannot multiply"):
        M @ torch.randn(4, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="expected"):
        M.with_values(torch.ones(M.nnz + 1))
    with pytest.raises(TypeError, match="convert"):
        M @ torch.randn(3, 2, dtype=torch.float32)


def test_dropout_on_stored_values_only():
    torch.manual_seed(0)
    X = SparseMatrix.from_coo(torch.ones(200, 300).to_sparse())
    Y = dropout(X, 0.5)
    assert torch.equal(Y.indices, X.indices)  # same pattern
    assert set(Y.values.unique().tolist()) <= {0.0, 2.0}  # dropped or scaled 1/(1-p)
    assert abs((Y.values == 0).float().mean().item() - 0.5) < 0.02
    assert dropout(X, 0.5, training=False) is X
    dense = torch.ones(100, 100)
    kept = dropout(dense, 0.3)
    assert abs((kept == 0).float().mean().item() - 0.3) < 0.03
    assert torch.allclose(kept[kept != 0], torch.tensor(1 / 0.7))


@pytest.mark.parametrize("p", [-0.1, 1.0, float("nan")])
def test_dropout_probability_is_checked(p):
    with pytest.raises(ValueError, match="dropout probability"):
        dropout(torch.ones(3), p)


def test_unsorted_indices_are_refused():
    with pytest.raises(ValueError, match="sorted row-major"):
        SparseMatrix(torch.tensor([[1, 0], [0, 1]]), torch.ones(2), (2, 2))
    with pytest.raises(ValueError, match="sorted row-major"):
        SparseMatrix(
            torch.tensor([[0, 0], [1, 1]]), torch.ones(2), (2, 2)
        )  # a duplicate


def test_block_diagonal_is_one_product_per_block():
    dense, M = random_sparse(4, 3, seed=5)
    Z = torch.randn(2 * 3, 2, dtype=torch.float64)
    out = M.block_diagonal(2) @ Z
    assert torch.allclose(out[:4], dense @ Z[:3]) and torch.allclose(
        out[4:], dense @ Z[3:]
    )
    assert M.block_diagonal(2) is M.block_diagonal(2)  # cached
