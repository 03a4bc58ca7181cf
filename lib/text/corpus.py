"""Text as a stream of characters: corpora, the vocabulary, training windows
(chapter 4).

A corpus is a book read as one long string. :func:`load_corpus` takes a name from
:data:`CORPORA` (downloaded once through :mod:`lib.download`, checksum verified; with
``BOOK_DATA_DIR`` set it is read from that folder instead) or the path of any plain-text
file, decodes it as UTF-8, drops the byte-order mark the course files start with and
turns Windows line endings into ``\\n``. The course's books are Project Gutenberg files:
an English header before the book and the Gutenberg licence after it, legal English even
at the end of the Dutch book. :func:`load_corpus` keeps only the text between
Gutenberg's ``*** START OF ...`` and ``*** END OF ...`` lines (``keep_license=True``
keeps the whole file, as the course did), so that the held-out part is the book's own
language. The last ``valid_fraction`` of the text is held out for validation, in one
piece (for Tiny Shakespeare, which has no such lines, this is nanoGPT's split: first 90%
train, last 10%).

The :class:`Vocabulary` is the sorted set of characters, so the same text gives the same
character ids in every process; it travels with every checkpoint.

Training reads random windows (the course's ``TextDataset``): x = c_{s+1..s+T} and the
target y = c_{s+2..s+T+1}, the same window shifted by one character.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from lib.download import RemoteFile, fetch

_COURSE = (
    "https://raw.githubusercontent.com/uvadlc/DL_assignments_2019/"
    "b396da3ef01084e06eb8d6791f354c8afa8fafbd/assignment_2/part2/assets/"
)

CORPORA = {
    "grimm": RemoteFile(
        "text/book_EN_grimms_fairy_tails.txt",
        _COURSE + "book_EN_grimms_fairy_tails.txt",
        sha256="e6439bd511820742e842e21b75e89b394d3809eec82ca56b506c39ff39d4a7d6",
    ),
    "shakespeare": RemoteFile(
        "text/input.txt",
        "https://raw.githubusercontent.com/karpathy/char-rnn/"
        "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt",
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
    ),
    "darwin_nl": RemoteFile(
        "text/book_NL_darwin_reis_om_de_wereld.txt",
        _COURSE + "book_NL_darwin_reis_om_de_wereld.txt",
        sha256="389b114334f9e34bea0b01d43dbe6892d44d7c9430c79a6517c74f0658370535",
    ),
    "democracy": RemoteFile(
        "text/book_EN_democracy_in_the_US.txt",
        _COURSE + "book_EN_democracy_in_the_US.txt",
        sha256="1ba23c5acbb00b0ffbfe48be30273f5b965eaedca5e8dfce55253e6bb24f2ca5",
    ),
}
"""The corpora by name: the course's books (Grimm's fairy tales is its default, the
Dutch translation of Darwin's voyage its non-English one) and Tiny Shakespeare, the
community's character-level benchmark."""

BOM = "\ufeff"
GUTENBERG_START = re.compile(
    r"^\*\*\* ?START OF (THIS|THE) PROJECT GUTENBERG EBOOK.*$", re.M
)
GUTENBERG_END = re.compile(
    r"^(\*\*\* ?END OF (THIS|THE) PROJECT GUTENBERG EBOOK|"
    r"End of (the )?Project Gutenberg)",
    re.M,
)


class UnknownCharacterError(ValueError):
    """Text holds characters the vocabulary does not."""


def decode_text(data: bytes, where: str = "text") -> str:
    """UTF-8 bytes -> str without a leading byte-order mark, with ``\\n`` line
    endings."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"{where} is not UTF-8 text: byte {error.start} is "
            f"{data[error.start : error.start + 1]!r} ({error.reason})"
        ) from None
    return text.removeprefix(BOM).replace("\r\n", "\n")


def strip_gutenberg(text: str) -> str:
    """The book between Project Gutenberg's START line and its "End of" or END line.

    Text without both lines is returned as it is.
    """
    start = GUTENBERG_START.search(text)
    end = GUTENBERG_END.search(text, start.end()) if start else None
    if start is None or end is None:
        return text
    return text[start.end() : end.start()].strip("\n") + "\n"


def read_text(name_or_path: str | Path) -> tuple[str, str]:
    """(text, sha256 of the file) for a corpus name or a path to a plain-text file."""
    if isinstance(name_or_path, str) and name_or_path in CORPORA:
        path = fetch(CORPORA[name_or_path])
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise FileNotFoundError(
                f"{name_or_path!r} is neither a corpus name "
                f"({', '.join(CORPORA)}) nor an existing file"
            )
    data = path.read_bytes()
    return decode_text(data, str(path)), hashlib.sha256(data).hexdigest()


class Vocabulary:
    """The characters of a language, sorted by code point: id i <-> ``chars[i]``.

    >>> v = Vocabulary.from_text("hello")
    >>> v.chars, v.encode("hole").tolist(), v.decode([3, 1])
    (('e', 'h', 'l', 'o'), [1, 3, 2, 0], 'oh')
    """

    def __init__(self, chars):
        chars = list(chars)
        if not chars or not all(isinstance(c, str) and len(c) == 1 for c in chars):
            raise ValueError(
                "a vocabulary is a non-empty collection of single characters"
            )
        if len(set(chars)) != len(chars):
            raise ValueError("a vocabulary lists each character once")
        self.chars = tuple(sorted(chars))
        self._ids = {c: i for i, c in enumerate(self.chars)}
        codes = np.array([ord(c) for c in self.chars])
        self._lookup = np.full(codes.max() + 1, -1, dtype=np.int64)  # code point -> id
        self._lookup[codes] = np.arange(len(codes))

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        return cls(set(text))

    def __len__(self) -> int:
        return len(self.chars)

    def __eq__(self, other) -> bool:
        return isinstance(other, Vocabulary) and self.chars == other.chars

    def __contains__(self, char: str) -> bool:
        return char in self._ids

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} characters: {''.join(self.chars)!r})"

    def encode(self, text: str) -> torch.Tensor:
        """The ids of ``text``, a (len(text),) long tensor; unknown characters are an
        error."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(
            np.int64
        )
        known = codes < len(self._lookup)
        ids = np.where(known, self._lookup[np.where(known, codes, 0)], -1)
        if (ids < 0).any():
            raise UnknownCharacterError(
                self._unknown_message(text, np.flatnonzero(ids < 0))
            )
        return torch.from_numpy(ids)

    def decode(self, ids) -> str:
        """The text of a sequence of ids (a list, an array or a 1-D tensor)."""
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        if any(not 0 <= i < len(self) for i in ids):
            raise ValueError(
                f"ids must lie in [0, {len(self)}), got {min(ids)}..{max(ids)}"
            )
        return "".join(self.chars[i] for i in ids)

    def _unknown_message(self, text: str, where: np.ndarray) -> str:
        unknown = sorted({text[i] for i in where})
        shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in unknown[:10])
        return (
            f"{len(unknown)} character(s) not in the vocabulary of {len(self)}: "
            f"{shown}; first at position {where[0]}. The model can only read "
            f"characters it was trained on: {''.join(self.chars)!r}"
        )


@dataclass(frozen=True)
class Corpus:
    """A book split in two: ``train`` and ``valid`` are long tensors of character
    ids."""

    name: str
    text: str
    vocab: Vocabulary
    train: torch.Tensor
    valid: torch.Tensor
    sha256: str  # of the file, as published
    valid_fraction: float
    keep_license: bool

    def __repr__(self) -> str:
        return (
            f"Corpus({self.name!r}: {len(self.text):,} characters, {len(self.vocab)} "
            f"distinct; train {len(self.train):,}, valid {len(self.valid):,})"
        )


def load_corpus(
    name_or_path: str | Path, valid_fraction: float = 0.1, keep_license: bool = False
) -> Corpus:
    """Read a corpus and hold out its last ``valid_fraction`` for validation.

    Project Gutenberg's header and licence are dropped unless ``keep_license``. The
    vocabulary comes from the whole text (as nanoGPT's ``prepare.py`` does), so the
    validation split holds no unknown characters.
    """
    if not 0 < valid_fraction < 1:
        raise ValueError(
            f"valid_fraction={valid_fraction}: expected a number in (0, 1)"
        )
    text, sha256 = read_text(name_or_path)
    text = text if keep_license else strip_gutenberg(text)
    if len(text) < 2:
        raise ValueError(f"{name_or_path}: a corpus needs at least two characters")
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    n_train = int(len(ids) * (1 - valid_fraction))
    name = name_or_path if name_or_path in CORPORA else Path(name_or_path).stem
    return Corpus(
        str(name),
        text,
        vocab,
        ids[:n_train],
        ids[n_train:],
        sha256,
        valid_fraction,
        keep_license,
    )


def random_windows(
    ids: torch.Tensor,
    batch_size: int,
    seq_length: int = 30,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of random windows: x (B, T) and the targets y (B, T),
    y[:, t] = x[:, t + 1].

    Window starts are uniform over every position that leaves T + 1 characters.
    """
    if seq_length < 1 or batch_size < 1:
        raise ValueError(
            f"batch_size={batch_size}, seq_length={seq_length}: both must be >= 1"
        )
    if len(ids) < seq_length + 1:
        raise ValueError(
            f"a text of {len(ids)} characters has no window of {seq_length} + 1"
        )
    starts = torch.randint(
        0, len(ids) - seq_length, (batch_size, 1), generator=generator
    )
    chunk = ids[starts + torch.arange(seq_length + 1)]
    return chunk[:, :-1], chunk[:, 1:]


def tiled_windows(
    ids: torch.Tensor, seq_length: int = 30
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every non-overlapping window of the text, in order: x, y (K, T) with
    K = (N - 1) // T."""
    count = (len(ids) - 1) // seq_length
    if count < 1:
        raise ValueError(
            f"a text of {len(ids)} characters has no window of {seq_length} + 1"
        )
    span = count * seq_length
    return ids[:span].view(count, seq_length), ids[1 : span + 1].view(count, seq_length)


def parallel_streams(
    ids: torch.Tensor, num_streams: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The text cut into ``num_streams`` consecutive pieces read side by side:
    x, y (S, L).

    Reading row s from left to right is reading the text from position s * L on, so a
    model that carries its state along a row sees up to L characters of context.
    """
    length = (len(ids) - 1) // num_streams
    if length < 1:
        raise ValueError(
            f"a text of {len(ids)} characters cannot feed {num_streams} streams"
        )
    span = num_streams * length
    return ids[:span].view(num_streams, length), ids[1 : span + 1].view(
        num_streams, length
    )
