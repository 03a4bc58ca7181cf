"""Serve the built book on 127.0.0.1 and drive Debian's headless Chromium through
Playwright: the helpers of :mod:`scripts.browser` (re-exported here under their names),
where the built book is, and the ``site`` fixture's set-up of the browser tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scripts.browser import (
    BROKEN_IMAGES,
    CHROMIUM_FLAGS,
    RAW_TEX_LEFT,
    WAIT_FOR_MATHJAX,
    PageWatch,
    browser,
    chromium_path,
    open_watched,
    serve,
)

ROOT = Path(__file__).resolve().parents[2]
__all__ = [
    "BROKEN_IMAGES",
    "CHROMIUM_FLAGS",
    "RAW_TEX_LEFT",
    "ROOT",
    "WAIT_FOR_MATHJAX",
    "PageWatch",
    "browser",
    "built_site",
    "chromium_path",
    "open_watched",
    "serve",
    "served_site",
]


def built_site() -> Path:
    """The built HTML: $BOOK_HTML, else _build/html."""
    return (ROOT / os.environ.get("BOOK_HTML", "_build/html")).resolve()


def served_site(site: Path, missing: str | None = None):
    """The body of a module's ``site`` fixture (``yield from served_site(...)``):
    yields (base URL, Chromium) with ``site`` served on 127.0.0.1. Skips when Chromium
    is not installed; fails with ``missing`` (what was not built) when it is given."""
    if not chromium_path():
        pytest.skip(
            "BROWSER TESTS SKIPPED: chromium is not installed "
            "(see scripts/ensure_chromium.sh)"
        )
    if missing:
        pytest.fail(missing)
    with serve(site) as base_url, browser() as chromium:
        yield base_url, chromium
