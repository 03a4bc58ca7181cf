"""Chapter 1: the vanilla RNN, its closed-form BPTT and the gradient-flow helpers."""

import pytest
import torch

from lib.recurrent.bptt import (
    autograd_gradients,
    bptt_gradients,
    dW_hh_by_jacobian_products,
    gaussian_with_spectral_radius_,
)
from lib.recurrent.gradient_flow import (
    hidden_state_grad_norms,
    largest_singular_value,
    set_spectral_radius_,
)
from lib.recurrent.rnn import VanillaRNN


def test_parameter_names_and_shapes():
    m = VanillaRNN(num_hiddens=8, num_classes=3, encoding="onehot", num_symbols=5)
    shapes = {n: tuple(p.shape) for n, p in m.named_parameters()}
    assert shapes == {
        "W_ph": (3, 8),
        "b_p": (3,),
        "W_hx": (8, 5),
        "W_hh": (8, 8),
        "b_h": (8,),
    }


def test_forward_is_the_equation():
    torch.manual_seed(0)
    m = VanillaRNN(6, 4, encoding="features", num_symbols=None, input_dim=3).double()
    X = torch.randn(2, 5, 3, dtype=torch.float64)
    h = torch.zeros(2, 6, dtype=torch.float64)
    for t in range(5):
        h = torch.tanh(X[:, t] @ m.W_hx.T + h @ m.W_hh.T + m.b_h)
    torch.testing.assert_close(m(X), h @ m.W_ph.T + m.b_p, rtol=0, atol=1e-12)


@pytest.mark.parametrize("encoding", ["onehot", "scalar", "features"])
@pytest.mark.parametrize("B,T,n,c", [(1, 1, 3, 2), (4, 7, 5, 10), (3, 20, 16, 4)])
def test_closed_form_bptt_equals_autograd(encoding, B, T, n, c):
    torch.manual_seed(B * T + n)
    kwargs = (
        dict(input_dim=3, num_symbols=None)
        if encoding == "features"
        else dict(num_symbols=c)
    )
    m = VanillaRNN(n, c, encoding=encoding, **kwargs).double()
    x = (
        torch.randn(B, T, 3, dtype=torch.float64)
        if encoding == "features"
        else torch.randint(c, (B, T))
    )
    y = torch.randint(c, (B,))
    ours, auto = bptt_gradients(m, x, y), autograd_gradients(m, x, y)
    for name, g in auto.items():
        assert (ours[name] - g).abs().max() < 1e-12, name
    torch.testing.assert_close(
        dW_hh_by_jacobian_products(m, x, y), auto["W_hh"], rtol=0, atol=1e-12
    )


def test_hidden_grad_norms_match_closed_form():
    torch.manual_seed(1)
    m = VanillaRNN(8, 10).double()
    x, y = torch.randint(10, (5, 9)), torch.randint(10, (5,))
    norms = hidden_state_grad_norms(m, x, y)
    closed = bptt_gradients(m, x, y)["dL/dh"].norm(dim=2).mean(dim=1) * 5
    torch.testing.assert_close(norms, closed)


def test_autograd_gradients_are_copies_of_every_grad():
    torch.manual_seed(3)
    m = VanillaRNN(5, 4).double()
    x, y = torch.randint(4, (2, 6)), torch.randint(4, (2,))
    grads = autograd_gradients(m, x, y)
    assert list(grads) == [name for name, _ in m.named_parameters()]
    for name, p in m.named_parameters():
        assert torch.equal(grads[name], p.grad) and grads[name] is not p.grad
    again = autograd_gradients(m, x, y)  # zero_grad first: not accumulated
    assert all(torch.equal(again[name], g) for name, g in grads.items())


def test_gaussian_with_spectral_radius():
    torch.manual_seed(0)
    W = torch.empty(64, 64, dtype=torch.float64)
    assert gaussian_with_spectral_radius_(W, 1.5) is W
    assert abs(torch.linalg.eigvals(W).abs().max().item() - 1.5) < 1e-10
    torch.manual_seed(0)  # the same draw as normal_(0, n^-1/2)
    expected = set_spectral_radius_(
        torch.empty(64, 64, dtype=torch.float64).normal_(0, 64**-0.5), 1.5
    )
    assert torch.equal(W, expected)
    m = VanillaRNN(8, 10)
    gaussian_with_spectral_radius_(m.W_hh, 0.9)  # a parameter: no autograd error
    assert m.W_hh.requires_grad and m.W_hh.grad_fn is None


@pytest.mark.parametrize(
    "shape,radius,match",
    [((3, 4), 1.0, "square"), ((3,), 1.0, "square"), ((3, 3), -1.0, ">= 0")],
)
def test_gaussian_with_spectral_radius_refuses_bad_input(shape, radius, match):
    with pytest.raises(ValueError, match=match):
        gaussian_with_spectral_radius_(torch.empty(shape), radius)


def test_spectral_radius_and_singular_value():
    W = torch.randn(20, 20, dtype=torch.float64)
    set_spectral_radius_(W, 0.7)
    assert abs(torch.linalg.eigvals(W).abs().max().item() - 0.7) < 1e-10
    assert largest_singular_value(W) >= 0.7 - 1e-10  # sigma_max >= spectral radius


@pytest.mark.parametrize(
    "bad,error,match",
    [
        (torch.zeros(4, 5), TypeError, "integers"),  # float digits
        (torch.zeros(4, 5, 1, dtype=torch.long), ValueError, "shape"),  # extra axis
        (torch.full((4, 5), 10), ValueError, r"\[0, 10\)"),  # digit out of range
        (torch.full((4, 5), -1), ValueError, r"\[0, 10\)"),
        (torch.zeros(4, 0, dtype=torch.long), ValueError, "T >= 1"),
        ([[1, 2]], TypeError, "torch.Tensor"),
    ],
)
def test_bad_input_is_a_clear_error(bad, error, match):
    with pytest.raises(error, match=match):
        VanillaRNN(8, 10)(bad)


def test_features_of_the_wrong_size_or_dtype():
    m = VanillaRNN(8, 10, encoding="features", num_symbols=None, input_dim=3)
    with pytest.raises(ValueError, match=r"\(B, T, 3\)"):
        m(torch.zeros(2, 4, 5))
    with pytest.raises(TypeError, match="float64"):
        m(torch.zeros(2, 4, 3, dtype=torch.float64))


def test_W_hh_terms_sum_to_the_gradient():
    from lib.recurrent.bptt import W_hh_gradient_terms

    torch.manual_seed(2)
    m = VanillaRNN(6, 10).double()
    x, y = torch.randint(10, (3, 8)), torch.randint(10, (3,))
    terms = W_hh_gradient_terms(m, x, y)
    assert terms.shape == (8, 6, 6)
    torch.testing.assert_close(
        terms.sum(0), autograd_gradients(m, x, y)["W_hh"], rtol=0, atol=1e-12
    )
