"""Chapter 2: the LSTM. Fused kernel == readable loop == torch.nn.LSTM, in values and
gradients."""

import pytest
import torch
from torch import nn

from lib.recurrent.gradient_flow import hidden_state_grad_norms
from lib.recurrent.lstm import LSTM, LSTMLayer, StackedLSTM, lstm_num_params
from lib.recurrent.palindromes import PalindromeTask
from lib.training import train


def grads_of(module, loss):
    module.zero_grad()
    loss.backward()
    return {name: p.grad.clone() for name, p in module.named_parameters()}


@pytest.mark.parametrize("num_biases", [1, 2])
@pytest.mark.parametrize("B,T,d,n", [(1, 1, 3, 2), (4, 7, 5, 6), (3, 30, 2, 16)])
def test_fused_and_loop_give_the_same_outputs_and_gradients(num_biases, B, T, d, n):
    torch.manual_seed(B + T + n)
    layer = LSTMLayer(d, n, num_biases=num_biases).double()
    X = torch.randn(B, T, d, dtype=torch.float64)
    state = (
        torch.randn(B, n, dtype=torch.float64),
        torch.randn(B, n, dtype=torch.float64),
    )
    results = {}
    for fused in (True, False):
        layer.fused = fused
        H, (h_T, c_T) = layer(X, state)
        loss = (
            H * torch.linspace(-1, 1, n, dtype=torch.float64)
        ).sum() + c_T.square().sum()
        results[fused] = (H.detach(), h_T.detach(), c_T.detach(), grads_of(layer, loss))
    (H1, h1, c1, g1), (H2, h2, c2, g2) = results[True], results[False]
    for a, b in ((H1, H2), (h1, h2), (c1, c2), (H1[:, -1], h1)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    assert g1.keys() == g2.keys()
    for name in g1:
        torch.testing.assert_close(g1[name], g2[name], rtol=0, atol=1e-12, msg=name)


def test_loop_is_the_six_equations_with_the_course_names():
    torch.manual_seed(0)
    m = LSTM(5, 3, encoding="features", num_symbols=None, input_dim=2).double()
    X = torch.randn(4, 6, 2, dtype=torch.float64)
    sig = torch.sigmoid
    h = c = torch.zeros(4, 5, dtype=torch.float64)
    for t in range(6):
        x = X[:, t]
        g = torch.tanh(x @ m.W_gx.T + h @ m.W_gh.T + m.b_g)
        i = sig(x @ m.W_ix.T + h @ m.W_ih.T + m.b_i)
        f = sig(x @ m.W_fx.T + h @ m.W_fh.T + m.b_f)
        o = sig(x @ m.W_ox.T + h @ m.W_oh.T + m.b_o)
        c = g * i + c * f
        h = torch.tanh(c) * o
    torch.testing.assert_close(m(X), h @ m.W_ph.T + m.b_p, rtol=0, atol=1e-12)


def test_gate_matrices_are_views_of_the_fused_parameters():
    layer = LSTMLayer(3, 4, num_biases=1)
    assert (
        layer.W_gx.shape == (4, 3)
        and layer.W_oh.shape == (4, 4)
        and layer.b_i.shape == (4,)
    )
    assert layer.W_gx.data_ptr() == layer.weight_ih[8:12].data_ptr()  # rows i, f, g, o
    assert (
        layer.W_ih.data_ptr() == layer.weight_hh[0:4].data_ptr()
    )  # the input gate's W_ih
    with torch.no_grad():
        layer.weight_hh[4:8] = 7.0
    assert torch.all(layer.W_fh == 7.0)


def test_gate_views_are_defined_in_both_classes_and_read_only():
    """Every course name is written in the class body (for readers and IDEs); the
    classifier's are its layer's tensors; none can be assigned over."""
    from lib.recurrent.lstm import GATE_VIEWS

    assert len(set(GATE_VIEWS)) == 12
    for cls in (LSTMLayer, LSTM):
        missing = [name for name in GATE_VIEWS if name not in vars(cls)]
        assert not missing, f"{cls.__name__} does not define {missing}"
    m = LSTM(4, 3)
    for name in GATE_VIEWS:
        assert torch.equal(getattr(m, name), getattr(m.layer, name)), name
    assert m.W_gx.data_ptr() == m.layer.weight_ih[8:12].data_ptr()
    with pytest.raises(AttributeError):
        m.layer.W_gx = torch.zeros(4, 10)
    with pytest.raises(AttributeError):
        m.b_f = torch.zeros(4)


@pytest.mark.parametrize("num_biases", [1, 2])
def test_forget_bias_initialisation(num_biases):
    layer = LSTMLayer(3, 8, num_biases=num_biases, forget_bias=1.0)
    assert torch.all(layer.b_f == 1.0)
    assert not torch.all(layer.b_i == 1.0)
    default = LSTMLayer(3, 8, num_biases=num_biases, forget_bias=None)
    assert default.b_f.abs().max() <= 2 / 8**0.5  # U(-1/sqrt(n), 1/sqrt(n)), summed


@pytest.mark.parametrize("d,n,c", [(10, 128, 10), (1, 4, 2), (3, 7, 5)])
def test_parameter_count_formulas(d, n, c):
    ours = LSTM(n, c, encoding="features", num_symbols=None, input_dim=d)
    assert sum(p.numel() for p in ours.parameters()) == lstm_num_params(d, n, c)
    theirs = nn.LSTM(d, n)
    assert sum(p.numel() for p in theirs.parameters()) == 4 * (n * d + n * n + 2 * n)


@pytest.mark.parametrize("num_layers", [1, 2, 3])
@pytest.mark.parametrize("fused", [True, False])
def test_stack_matches_torch_lstm_both_ways(num_layers, fused):
    torch.manual_seed(num_layers)
    theirs = nn.LSTM(4, 6, num_layers, batch_first=True).double()
    ours = StackedLSTM(4, 6, num_layers, fused=fused).double().load_from_torch_(theirs)
    X = torch.randn(3, 9, 4, dtype=torch.float64)
    state = tuple(torch.randn(num_layers, 3, 6, dtype=torch.float64) for _ in range(2))
    (H1, (h1, c1)), (H2, (h2, c2)) = ours(X, state), theirs(X, state)
    for a, b in ((H1, H2), (h1, h2), (c1, c2)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    g_ours = grads_of(ours, H1.sum() + c1.sum())
    g_theirs = grads_of(theirs, H2.sum() + c2.sum())
    for k in range(num_layers):
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            torch.testing.assert_close(
                g_ours[f"layers.{k}.{name}"],
                g_theirs[f"{name}_l{k}"],
                rtol=0,
                atol=1e-12,
            )
    back = ours.to_torch()
    torch.testing.assert_close(back(X, state)[0], H1, rtol=0, atol=1e-12)


def test_single_bias_layer_copies_the_sum_of_torch_biases():
    torch.manual_seed(0)
    theirs = nn.LSTM(3, 5, batch_first=True).double()
    ours = LSTMLayer(3, 5, num_biases=1).double().load_from_torch_(theirs)
    X = torch.randn(2, 4, 3, dtype=torch.float64)
    torch.testing.assert_close(ours(X)[0], theirs(X)[0], rtol=0, atol=1e-12)


def test_state_carries_across_chunks():
    torch.manual_seed(0)
    stack = StackedLSTM(3, 5, num_layers=2).double()
    X = torch.randn(2, 10, 3, dtype=torch.float64)
    whole, _ = stack(X)
    first, state = stack(X[:, :4])
    second, _ = stack(X[:, 4:], state)
    torch.testing.assert_close(torch.cat([first, second], 1), whole, rtol=0, atol=1e-12)


def test_hidden_states_are_graph_nodes_for_gradient_flow():
    torch.manual_seed(0)
    m = LSTM(8, 10)
    x, y = torch.randint(10, (5, 12)), torch.randint(10, (5,))
    logits, _hs = m(x, return_hidden_states=True)
    torch.testing.assert_close(logits, m(x), rtol=1e-5, atol=1e-6)
    norms = hidden_state_grad_norms(m, x, y)
    assert norms.shape == (12,) and torch.all(norms > 0)


@pytest.mark.parametrize(
    "bad,state,error,match",
    [
        (torch.zeros(2, 3), None, ValueError, r"\(B, T, 4\)"),
        (torch.zeros(2, 3, 5), None, ValueError, r"\(B, T, 4\)"),
        (torch.zeros(2, 3, 4, dtype=torch.float64), None, TypeError, "float64"),
        (torch.zeros(2, 0, 4), None, ValueError, "T >= 1"),
        (
            torch.zeros(2, 3, 4),
            (torch.zeros(3, 6), torch.zeros(3, 6)),
            ValueError,
            "state",
        ),
    ],
)
def test_bad_input_is_a_clear_error(bad, state, error, match):
    with pytest.raises(error, match=match):
        LSTMLayer(4, 6)(bad, state)


def test_bad_classifier_input_is_a_clear_error():
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        LSTM(8, 10)(torch.full((2, 3), 12))
    with pytest.raises(ValueError, match="layers"):
        StackedLSTM(3, 4, 2).load_from_torch_(nn.LSTM(3, 4, 1, batch_first=True))
    with pytest.raises(ValueError, match="batch_first"):
        LSTMLayer(3, 4).load_from_torch_(nn.LSTM(3, 4))


def test_lstm_learns_short_palindromes():
    torch.manual_seed(0)
    hist = train(LSTM(32), PalindromeTask(5, seed=0, test_size=500), steps=300, lr=1e-2)
    assert hist.final_test_accuracy > 0.9


def test_unroll_and_state_grad_norms():
    from lib.recurrent.gradient_flow import hidden_state_grad_norms
    from lib.recurrent.lstm import state_grad_norms, unroll

    torch.manual_seed(0)
    m = LSTM(6, 10).double()
    x, y = torch.randint(10, (4, 9)), torch.randint(10, (4,))
    states = unroll(m, x)
    torch.testing.assert_close(states["logits"], m(x), rtol=0, atol=1e-12)
    c_prev = torch.zeros(4, 6, dtype=torch.float64)
    for t in range(9):  # c_t = g_t * i_t + c_{t-1} * f_t
        expected = states["g"][t] * states["i"][t] + c_prev * states["f"][t]
        torch.testing.assert_close(states["c"][t], expected, rtol=0, atol=1e-12)
        c_prev = states["c"][t]
    norms = state_grad_norms(m, x, y)
    torch.testing.assert_close(
        norms["h"], hidden_state_grad_norms(m, x, y), rtol=0, atol=1e-12
    )
    assert norms["c"].shape == (9,) and torch.all(norms["c"] > 0)
