"""The character-level language model of chapter 4: embedding, stacked LSTM, linear read-out.

For characters s_1 .. s_T (ids into the model's :class:`~lib.text.corpus.Vocabulary`):

    x_t = E[s_t]                                                      E (V, d)
    (h_t^(l), c_t^(l)) = LSTM^(l)(h_t^(l-1), (h_{t-1}^(l), c_{t-1}^(l))),   h_t^(0) = x_t
    p_t = W_ph h_t^(L) + b_p                                          W_ph (V, n), b_p (V,)

with chapter 2's LSTM in every layer, and p_t (the logits) scores every candidate for the next
character: P(s_{t+1} = v | s_1..s_t) = softmax(p_t)_v. The LSTM's weights are laid out as
``torch.nn.LSTM``'s: ``weight_ih_l{l}`` (4n, d_l), ``weight_hh_l{l}`` (4n, n), ``bias_ih_l{l}``,
``bias_hh_l{l}`` (4n,), gate rows in the order input, forget, candidate, output (chapter 2's
W_ix, W_fx, W_gx, W_ox stacked). ``ModelConfig(lstm="lib")`` puts chapter 2's
:class:`lib.recurrent.lstm.StackedLSTM` inside instead: the same parameters, the same function.

A checkpoint is a plain dict saved with ``torch.save``: the weights, the vocabulary, the model's
config and whatever the trainer adds (step, history). It loads with ``weights_only=True``, and
loading it into a model of another vocabulary is an error that names the difference.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from lib.recurrent.base import uniform_
from lib.recurrent.encodings import SequenceInput
from lib.recurrent.lstm import StackedLSTM
from lib.text.corpus import Vocabulary

CHECKPOINT_FORMAT = 1
LSTM_KINDS = ("torch", "lib")


@dataclass(frozen=True)
class ModelConfig:
    """The shape of a :class:`CharLSTM` (the course: 2 layers of 128 units; 256+ for full)."""

    num_hiddens: int = 128
    num_layers: int = 2
    embedding_dim: int = 64
    dropout: float = 0.0   # between LSTM layers and before the read-out, while training
    lstm: str = "torch"    # "torch": torch.nn.LSTM; "lib": chapter 2's lib.recurrent.lstm.StackedLSTM

    def __post_init__(self):
        if self.lstm not in LSTM_KINDS:
            raise ValueError(f"lstm={self.lstm!r}: expected one of {LSTM_KINDS}")
        if min(self.num_hiddens, self.num_layers, self.embedding_dim) < 1:
            raise ValueError(f"{self}: sizes must be positive")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout={self.dropout}: expected a probability in [0, 1)")


class VocabularyMismatchError(ValueError):
    """A checkpoint was trained on other characters than the model reads."""


class CharLSTM(nn.Module):
    """Next-character model. ``forward(seq, state)``: seq (B, T) ids -> logits (B, T, V), state.

    ``state`` is ``(h, c)``, each (L, B, n), the hidden and cell states of every layer after the
    last step; pass it back in to continue reading where the text left off (None: zeros).
    """

    def __init__(self, vocab: Vocabulary, config: ModelConfig = ModelConfig()):
        super().__init__()
        self.vocab, self.config = vocab, config
        V, n = len(vocab), config.num_hiddens
        self.inputs = SequenceInput("embedding", num_symbols=V, input_dim=config.embedding_dim)
        self.lstm = make_lstm(config)
        self.drop = nn.Dropout(config.dropout)
        self.W_ph = nn.Parameter(uniform_(torch.empty(V, n), n))
        self.b_p = nn.Parameter(uniform_(torch.empty(V), n))

    @property
    def E(self) -> nn.Parameter:
        return self.inputs.E

    def layer_weights(self, layer: int) -> tuple[torch.Tensor, ...]:
        """(W_ih (4n, d_l), W_hh (4n, n), b_ih (4n,), b_hh (4n,)) of LSTM layer ``layer``."""
        if self.config.lstm == "torch":
            return tuple(getattr(self.lstm, f"{name}_l{layer}")
                         for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
        cell = self.lstm.layers[layer]
        return (cell.weight_ih, cell.weight_hh, *cell.biases())

    def forward(self, seq: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None):
        X = self.inputs(seq, dtype=self.W_ph.dtype)              # (B, T, d)
        H, state = self.lstm(X, state)                           # (B, T, n)
        return self.drop(H) @ self.W_ph.T + self.b_p, state      # (B, T, V)

    def checkpoint(self, **extra) -> dict:
        """Everything needed to rebuild this model, plus ``extra`` (plain Python values)."""
        return {"format": CHECKPOINT_FORMAT, "vocab": list(self.vocab.chars),
                "model_config": asdict(self.config),
                "state_dict": {k: v.detach().cpu() for k, v in self.state_dict().items()},
                **extra}

    def load_checkpoint(self, checkpoint: dict) -> "CharLSTM":
        """Load a checkpoint's weights; it must have been trained on this model's vocabulary."""
        _check_format(checkpoint)
        theirs = Vocabulary(checkpoint["vocab"])
        if theirs != self.vocab:
            raise VocabularyMismatchError(_vocab_difference(theirs, self.vocab))
        if ModelConfig(**checkpoint["model_config"]) != self.config:
            raise ValueError(f"the checkpoint's model is {checkpoint['model_config']}, "
                             f"this one is {asdict(self.config)}")
        self.load_state_dict(checkpoint["state_dict"])
        return self


def make_lstm(config: ModelConfig) -> nn.Module:
    """torch.nn.LSTM, or chapter 2's StackedLSTM holding the same parameters (torch's init)."""
    dropout = config.dropout if config.num_layers > 1 else 0.0
    args = (config.embedding_dim, config.num_hiddens, config.num_layers)
    if config.lstm == "torch":
        return nn.LSTM(*args, batch_first=True, dropout=dropout)
    return StackedLSTM(*args, dropout=dropout, forget_bias=None)


def _check_format(checkpoint) -> None:
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(f"not a character-model checkpoint of format {CHECKPOINT_FORMAT}")


def _vocab_difference(theirs: Vocabulary, ours: Vocabulary) -> str:
    only_theirs = sorted(set(theirs.chars) - set(ours.chars))
    only_ours = sorted(set(ours.chars) - set(theirs.chars))
    return (f"the checkpoint was trained on a vocabulary of {len(theirs)} characters, this model "
            f"reads {len(ours)}: only in the checkpoint {''.join(only_theirs)!r}, only in the "
            f"model {''.join(only_ours)!r}. Character ids would mean other characters; build "
            f"the model from the checkpoint instead (lib.text.model.load_model).")


def save_checkpoint(checkpoint: dict, path: str | Path) -> Path:
    """``torch.save`` to a temporary file next to ``path``, then rename: never half-written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(checkpoint, f)
        os.chmod(tmp, 0o644)   # mkstemp makes it private; a cache is for every reader
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_checkpoint(path: str | Path) -> dict:
    """A checkpoint dict, read with ``weights_only=True`` (tensors and plain values only)."""
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    _check_format(checkpoint)
    return checkpoint


def load_model(path_or_checkpoint, device: torch.device | str | None = None) -> CharLSTM:
    """Rebuild the model a checkpoint describes (its vocabulary and config), in eval mode."""
    checkpoint = (path_or_checkpoint if isinstance(path_or_checkpoint, dict)
                  else read_checkpoint(path_or_checkpoint))
    _check_format(checkpoint)
    model = CharLSTM(Vocabulary(checkpoint["vocab"]), ModelConfig(**checkpoint["model_config"]))
    return model.load_checkpoint(checkpoint).to(device or "cpu").eval()
