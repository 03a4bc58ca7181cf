"""The character-level language model of chapter 4: embedding, stacked LSTM, linear
read-out.

For characters s_1 .. s_T (ids into the model's :class:`~lib.text.corpus.Vocabulary`):

    x_t = E[s_t]                                                   E (V, d)
    (h_t^(l), c_t^(l)) = LSTM^(l)(h_t^(l-1), (h_{t-1}^(l), c_{t-1}^(l))),  h_t^(0) = x_t
    p_t = W_ph h_t^(L) + b_p                                       W_ph (V, n), b_p (V,)

with chapter 2's LSTM in every layer, and p_t (the logits) scores every candidate for
the next character: P(s_{t+1} = v | s_1..s_t) = softmax(p_t)_v. The LSTM's weights are
laid out as ``torch.nn.LSTM``'s: ``weight_ih_l{l}`` (4n, d_l),
``weight_hh_l{l}`` (4n, n), ``bias_ih_l{l}``, ``bias_hh_l{l}`` (4n,), gate rows in the
order input, forget, candidate, output (chapter 2's W_ix, W_fx, W_gx, W_ox stacked).
``ModelConfig(lstm="lib")`` puts chapter 2's :class:`lib.recurrent.lstm.StackedLSTM`
inside instead: the same parameters, the same function.

A checkpoint is a plain dict saved with ``torch.save``: the weights, the vocabulary, the
model's config and whatever the trainer adds (step, history). It loads with
``weights_only=True``, and loading it into a model of another vocabulary is an error
that names the difference. A file that is not such a checkpoint (truncated, another kind
of file, missing) is a :class:`CheckpointError` that names the file and what is wrong
with it.
"""

from __future__ import annotations

import pickle
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from lib.download import atomic_write
from lib.recurrent.base import uniform_
from lib.recurrent.encodings import SequenceInput
from lib.recurrent.lstm import StackedLSTM
from lib.text.corpus import Vocabulary

CHECKPOINT_FORMAT = 1
LSTM_KINDS = ("torch", "lib")


@dataclass(frozen=True)
class ModelConfig:
    """The shape of a :class:`CharLSTM` (the course: 2 layers of 128 units; 256+ for
    full)."""

    num_hiddens: int = 128
    num_layers: int = 2
    embedding_dim: int = 64
    dropout: float = 0.0  # between LSTM layers and before the read-out, while training
    # "torch": torch.nn.LSTM; "lib": chapter 2's lib.recurrent.lstm.StackedLSTM
    lstm: str = "torch"

    def __post_init__(self):
        if self.lstm not in LSTM_KINDS:
            raise ValueError(f"lstm={self.lstm!r}: expected one of {LSTM_KINDS}")
        if min(self.num_hiddens, self.num_layers, self.embedding_dim) < 1:
            raise ValueError(f"{self}: sizes must be positive")
        if not 0 <= self.dropout < 1:
            raise ValueError(
                f"dropout={self.dropout}: expected a probability in [0, 1)"
            )


class VocabularyMismatchError(ValueError):
    """A checkpoint was trained on other characters than the model reads."""


class CheckpointError(ValueError):
    """A file is not a character-model checkpoint: ``path`` is which, ``reason`` why."""

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = Path(path), reason
        super().__init__(
            f"{path}: not a character-model checkpoint: {reason}. Give a file "
            f"written by lib.text.model.save_checkpoint (a run's third-1.pt, "
            f"third-2.pt or final.pt); a damaged one cannot be repaired, only written "
            f"again (lib.text.cache.train_or_load retrains a damaged cached run "
            f"itself)."
        )


class CharLSTM(nn.Module):
    """Next-character model. ``forward(seq, state)``: seq (B, T) ids -> logits
    (B, T, V), state.

    ``state`` is ``(h, c)``, each (L, B, n), the hidden and cell states of every layer
    after the last step; pass it back in to continue reading where the text left off
    (None: zeros).
    """

    def __init__(self, vocab: Vocabulary, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.vocab, self.config = vocab, config
        V, n = len(vocab), config.num_hiddens
        self.inputs = SequenceInput(
            "embedding", num_symbols=V, input_dim=config.embedding_dim
        )
        self.lstm = make_lstm(config)
        self.drop = nn.Dropout(config.dropout)
        self.W_ph = nn.Parameter(uniform_(torch.empty(V, n), n))
        self.b_p = nn.Parameter(uniform_(torch.empty(V), n))

    @property
    def E(self) -> nn.Parameter:
        return self.inputs.E

    def layer_weights(self, layer: int) -> tuple[torch.Tensor, ...]:
        """(W_ih (4n, d_l), W_hh (4n, n), b_ih (4n,), b_hh (4n,)) of LSTM layer
        ``layer``."""
        if self.config.lstm == "torch":
            return tuple(
                getattr(self.lstm, f"{name}_l{layer}")
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            )
        cell = self.lstm.layers[layer]
        return (cell.weight_ih, cell.weight_hh, *cell.biases())

    def forward(
        self, seq: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ):
        X = self.inputs(seq, dtype=self.W_ph.dtype)  # (B, T, d)
        H, state = self.lstm(X, state)  # (B, T, n)
        return self.drop(H) @ self.W_ph.T + self.b_p, state  # (B, T, V)

    def checkpoint(self, **extra) -> dict:
        """Everything needed to rebuild this model, plus ``extra``
        (plain Python values)."""
        return {
            "format": CHECKPOINT_FORMAT,
            "vocab": list(self.vocab.chars),
            "model_config": asdict(self.config),
            "state_dict": {k: v.detach().cpu() for k, v in self.state_dict().items()},
            **extra,
        }

    def load_checkpoint(self, checkpoint: dict) -> CharLSTM:
        """Load a checkpoint's weights; it must have been trained on this model's
        vocabulary."""
        _check_format(checkpoint)
        theirs = Vocabulary(checkpoint["vocab"])
        if theirs != self.vocab:
            raise VocabularyMismatchError(_vocab_difference(theirs, self.vocab))
        if ModelConfig(**checkpoint["model_config"]) != self.config:
            raise ValueError(
                f"the checkpoint's model is {checkpoint['model_config']}, "
                f"this one is {asdict(self.config)}"
            )
        self.load_state_dict(checkpoint["state_dict"])
        return self


def make_lstm(config: ModelConfig) -> nn.Module:
    """torch.nn.LSTM, or chapter 2's StackedLSTM holding the same parameters
    (torch's init)."""
    dropout = config.dropout if config.num_layers > 1 else 0.0
    args = (config.embedding_dim, config.num_hiddens, config.num_layers)
    if config.lstm == "torch":
        return nn.LSTM(*args, batch_first=True, dropout=dropout)
    return StackedLSTM(*args, dropout=dropout, forget_bias=None)


def _check_format(checkpoint) -> None:
    fault = _format_fault(checkpoint)
    if fault:
        raise ValueError(
            f"not a character-model checkpoint of format {CHECKPOINT_FORMAT}: {fault}"
        )


def _format_fault(checkpoint) -> str | None:
    """What keeps ``checkpoint`` from being one of ours (None: nothing)."""
    if not isinstance(checkpoint, dict):
        return f"it holds a {type(checkpoint).__name__}, not a dict"
    if "format" not in checkpoint:
        keys = ", ".join(map(str, checkpoint))
        return f"a dict without a 'format' entry (its keys: {keys})"
    if checkpoint["format"] != CHECKPOINT_FORMAT:
        return (
            f"format {checkpoint['format']!r}, this code reads format "
            f"{CHECKPOINT_FORMAT}"
        )
    missing = sorted({"vocab", "model_config", "state_dict"} - checkpoint.keys())
    return f"it has no {', '.join(missing)}" if missing else None


def _vocab_difference(theirs: Vocabulary, ours: Vocabulary) -> str:
    only_theirs = sorted(set(theirs.chars) - set(ours.chars))
    only_ours = sorted(set(ours.chars) - set(theirs.chars))
    return (
        f"the checkpoint was trained on a vocabulary of {len(theirs)} characters, this "
        f"model reads {len(ours)}: only in the checkpoint {''.join(only_theirs)!r}, "
        f"only in the model {''.join(only_ours)!r}. Character ids would mean other "
        "characters; build the model from the checkpoint instead "
        "(lib.text.model.load_model)."
    )


def save_checkpoint(checkpoint: dict, path: str | Path) -> Path:
    """``torch.save`` to a temporary file next to ``path``, then rename: never
    half-written (:func:`lib.download.atomic_write`)."""
    return atomic_write(path, lambda f: torch.save(checkpoint, f))


def read_checkpoint(path: str | Path) -> dict:
    """A checkpoint dict, read with ``weights_only=True`` (tensors and plain values).

    A file that is not one is a :class:`CheckpointError` naming it. ``torch.save``
    writes a zip archive, so a file that is not a whole zip (truncated, text, empty) is
    refused before torch reads it.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(path, "a folder" if path.is_dir() else "no such file")
    if not zipfile.is_zipfile(path):
        reason = (
            f"not a zip archive as torch.save writes ({_size(path)}: truncated, "
            f"or another kind of file)"
        )
        raise CheckpointError(path, reason)
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as err:
        raise CheckpointError(path, _unsafe_reason(err)) from None
    except Exception as err:  # torch reading a zip it did not write, or a damaged one
        reason = f"torch cannot read this zip archive ({_brief(err)})"
        raise CheckpointError(path, reason) from None
    fault = _format_fault(checkpoint)
    if fault:
        raise CheckpointError(path, fault)
    return checkpoint


def load_model(
    path_or_checkpoint, device: torch.device | str | None = None
) -> CharLSTM:
    """Rebuild the model a checkpoint describes (its vocabulary and config), in eval
    mode."""
    if isinstance(path_or_checkpoint, dict):
        return _model_of(path_or_checkpoint).to(device or "cpu").eval()
    checkpoint = read_checkpoint(path_or_checkpoint)
    try:
        model = _model_of(checkpoint)
    except (KeyError, TypeError, ValueError, RuntimeError) as err:  # e.g. wrong shapes
        raise CheckpointError(
            path_or_checkpoint, f"its model cannot be rebuilt ({_brief(err)})"
        ) from None
    return model.to(device or "cpu").eval()


def _model_of(checkpoint: dict) -> CharLSTM:
    _check_format(checkpoint)
    model = CharLSTM(
        Vocabulary(checkpoint["vocab"]), ModelConfig(**checkpoint["model_config"])
    )
    return model.load_checkpoint(checkpoint)


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size} byte{'s' * (size != 1)}"


def _brief(err: Exception, limit: int = 200) -> str:
    """``err`` on one line of at most ``limit`` characters: its type and message."""
    text = " ".join(f"{type(err).__name__}: {err}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unsafe_reason(err: pickle.UnpicklingError) -> str:
    """torch's weights-only refusal, without its advice to load the file unsafely."""
    found = re.search(r"GLOBAL (\S+)", str(err))
    what = f"a {found.group(1)}" if found else "something"
    return (
        f"it holds {what} besides tensors and plain Python values, which a "
        f"character-model checkpoint never does (only those are read: nothing in "
        f"the file runs)"
    )
