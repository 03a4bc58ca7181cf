"""Chapter 3: SGD with momentum, RMSProp and Adam from scratch match torch.optim."""

import math
from functools import partial

import pytest
import torch

from lib.optimizers import Adam, RMSProp, SGDMomentum, trajectory
from lib.recurrent.palindromes import PalindromeTask
from lib.recurrent.rnn import VanillaRNN
from lib.training import train

PAIRS = [
    (
        partial(SGDMomentum, lr=0.01, momentum=0.9),
        partial(torch.optim.SGD, lr=0.01, momentum=0.9),
    ),
    (partial(SGDMomentum, lr=0.05, momentum=0.0), partial(torch.optim.SGD, lr=0.05)),
    (
        partial(RMSProp, lr=0.01, rho=0.9, eps=1e-6),
        partial(torch.optim.RMSprop, lr=0.01, alpha=0.9, eps=1e-6),
    ),
    (partial(RMSProp, lr=1e-3), partial(torch.optim.RMSprop, lr=1e-3)),
    (partial(Adam, lr=0.01), partial(torch.optim.Adam, lr=0.01)),
    (
        partial(Adam, lr=0.1, betas=(0.5, 0.9), eps=1e-4),
        partial(torch.optim.Adam, lr=0.1, betas=(0.5, 0.9), eps=1e-4),
    ),
]


def run(make_opt, steps=100, seed=0):
    """A small random least-squares + tanh problem with two parameter tensors, in
    float64 (in float32 the two implementations' rounding differences grow over 100
    steps to ~1e-4)."""
    g = torch.Generator().manual_seed(seed)
    A, b, W, u = (
        torch.randn(*shape, generator=g, dtype=torch.float64)
        for shape in ((20, 5), (20,), (5, 3), (3,))
    )
    W.requires_grad_()
    u.requires_grad_()
    opt = make_opt([W, u])
    for _ in range(steps):
        opt.zero_grad()
        loss = ((torch.tanh(A @ W) @ u - b) ** 2).mean()
        loss.backward()
        opt.step()
    return W.detach(), u.detach()


@pytest.mark.parametrize("ours,theirs", PAIRS)
def test_matches_torch_over_100_steps(ours, theirs):
    for a, b in zip(run(ours), run(theirs)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)


def test_adam_without_bias_correction_takes_a_too_large_first_step():
    for correct, factor in ((True, 1.0), (False, (1 - 0.9) / math.sqrt(1 - 0.999))):
        theta = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
        opt = Adam([theta], lr=0.01, eps=0.0, bias_correction=correct)
        (3 * theta[0] - 0.5 * theta[1]).backward()
        opt.step()
        step = theta.detach() - torch.tensor([1.0, -2.0], dtype=torch.float64)
        torch.testing.assert_close(
            step, -0.01 * factor * torch.tensor([1.0, -1.0], dtype=torch.float64)
        )


def test_parameters_without_gradient_are_left_alone():
    a, b = torch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    opt = Adam([a, b], lr=0.1)
    a.sum().backward()
    opt.step()
    assert torch.all(b == 1) and torch.all(a < 1) and b not in opt.state


def test_closure_is_evaluated():
    theta = torch.zeros(1, requires_grad=True)
    opt = SGDMomentum([theta], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (theta - 1).square().sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 1.0 and theta.item() == pytest.approx(0.2)


@pytest.mark.parametrize(
    "make",
    [
        lambda p: SGDMomentum(p, lr=-1),
        lambda p: SGDMomentum(p, momentum=1.0),
        lambda p: RMSProp(p, rho=1.5),
        lambda p: RMSProp(p, lr=float("nan")),
        lambda p: Adam(p, betas=(0.9, 1.0)),
        lambda p: Adam(p, eps=-1e-8),
    ],
)
def test_bad_hyperparameters_are_a_clear_error(make):
    with pytest.raises(ValueError, match="must be"):
        make([torch.zeros(1, requires_grad=True)])


def test_trajectory_on_a_quadratic():
    path = trajectory(
        lambda p: SGDMomentum(p, lr=0.1, momentum=0.0),
        lambda th: 0.5 * th.square().sum(),
        start=[1.0, -2.0],
        steps=10,
    )
    assert path.shape == (11, 2)
    torch.testing.assert_close(
        torch.from_numpy(path[-1]),
        torch.tensor([1.0, -2.0], dtype=torch.float64) * 0.9**10,
    )


def test_plugs_into_train():
    torch.manual_seed(0)
    hist = train(
        VanillaRNN(32),
        PalindromeTask(4, seed=0, test_size=300),
        steps=200,
        optimizer=partial(Adam, betas=(0.9, 0.999)),
        lr=1e-2,
        eval_every=100,
    )
    assert hist.final_test_accuracy > 0.9
