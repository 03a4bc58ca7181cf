"""lib.text.tbptt: consecutive windows and stateful truncated BPTT."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from lib.text import cache, tbptt
from lib.text.corpus import Vocabulary, load_corpus
from lib.text.model import CharLSTM, ModelConfig
from lib.text.tbptt import stateful_step, stream_windows, train_streams
from lib.text.training import TrainConfig, train

SMALL = ModelConfig(num_hiddens=12, num_layers=2, embedding_dim=5)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_text("abcdefgh " * 120)
    return load_corpus(path)


def test_each_stream_reads_its_part_of_the_text_in_order():
    ids = torch.arange(1000)
    B, T = 4, 7
    batches = stream_windows(ids, B, T, torch.Generator().manual_seed(0))
    x, y, first = next(batches)
    assert first and x.shape == y.shape == (B, T)
    assert torch.equal(y[:, :-1], x[:, 1:])  # targets: the inputs shifted by one
    skip, length = int(x[0, 0]), (len(ids) - int(x[0, 0]) - 1) // B
    assert 0 <= skip < T
    rows, flags = [x], [first]
    for _ in range(length // T - 1):
        x, _, first = next(batches)
        rows.append(x)
        flags.append(first)
    assert not any(flags[1:])
    read = torch.cat(rows, dim=1)  # (B, windows * T): each row a piece of the text
    for b in range(B):
        start = skip + b * length
        assert torch.equal(read[b], ids[start : start + read.shape[1]])
    # the next pass starts again, at a new random skip
    x, _, first = next(batches)
    assert first and int(x[0, 0]) < T


def test_too_short_a_text_is_a_clear_error():
    next(stream_windows(torch.arange(50), 4, 10))  # 4 streams of one window, at most
    with pytest.raises(ValueError, match="streams"):
        next(stream_windows(torch.arange(49), 4, 10))
    with pytest.raises(ValueError, match="must be >= 1"):
        next(stream_windows(torch.arange(50), 0, 10))


def test_windows_with_the_carried_state_read_the_whole_stream():
    """Forward: consecutive windows from the carried state give the logits of reading
    the whole stream at once (the state is only detached, not changed)."""
    torch.manual_seed(0)
    model = CharLSTM(Vocabulary("abcdefgh "), SMALL).eval()
    x = torch.randint(len(model.vocab), (3, 40))
    with torch.no_grad():
        whole, _ = model(x)
        state, parts = None, []
        for part in x.split(8, dim=1):
            logits, state = model(part, state)
            parts.append(logits)
    torch.testing.assert_close(torch.cat(parts, dim=1), whole)


def test_stateful_step_returns_a_detached_state(corpus):
    torch.manual_seed(0)
    model = CharLSTM(corpus.vocab, SMALL)
    opt = torch.optim.Adam(model.parameters())
    x, y, _ = next(stream_windows(corpus.train, 4, 8))
    stats, state = stateful_step(model, opt, x, y, None, 5.0)
    assert stats.shape == (2,) and not stats.requires_grad
    assert all(s.grad_fn is None and not s.requires_grad for s in state)
    assert state[0].shape == (SMALL.num_layers, 4, SMALL.num_hiddens)
    # the next window starts from it, and its gradient stops there
    stats, state = stateful_step(model, opt, x, y, state, 5.0)
    assert torch.isfinite(stats).all()


@pytest.mark.parametrize("carry", [True, False])
def test_train_streams_carries_the_state_only_when_asked(corpus, carry):
    torch.manual_seed(0)
    model = CharLSTM(corpus.vocab, SMALL)
    seen = []  # the state each training forward pass starts from

    def spy(module, args):
        if module.training:  # not the evaluations
            seen.append(args[1] if len(args) > 1 else None)

    model.register_forward_pre_hook(spy)
    config = TrainConfig(steps=6, batch_size=4, seq_length=8, eval_every=6)
    hist = train_streams(model, corpus, config, carry_state=carry)
    assert hist.step == [2, 4, 6]  # the thirds, as train records them
    assert len(seen) == 6 and seen[0] is None
    if carry:
        assert all(s is not None and s[0].grad_fn is None for s in seen[1:])
    else:
        assert all(s is None for s in seen)


def test_the_same_recipe_as_train(corpus):
    """Both loops take the same number of steps and record the same evaluations, and
    on a text this regular both learn it."""
    config = TrainConfig(steps=60, batch_size=8, seq_length=8, eval_every=20)
    hists = {}
    for name, run in {
        "train": lambda m: train(m, corpus, config),
        "carried": lambda m: train_streams(m, corpus, config),
    }.items():
        torch.manual_seed(0)
        hists[name] = run(CharLSTM(corpus.vocab, SMALL))
    assert hists["train"].step == hists["carried"].step == [20, 40, 60]
    for hist in hists.values():
        assert hist.valid_stream_loss[-1] < hist.valid_stream_loss[0]


def test_the_cached_runs_do_not_hash_this_module():
    """Runs of lib.text.tbptt are not cached: editing it leaves every cached chapter
    model's key as it is."""
    for config in (ModelConfig(), ModelConfig(lstm="lib")):
        assert Path(tbptt.__file__) not in cache.shaping_sources(config)
