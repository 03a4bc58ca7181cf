"""The temperature lab: how long one update takes, live (Python) and static
(JavaScript).

    python scripts/bench_templab.py [--hiddens 128] [--length 200] [--moves 12]

The target (issue 6): an update "well under half a second on CPU for a 128-unit model
and a 200-character sample". One update recomputes everything a control can change: the
prompt's logits (read once per prompt), P_τ and its entropy, the entropy curve over
lib.text.templab.settings.CURVE_POINTS (121) temperatures, a sample, and the two SVG
charts. Measured, side by side:

  * live: lib.text.templab.live.LiveLab in this process, moving each control as a reader
    would (lib.text.templab.live.update_times); the time the front-end takes to draw is
    not included;
  * sampler alone: lib.text.sampling.Sampler.sample of the same length, the floor under
    the live lab;
  * static: the same lab as the built book's element, in headless Chromium (when
    installed), moving the temperature; the lab's own clock (performance.now) around one
    update.

The model is chapter 4's book-size configuration (2 layers, embedding 64) over 65
characters with untrained weights: the time of an update does not depend on what the
weights are. Ratios to the 500 ms budget below 1 meet it.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from lib.runtime import describe
from lib.text import templab
from lib.text.corpus import Vocabulary
from lib.text.model import CharLSTM, ModelConfig
from lib.text.sampling import Sampler

BUDGET_MS = 500.0
VOCAB = Vocabulary(
    "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)  # 65
PROMPT = "ROMEO:\n"


def make_model(num_hiddens: int) -> CharLSTM:
    torch.manual_seed(0)
    return CharLSTM(
        VOCAB, ModelConfig(num_hiddens=num_hiddens, embedding_dim=64)
    ).eval()


def live_times(model: CharLSTM, length: int, moves: int) -> dict[str, np.ndarray]:
    lab = templab.LiveLab(model, prompt=PROMPT, length=length)
    templab.update_times(lab, moves=2)  # warm up
    return templab.update_times(lab, moves=moves)


def sampler_times(model: CharLSTM, length: int, moves: int) -> np.ndarray:
    sampler = Sampler(model)
    seconds = []
    for seed in range(moves):
        start = time.perf_counter()
        sampler.sample(PROMPT, length, temperature=1.0, seed=seed)
        seconds.append(time.perf_counter() - start)
    return np.array(seconds)


def browser_times(model: CharLSTM, length: int, moves: int) -> np.ndarray | None:
    """Milliseconds per update of the static lab in headless Chromium, or None without
    it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    lab = templab.static_lab(model, prompt=PROMPT, length=length)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        page_path = Path(folder) / "lab.html"
        page_path.write_text(
            f"<!doctype html><meta charset='utf-8'><body>{lab.html}</body>"
        )
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_function("() => document.querySelector('.templab').templab")
        times = page.evaluate(
            """([moves]) => {
            const lab = document.querySelector('.templab').templab, out = [];
            for (let i = 0; i < moves + 2; i++) {          // two to warm up the JIT
              lab.settings.tau = 0.05 * 100 ** (i / (moves + 1));
              lab.controls.value.value = String(lab.settings.tau);
              TempLab.update(lab);
              out.push(lab.lastMilliseconds);
            }
            return out.slice(2);
        }""",
            [moves],
        )
        browser.close()
    return np.array(times) / 1000


def row(name: str, seconds: np.ndarray) -> str:
    median, slowest = 1000 * statistics.median(seconds), 1000 * seconds.max()
    return (
        f"  {name:<34} {median:8.1f} {slowest:8.1f}   {median / BUDGET_MS:6.3f}"
        f" {slowest / BUDGET_MS:6.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hiddens", type=int, default=128)
    parser.add_argument("--length", type=int, default=200)
    parser.add_argument("--moves", type=int, default=12)
    args = parser.parse_args()
    model = make_model(args.hiddens)
    print(describe())
    print(
        f"model: 2 x {args.hiddens} LSTM, V = {len(VOCAB)}, "
        f"sample of {args.length} characters after {PROMPT!r}\n"
    )
    print(
        f"  {'update after moving':<34} {'median':>8} {'slowest':>8}   "
        f"{'ratio to 500 ms':>13}\n"
        f"  {'':<34} {'(ms)':>8} {'(ms)':>8}   {'median':>6} {'max':>6}"
    )
    live = live_times(model, args.length, args.moves)
    for name, seconds in live.items():
        print(row(f"live: {name}", seconds))
    floor = sampler_times(model, args.length, args.moves)
    print(row("sampler alone (Sampler.sample)", floor))
    static = browser_times(model, args.length, args.moves)
    if static is None:
        print("  static (browser): skipped, chromium is not installed")
    else:
        print(row("static: temperature (Chromium)", static))
    all_live = np.concatenate(list(live.values()))
    overhead = statistics.median(all_live) / statistics.median(floor)
    print(
        f"\nlive lab overhead over the sampler alone: {overhead:.2f}x "
        f"(median update / median sample)"
    )
    if static is not None:
        live_temperature = live["temperature slider"]
        print(
            f"browser / live (temperature moves): "
            f"{statistics.median(static) / statistics.median(live_temperature):.2f}x"
        )


if __name__ == "__main__":
    main()
