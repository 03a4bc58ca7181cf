"""A small character model for the sampler and lab tests."""

import torch

from lib.text.corpus import Vocabulary
from lib.text.model import CharLSTM, ModelConfig


def sharp_char_model(
    vocab: Vocabulary,
    lstm: str = "torch",
    num_layers: int = 2,
    n: int = 16,
    seed: int = 0,
) -> CharLSTM:
    """A CharLSTM (n units, embedding 6) in eval mode, its read-out scaled up 8 times:
    sharper than at initialisation, so that the sampler's choices matter."""
    torch.manual_seed(seed)
    config = ModelConfig(
        num_hiddens=n, num_layers=num_layers, embedding_dim=6, lstm=lstm
    )
    model = CharLSTM(vocab, config).eval()
    with torch.no_grad():
        model.W_ph.mul_(8)
    return model
