"""How fast is a training step of the Recurrent ReLU Network? lib's hand-written
recurrence against the autograd loops it replaced, side by side in one run.

    python scripts/bench_relu.py [--lengths 20 100 300] [--reps 10] [--threads 1]
        [--device cpu]

One step = forward on a (128, T) batch of digits (one-hot, 10 symbols), cross-entropy on
h_T's logits, backward, one Adam step; hidden size 128 and batch 128, as in chapter 2's
test of the report's claim (T = 300 there). The variants, all with the same weights:

  autograd, step by step   ReLURNN.step looped over t (the equations, autograd records
                           every operation): the reference the tests compare against
  autograd, fused loop     the x-parts of both products for all t in one product, then
                           one (B, n) x (n, 2n) product per step, autograd records the
                           loop (what ReLURNN.hidden_states did before)
  lib (hand-written BPTT)  lib.recurrent.relu_rnn.ReLURecurrence, what ReLURNN runs now

They run interleaved (one step of each in turn, ``reps`` rounds), so that a machine busy
with other work slows them all alike; the script prints the median milliseconds of each
and its ratio to the fused autograd loop. The book's notebooks run on one core each
(``--threads 1``, the default).
"""

from __future__ import annotations

import torch
from torch import nn

from lib.recurrent.base import RecurrentClassifier
from lib.recurrent.benchmark import (  # bench_lstm's batch, timed step and table
    DIGITS,
    HIDDEN,
    command_line,
    digit_batch,
    interleaved_medians,
    make_step,
    print_table,
)
from lib.recurrent.relu_rnn import ReLURNN


class StepByStep(ReLURNN):
    """The base class's loop over :meth:`ReLURNN.step`, all in autograd."""

    hidden_states = RecurrentClassifier.hidden_states

    def forward(self, seq, return_hidden_states=False):
        return RecurrentClassifier.forward(self, seq, return_hidden_states)


class FusedAutogradLoop(StepByStep):
    """The previous ``ReLURNN.hidden_states``: products fused, the loop in autograd."""

    def hidden_states(self, X):
        n = self.num_hiddens
        W_h = torch.cat([self.W_dec[:n], self.W_inc[:n]], dim=1)  # (n, 2n)
        W_x = torch.cat([self.W_dec[n:], self.W_inc[n:]], dim=1)  # (d, 2n)
        XW = X @ W_x + torch.cat([self.b_dec, self.b_inc])  # (B, T, 2n)
        h, c = self.init_state(X.shape[0], X)
        hs = []
        for xw_t in XW.unbind(1):
            dec, inc = torch.relu(xw_t + h @ W_h).chunk(2, dim=1)
            c = c + inc - dec
            h = torch.relu(c)
            hs.append(h)
        return hs


VARIANTS = {
    "autograd, step by step": StepByStep,
    "autograd, fused loop": FusedAutogradLoop,
    "lib (hand-written BPTT)": ReLURNN,
}
REFERENCE = "autograd, fused loop"


def bench_length(T: int, reps: int, warmup: int, device: torch.device):
    """Median seconds per training step of every variant at length T, measured
    interleaved; and, per variant, how far its first gradient is from the step-by-step
    reference's (largest difference / largest gradient entry)."""
    x, y = digit_batch(T, device)
    torch.manual_seed(0)
    state = ReLURNN(HIDDEN, DIGITS).state_dict()
    models = {
        name: Model(HIDDEN, DIGITS).to(device) for name, Model in VARIANTS.items()
    }
    grads = {}
    for name, model in models.items():
        model.load_state_dict(state)
        nn.functional.cross_entropy(model(x), y).backward()
        grads[name] = torch.cat([p.grad.flatten() for p in model.parameters()])
        model.zero_grad(set_to_none=True)
    reference = grads["autograd, step by step"]
    scale = reference.abs().max()
    gaps = {
        name: float((g - reference).abs().max() / scale) for name, g in grads.items()
    }
    steps = {name: make_step(model, x, y) for name, model in models.items()}
    return interleaved_medians(steps, reps, warmup), gaps


def main() -> None:
    args = command_line(__doc__, lengths=[20, 100, 300], reps=10, warmup=2, threads=1)
    results = {
        T: bench_length(T, args.reps, args.warmup, args.device) for T in args.lengths
    }
    print_table({T: results[T][0] for T in results}, VARIANTS, REFERENCE, width=25)
    print(
        "\nfirst gradients against the step-by-step loop's (largest difference / "
        "largest entry; at large T the untrained network's states grow large, and "
        "float32 rounding shows in both fused variants alike)"
    )
    for T in args.lengths:
        times, gaps = results[T]
        print(
            f"T = {T}: lib {times[REFERENCE] / times['lib (hand-written BPTT)']:.2f}x "
            f"as fast as the fused autograd loop; gradient gaps: fused loop "
            f"{gaps[REFERENCE]:.1e}, lib {gaps['lib (hand-written BPTT)']:.1e}"
        )


if __name__ == "__main__":
    main()
