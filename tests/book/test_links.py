"""Every internal link and anchor of the built book resolves (no network: external links
are listed, not fetched). Runs on the built HTML, after the book build, like the browser
check."""

from __future__ import annotations

import posixpath
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.book.browser_support import built_site

pytestmark = pytest.mark.site
SITE = built_site()
PAGES = sorted(
    p
    for p in SITE.glob("**/*.html")
    if not p.relative_to(SITE).as_posix().startswith(("_static/", "_sources/"))
)


class LinksAndIds(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        for key in ("href", "src"):
            if attrs.get(key) and tag in (
                "a",
                "img",
                "link",
                "script",
                "source",
                "iframe",
            ):
                self.links.append(attrs[key])


@cache
def parse(path: Path) -> LinksAndIds:
    parser = LinksAndIds()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(page: Path) -> list[str]:
    broken = []
    for link in parse(page).links:
        parts = urlsplit(link)
        if parts.scheme or link.startswith(("//", "mailto:", "data:", "javascript:")):
            continue  # external: not fetched offline
        target = (
            page
            if not parts.path
            else Path(
                posixpath.normpath(
                    posixpath.join(page.parent.as_posix(), unquote(parts.path))
                )
            )
        )
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            broken.append(f"{link}: no such file")
        elif (
            parts.fragment
            and target.suffix == ".html"
            and unquote(parts.fragment) not in parse(target).ids
        ):
            broken.append(f"{link}: no anchor #{parts.fragment}")
    return broken


def test_there_are_pages():
    assert PAGES, f"no built pages under {SITE}: build the book first"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(SITE).as_posix())
def test_internal_links_and_anchors_resolve(page):
    assert broken_links(page) == []
