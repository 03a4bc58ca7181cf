"""lib.text.corpus: corpora (downloaded for real from 127.0.0.1), the vocabulary,
windows and splits."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lib.download import ChecksumError, DataUnavailableError, RemoteFile
from lib.text import corpus as text_module
from lib.text.corpus import (
    CORPORA,
    UnknownCharacterError,
    Vocabulary,
    load_corpus,
    parallel_streams,
    random_windows,
    tiled_windows,
)
from tests.file_server import file_server

BOOK = "\ufeff".encode() + b"Once upon a time there was a king.\n" * 100  # BOM first
SHA = hashlib.sha256(BOOK).hexdigest()


@pytest.fixture(scope="module")
def server():
    with file_server(
        {"/book.txt": BOOK, "/corrupt.txt": BOOK.replace(b"king", b"kong")},
        truncated=BOOK,
    ) as url:
        yield url


@pytest.fixture
def served(server, tmp_path, monkeypatch):
    """Three corpora served over HTTP, an empty cache, no local data folder."""
    monkeypatch.delenv("BOOK_DATA_DIR", raising=False)
    monkeypatch.setenv("BOOK_CACHE_DIR", str(tmp_path))
    for name in ("book", "truncated", "corrupt"):
        monkeypatch.setitem(
            CORPORA,
            f"test-{name}",
            RemoteFile(f"text/{name}.txt", f"{server}/{name}.txt", sha256=SHA),
        )
    return tmp_path


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_corpus_is_downloaded_verified_cached_and_decoded(served, monkeypatch):
    corpus = load_corpus("test-book")
    assert files_in(served) == ["book.txt"]
    assert corpus.text == BOOK.decode("utf-8")[1:] and corpus.text.startswith("Once")
    assert "\ufeff" not in corpus.vocab
    assert corpus.sha256 == SHA and corpus.name == "test-book"
    # the second time it comes from the cache: the server is not asked again
    monkeypatch.setitem(
        CORPORA,
        "test-book",
        RemoteFile("text/book.txt", "http://127.0.0.1:9/x", sha256=SHA),
    )
    assert load_corpus("test-book").text == corpus.text


def test_truncated_download_is_an_error_and_leaves_nothing(served):
    with pytest.raises(
        DataUnavailableError, match=r"could not download text/truncated\.txt"
    ):
        load_corpus("test-truncated")
    assert files_in(served) == []


def test_wrong_checksum_is_an_error_and_leaves_nothing(served):
    with pytest.raises(ChecksumError, match=f"sha256 mismatch.*expected {SHA}"):
        load_corpus("test-corrupt")
    assert files_in(served) == []


def test_local_data_dir_is_read_instead(served, monkeypatch, tmp_path):
    (tmp_path / "data" / "text").mkdir(parents=True)
    (tmp_path / "data" / "text" / "offline.txt").write_bytes(BOOK)
    monkeypatch.setenv("BOOK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setitem(
        CORPORA,
        "test-offline",
        RemoteFile("text/offline.txt", "http://127.0.0.1:9/x", sha256=SHA),
    )
    assert load_corpus("test-offline").text.startswith("Once upon")


SHARED = {
    name: Path(os.environ.get("BOOK_DATA_DIR", "/nonexistent")) / CORPORA[name].name
    for name in ("grimm", "shakespeare", "darwin_nl", "democracy")
}


@pytest.mark.parametrize(
    "name,chars,distinct",
    [
        ("shakespeare", 1_115_394, 65),
        ("grimm", 540_240, 86),
        ("darwin_nl", 1_365_147, 112),
        ("democracy", 1_148_434, 83),
    ],
)
def test_the_books_decode_without_their_byte_order_mark(name, chars, distinct):
    if not SHARED[name].is_file():
        pytest.skip("BOOK_DATA_DIR does not hold the books (tests and CI set it)")
    corpus = load_corpus(name, keep_license=True)  # the checksum is verified on the way
    assert (len(corpus.text), len(corpus.vocab)) == (chars, distinct)
    assert "\ufeff" not in corpus.vocab and "\r" not in corpus.vocab
    book = load_corpus(name)
    if name == "shakespeare":  # no Project Gutenberg lines: nothing to strip
        assert book.text == corpus.text
    else:
        assert "Project Gutenberg" not in book.text[:1000] + book.text[-3000:]
        assert book.text in corpus.text and len(book.text) < len(corpus.text)


def test_tiny_shakespeare_split_is_nanogpts():
    if not SHARED["shakespeare"].is_file():
        pytest.skip("BOOK_DATA_DIR does not hold Tiny Shakespeare")
    corpus = load_corpus("shakespeare")
    n = len(corpus.text)
    assert len(corpus.train) == int(n * 0.9) == 1_003_854 and len(
        corpus.valid
    ) == n - int(n * 0.9)
    assert corpus.vocab.decode(corpus.valid[:10]) == corpus.text[int(n * 0.9) :][:10]


def test_gutenberg_header_and_licence_are_dropped():
    text = (
        "The Project Gutenberg EBook of X\n\n"
        "*** START OF THIS PROJECT GUTENBERG EBOOK X ***\n"
        "\n\nOnce upon a time.\n\n"
        "*** END OF THIS PROJECT GUTENBERG EBOOK X ***\nLicence.\n"
    )
    assert text_module.strip_gutenberg(text) == "Once upon a time.\n"
    assert text_module.strip_gutenberg("no markers\n") == "no markers\n"
    reversed_markers = (
        "*** END OF THE PROJECT GUTENBERG EBOOK ***\nx\n"
        "*** START OF THE PROJECT GUTENBERG EBOOK ***"
    )
    assert text_module.strip_gutenberg(reversed_markers) == reversed_markers


def test_any_file_by_path(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes("\ufeffline one\r\nline two\r\n".encode())
    corpus = load_corpus(path, valid_fraction=0.25)
    assert corpus.text == "line one\nline two\n" and corpus.name == "notes"
    assert len(corpus.train) + len(corpus.valid) == len(corpus.text)
    assert len(corpus.valid) == len(corpus.text) - int(len(corpus.text) * 0.75)


def test_bad_files_and_names_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"neither a corpus name.*shakespeare"):
        load_corpus("no-such-book")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8 text: byte 3"):
        load_corpus(tmp_path / "latin1.txt")
    (tmp_path / "one.txt").write_text("a")
    with pytest.raises(ValueError, match="at least two characters"):
        load_corpus(tmp_path / "one.txt")
    with pytest.raises(ValueError, match="valid_fraction"):
        load_corpus(tmp_path / "latin1.txt", valid_fraction=1.0)


def test_vocabulary_round_trip_and_order():
    vocab = Vocabulary.from_text("hello, world")
    assert vocab.chars == tuple(sorted(set("hello, world")))
    ids = vocab.encode("world, hello")
    assert ids.dtype == torch.long and vocab.decode(ids) == "world, hello"
    assert Vocabulary(vocab.chars[::-1]) == vocab


def test_vocabulary_is_the_same_in_another_process():
    """Sets of str iterate in an order that depends on PYTHONHASHSEED; the vocabulary
    must not."""
    code = (
        "from lib.text.corpus import Vocabulary; "
        "print(''.join(Vocabulary.from_text('the quick brown fox, ÄÖÜ!').chars))"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    ).stdout
    assert (
        other == "".join(Vocabulary.from_text("the quick brown fox, ÄÖÜ!").chars) + "\n"
    )


def test_unknown_characters_are_a_clear_error():
    vocab = Vocabulary.from_text("abc")
    with pytest.raises(UnknownCharacterError, match=r"'é' \(U\+00E9\).*position 2"):
        vocab.encode("abé😀")
    with pytest.raises(ValueError, match="ids must lie in"):
        vocab.decode([0, 3])
    for bad in ([], ["ab"], ["a", "a"]):
        with pytest.raises(ValueError):
            Vocabulary(bad)


def test_random_windows_are_shifted_by_one():
    ids = torch.arange(100)
    x, y = random_windows(ids, 8, 30, generator=torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (8, 30)
    assert torch.equal(y[:, :-1], x[:, 1:]) and torch.equal(y[:, -1], x[:, -1] + 1)
    assert torch.equal(
        x[:, 1:] - x[:, :-1], torch.ones(8, 29, dtype=torch.long)
    )  # contiguous
    assert x.min() >= 0 and y.max() <= 99
    x2, _ = random_windows(ids, 8, 30, torch.Generator().manual_seed(0))
    assert torch.equal(x, x2)
    with pytest.raises(ValueError, match="no window"):
        random_windows(ids[:30], 1, 30)


def test_every_start_is_reachable():
    starts = {int(random_windows(torch.arange(5), 1, 3)[0][0, 0]) for _ in range(200)}
    assert starts == {0, 1}


def test_tiled_windows_and_streams_cover_the_text_in_order():
    ids = torch.arange(95)
    x, y = tiled_windows(ids, 30)
    assert (
        x.shape == (3, 30)
        and torch.equal(x.flatten(), ids[:90])
        and torch.equal(y, x + 1)
    )
    x, y = parallel_streams(ids, 4)
    assert (
        x.shape == (4, 23) and torch.equal(x[1], ids[23:46]) and torch.equal(y, x + 1)
    )
    with pytest.raises(ValueError):
        parallel_streams(ids[:3], 4)


def test_corpus_repr_says_what_it_is(tmp_path):
    (tmp_path / "t.txt").write_text("abcdefghij" * 10)
    assert "100 characters, 10 distinct" in repr(load_corpus(tmp_path / "t.txt"))
    assert text_module.decode_text(b"\xef\xbb\xbfx\r\ny") == "x\ny"
