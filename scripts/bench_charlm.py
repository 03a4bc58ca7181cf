"""Chapter 4's character LSTM: training and sampling speed, ours next to plain torch,
in one run.

    python scripts/bench_charlm.py [--sizes 128 256] [--seconds 2] [--repeats 3]

Training (chars/s = batch x seq_length x steps / s; batch 64, seq 30, Adam, clip 5,
V = 65):
  * ours: lib.text.model.CharLSTM with lib.text.training's batches and step (what the
    chapter trains), with torch.nn.LSTM inside and with chapter 2's
    lib.recurrent.lstm.StackedLSTM inside;
  * reference: nn.Embedding -> nn.LSTM(2 layers) -> nn.Linear, written out below in a
    few lines.
Sampling at batch 1, temperature 1 (chars/s of generated text):
  * ours: lib.text.sampling.Sampler (NumPy, the state carried from character to
    character);
  * reference: torch.nn.LSTM stepped one character at a time, the state carried;
  * re-reading: the whole prefix fed to the model again for every new character.

Ours and the reference alternate, ``--repeats`` times each, and the median is reported:
other work on the machine slows both alike. Ratios > 1 mean ours is faster.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from lib.runtime import describe
from lib.text.corpus import Vocabulary, random_windows
from lib.text.model import CharLSTM, ModelConfig
from lib.text.sampling import Sampler
from lib.text.training import train_step

V, BATCH, SEQ = 65, 64, 30
VOCAB = Vocabulary([chr(c) for c in range(48, 48 + V)])
TEXT = torch.randint(0, V, (200_000,), generator=torch.Generator().manual_seed(0))


class PlainLSTMLM(nn.Module):
    """The reference: embedding, 2-layer torch.nn.LSTM, linear read-out."""

    def __init__(self, num_hiddens: int, embedding_dim: int = 64):
        super().__init__()
        self.embed = nn.Embedding(V, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, num_hiddens, num_layers=2, batch_first=True)
        self.head = nn.Linear(num_hiddens, V)

    def forward(self, x, state=None):
        H, state = self.lstm(self.embed(x), state)
        return self.head(H), state


def timed(run, seconds: float, min_calls: int = 3) -> float:
    """Calls of ``run`` per second, calling it for about ``seconds`` (after one warm-up
    call)."""
    run()
    calls, start = 0, time.perf_counter()
    while calls < min_calls or time.perf_counter() - start < seconds:
        run()
        calls += 1
    return calls / (time.perf_counter() - start)


def ours_training(n: int, lstm: str):
    model = CharLSTM(VOCAB, ModelConfig(num_hiddens=n, lstm=lstm))
    opt, gen = (
        torch.optim.Adam(model.parameters(), lr=2e-3),
        torch.Generator().manual_seed(0),
    )

    def step():
        x, y = random_windows(TEXT, BATCH, SEQ, gen)
        train_step(model, opt, x, y, max_norm=5.0)

    return step


def reference_training(n: int):
    model = PlainLSTMLM(n)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    def step():
        starts = torch.randint(0, len(TEXT) - SEQ, (BATCH, 1))
        chunk = TEXT[starts + torch.arange(SEQ + 1)]
        logits, _ = model(chunk[:, :-1])
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, V), chunk[:, 1:].reshape(-1)
        )
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()

    return step


def reference_sampler(model: PlainLSTMLM, length: int, reread: bool = False):
    """Generate ``length`` characters at T = 1 with torch ops, carrying the state or
    re-reading."""

    @torch.inference_mode()
    def run():
        ids, state = [0], None
        x = torch.tensor([[0]])
        for _ in range(length):
            if reread:
                logits, _ = model(torch.tensor([ids]))
            else:
                logits, state = model(x, state)
            x = torch.multinomial(torch.softmax(logits[0, -1], -1), 1)[None]
            ids.append(int(x))

    return run


def median_rates(runs: dict, seconds: float, repeats: int, per_call: float) -> dict:
    rates = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            rates[name].append(per_call * timed(run, seconds))
    return {name: statistics.median(r) for name, r in rates.items()}


def report(title: str, rates: dict, reference: str) -> None:
    print(f"\n{title}")
    for name, rate in rates.items():
        print(f"  {name:44s} {rate:10,.0f} chars/s   x{rate / rates[reference]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(describe())
    torch.manual_seed(0)
    for n in args.sizes:
        train = {
            "reference: plain torch.nn.LSTM model": reference_training(n),
            "ours: CharLSTM (torch.nn.LSTM inside)": ours_training(n, "torch"),
            "ours: CharLSTM (lib.recurrent.lstm.StackedLSTM inside)": ours_training(
                n, "lib"
            ),
        }
        report(
            f"training, {n} units, batch {BATCH}, seq {SEQ} (ratio vs the reference)",
            median_rates(train, args.seconds, args.repeats, BATCH * SEQ),
            "reference: plain torch.nn.LSTM model",
        )
    for n in args.sizes:
        plain, length = PlainLSTMLM(n).eval(), 500
        sampler = Sampler(CharLSTM(VOCAB, ModelConfig(num_hiddens=n)).eval())
        runs = {
            "reference: torch.nn.LSTM stepped, state carried": reference_sampler(
                plain, length
            ),
            "ours: lib.text.sampling.Sampler (NumPy)": lambda: sampler.sample(
                "0", length, temperature=1.0, seed=0
            ),
            "re-reading the whole prefix (200 chars)": reference_sampler(
                plain, 200, True
            ),
        }
        rates = median_rates(
            {k: v for k, v in runs.items() if "re-reading" not in k},
            args.seconds,
            args.repeats,
            length,
        )
        rates.update(
            median_rates(
                {k: v for k, v in runs.items() if "re-reading" in k},
                args.seconds,
                1,
                200,
            )
        )
        report(
            f"sampling, {n} units, batch 1, T = 1 (ratio vs the reference)",
            rates,
            "reference: torch.nn.LSTM stepped, state carried",
        )


if __name__ == "__main__":
    main()
