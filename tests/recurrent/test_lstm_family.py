"""Chapter 2: the peephole LSTM (course 2020) and the student's Recurrent ReLU
Network."""

import pytest
import torch

from lib.recurrent.peephole import PeepholeLSTM
from lib.recurrent.relu_rnn import ReLURNN

MODELS = [PeepholeLSTM, ReLURNN]


def loop_of_steps(model, X):
    state = model.init_state(X.shape[0], X)
    hs = []
    for t in range(X.shape[1]):
        state = model.step(X[:, t], state)
        hs.append(state[0])
    return hs


@pytest.mark.parametrize("Model", MODELS)
@pytest.mark.parametrize("B,T,d,n", [(1, 1, 1, 2), (4, 9, 3, 6), (2, 40, 2, 16)])
def test_fused_hidden_states_equal_the_readable_step(Model, B, T, d, n):
    torch.manual_seed(T)
    m = Model(n, 3, encoding="features", num_symbols=None, input_dim=d).double()
    X = torch.randn(B, T, d, dtype=torch.float64)
    fast = m.hidden_states(X)
    slow = loop_of_steps(m, X)
    for a, b in zip(fast, slow):
        torch.testing.assert_close(
            a, b, rtol=1e-12, atol=1e-12
        )  # ReLU states grow large
    grads = []
    for hs in (m.hidden_states(X), loop_of_steps(m, X)):
        m.zero_grad()
        (hs[-1].sum() + hs[T // 2].square().sum()).backward()
        grads.append(
            {k: p.grad.clone() for k, p in m.named_parameters() if p.grad is not None}
        )
    for k in grads[0]:
        torch.testing.assert_close(
            grads[0][k], grads[1][k], rtol=1e-12, atol=1e-12, msg=k
        )


def test_peephole_is_the_course_equations():
    torch.manual_seed(0)
    m = PeepholeLSTM(5, 2, encoding="scalar", num_symbols=3).double()
    seq = torch.randint(3, (4, 7))
    X = seq.unsqueeze(-1).double()
    c = torch.zeros(4, 5, dtype=torch.float64)
    s = torch.sigmoid
    for t in range(7):
        x = X[:, t]
        f = s(x @ m.W_fx.T + c @ m.W_fc.T + m.b_f)
        i = s(x @ m.W_ix.T + c @ m.W_ic.T + m.b_i)
        o = s(x @ m.W_ox.T + c @ m.W_oc.T + m.b_o)
        c = s(x @ m.W_cx.T + m.b_c) * i + c * f
        h = torch.tanh(c) * o
    torch.testing.assert_close(m(seq), h @ m.W_ph.T + m.b_p, rtol=0, atol=1e-12)
    assert torch.all(m.b_f == 1.0)
    n, d, c_ = 5, 1, 2
    assert (
        sum(p.numel() for p in m.parameters())
        == 4 * n * d + 3 * n * n + 4 * n + c_ * n + c_
    )


def test_relu_network_is_the_students_equations():
    torch.manual_seed(0)
    m = ReLURNN(6, 10).double()
    seq = torch.randint(10, (3, 8))
    X = torch.nn.functional.one_hot(seq, 10).double()
    h = c = torch.zeros(3, 6, dtype=torch.float64)
    for t in range(8):
        hx = torch.cat([h, X[:, t]], 1)
        c = c + torch.relu(hx @ m.W_inc + m.b_inc) - torch.relu(hx @ m.W_dec + m.b_dec)
        h = torch.relu(c)
    torch.testing.assert_close(m(seq), h @ m.W_ph.T + m.b_p, rtol=0, atol=1e-12)
    assert m.W_dec.shape == (6 + 10, 6)


@pytest.mark.parametrize("Model", MODELS)
def test_bad_input_is_a_clear_error(Model):
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        Model(8, 10)(torch.full((2, 3), 10))
    with pytest.raises(TypeError, match="integers"):
        Model(8, 10)(torch.zeros(2, 3))


@pytest.mark.parametrize("Model", MODELS)
def test_runs_on_the_default_device(Model):
    from lib.runtime import default_device

    device = default_device()
    m = Model(8, 10).to(device)
    assert m(torch.randint(10, (2, 3), device=device)).device.type == device.type


@pytest.mark.parametrize("T", [1, 2, 13])
def test_peephole_forward_shortcut_equals_the_full_loop(T):
    torch.manual_seed(T)
    m = PeepholeLSTM(6, 4, encoding="onehot", num_symbols=5).double()
    seq = torch.randint(5, (3, T))
    logits, _hs = m(seq, return_hidden_states=True)
    fast = m(seq)
    torch.testing.assert_close(fast, logits, rtol=0, atol=1e-12)
    torch.testing.assert_close(
        fast,
        loop_of_steps(m, m.inputs(seq, torch.float64))[-1] @ m.W_ph.T + m.b_p,
        rtol=0,
        atol=1e-12,
    )
    grads = []
    for out in (fast, logits):
        m.zero_grad()
        out.square().sum().backward(retain_graph=True)
        grads.append({k: p.grad.clone() for k, p in m.named_parameters()})
    for k in grads[0]:
        torch.testing.assert_close(grads[0][k], grads[1][k], rtol=0, atol=1e-12, msg=k)
