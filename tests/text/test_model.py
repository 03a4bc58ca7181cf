"""lib.text.model and lib.text.training: the equations, checkpoints and training."""

from __future__ import annotations

import math
import traceback
import zipfile

import numpy as np
import pytest
import torch
from torch import nn

from lib.text import training
from lib.text.corpus import Vocabulary, load_corpus
from lib.text.model import (
    CharLSTM,
    CheckpointError,
    ModelConfig,
    VocabularyMismatchError,
    load_model,
    read_checkpoint,
    save_checkpoint,
)
from lib.text.training import (
    TrainConfig,
    checkpoint_steps,
    evaluate_stream,
    evaluate_windows,
    train,
)

VOCAB = Vocabulary("abcdefgh ")
SMALL = ModelConfig(num_hiddens=12, num_layers=2, embedding_dim=5)


def model(config=SMALL, seed=0, vocab=VOCAB):
    torch.manual_seed(seed)
    return CharLSTM(vocab, config).double()


def test_logits_are_the_equations():
    """Embedding, two LSTM layers (chapter 2's six equations each), read-out, step by
    step."""
    m = model()
    seq = torch.randint(0, len(VOCAB), (3, 7))
    logits, (h_T, m_T) = m(seq)
    h = [torch.zeros(3, 12, dtype=torch.float64) for _ in range(2)]
    c = [torch.zeros(3, 12, dtype=torch.float64) for _ in range(2)]
    for t in range(7):
        x = m.E[seq[:, t]]
        for layer in range(2):
            W_ih, W_hh, b_ih, b_hh = m.layer_weights(layer)
            i, f, g, o = (x @ W_ih.T + h[layer] @ W_hh.T + b_ih + b_hh).chunk(4, dim=1)
            c[layer] = torch.sigmoid(f) * c[layer] + torch.sigmoid(i) * torch.tanh(g)
            h[layer] = torch.sigmoid(o) * torch.tanh(c[layer])
            x = h[layer]
        torch.testing.assert_close(
            logits[:, t], x @ m.W_ph.T + m.b_p, rtol=0, atol=1e-12
        )
    torch.testing.assert_close(h_T, torch.stack(h))
    torch.testing.assert_close(m_T, torch.stack(c))


def test_parameter_count_formula():
    V, d, n = len(VOCAB), SMALL.embedding_dim, SMALL.num_hiddens
    formula = V * d + 4 * n * (d + n + 2) + 4 * n * (n + n + 2) + n * V + V
    assert sum(p.numel() for p in model().parameters()) == formula


def test_carrying_the_state_is_reading_on():
    m = model()
    seq = torch.randint(0, len(VOCAB), (2, 20))
    whole, _ = m(seq)
    first, state = m(seq[:, :8])
    rest, _ = m(seq[:, 8:], state)
    torch.testing.assert_close(torch.cat([first, rest], 1), whole, rtol=0, atol=1e-12)


@pytest.mark.parametrize("fused", [True, False])
def test_chapter_2_lstm_with_the_same_weights_gives_the_same_outputs(fused):
    ours = model(ModelConfig(num_hiddens=12, embedding_dim=5, lstm="lib"))
    theirs = model(ModelConfig(num_hiddens=12, embedding_dim=5, lstm="torch"), seed=1)
    ours.lstm.load_from_torch_(theirs.lstm)
    ours.lstm.fused = fused
    with torch.no_grad():
        ours.E.copy_(theirs.E)
        ours.W_ph.copy_(theirs.W_ph)
        ours.b_p.copy_(theirs.b_p)
    seq = torch.randint(0, len(VOCAB), (4, 9))
    (a, (ha, ca)), (b, (hb, cb)) = ours(seq), theirs(seq)
    for x, y in ((a, b), (ha, hb), (ca, cb)):
        torch.testing.assert_close(x, y, rtol=0, atol=1e-12)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="symbols must lie in"):
        model()(torch.tensor([[0, len(VOCAB)]]))
    with pytest.raises(TypeError, match="integers"):
        model()(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="lstm="):
        ModelConfig(lstm="keras")
    with pytest.raises(ValueError, match="dropout"):
        ModelConfig(dropout=1.0)


def test_checkpoint_round_trip_with_weights_only(tmp_path):
    m = model(ModelConfig(num_hiddens=12, embedding_dim=5, lstm="lib")).float()
    path = save_checkpoint(m.checkpoint(step=7, note="hello"), tmp_path / "ck" / "m.pt")
    assert [p.name for p in (tmp_path / "ck").iterdir()] == [
        "m.pt"
    ]  # no temporary left
    raw = torch.load(path, weights_only=True)  # plain values and tensors only
    assert raw["vocab"] == list(VOCAB.chars) and raw["step"] == 7
    back = load_model(path)
    assert back.vocab == VOCAB and back.config == m.config and not back.training
    seq = torch.randint(0, len(VOCAB), (2, 5))
    assert torch.equal(back(seq)[0], m.eval()(seq)[0])


def test_loading_into_another_vocabulary_is_a_clear_error(tmp_path):
    path = save_checkpoint(model().checkpoint(), tmp_path / "m.pt")
    other = CharLSTM(Vocabulary("abcdefgh!"), SMALL).double()
    with pytest.raises(
        VocabularyMismatchError,
        match=r"only in the checkpoint ' '.*only in the model '!'",
    ):
        other.load_checkpoint(read_checkpoint(path))
    with pytest.raises(ValueError, match="model is"):
        CharLSTM(VOCAB, ModelConfig(num_hiddens=13)).load_checkpoint(
            read_checkpoint(path)
        )
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a character-model checkpoint"):
        load_model(tmp_path / "other.pt")


def truncated(folder):
    path = save_checkpoint(model().checkpoint(), folder / "final.pt")
    path.write_bytes(path.read_bytes()[:1000])
    return path


def text_file(folder):
    path = folder / "notes.pt"
    path.write_text("not a checkpoint\n")
    return path


def empty_file(folder):
    path = folder / "empty.pt"
    path.touch()
    return path


def zip_of_text(folder):
    path = folder / "archive.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return path


def numpy_inside(folder):
    path = folder / "numpy.pt"
    torch.save({"format": 1, "weights": np.zeros(3)}, path)
    return path


def plain_dict(folder):
    path = folder / "dict.pt"
    torch.save({"weights": torch.zeros(3)}, path)
    return path


def missing_file(folder):
    return folder / "missing.pt"


def a_folder(folder):
    return folder


NOT_CHECKPOINTS = [
    (truncated, "not a zip archive"),
    (text_file, "not a zip archive"),
    (empty_file, "0 bytes"),
    (zip_of_text, "torch cannot read"),
    (numpy_inside, "besides tensors"),
    (plain_dict, "without a 'format'"),
    (missing_file, "no such file"),
    (a_folder, "a folder"),
]


@pytest.mark.parametrize("make, reason", NOT_CHECKPOINTS)
@pytest.mark.parametrize("load", [read_checkpoint, load_model])
def test_a_file_that_is_not_a_checkpoint_is_a_clear_error(tmp_path, make, reason, load):
    """Ours, naming the file: never torch's advice to load with weights_only=False."""
    path = make(tmp_path)
    with pytest.raises(CheckpointError, match=reason) as caught:
        load(str(path))
    assert caught.value.path == path and isinstance(caught.value, ValueError)
    shown = "".join(traceback.format_exception(caught.value))  # what the reader sees
    assert str(path) in shown and "save_checkpoint" in shown
    for torch_words in ("weights_only", "PytorchStreamReader", "miniz"):
        assert torch_words not in shown


def test_a_checkpoint_whose_model_cannot_be_rebuilt_is_our_clear_error(tmp_path):
    checkpoint = model().checkpoint()
    checkpoint["state_dict"]["W_ph"] = torch.zeros(2, 2)
    path = save_checkpoint(checkpoint, tmp_path / "m.pt")
    assert read_checkpoint(path)["format"] == 1  # a checkpoint on the outside
    with pytest.raises(CheckpointError, match=r"cannot be rebuilt.*W_ph") as caught:
        load_model(path)
    assert str(path) in str(caught.value)


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "abc.txt"
    path.write_text("abcdefgh " * 120)
    return load_corpus(path)


def test_evaluations_are_the_mean_cross_entropy(corpus):
    m = model(vocab=corpus.vocab).float()
    ids = corpus.valid
    logits, _ = m(ids[None, :-1])
    whole = nn.functional.cross_entropy(logits[0], ids[1:]).item()
    loss, acc = evaluate_stream(
        m, ids, num_streams=1, chunk=7
    )  # state carried across chunks
    assert loss == pytest.approx(whole, rel=1e-5)
    assert acc == pytest.approx((logits[0].argmax(-1) == ids[1:]).float().mean().item())
    loss, acc, per_position = evaluate_windows(m, ids, seq_length=10)
    windows, _ = m(ids[: (len(ids) - 1) // 10 * 10].view(-1, 10))
    targets = ids[1 : (len(ids) - 1) // 10 * 10 + 1].view(-1, 10)
    expected = nn.functional.cross_entropy(
        windows.transpose(1, 2), targets, reduction="none"
    )
    torch.testing.assert_close(per_position, expected.mean(0))
    assert loss == pytest.approx(expected.mean().item(), rel=1e-5)


def test_training_learns_and_checkpoints_at_thirds(corpus, tmp_path):
    config = TrainConfig(
        steps=60,
        batch_size=16,
        seq_length=10,
        lr=1e-2,
        decay_every=20,
        eval_every=30,
        seed=3,
    )
    torch.manual_seed(0)
    m = CharLSTM(corpus.vocab, SMALL)
    hist = train(m, corpus, config, checkpoint_dir=tmp_path / "run")
    assert hist.step == [20, 30, 40, 60] == sorted(set(checkpoint_steps(60)) | {30, 60})
    assert hist.valid_stream_loss[-1] < 0.5 * math.log(
        len(corpus.vocab)
    )  # learnt the cycle
    assert hist.lr[-1] == pytest.approx(1e-2 * 0.96**3)
    steps = [
        read_checkpoint(tmp_path / "run" / name)["step"] for name in training.THIRDS
    ]
    assert steps == [20, 40, 60]
    final = read_checkpoint(tmp_path / "run" / "final.pt")
    assert final["history"]["valid_stream_loss"] == hist.valid_stream_loss
    assert (
        final["corpus"]["sha256"] == corpus.sha256
        and final["train_config"]["steps"] == 60
    )


def test_too_few_steps_is_an_error():
    with pytest.raises(ValueError, match="at least 3 steps"):
        TrainConfig(steps=2)
