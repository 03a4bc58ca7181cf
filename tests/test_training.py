"""lib.training's helpers: eval mode for a block, then the mode the model was in."""

import pytest
import torch
from torch import nn

from lib.training import eval_mode, evaluate


def model_with_dropout() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.Linear(4, 2))


@pytest.mark.parametrize("training", [True, False])
def test_eval_mode_turns_dropout_off_then_restores_the_mode(training):
    model = model_with_dropout().train(training)
    with eval_mode(model) as inside:
        assert inside is model
        assert not any(m.training for m in model.modules())
    assert all(m.training is training for m in model.modules())


@pytest.mark.parametrize("training", [True, False])
def test_eval_mode_restores_the_mode_when_the_block_raises(training):
    model = model_with_dropout().train(training)
    with pytest.raises(RuntimeError, match="inside"), eval_mode(model):
        raise RuntimeError("inside")
    assert all(m.training is training for m in model.modules())


def test_evaluate_is_deterministic_and_leaves_training_mode_on():
    torch.manual_seed(0)
    model = model_with_dropout().train()
    x, y = torch.randn(16, 3), torch.randint(2, (16,))
    assert evaluate(model, x, y) == evaluate(model, x, y)  # dropout off meanwhile
    assert model.training


def test_evaluate_restores_the_mode_when_the_model_fails():
    model = model_with_dropout().train()
    with pytest.raises(RuntimeError):
        wrong_width = torch.randn(4, 5)
        evaluate(model, wrong_width, torch.zeros(4, dtype=torch.long))
    assert model.training
