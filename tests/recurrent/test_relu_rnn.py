"""The Recurrent ReLU Network's fast path (lib.recurrent.relu_rnn.ReLURecurrence, a
hand-written backward) against the plain step-by-step loop of its equations."""

import pytest
import torch
from torch import nn

from lib.recurrent.relu_rnn import ReLURecurrence, ReLURNN


def step_by_step_logits(model, seq):
    """The reference: ReLURNN.step looped over t, every operation in autograd."""
    X = model.inputs(seq, dtype=model.W_ph.dtype)
    state = model.init_state(X.shape[0], X)
    for x_t in X.unbind(1):
        state = model.step(x_t, state)
    return state[0] @ model.W_ph.T + model.b_p


def gradients(model, logits, y):
    model.zero_grad(set_to_none=True)
    nn.functional.cross_entropy(logits, y).backward()
    return {k: p.grad.clone() for k, p in model.named_parameters()}


@pytest.mark.parametrize("encoding", ["onehot", "embedding", "scalar"])
@pytest.mark.parametrize("B,T,n", [(1, 1, 2), (5, 9, 6), (3, 60, 16)])
def test_forward_and_gradients_equal_the_step_by_step_loop(encoding, B, T, n):
    torch.manual_seed(B * T + n)
    inputs = {"input_dim": 4} if encoding == "embedding" else {}
    model = ReLURNN(n, 10, encoding=encoding, num_symbols=10, **inputs).double()
    seq, y = torch.randint(10, (B, T)), torch.randint(10, (B,))
    fast, slow = model(seq), step_by_step_logits(model, seq)
    torch.testing.assert_close(fast, slow, rtol=1e-12, atol=1e-12)
    grads = gradients(model, fast, y), gradients(model, slow, y)
    assert set(grads[0]) == {k for k, _ in model.named_parameters()}
    for k in grads[1]:  # the embedding's table too: the gradient reaches the inputs
        torch.testing.assert_close(
            grads[0][k], grads[1][k], rtol=1e-10, atol=1e-12, msg=k
        )


def test_training_steps_match_in_float32():
    """Five Adam steps with clipping, as the notebooks train: the same weights after."""
    torch.manual_seed(0)
    fast = ReLURNN(32, 10)
    slow = ReLURNN(32, 10)
    slow.load_state_dict(fast.state_dict())
    opts = [torch.optim.Adam(m.parameters(), lr=1e-3) for m in (fast, slow)]
    for _ in range(5):
        seq, y = torch.randint(10, (16, 25)), torch.randint(10, (16,))
        for model, opt, logits in (
            (fast, opts[0], lambda s: fast(s)),
            (slow, opts[1], lambda s: step_by_step_logits(slow, s)),
        ):
            opt.zero_grad()
            nn.functional.cross_entropy(logits(seq), y).backward()
            nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            opt.step()
    for (k, a), (_, b) in zip(fast.named_parameters(), slow.named_parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=k)


@pytest.mark.parametrize("return_all", [True, False])
def test_hand_written_backward_passes_gradcheck(return_all):
    torch.manual_seed(1)
    B, T, d, n = 3, 6, 2, 4
    X = torch.randn(B, T, d, dtype=torch.float64, requires_grad=True)
    W = (0.5 * torch.randn(n + d, 2 * n, dtype=torch.float64)).requires_grad_()
    b = (0.5 * torch.randn(2 * n, dtype=torch.float64)).requires_grad_()
    assert torch.autograd.gradcheck(
        lambda X, W, b: ReLURecurrence.apply(X, W, b, return_all), (X, W, b)
    )


def test_hidden_states_are_returned_as_the_loop_returns_them():
    torch.manual_seed(2)
    model = ReLURNN(5, 3).double()
    seq = torch.randint(10, (2, 7))
    logits, hs = model(seq, return_hidden_states=True)
    assert len(hs) == 7 and all(h.shape == (2, 5) for h in hs)
    assert all(bool((h >= 0).all()) for h in hs)  # h = ReLU(c)
    torch.testing.assert_close(logits, model(seq), rtol=0, atol=1e-12)
    torch.testing.assert_close(
        logits, step_by_step_logits(model, seq), rtol=0, atol=1e-12
    )
