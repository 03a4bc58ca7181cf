"""The notation page (book/notation.md) names only things that exist in `lib`, and names
all of the models' weights: every backticked ``lib.`` reference must resolve, and every
weight matrix and bias of the recurrent models and graph layers must appear, so the page
cannot drift from the code.

A reference has one of three forms:

* ``lib.module.name``: a module-level function, class or constant;
* ``lib.module.Class.attr``: an attribute, property, method or parameter of an instance
  (parameters created in ``__init__`` count: a small instance is built to look);
* ``lib.module.func(arg)``: ``arg`` is a named argument of a function, method or
  constructor.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from pathlib import Path

import pytest
import torch

from scripts.toc import toc_entries

PAGE = Path(__file__).resolve().parents[2] / "book" / "notation.md"
TEXT = PAGE.read_text(encoding="utf-8")
REFERENCES = sorted(set(re.findall(r"`(lib\.[^`]*)`", TEXT)))
FORMS = re.compile(r"(?P<path>lib(?:\.[A-Za-z_]\w*)+)(?:\((?P<arg>[A-Za-z_]\w*)\))?")
MIN_REFERENCES = 100
SECTIONS = (
    "Conventions",
    "Sequences and the vanilla RNN",
    "The LSTM family",
    "Optimisers",
    "Text generation and temperature",
    "Graphs",
)
# every chapter that runs notebooks, as _toc.yml lists them (book/bptt -> "bptt")
CHAPTERS = tuple(
    Path(entry["file"]).name
    for entry in toc_entries(PAGE.parents[1])
    if any(
        section["file"].startswith("notebooks/")
        for section in entry.get("sections", [])
    )
)


def _vocabulary():
    from lib.text.corpus import Vocabulary

    return Vocabulary("abcd")


# Small instances of the classes whose attributes only exist once constructed.
FACTORIES = {
    "lib.recurrent.encodings.SequenceInput": lambda m: m.SequenceInput(
        "embedding", num_symbols=10, input_dim=3
    ),
    "lib.recurrent.rnn.VanillaRNN": lambda m: m.VanillaRNN(
        num_hiddens=4, num_classes=3
    ),
    "lib.recurrent.lstm.LSTM": lambda m: m.LSTM(num_hiddens=4, num_classes=3),
    "lib.recurrent.lstm.LSTMLayer": lambda m: m.LSTMLayer(
        input_size=3, hidden_size=4, num_biases=1
    ),
    "lib.recurrent.peephole.PeepholeLSTM": lambda m: m.PeepholeLSTM(
        num_hiddens=4, num_classes=3
    ),
    "lib.recurrent.relu_rnn.ReLURNN": lambda m: m.ReLURNN(num_hiddens=4, num_classes=3),
    "lib.text.corpus.Vocabulary": lambda m: _vocabulary(),
    "lib.text.model.CharLSTM": lambda m: m.CharLSTM(
        _vocabulary(), m.ModelConfig(num_hiddens=4, num_layers=2, embedding_dim=3)
    ),
    "lib.graphs.gcn.GCNLayer": lambda m: m.GCNLayer(3, 2, bias=True),
    "lib.graphs.gat.GATLayer": lambda m: m.GATLayer(3, 2, heads=2),
    "lib.graphs.ggnn.GatedGraphLayer": lambda m: m.GatedGraphLayer(
        num_hiddens=4, num_steps=2
    ),
    "lib.graphs.ggnn.VanillaCell": lambda m: m.VanillaCell(num_hiddens=4),
    "lib.graphs.readout.GraphClassifier": lambda m: m.GraphClassifier(
        in_features=3, num_hiddens=4, num_classes=2
    ),
    "lib.graphs.sparse.SparseMatrix": lambda m: importlib.import_module(
        "lib.graphs.edges"
    ).sparse_adjacency(torch.tensor([[0, 1], [1, 0]]), 2),
}


def _resolve(path: str):
    """(owner, name, object or None): import the longest module prefix of ``path``, then
    look up the rest attribute by attribute; ``name`` is the first one that is
    missing."""
    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ModuleNotFoundError:
            continue
        owner = obj
        for name in parts[k:]:
            owner = obj
            if not hasattr(owner, name):
                return owner, name, None
            obj = getattr(owner, name)
        return owner, parts[-1], obj
    raise AssertionError(f"{path}: no importable module")


def _instance(class_path: str, module):
    assert class_path in FACTORIES, (
        f"{class_path} has no class attribute to check: "
        "add a small constructor call for it to "
        f"FACTORIES in {Path(__file__).name}"
    )
    return FACTORIES[class_path](module)


def test_page_has_every_section_and_links_every_chapter():
    headings = re.findall(r"^#+ (.+)$", TEXT, flags=re.M)
    for section in SECTIONS:
        assert section in headings, f"notation.md lacks the section {section!r}"
    targets = set(re.findall(r"\{doc\}`(?:[^`<]*<)?([^`<>]+?)>?`", TEXT))
    assert CHAPTERS, "_toc.yml lists no chapter with notebooks"
    for chapter in CHAPTERS:
        assert chapter in targets, f"notation.md does not link {chapter}.md"
    for target in targets:
        assert (PAGE.parent / f"{target}.md").exists(), (
            f"{{doc}} link to {target!r}: no such page"
        )


def test_tables_are_well_formed():
    """Every row has as many cells as its header (a | inside math would split a
    cell)."""
    width = None
    for number, line in enumerate(TEXT.splitlines(), 1):
        if not line.startswith("|"):
            width = None
            continue
        cells = line.strip().strip("|").split("|")
        if width is None:
            width = len(cells)
        assert len(cells) == width, (
            f"notation.md:{number}: {len(cells)} cells, header has {width}"
        )
        assert all(cell.strip() for cell in cells), (
            f"notation.md:{number}: an empty cell"
        )


def test_enough_references():
    assert len(REFERENCES) >= MIN_REFERENCES, (
        f"only {len(REFERENCES)} lib references on the notation page "
        f"(expected {MIN_REFERENCES}+)"
    )


@pytest.mark.parametrize("reference", REFERENCES)
def test_reference_exists(reference):
    match = FORMS.fullmatch(reference)
    assert match, (
        f"`{reference}` is not lib.module.name, lib.module.Class.attr or "
        f"lib.module.func(arg)"
    )
    path, arg = match["path"], match["arg"]
    owner, name, obj = _resolve(path)
    if arg is not None:
        assert obj is not None, f"{path} does not exist"
        assert callable(obj), f"{path} is not callable"
        assert arg in inspect.signature(obj).parameters, (
            f"{path} has no argument {arg!r}"
        )
        return
    if obj is not None:
        return
    assert inspect.isclass(owner) and path.endswith(f".{owner.__name__}.{name}"), (
        f"{path} does not exist"
    )
    class_path = path.rsplit(".", 1)[0]
    fields = (
        {f.name for f in dataclasses.fields(owner)}
        if dataclasses.is_dataclass(owner)
        else set()
    )
    module = importlib.import_module(class_path.rsplit(".", 1)[0])
    assert name in fields or hasattr(_instance(class_path, module), name), (
        f"{path} does not exist"
    )


def _recurrent_weight_names(model) -> set[str]:
    """The parameters named as in the book, W_... and b_..."""
    return {
        name for name, _ in model.named_parameters() if re.fullmatch(r"[Wb]_\w+", name)
    }


def _graph_weight_names(layer) -> set[str]:
    """Top-level parameters and parameterised submodules; the output bias b is not a
    symbol."""
    return {name.split(".")[0] for name, _ in layer.named_parameters()} - {"b"}


REQUIRED = {
    "lib.recurrent.rnn.VanillaRNN": _recurrent_weight_names,
    "lib.recurrent.lstm.LSTM": lambda model: (
        _recurrent_weight_names(model)
        | set(importlib.import_module("lib.recurrent.lstm").GATE_VIEWS)
    ),
    "lib.recurrent.peephole.PeepholeLSTM": _recurrent_weight_names,
    "lib.recurrent.relu_rnn.ReLURNN": _recurrent_weight_names,
    "lib.text.model.CharLSTM": _recurrent_weight_names,
    "lib.graphs.gcn.GCNLayer": _graph_weight_names,
    "lib.graphs.gat.GATLayer": _graph_weight_names,
    "lib.graphs.ggnn.GatedGraphLayer": _graph_weight_names,
    "lib.graphs.ggnn.VanillaCell": _graph_weight_names,
}


@pytest.mark.parametrize("class_path", sorted(REQUIRED))
def test_every_weight_is_on_the_page(class_path):
    module = importlib.import_module(class_path.rsplit(".", 1)[0])
    names = REQUIRED[class_path](FACTORIES[class_path](module))
    assert names, f"{class_path}: found no weights to look for"
    missing = sorted(name for name in names if f"{class_path}.{name}" not in REFERENCES)
    assert not missing, (
        f"notation.md does not list {', '.join(f'{class_path}.{n}' for n in missing)}"
    )


def test_resolver_rejects_what_does_not_exist():
    """The checks above would pass vacuously if the resolver found everything."""
    assert _resolve("lib.recurrent.rnn.VanillaRNN.W_zz")[2] is None
    assert not hasattr(
        FACTORIES["lib.recurrent.rnn.VanillaRNN"](
            importlib.import_module("lib.recurrent.rnn")
        ),
        "W_zz",
    )
    assert (
        "temperatur"
        not in inspect.signature(
            _resolve("lib.text.sampling.Sampler.sample")[2]
        ).parameters
    )
    assert FORMS.fullmatch("lib.text.sampling.Sampler.sample(temperature=0)") is None
    with pytest.raises(AssertionError):
        _resolve("libx.nothing")
