"""The checkpoint cache of chapter 4: a trained run is computed once and loaded after.

:func:`train_or_load` keys a finished run by the corpus checksum, both configs, the
experiment size and the code that shapes the weights (:func:`run_key`), and stores its
checkpoints under ``lib.download.cache_dir() / "checkpoints" / key``: another notebook
asking for the same run loads it instead of training again. :func:`chapter_run` is the
run each chapter uses at the current ``BOOK_SIZE``.

The cache heals itself. A folder with a final.pt holds a finished run, used only if all
three of its checkpoints (third-1.pt, third-2.pt, final.pt) load as the run's: readable
with ``weights_only=True``, the corpus's vocabulary, the run's model config, weights of
the right shapes, the run's corpus and training config. If one does not (truncated on
disk, other bytes, another run's checkpoint, missing), the whole folder is renamed to
``<key>.broken-<YYYYmmdd-HHMMSS>`` beside it (kept to look at, safe to delete), one line
on standard output names the file and what was wrong, and the run is trained again. All
of it happens under the run's file lock, so a notebook asking for the same run meanwhile
waits, then loads the new one. A folder without final.pt is a run whose training
stopped: it is trained again in place.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from lib.download import cache_dir, file_lock
from lib.recurrent import base as recurrent_base
from lib.recurrent import encodings as recurrent_encodings
from lib.recurrent import lstm as recurrent_lstm
from lib.runtime import (
    by_size,
    default_device,
    experiment_size,
    seed_everything,
    seed_offset,
)
from lib.text import corpus as corpus_module
from lib.text import model as model_module
from lib.text import training as training_module
from lib.text.corpus import Corpus, load_corpus
from lib.text.model import (
    CharLSTM,
    CheckpointError,
    ModelConfig,
    load_model,
    read_checkpoint,
)
from lib.text.training import THIRDS, CharHistory, TrainConfig, train


@dataclass
class TrainedRun:
    """A finished training run: the final model (eval mode), its history and
    checkpoints."""

    model: CharLSTM
    corpus: Corpus
    train_config: TrainConfig
    history: CharHistory
    checkpoints: list[Path]  # third-1.pt, third-2.pt, final.pt
    machine: str  # lib.runtime.describe() of the machine that trained it
    from_cache: bool

    @property
    def minutes(self) -> float:
        """Wall-clock minutes of training, measured when it ran
        (evaluations included)."""
        return self.history.seconds[-1] / 60


# The source files whose code shapes a run's weights, hashed into its key: the data, the
# model and the chapter-2 modules it is built of (the embedding of encodings.py, the
# initialisation uniform_ of base.py), the training loop and this cache. StackedLSTM
# (lstm.py) computes only the runs of ModelConfig(lstm="lib"); torch.nn.LSTM the others.
SHAPING_MODULES = (
    corpus_module,
    recurrent_encodings,
    recurrent_base,
    model_module,
    training_module,
)
SOURCES = (*(Path(m.__file__) for m in SHAPING_MODULES), Path(__file__))
LSTM_SOURCES = {"torch": (), "lib": (Path(recurrent_lstm.__file__),)}


def shaping_sources(model_config: ModelConfig) -> tuple[Path, ...]:
    """The source files hashed into the key of a run of ``model_config``."""
    return SOURCES + LSTM_SOURCES[model_config.lstm]


def run_key(
    corpus: Corpus, model_config: ModelConfig, train_config: TrainConfig
) -> str:
    """A name for a run: the corpus, the size and a hash of everything that shapes the
    weights.

    The hash covers the corpus checksum and split, both configs, the experiment size and
    the source of the modules that define the data, the model and the training loop
    (:func:`shaping_sources`).
    """
    code = b"".join(path.read_bytes() for path in shaping_sources(model_config))
    spec = json.dumps(
        {
            "corpus": corpus.sha256,
            "valid_fraction": corpus.valid_fraction,
            "keep_license": corpus.keep_license,
            "model": asdict(model_config),
            "train": asdict(train_config),
            "size": experiment_size(),
            "seed_offset": seed_offset(),
            "code": hashlib.sha256(code).hexdigest(),
        },
        sort_keys=True,
    )
    return (
        f"{corpus.name}-{experiment_size()}-"
        f"{hashlib.sha256(spec.encode()).hexdigest()[:16]}"
    )


def train_or_load(
    corpus: Corpus | str,
    model_config: ModelConfig,
    train_config: TrainConfig,
    device: torch.device | str | None = None,
    progress: bool | None = None,
    cache: Path | str | None = None,
) -> TrainedRun:
    """Load the run from ``cache / "checkpoints" / run_key(...)`` or train it and store
    it there.

    ``cache`` defaults to :func:`lib.download.cache_dir`. Training seeds torch with
    ``train_config.seed`` first, so the same key always means the same initial weights.
    A cached run whose checkpoints do not all load is set aside and trained again (see
    the module docstring).
    """
    corpus = load_corpus(corpus) if isinstance(corpus, str) else corpus
    key = run_key(corpus, model_config, train_config)
    folder = Path(cache or cache_dir()) / "checkpoints" / key
    paths = [folder / name for name in THIRDS]
    with file_lock(
        folder.parent / f"{key}.lock"
    ):  # one process trains, the others wait and load
        from_cache = paths[-1].is_file()
        if from_cache:
            fault = _first_fault(paths, corpus, model_config, train_config)
            if fault is not None:
                _set_aside(folder, *fault)
                from_cache = False
        if not from_cache:
            seed_everything(train_config.seed)
            model = CharLSTM(corpus.vocab, model_config).to(device or default_device())
            train(model, corpus, train_config, checkpoint_dir=folder, progress=progress)
        final = read_checkpoint(paths[-1])
    return TrainedRun(
        load_model(final, device or default_device()),
        corpus,
        train_config,
        CharHistory(**final["history"]),
        paths,
        final["machine"],
        from_cache,
    )


def _first_fault(
    paths: list[Path],
    corpus: Corpus,
    model_config: ModelConfig,
    train_config: TrainConfig,
) -> tuple[Path, str] | None:
    """The first of a run's checkpoints that does not load as the run's, and why.

    None when every one reads (:func:`~lib.text.model.read_checkpoint`), holds the
    corpus's vocabulary, loads into a :class:`CharLSTM` of ``model_config`` and names
    the run's corpus and ``train_config``, with the history and machine the trainer
    writes.
    """
    with torch.random.fork_rng(
        devices=[]
    ):  # leave the caller's random numbers as they were
        model = CharLSTM(corpus.vocab, model_config)
    for path in paths:
        try:
            checkpoint = read_checkpoint(path)
            if checkpoint["vocab"] != list(corpus.vocab.chars):
                return path, (
                    f"trained on a vocabulary of {len(checkpoint['vocab'])} "
                    f"characters, not on the {len(corpus.vocab)} of "
                    f"{corpus.name}"
                )
            model.load_checkpoint(checkpoint)
            if checkpoint["corpus"]["sha256"] != corpus.sha256 or checkpoint[
                "train_config"
            ] != asdict(train_config):
                return (
                    path,
                    "written by another run (another corpus or training config)",
                )
            # an error unless the trainer's history
            CharHistory(**checkpoint["history"])
            if "machine" not in checkpoint:
                return path, "it does not say which machine trained it"
        except CheckpointError as err:
            return path, err.reason
        except Exception as err:  # whatever keeps a file the cache wrote from loading
            return path, f"{type(err).__name__}: {err}"
    return None


def _set_aside(folder: Path, path: Path, fault: str) -> Path:
    """Rename a broken run's ``folder`` to ``<name>.broken-<time>``, saying so in one
    line on standard output (the book's build fails on anything written to stderr)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside, n = folder.with_name(f"{folder.name}.broken-{stamp}"), 0
    while aside.exists():  # broken twice within a second
        n += 1
        aside = folder.with_name(f"{folder.name}.broken-{stamp}-{n}")
    folder.rename(aside)
    fault = " ".join(fault.split())
    fault = fault if len(fault) <= 300 else fault[:297] + "..."
    print(
        f"checkpoint cache: {path} does not load ({fault}); moved the run to "
        f"{aside.name} and training it again"
    )
    return aside


def chapter_configs(corpus: str = "shakespeare") -> tuple[ModelConfig, TrainConfig]:
    """The configs chapter 4 trains at the current ``BOOK_SIZE`` (book: minutes on 2 CPU
    cores; full: the course's larger model, for a GPU). Tiny Shakespeare gets the long
    run; another corpus (the Dutch book) a short one."""
    main = corpus == "shakespeare"
    return by_size(
        smoke=(
            ModelConfig(num_hiddens=32, embedding_dim=16),
            TrainConfig(steps=90, batch_size=32, eval_every=30),
        ),
        book=(
            ModelConfig(num_hiddens=128, embedding_dim=64),
            TrainConfig(steps=10_000 if main else 3_000, eval_every=500),
        ),
        full=(
            ModelConfig(num_hiddens=512, embedding_dim=128, dropout=0.3),
            TrainConfig(steps=6_000 if main else 3_000, seq_length=100, eval_every=250),
        ),
    )


def chapter_run(
    corpus: str = "shakespeare", progress: bool | None = None
) -> TrainedRun:
    """Chapter 4's trained model at the current size: trained once, then loaded from the
    cache.

    >>> run = chapter_run()  # the temperature lab: the chapter's own model
    >>> sampler = lib.text.sampling.Sampler(run.model)
    """
    return train_or_load(corpus, *chapter_configs(corpus), progress=progress)
