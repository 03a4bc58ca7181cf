"""The text wing: the character-level LSTM of the text-generation chapters.

A corpus and its vocabulary (:mod:`~lib.text.corpus`), the character model
(:mod:`~lib.text.model`), its training loop as in the course
(:mod:`~lib.text.training`), the checkpoint cache that trains a run once
(:mod:`~lib.text.cache`), the sampler: greedy, temperature, top-k and beam search
(:mod:`~lib.text.sampling`), and stateful truncated BPTT, the training that carries the
state from one window to the next (:mod:`~lib.text.tbptt`). The temperature lab lives in
:mod:`lib.text.templab` (imported on its own: it brings the widgets), the drawing of a
beam search in :mod:`lib.text.drawing` (imported on its own: it brings matplotlib).

Imports the shared modules of :mod:`lib` and the LSTM of :mod:`lib.recurrent`.
"""

from lib.text.cache import (
    TrainedRun,
    chapter_configs,
    chapter_run,
    run_key,
    train_or_load,
)
from lib.text.corpus import (
    CORPORA,
    Corpus,
    UnknownCharacterError,
    Vocabulary,
    decode_text,
    load_corpus,
    parallel_streams,
    random_windows,
    read_text,
    strip_gutenberg,
    tiled_windows,
)
from lib.text.model import (
    CharLSTM,
    CheckpointError,
    ModelConfig,
    VocabularyMismatchError,
    load_model,
    read_checkpoint,
    save_checkpoint,
)
from lib.text.sampling import (
    Beam,
    BeamNode,
    BeamTree,
    Sampler,
    check_temperature,
    entropy_bits,
    export_weights,
    find_loop,
    log_softmax,
    one_line,
    repeated_ngram_share,
    softmax_with_temperature,
)
from lib.text.tbptt import stateful_step, stream_windows, train_streams
from lib.text.training import (
    CharHistory,
    TrainConfig,
    bits,
    checkpoint_steps,
    evaluate_stream,
    evaluate_windows,
    fit,
    train,
    train_step,
)

__all__ = [
    "CORPORA",
    "Beam",
    "BeamNode",
    "BeamTree",
    "CharHistory",
    "CharLSTM",
    "CheckpointError",
    "Corpus",
    "ModelConfig",
    "Sampler",
    "TrainConfig",
    "TrainedRun",
    "UnknownCharacterError",
    "Vocabulary",
    "VocabularyMismatchError",
    "bits",
    "chapter_configs",
    "chapter_run",
    "check_temperature",
    "checkpoint_steps",
    "decode_text",
    "entropy_bits",
    "evaluate_stream",
    "evaluate_windows",
    "export_weights",
    "find_loop",
    "fit",
    "load_corpus",
    "load_model",
    "log_softmax",
    "one_line",
    "parallel_streams",
    "random_windows",
    "read_checkpoint",
    "read_text",
    "repeated_ngram_share",
    "run_key",
    "save_checkpoint",
    "softmax_with_temperature",
    "stateful_step",
    "stream_windows",
    "strip_gutenberg",
    "tiled_windows",
    "train",
    "train_or_load",
    "train_step",
    "train_streams",
]
