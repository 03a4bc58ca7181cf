"""lib.text.sampling: temperature, greedy, sampling, top-k and beam search against the
model itself."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from lib.text.corpus import UnknownCharacterError, Vocabulary
from lib.text.sampling import (
    Sampler,
    check_temperature,
    entropy_bits,
    export_weights,
    find_loop,
    log_softmax,
    repeated_ngram_share,
    softmax_with_temperature,
)
from tests.text.tiny import sharp_char_model

VOCAB = Vocabulary("abcdefgh \n")


@pytest.fixture(scope="module")
def model():
    return sharp_char_model(VOCAB)


@pytest.fixture(scope="module")
def sampler(model):
    return Sampler(model)


def torch_log_probs(model, prompt: str, continuation: str) -> torch.Tensor:
    """log P(c_{t+1} | c_1..c_t) of every character of ``continuation``, re-reading the
    prefix."""
    ids = model.vocab.encode(prompt + continuation)
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])
    logp = torch.log_softmax(logits[0].double(), -1)
    targets = ids[len(prompt) :]
    return logp[len(prompt) - 1 :].gather(1, targets[:, None])[:, 0]


# -------------------------------------------------------------------------- temperature


def test_temperature_limits_and_beta():
    logits = np.array([2.0, 1.0, -1.0, 1.9])
    np.testing.assert_allclose(
        softmax_with_temperature(logits, 1.0), np.exp(logits) / np.exp(logits).sum()
    )
    assert np.array_equal(
        softmax_with_temperature(logits, 0), [1, 0, 0, 0]
    )  # T = 0 is greedy
    np.testing.assert_allclose(
        softmax_with_temperature(logits, 1e-3), [1, 0, 0, 0], atol=1e-12
    )
    np.testing.assert_allclose(
        softmax_with_temperature(logits, math.inf), np.full(4, 0.25)
    )
    np.testing.assert_allclose(
        softmax_with_temperature(logits, 1e6), np.full(4, 0.25), atol=1e-6
    )
    for beta in (0.5, 2.0, 3.7):
        np.testing.assert_allclose(
            softmax_with_temperature(logits, beta=beta),
            softmax_with_temperature(logits, 1 / beta),
        )
    assert np.array_equal(softmax_with_temperature(logits, beta=math.inf), [1, 0, 0, 0])


def test_entropy_increases_with_temperature():
    rng = np.random.default_rng(0)
    temperatures = np.geomspace(0.01, 100, 400)
    for _ in range(20):
        logits = rng.normal(size=30) * rng.uniform(0.1, 5)
        scaled = logits[None].repeat(400, 0) / temperatures[:, None]
        H = entropy_bits(softmax_with_temperature(scaled))
        assert np.all(np.diff(H) > -1e-12) and H[-1] < math.log2(30) + 1e-9


def test_bad_temperatures_are_clear_errors():
    for bad in (-0.1, float("nan"), -math.inf):
        with pytest.raises(ValueError, match="must be >= 0"):
            check_temperature(bad)
        with pytest.raises(ValueError, match="must be >= 0"):
            check_temperature(beta=bad)
    for bad in ("1.0", True):
        with pytest.raises(TypeError):
            check_temperature(bad)
    with pytest.raises(ValueError, match="not both"):
        check_temperature(1.0, beta=1.0)
    assert check_temperature() == 1.0 and check_temperature(beta=0) == math.inf


def test_top_k_keeps_the_k_most_likely():
    logits = np.array([0.1, 3.0, 2.0, -1.0, 2.5])
    p = softmax_with_temperature(logits, 1.0, top_k=2)
    assert np.count_nonzero(p) == 2 and p[1] > p[4] > 0 and p.sum() == pytest.approx(1)
    np.testing.assert_allclose(
        softmax_with_temperature(logits, top_k=9), softmax_with_temperature(logits)
    )
    np.testing.assert_allclose(
        softmax_with_temperature(logits, math.inf, top_k=2), [0, 0.5, 0, 0, 0.5]
    )
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="top_k"):
            softmax_with_temperature(logits, top_k=bad)


# -------------------------------------------------------------------------- the sampler


@pytest.mark.parametrize("lstm", ["torch", "lib"])
def test_the_sampler_computes_the_models_logits(lstm):
    model = sharp_char_model(VOCAB, lstm)
    sampler = Sampler(model)
    prompt = "abc hedge\nfad"
    with torch.no_grad():
        logits, _ = model(model.vocab.encode(prompt)[None])
    ours, state = sampler.read(prompt)
    np.testing.assert_allclose(ours, logits[0, -1].numpy(), atol=1e-5)
    assert [x.shape for x in state[0] + state[1]] == [
        (1, 16)
    ] * 4 and ours.dtype == np.float32
    p = sampler.next_distribution(prompt, temperature=0.7)
    expected = torch.softmax(logits[0, -1].double() / 0.7, -1).numpy()
    np.testing.assert_allclose(p, expected, atol=1e-6)


def test_exported_weights_have_the_documented_shapes(model):
    w = export_weights(model)
    V, n = len(VOCAB), 16
    assert w["table"].shape == (V, 4 * n) and w["W_hh_0"].shape == (n, 4 * n)
    assert w["W_1"].shape == (2 * n, 4 * n)
    assert (
        w["b_1"].shape == (4 * n,)
        and w["W_ph"].shape == (n, V)
        and w["b_p"].shape == (V,)
    )
    assert all(a.dtype == np.float32 and a.flags.c_contiguous for a in w.values())


def test_greedy_carries_the_state_like_rereading_the_prefix(model, sampler):
    text = sampler.greedy("ab", 40)
    prefix = "ab"
    for char in text:  # the slow way: read the whole prefix again for every character
        with torch.no_grad():
            logits, _ = model(model.vocab.encode(prefix)[None])
        assert model.vocab.chars[int(logits[0, -1].argmax())] == char
        prefix += char
    assert sampler.sample("ab", 40, temperature=0) == text
    assert sampler.sample("ab", 40, beta=math.inf) == text
    assert sampler.sample("ab", 40, temperature=5.0, top_k=1, seed=3) == text


def test_sampling_is_seeded_and_conventions_agree(sampler):
    a = sampler.sample("a", 60, temperature=0.5, seed=1)
    assert len(a) == 60 and a == sampler.sample("a", 60, temperature=0.5, seed=1)
    assert a == sampler.sample("a", 60, beta=2.0, seed=1)
    assert a != sampler.sample("a", 60, temperature=0.5, seed=2)


def test_samples_follow_the_distribution(sampler):
    p = sampler.next_distribution("fe", temperature=1.5)
    draws = [sampler.sample("fe", 1, temperature=1.5, seed=s) for s in range(3000)]
    counts = np.array([draws.count(c) for c in VOCAB.chars])
    expected = 3000 * p
    chi2 = ((counts - expected) ** 2 / np.maximum(expected, 1e-9)).sum()
    assert chi2 < 35  # 9 degrees of freedom: P(chi2 > 35) < 1e-4


def test_top_k_sampling_only_writes_the_k_most_likely(model, sampler):
    text = sampler.sample("dag", 40, temperature=3.0, top_k=2, seed=0)
    ids = model.vocab.encode("dag" + text)
    with torch.no_grad():
        logits, _ = model(ids[None, :-1])
    top2 = logits[0, 2:].topk(2, dim=-1).indices
    assert (top2 == ids[3:, None]).any(-1).all()


def test_beam_width_one_is_greedy_and_scores_are_log_probabilities(model, sampler):
    (best,) = sampler.beam_search("cab", 30, beam_width=1)
    assert best.text == sampler.greedy("cab", 30)
    beams = sampler.beam_search("cab", 30, beam_width=4)
    assert len(beams) == 4 and len({b.text for b in beams}) == 4
    assert [b.log_prob for b in beams] == sorted(
        (b.log_prob for b in beams), reverse=True
    )
    assert beams[0].log_prob >= best.log_prob - 1e-9
    for beam in beams:
        assert beam.log_prob == pytest.approx(
            torch_log_probs(model, "cab", beam.text).sum().item(), abs=1e-4
        )


def test_wide_enough_beam_search_is_exhaustive():
    vocab = Vocabulary("xyz")
    model = sharp_char_model(vocab, seed=5)
    sampler = Sampler(model)
    every = ["".join(s) for s in itertools.product(vocab.chars, repeat=3)]
    scores = {s: torch_log_probs(model, "x", s).sum().item() for s in every}
    truth = sorted(every, key=scores.get, reverse=True)[:5]
    beams = sampler.beam_search("x", 3, beam_width=9)  # 9 = 3^2 keeps every prefix
    assert [b.text for b in beams[:5]] == truth


def test_bad_requests_are_clear_errors(sampler):
    with pytest.raises(ValueError, match="prompt is empty"):
        sampler.sample("", 10)
    with pytest.raises(TypeError, match="prompt must be a str"):
        sampler.greedy(None, 10)
    with pytest.raises(UnknownCharacterError, match="'Z'"):
        sampler.sample("aZ", 10)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="length"):
            sampler.sample("a", bad)
    with pytest.raises(ValueError, match="temperature"):
        sampler.sample("a", 5, temperature=float("nan"))
    with pytest.raises(ValueError, match="temperature"):
        sampler.sample("a", 5, temperature=-1)
    with pytest.raises(ValueError, match="beam_width"):
        sampler.beam_search("a", 5, beam_width=0)


def test_random_start_character_is_in_the_vocabulary(sampler):
    starts = {sampler.random_character(seed) for seed in range(50)}
    assert starts <= set(VOCAB.chars) and len(starts) > 3
    assert sampler.random_character(7) == sampler.random_character(7)


def test_find_loop():
    assert find_loop("xy the the the ") == (4, 2)
    assert find_loop("abcabcabcab") == (3, 0)
    assert find_loop("no loop in this text") is None
    assert find_loop("aaaa") == (1, 0)
    # a long cycle with a short one inside: the long one reaches further back
    cycle = "in the world in the world. KING:\n"
    period, start = find_loop("It was " + cycle * 3)
    assert (period, start) == (len(cycle), 7)
    assert find_loop("the end", min_repeats=3) is None and find_loop("e ee", 2) == (
        1,
        2,
    )


def test_repeated_ngram_share():
    assert repeated_ngram_share("abcdefgh") == 0.0  # every 4-gram new
    assert repeated_ngram_share("abcabc", 3) == pytest.approx(1 / 4)  # abc again
    # a loop of period p: after the first p n-grams, every one is a repeat
    loop = "the world in " * 10
    grams = len(loop) - 4 + 1
    assert repeated_ngram_share(loop) == pytest.approx(1 - 13 / grams)
    assert repeated_ngram_share("aaaa", 1) == pytest.approx(3 / 4)
    assert repeated_ngram_share("abc") == 0.0  # shorter than n: no n-grams
    assert repeated_ngram_share("") == 0.0
    # the same as counting by hand, with a brute-force definition
    text = "to be or not to be, that is to be"
    grams = [text[i : i + 4] for i in range(len(text) - 3)]
    repeats = sum(g in grams[:i] for i, g in enumerate(grams))
    assert repeated_ngram_share(text) == pytest.approx(repeats / len(grams))
    for n in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="n="):
            repeated_ngram_share("abc", n)


def test_log_softmax_and_entropy():
    z = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_allclose(np.exp(log_softmax(z)).sum(), 1.0)
    assert entropy_bits([0.5, 0.5, 0.0]) == pytest.approx(1.0)
    assert entropy_bits(np.full(8, 1 / 8)) == pytest.approx(3.0)


def test_log_prob_is_the_sum_of_the_models_log_probabilities(model, sampler):
    expected = torch_log_probs(model, "he", "adache\nbag").sum().item()
    assert sampler.log_prob("he", "adache\nbag") == pytest.approx(expected, abs=1e-4)
    best = sampler.beam_search("he", 12, beam_width=3)[0]
    assert sampler.log_prob("he", best.text) == pytest.approx(best.log_prob, abs=1e-6)


def test_one_line():
    from lib.text.sampling import one_line

    assert one_line("a\nb\n") == "a↵b↵"
    assert one_line("to be\tor") == "to be⇥or"  # spaces stay in a table cell
    assert one_line("to be\tor\n", spaces=True) == "to␣be⇥or↵"  # a label: never blank
    assert [one_line(ch, spaces=True) for ch in "\n \ta"] == ["↵", "␣", "⇥", "a"]
