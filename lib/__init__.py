"""`lib`: the code of *Recurrent and Graph Neural Networks, derived and run*.

One idea per module; each module's docstring names the chapter it belongs to.
The experiment size (smoke / book / full) is chosen with the environment variable
``BOOK_SIZE``; see :mod:`lib.runtime`.
"""

__version__ = "0.1.0"
