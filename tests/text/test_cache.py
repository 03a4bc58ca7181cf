"""lib.text.cache: a run is trained once, loaded after, trained again when damaged."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import lib
from lib.text import cache
from lib.text.cache import train_or_load
from lib.text.corpus import Vocabulary, load_corpus
from lib.text.model import CharLSTM, ModelConfig, read_checkpoint, save_checkpoint
from lib.text.training import TrainConfig

VOCAB = Vocabulary("abcdefgh ")
SMALL = ModelConfig(num_hiddens=12, num_layers=2, embedding_dim=5)
SMALL_LIB = ModelConfig(num_hiddens=12, num_layers=2, embedding_dim=5, lstm="lib")
TINY = TrainConfig(steps=6, batch_size=4, seq_length=8, eval_every=3)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_text("abcdefgh " * 120)
    return load_corpus(path)


def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    pairs = zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    return all(torch.equal(x, y) for x, y in pairs)


def test_train_or_load_trains_once_then_loads(corpus, tmp_path):
    first = train_or_load(corpus, SMALL, TINY, cache=tmp_path)
    again = train_or_load(corpus, SMALL, TINY, cache=tmp_path)
    assert not first.from_cache and again.from_cache
    assert all(
        p.is_file() and p.parent.parent == tmp_path / "checkpoints"
        for p in again.checkpoints
    )
    assert same_weights(first.model, again.model)
    assert again.history.step == first.history.step and again.minutes > 0
    reseeded = TrainConfig(steps=6, batch_size=4, seq_length=8, eval_every=3, seed=1)
    other = train_or_load(corpus, SMALL, reseeded, cache=tmp_path)
    assert not other.from_cache
    assert other.checkpoints[0].parent != first.checkpoints[0].parent


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def garbage(path: Path) -> None:
    path.write_bytes(b"\x00\x01 not a checkpoint " * 20)


def another_vocabulary(path: Path) -> None:
    save_checkpoint(CharLSTM(Vocabulary("xyz "), SMALL).checkpoint(), path)


def another_run(path: Path) -> None:
    checkpoint = read_checkpoint(path)
    checkpoint["train_config"]["seed"] += 1
    save_checkpoint(checkpoint, path)


def delete(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    "name, damage, reason",
    [
        ("final.pt", truncate, "not a zip archive"),
        ("third-1.pt", garbage, "not a zip archive"),
        ("third-2.pt", another_vocabulary, "vocabulary of 4 characters"),
        ("final.pt", another_run, "written by another run"),
        ("third-1.pt", delete, "no such file"),
    ],
)
def test_a_damaged_cached_run_is_set_aside_and_trained_again(
    corpus, tmp_path, capsys, name, damage, reason
):
    first = train_or_load(corpus, SMALL, TINY, cache=tmp_path)
    folder = first.checkpoints[0].parent
    damage(folder / name)
    damaged = {p.name: p.read_bytes() for p in folder.iterdir()}
    capsys.readouterr()

    again = train_or_load(corpus, SMALL, TINY, cache=tmp_path)
    printed = capsys.readouterr()
    assert not again.from_cache
    assert printed.err == "" and len(printed.out.splitlines()) == 1  # one stdout line
    assert str(folder / name) in printed.out and reason in printed.out
    (aside,) = (tmp_path / "checkpoints").glob(f"{folder.name}.broken-*")
    assert aside.name in printed.out
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == damaged  # kept as is

    assert again.checkpoints == first.checkpoints
    assert all(p.is_file() for p in again.checkpoints)
    assert same_weights(first.model, again.model)  # the same seed, the same weights
    logits, _ = again.model(torch.zeros(1, 4, dtype=torch.long))
    assert logits.shape == (1, 4, len(corpus.vocab)) and torch.isfinite(logits).all()
    assert train_or_load(corpus, SMALL, TINY, cache=tmp_path).from_cache
    assert capsys.readouterr().out == ""  # healed: loaded without a word


def test_a_run_broken_twice_is_set_aside_twice(tmp_path, capsys):
    folder = tmp_path / "run"
    for attempt in range(2):
        folder.mkdir()
        (folder / "final.pt").write_text(f"attempt {attempt}")
        cache._set_aside(folder, folder / "final.pt", "a fault\nover two lines")
    asides = sorted(tmp_path.glob("run.broken-*"))
    assert [(p / "final.pt").read_text() for p in asides] == ["attempt 0", "attempt 1"]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all("a fault over two lines" in line for line in lines)


def test_an_unfinished_run_is_trained_again_quietly(corpus, tmp_path, capsys):
    first = train_or_load(corpus, SMALL, TINY, cache=tmp_path)
    first.checkpoints[-1].unlink()  # training stopped before the end
    garbage(first.checkpoints[0])
    capsys.readouterr()
    again = train_or_load(corpus, SMALL, TINY, cache=tmp_path)
    assert not again.from_cache and capsys.readouterr().out == ""
    assert not list((tmp_path / "checkpoints").glob("*.broken-*"))
    assert train_or_load(corpus, SMALL, TINY, cache=tmp_path).from_cache


def test_run_key_follows_the_corpus_config_and_size(corpus, monkeypatch):
    config = TrainConfig(steps=6)
    key = cache.run_key(corpus, SMALL, config)
    assert key == cache.run_key(corpus, SMALL, TrainConfig(steps=6))
    assert key.startswith(f"{corpus.name}-smoke-")
    assert key != cache.run_key(corpus, ModelConfig(num_hiddens=13), config)
    monkeypatch.setenv("BOOK_SIZE", "book")
    assert key != cache.run_key(corpus, SMALL, config)


def test_the_hashed_sources_are_the_modules_that_compute_the_run():
    root = Path(lib.__file__).parent
    torch_run = {
        "text/corpus.py",
        "text/model.py",
        "text/training.py",
        "text/cache.py",
        "recurrent/encodings.py",
        "recurrent/base.py",
    }
    lib_run = torch_run | {"recurrent/lstm.py"}  # chapter 2's StackedLSTM computes it
    for config, expected in ((SMALL, torch_run), (SMALL_LIB, lib_run)):
        sources = cache.shaping_sources(config)
        assert all(path.is_file() for path in sources)
        assert {path.relative_to(root).as_posix() for path in sources} == expected


def test_run_key_changes_with_every_hashed_source(corpus, tmp_path, monkeypatch):
    """Copies stand in for the hashed files; a line added to one is a new key."""
    root = Path(lib.__file__).parent
    copies = {}
    for path in cache.SOURCES + cache.LSTM_SOURCES["lib"]:
        copies[path] = tmp_path / path.relative_to(root)
        copies[path].parent.mkdir(parents=True, exist_ok=True)
        copies[path].write_bytes(path.read_bytes())
    monkeypatch.setattr(cache, "SOURCES", tuple(copies[path] for path in cache.SOURCES))
    lstm_copies = tuple(copies[path] for path in cache.LSTM_SOURCES["lib"])
    monkeypatch.setattr(cache, "LSTM_SOURCES", {"torch": (), "lib": lstm_copies})
    configs = (SMALL, SMALL_LIB)
    keys = {config: cache.run_key(corpus, config, TINY) for config in configs}
    for copy in copies.values():
        source = copy.read_bytes()
        copy.write_bytes(source + b"\n# one more line\n")
        for config in configs:
            changed = cache.run_key(corpus, config, TINY) != keys[config]
            assert changed == (copy in cache.shaping_sources(config)), copy
        copy.write_bytes(source)
    assert keys == {config: cache.run_key(corpus, config, TINY) for config in keys}


@pytest.mark.parametrize("size", ["smoke", "book", "full"])
def test_chapter_configs_build_at_every_size(size, monkeypatch):
    monkeypatch.setenv("BOOK_SIZE", size)
    for corpus in ("shakespeare", "darwin_nl"):
        model_config, train_config = cache.chapter_configs(corpus)
        m = CharLSTM(VOCAB, model_config)
        assert m(torch.zeros(2, 3, dtype=torch.long))[0].shape == (2, 3, len(VOCAB))
        assert train_config.steps >= 3 and train_config.eval_every <= train_config.steps
    if size == "book":
        assert (model_config.num_hiddens, model_config.num_layers) == (128, 2)
