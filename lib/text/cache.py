"""The checkpoint cache of chapter 4: a trained run is computed once and loaded after.

:func:`train_or_load` keys a finished run by the corpus checksum, both configs, the experiment
size and the training code (:func:`run_key`), and stores its checkpoints under
``lib.download.cache_dir() / "checkpoints"``: another notebook asking for the same run loads
it instead of training again. :func:`chapter_run` is the run each chapter uses at the current
``BOOK_SIZE``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from lib.download import cache_dir, file_lock
from lib.runtime import by_size, default_device, experiment_size
from lib.text import corpus as corpus_module
from lib.text import model as model_module
from lib.text import training as training_module
from lib.text.corpus import Corpus, load_corpus
from lib.text.model import CharLSTM, ModelConfig, load_model, read_checkpoint
from lib.text.training import THIRDS, CharHistory, TrainConfig, train


@dataclass
class TrainedRun:
    """A finished training run: the final model (eval mode), its history and checkpoints."""

    model: CharLSTM
    corpus: Corpus
    train_config: TrainConfig
    history: CharHistory
    checkpoints: list[Path]      # third-1.pt, third-2.pt, final.pt
    machine: str                 # lib.runtime.describe() of the machine that trained it
    from_cache: bool

    @property
    def minutes(self) -> float:
        """Wall-clock minutes of training, measured when it ran (evaluations included)."""
        return self.history.seconds[-1] / 60


def run_key(corpus: Corpus, model_config: ModelConfig, train_config: TrainConfig) -> str:
    """A name for a run: the corpus, the size and a hash of everything that shapes the weights.

    The hash covers the corpus checksum and split, both configs, the experiment size and the
    source of the modules that define the data, the model and the training loop.
    """
    modules = (corpus_module, model_module, training_module)
    code = b"".join(Path(m.__file__).read_bytes() for m in modules) + Path(__file__).read_bytes()
    spec = json.dumps({"corpus": corpus.sha256, "valid_fraction": corpus.valid_fraction,
                       "keep_license": corpus.keep_license,
                       "model": asdict(model_config), "train": asdict(train_config),
                       "size": experiment_size(), "code": hashlib.sha256(code).hexdigest()},
                      sort_keys=True)
    return f"{corpus.name}-{experiment_size()}-{hashlib.sha256(spec.encode()).hexdigest()[:16]}"


def train_or_load(corpus: Corpus | str, model_config: ModelConfig, train_config: TrainConfig,
                  device: torch.device | str | None = None, progress: bool | None = None,
                  cache: Path | str | None = None) -> TrainedRun:
    """Load the run from ``cache / "checkpoints" / run_key(...)`` or train it and store it there.

    ``cache`` defaults to :func:`lib.download.cache_dir`. Training seeds torch with
    ``train_config.seed`` first, so the same key always means the same initial weights.
    """
    corpus = load_corpus(corpus) if isinstance(corpus, str) else corpus
    key = run_key(corpus, model_config, train_config)
    folder = Path(cache or cache_dir()) / "checkpoints" / key
    paths = [folder / name for name in THIRDS]
    with file_lock(folder.parent / f"{key}.lock"):   # one process trains, the others wait and load
        from_cache = paths[-1].is_file()
        if not from_cache:
            torch.manual_seed(train_config.seed)
            model = CharLSTM(corpus.vocab, model_config).to(device or default_device())
            train(model, corpus, train_config, checkpoint_dir=folder, progress=progress)
    final = read_checkpoint(paths[-1])
    return TrainedRun(load_model(final, device or default_device()), corpus, train_config,
                      CharHistory(**final["history"]), paths, final["machine"], from_cache)


def chapter_configs(corpus: str = "shakespeare") -> tuple[ModelConfig, TrainConfig]:
    """The configs chapter 4 trains at the current ``BOOK_SIZE`` (book: minutes on 2 CPU cores;
    full: the course's larger model, for a GPU). Tiny Shakespeare gets the long run; another
    corpus (the Dutch book) a short one."""
    main = corpus == "shakespeare"
    return by_size(
        smoke=(ModelConfig(num_hiddens=32, embedding_dim=16),
               TrainConfig(steps=90, batch_size=32, eval_every=30)),
        book=(ModelConfig(num_hiddens=128, embedding_dim=64),
              TrainConfig(steps=10_000 if main else 3_000, eval_every=500)),
        full=(ModelConfig(num_hiddens=512, embedding_dim=128, dropout=0.3),
              TrainConfig(steps=6_000 if main else 3_000, seq_length=100, eval_every=250)))


def chapter_run(corpus: str = "shakespeare", progress: bool | None = None) -> TrainedRun:
    """Chapter 4's trained model at the current size: trained once, then loaded from the cache.

    >>> run = chapter_run()                    # the temperature lab: the chapter's own model
    >>> sampler = lib.text.sampling.Sampler(run.model)
    """
    return train_or_load(corpus, *chapter_configs(corpus), progress=progress)
