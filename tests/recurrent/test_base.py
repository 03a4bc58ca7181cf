"""lib.recurrent.base: what every recurrent classifier shares."""

import pytest
import torch

from lib.recurrent import LSTM, PeepholeLSTM, ReLURNN, VanillaRNN
from lib.runtime import default_device


@pytest.mark.parametrize("Model", [VanillaRNN, LSTM, PeepholeLSTM, ReLURNN])
def test_runs_on_the_default_device(Model):
    device = default_device()
    model = Model(8, 10).to(device)
    logits = model(torch.randint(10, (2, 3), device=device))
    assert logits.device.type == device.type and logits.shape == (2, 10)


@pytest.mark.parametrize(
    ("Model", "states"), [(VanillaRNN, 1), (PeepholeLSTM, 2), (ReLURNN, 2), (LSTM, 2)]
)
def test_the_state_starts_at_zero(Model, states):
    model = Model(5, 3).double()
    like = torch.zeros(1, dtype=torch.float64)
    state = model.init_state(4, like)
    assert len(state) == states, f"{Model.__name__}: {len(state)} state tensors"
    assert all(s.shape == (4, 5) and s.dtype == torch.float64 for s in state)
    assert all(not s.any() for s in state)
