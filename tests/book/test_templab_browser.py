"""The temperature lab of the built book, in headless Chromium: JavaScript agrees with
Python.

Loads BOOK_HTML/notebooks/temperature_lab.html, sets the lab's controls as a reader
would and reads its outputs. The Python side runs lib's sampler on the weights decoded
from the page itself (and, when the notebook's checkpoint is in the cache, checks that
those are the trained model's), so the comparison is exact and does not depend on how
training went.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lib.download import cache_dir
from lib.text import templab
from lib.text.sampling import Sampler, export_weights
from lib.text.templab import lab_limits
from tests.book.browser_support import ROOT, built_site, open_watched, served_site

pytestmark = pytest.mark.browser
SITE = built_site()
LAB_PAGE = "notebooks/temperature_lab.html"
CHAPTER_PAGE = "book/temperature_lab.html"
PROMPTS = [
    "ROMEO:\n",
    "To be, or not to ",
    "KING HENRY",
    "First Citizen:\nWe are ",
    "O ",
]
LENGTH = 100
DESKTOP = {"width": 1280, "height": 1000}


@pytest.fixture(scope="module")
def site():
    missing = f"{SITE / LAB_PAGE} was not built: build the book first"
    yield from served_site(SITE, None if (SITE / LAB_PAGE).is_file() else missing)


class Lab:
    """The first lab on a page, driven through its controls."""

    def __init__(self, page):
        self.page, self.root = page, page.locator(".templab").first
        page.wait_for_function(
            "() => { const root = document.querySelector('.templab');"
            "        return root && +root.dataset.updates > 0; }",
            timeout=30_000,
        )

    def _updated(self, action) -> None:
        """Do ``action`` and wait for the update it scheduled (one per animation
        frame)."""
        before = int(self.root.get_attribute("data-updates"))
        action()
        self.page.wait_for_function(
            "n => { const lab = document.querySelector('.templab').templab;"
            "       return lab.updates > n && !lab.pending; }",
            arg=before,
        )

    def convention(self, name: str) -> None:
        radio = self.root.locator(f".templab-convention[value={name}]")
        if not radio.is_checked():
            self._updated(radio.check)

    def fill(self, name: str, value) -> None:
        self._updated(lambda: self.root.locator(f".templab-{name}").fill(str(value)))

    def set_value(self, value: float) -> None:
        """Type a temperature (or beta) into the number box and leave it (a change
        event)."""
        box = self.root.locator(".templab-temperature")
        box.fill(str(value))
        self._updated(lambda: box.dispatch_event("change"))

    def click(self, selector: str) -> None:
        self._updated(lambda: self.root.locator(selector).click())

    def greedy(self, on: bool) -> None:
        box = self.root.locator(".templab-greedy")
        if box.is_checked() != on:
            self._updated(box.click)

    def continuation(self) -> str:
        return self.root.locator(".templab-continuation").evaluate("e => e.textContent")

    def bars(self) -> dict[str, float]:
        return {
            bar.get_attribute("data-char"): float(bar.get_attribute("data-p"))
            for bar in self.root.locator("rect.templab-bar").all()
        }

    def entropy(self) -> float:
        return float(self.root.locator(".templab-entropy").get_attribute("data-bits"))

    def distribution(self) -> np.ndarray:
        return np.array(self.root.evaluate("e => Array.from(e.templab.last.P)"))

    def status(self) -> tuple[str, str]:
        status = self.root.locator(".templab-status")
        return status.get_attribute("class"), status.inner_text()


@pytest.fixture(scope="module")
def lab_page(site):
    page, watch = open_watched(*site, LAB_PAGE, viewport=DESKTOP, idle=False)
    lab = Lab(page)
    payload = json.loads(
        lab.root.locator("script.templab-data").evaluate("e => e.textContent")
    )
    vocab, weights = templab.decode_payload(payload)
    sampler = Sampler(templab.model_from_weights(vocab, weights))
    yield lab, payload, sampler, watch
    assert watch.external == [], "requests left 127.0.0.1 (the lab must work offline)"
    assert watch.errors == [], "console errors:\n" + "\n".join(watch.errors)
    page.close()


def prompts_for(vocab) -> list[str]:
    prompts = [p for p in PROMPTS if all(ch in vocab for ch in p)]
    assert len(prompts) >= 3, (
        f"the model's vocabulary {vocab} reads too few test prompts"
    )
    return prompts


def test_the_page_carries_the_trained_model(lab_page):
    _, payload, sampler, _ = lab_page
    assert templab.weights_sha256(sampler.weights) == payload["sha256"]
    run = payload["meta"].get("run")
    final = Path(cache_dir()) / "checkpoints" / str(run) / "final.pt"
    if not final.is_file():
        pytest.skip(f"the notebook's checkpoint {final} is not in this machine's cache")
    from lib.text.model import load_model

    trained = export_weights(load_model(final))
    assert all(np.array_equal(trained[k], sampler.weights[k]) for k in trained)


def test_the_controls_take_the_payloads_limits(lab_page):
    """templab.js states no limit: the page's controls show those of its payload."""
    lab, payload, _, _ = lab_page
    limits = payload["limits"]
    assert limits == lab_limits()
    lab.convention("tau")

    def attributes(name: str, *keys: str) -> list[float]:
        control = lab.root.locator(f".templab-{name}")
        return [float(control.get_attribute(key)) for key in keys]

    assert attributes("slider", "min", "max", "step") == limits["slider"]
    assert attributes("length", "min", "max") == limits["length"]
    assert attributes("seed", "min", "max") == limits["seed"]


def test_greedy_text_is_exactly_python_greedy(lab_page):
    lab, _, sampler, _ = lab_page
    lab.greedy(True)
    lab.fill("length", LENGTH)
    for prompt in prompts_for(sampler.vocab):
        lab.fill("prompt", prompt)
        assert lab.continuation() == sampler.greedy(prompt, LENGTH), repr(prompt)
        assert lab.entropy() == 0.0


@pytest.mark.parametrize("tau", [0.3, 1.0, 2.5])
def test_probabilities_agree_to_1e_4(lab_page, tau):
    lab, payload, sampler, _ = lab_page
    lab.greedy(False)
    lab.convention("tau")
    for prompt in prompts_for(sampler.vocab)[:3]:
        lab.fill("prompt", prompt)
        lab.set_value(tau)
        expected = sampler.next_distribution(prompt, temperature=tau)
        assert np.abs(lab.distribution() - expected).max() < 1e-4
        bars = lab.bars()
        assert len(bars) == min(payload["limits"]["top_shown"], len(sampler.vocab))
        for char, p in bars.items():
            assert abs(p - expected[sampler.vocab.chars.index(char)]) < 1e-4, repr(char)
        top = np.sort(expected)[::-1][: len(bars)]  # the bars are the most likely
        assert np.allclose(sorted(bars.values(), reverse=True), top, atol=1e-4)
        entropy = -(expected[expected > 0] * np.log2(expected[expected > 0])).sum()
        assert abs(lab.entropy() - entropy) < 1e-4


def first_difference(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b))
    )


@pytest.mark.parametrize("tau, top_k, seed", [(0.5, 0, 1), (1.0, 0, 7), (2.0, 5, 3)])
def test_a_seed_writes_the_same_text_as_python(lab_page, tau, top_k, seed):
    """NumPy's generator in JavaScript: the same uniforms, the same inverse-CDF
    draws."""
    lab, _, sampler, _ = lab_page
    lab.greedy(False)
    lab.fill("length", 200)
    lab.fill("prompt", "ROMEO:\n" if "R" in sampler.vocab else sampler.vocab.chars[0])
    lab.fill("seed", seed)
    lab.fill("topk", top_k)
    lab.set_value(tau)
    prompt = lab.root.locator(".templab-prompt").input_value()
    expected = sampler.sample(
        prompt, 200, temperature=tau, top_k=top_k or None, seed=seed
    )
    got = lab.continuation()
    assert got == expected, (
        f"the texts part at character {first_difference(got, expected)}"
    )
    lab.fill("topk", 0)


def test_the_beta_convention_relabels(lab_page):
    lab, _, sampler, _ = lab_page
    lab.greedy(False)
    lab.convention("tau")
    lab.fill("prompt", prompts_for(sampler.vocab)[0])
    lab.set_value(0.5)
    text, P = lab.continuation(), lab.distribution()
    controls = lab.root.locator(".templab-controls")
    # the temperature is written τ, as in the book
    assert "divide by τ" in controls.inner_text()
    assert "τ (divide the logits)" in lab.root.locator(".templab-curve").inner_html()
    assert "τ = 0.5" in lab.root.locator(".templab-entropy").inner_text()
    lab.convention("beta")
    assert float(lab.root.locator(".templab-temperature").input_value()) == 2
    assert lab.continuation() == text and np.array_equal(lab.distribution(), P)
    lab.set_value(4)  # beta = 4 is τ = 0.25
    prompt = lab.root.locator(".templab-prompt").input_value()
    assert (
        np.abs(lab.distribution() - sampler.next_distribution(prompt, beta=4)).max()
        < 1e-4
    )
    assert "β = 1/τ" in lab.root.locator(".templab-curve").inner_html()
    assert "β = 4" in lab.root.locator(".templab-entropy").inner_text()
    lab.convention("tau")


def test_top_k_and_resample(lab_page):
    lab, _, sampler, _ = lab_page
    lab.greedy(False)
    lab.set_value(5)
    lab.fill("topk", 3)
    assert np.count_nonzero(lab.distribution()) == 3
    assert sum(p > 0 for p in lab.bars().values()) == 3
    seed = int(lab.root.locator(".templab-seed").input_value())
    lab.click(".templab-resample")
    assert int(lab.root.locator(".templab-seed").input_value()) == seed + 1
    prompt = lab.root.locator(".templab-prompt").input_value()
    length = int(lab.root.locator(".templab-length").input_value())
    expected = sampler.sample(prompt, length, temperature=5, top_k=3, seed=seed + 1)
    assert lab.continuation() == expected
    lab.fill("topk", 0)


def test_bad_input_is_a_clear_message(lab_page):
    lab, _, sampler, _ = lab_page
    strange = next(ch for ch in "€☃@#~" if ch not in sampler.vocab)
    lab.fill("prompt", "RO" + strange)
    css, text = lab.status()
    assert "templab-error" in css and strange in text and "vocabulary" in text
    assert lab.continuation() == ""
    lab.fill("prompt", "")
    assert "empty" in lab.status()[1]
    lab.fill("length", 0)
    assert "length" in lab.status()[1]
    lab.fill("length", 50)
    lab.fill("prompt", prompts_for(sampler.vocab)[0])
    css, text = lab.status()
    assert "templab-error" not in css and "ms" in text and len(lab.continuation()) == 50


def test_update_speed_is_reported(lab_page):
    """No timing assertion (the machine may be busy): print what the browser took."""
    lab, _, _, _ = lab_page
    lab.greedy(False)
    lab.fill("length", 200)
    times = []
    for tau in (0.2, 0.5, 1.0, 2.0, 4.0):
        lab.set_value(tau)
        times.append(lab.root.evaluate("e => e.templab.lastMilliseconds"))
    print(
        f"\nbrowser lab: {np.median(times):.0f} ms median, "
        f"{max(times):.0f} ms slowest per update (200 characters)"
    )
    assert all(t > 0 for t in times)


def test_the_lab_fits_a_phone_screen(site):
    page, watch = open_watched(
        *site, CHAPTER_PAGE, viewport={"width": 390, "height": 800}, idle=False
    )
    Lab(page)
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - window.innerWidth"
    )
    lab_width = page.evaluate(
        "() => document.querySelector('.templab').scrollWidth"
        "     - document.querySelector('.templab').clientWidth"
    )
    shot = ROOT / "_build" / "screenshots" / "phone" / "book-temperature_lab.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert overflow <= 1 and lab_width <= 1, (
        f"the lab is wider than a phone: {overflow}, {lab_width}"
    )
    assert watch.errors == [] and watch.external == []
    page.close()


def test_the_chapter_page_has_a_working_lab(site):
    if not (SITE / CHAPTER_PAGE).is_file():
        pytest.fail(f"{CHAPTER_PAGE} was not built")
    page, watch = open_watched(*site, CHAPTER_PAGE, viewport=DESKTOP, idle=False)
    lab = Lab(page)
    assert len(lab.continuation()) > 0 and len(lab.bars()) > 0
    assert page.locator(".templab-fallback").count() == 0  # the script replaced it
    lab.greedy(True)
    assert lab.entropy() == 0.0
    assert watch.external == [] and watch.errors == []
    page.close()
