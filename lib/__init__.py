"""`lib`: the code of *Recurrent and Graph Neural Networks, derived and run*.

Organised like the book: a wing per part over a few shared modules.

* shared: :mod:`lib.runtime` (experiment size, device, seeds, progress),
  :mod:`lib.download` (verified, atomic files), :mod:`lib.training` (the sequence
  classifiers' loop), :mod:`lib.optimizers` and :mod:`lib.display` (figures, tables,
  glued values);
* :mod:`lib.recurrent`: backpropagation through time, the RNN, LSTM and their relatives;
* :mod:`lib.text`: the character-level LSTM that writes, and the temperature lab;
* :mod:`lib.graphs`: graph convolutional, attention and gated graph networks.

Imports flow one way: the wings use the shared modules, ``text`` also uses
``recurrent``. ``import lib`` loads nothing heavy; the experiment size is the
environment variable ``BOOK_SIZE`` (see :mod:`lib.runtime`).
"""

__version__ = "0.2.0"  # the one place the version lives (pyproject.toml reads it)
