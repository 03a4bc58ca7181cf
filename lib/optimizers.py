"""SGD with momentum, RMSProp and Adam from scratch (chapter 3, optimisers).

Notation of the chapter: parameters theta, gradient g_t = grad L(theta_{t-1}) at step
t = 1, 2, ..., learning rate eta. Every state starts at zero. All operations are
elementwise::

    SGD + momentum   v_t = mu v_{t-1} + g_t
                     theta_t = theta_{t-1} - eta v_t

    RMSProp          s_t = rho s_{t-1} + (1 - rho) g_t^2
                     theta_t = theta_{t-1} - eta g_t / (sqrt(s_t) + eps)

    Adam             m_t = beta1 m_{t-1} + (1 - beta1) g_t
                     s_t = beta2 s_{t-1} + (1 - beta2) g_t^2
                     m_hat = m_t / (1 - beta1^t),   s_hat = s_t / (1 - beta2^t)
                     theta_t = theta_{t-1} - eta m_hat / (sqrt(s_hat) + eps)

Signs: we step *against* the gradient, and v_t, m_t accumulate +g. eps goes *outside*
the square root, added to sqrt(s). These are exactly the conventions of
``torch.optim.SGD(momentum=mu)`` (dampening 0, no Nesterov),
``torch.optim.RMSprop(alpha=rho)`` and ``torch.optim.Adam``; chapter 3 asserts that each
matches torch to 1e-6 over 100 steps.

g^2 is accumulated with ``addcmul_`` (one rounding, as torch does): with
``(1 - rho) * g ** 2`` the two agree to 1e-16 for dozens of steps, then a gradient
component near zero can amplify the last-bit difference to 1e-6.

Each class is a ``torch.optim.Optimizer``, so it plugs into :func:`lib.training.train`::

    from functools import partial
    train(model, task, steps, optimizer=partial(SGDMomentum, momentum=0.9), lr=0.05)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch


def _check_positive(name: str, value: float, upper: float | None = None) -> None:
    # rejects NaN
    ok = value == value and value >= 0 and (upper is None or value < upper)
    if not ok:
        bounds = f"[0, {upper})" if upper is not None else ">= 0"
        raise ValueError(f"{name} must be {bounds}, got {value}")


class SGDMomentum(torch.optim.Optimizer):
    """v_t = mu v_{t-1} + g_t;  theta_t = theta_{t-1} - eta v_t.  ``momentum=0`` is
    plain SGD."""

    def __init__(self, params, lr: float = 1e-2, momentum: float = 0.9):
        _check_positive("lr", lr)
        _check_positive("momentum", momentum, 1.0)
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self, closure: Callable | None = None):
        loss = _evaluate(closure)
        for group in self.param_groups:
            for p in _with_grad(group):
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.mul_(group["momentum"]).add_(p.grad)
                p.sub_(group["lr"] * v)
        return loss


class RMSProp(torch.optim.Optimizer):
    """s_t = rho s_{t-1} + (1 - rho) g_t^2;
    theta_t = theta_{t-1} - eta g_t / (sqrt(s_t) + eps)."""

    def __init__(self, params, lr: float = 1e-2, rho: float = 0.99, eps: float = 1e-8):
        _check_positive("lr", lr)
        _check_positive("rho", rho, 1.0)
        _check_positive("eps", eps)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    @torch.no_grad()
    def step(self, closure: Callable | None = None):
        loss = _evaluate(closure)
        for group in self.param_groups:
            rho, eps = group["rho"], group["eps"]
            for p in _with_grad(group):
                s = self.state[p].setdefault("s", torch.zeros_like(p))
                # rho s + (1 - rho) g^2
                s.mul_(rho).addcmul_(p.grad, p.grad, value=1 - rho)
                p.sub_(group["lr"] * p.grad / (s.sqrt() + eps))
        return loss


class Adam(torch.optim.Optimizer):
    """Momentum on g (m_t) divided by RMSProp's scale (s_t), both bias-corrected.

    ``bias_correction=False`` drops the division by 1 - beta^t, to show why it is there:
    with zero-initialised m and s the first steps are then too large by
    (1 - beta1^t) / sqrt(1 - beta2^t), about 3.2 at t = 1 and 6.5 at t = 10 for the
    default betas.
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        bias_correction: bool = True,
    ):
        _check_positive("lr", lr)
        _check_positive("eps", eps)
        _check_positive("beta1", betas[0], 1.0)
        _check_positive("beta2", betas[1], 1.0)
        super().__init__(
            params,
            dict(lr=lr, betas=tuple(betas), eps=eps, bias_correction=bias_correction),
        )

    @torch.no_grad()
    def step(self, closure: Callable | None = None):
        loss = _evaluate(closure)
        for group in self.param_groups:
            (beta1, beta2), eps = group["betas"], group["eps"]
            for p in _with_grad(group):
                state = self.state[p]
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), s=torch.zeros_like(p))
                state["t"] += 1
                t, m, s = state["t"], state["m"], state["s"]
                m.mul_(beta1).add_((1 - beta1) * p.grad)
                s.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                m_hat, s_hat = m, s
                if group["bias_correction"]:
                    m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
                p.sub_(group["lr"] * m_hat / (s_hat.sqrt() + eps))
        return loss


def _evaluate(closure):
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def _with_grad(group):
    return (p for p in group["params"] if p.grad is not None)


def trajectory(
    make_optimizer: Callable,
    loss_fn: Callable[[torch.Tensor], torch.Tensor],
    start,
    steps: int,
) -> np.ndarray:
    """The path theta_0, ..., theta_steps (steps + 1, dim) of an optimiser on
    ``loss_fn``.

    ``make_optimizer(params)`` builds the optimiser, e.g. ``lambda p: Adam(p, lr=0.1)``;
    ``loss_fn(theta)`` maps a (dim,) float64 tensor to a scalar.
    """
    theta = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([theta])
    path = [theta.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(theta).backward()
        opt.step()
        path.append(theta.detach().clone())
    return torch.stack(path).numpy()
