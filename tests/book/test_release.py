"""A release says the same thing everywhere: one version (lib.__version__), one
repository URL and one book URL (_config.yml), two licences named wherever a reader
looks for them.

Cutting a release (README.md, "Cutting a release"): bump ``lib.__version__``, add its
section to CHANGELOG.md, set CITATION.cff's version and date, tag ``vX.Y.Z``. These
tests fail until all of them agree.
"""

from __future__ import annotations

import re

import pytest
import yaml

import lib
from scripts.notebooks import ROOT

VERSION = lib.__version__
# "## [0.2.0] - 2026-12-01" (Keep a Changelog); "## [Unreleased]" has no date
RELEASE_HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", re.M)


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text())


def changelog_releases() -> list[tuple[str, str]]:
    """(version, date) of every release in CHANGELOG.md, as listed (newest first)."""
    return RELEASE_HEADING.findall((ROOT / "CHANGELOG.md").read_text())


def test_version_is_semantic():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION), (
        f"lib.__version__ = {VERSION!r}; releases are tagged vX.Y.Z"
    )


def test_citation_version_is_lib_version():
    version = citation()["version"]
    assert isinstance(version, str), (
        f"CITATION.cff: version {version!r} must be a string (quote it)"
    )
    assert version == VERSION, (
        f"CITATION.cff says version {version}, lib/__init__.py says {VERSION}: "
        "set both to the release's version"
    )


def test_changelog_has_a_section_for_lib_version():
    releases = changelog_releases()
    versions = [version for version, _ in releases]
    assert VERSION in versions, (
        f"CHANGELOG.md has no section '## [{VERSION}] - YYYY-MM-DD' (it has {versions})"
    )
    assert versions[0] == VERSION, (
        f"CHANGELOG.md's newest release is {versions[0]}, lib's version is {VERSION}"
    )


def test_changelog_lists_releases_newest_first():
    versions = [tuple(map(int, v.split("."))) for v, _ in changelog_releases()]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(
        versions
    ), "CHANGELOG.md: each release once, newest first"


def test_citation_date_is_the_changelog_date():
    dates = dict(changelog_releases())
    released = str(citation()["date-released"])
    assert released == dates.get(VERSION), (
        f"CITATION.cff's date-released {released} is not the date of {VERSION} in "
        f"CHANGELOG.md ({dates.get(VERSION)})"
    )


def test_citation_urls_are_the_config_urls():
    cff, cfg = citation(), config()
    assert cff["repository-code"] == cfg["repository"]["url"], (
        "CITATION.cff's repository-code is not _config.yml's repository.url"
    )
    assert cff["url"] == cfg["html"]["baseurl"], (
        "CITATION.cff's url is not _config.yml's html.baseurl"
    )


def test_citation_names_the_authors_as_an_entity():
    cff = citation()
    assert cff["cff-version"] == "1.2.0"
    assert cff["authors"] == [{"name": "The rnn-gnn-book authors"}]
    assert cff["title"] == config()["title"]
    assert set(cff["license"]) == {"MIT", "CC-BY-4.0"}


def test_the_licences_exist():
    mit = (ROOT / "LICENSE").read_text()
    assert mit.startswith("MIT License") and (
        "Copyright (c) 2026 The rnn-gnn-book authors" in mit
    )
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^license = "MIT"', pyproject, flags=re.M), (
        "pyproject.toml's licence is not the MIT of LICENSE"
    )
    text = (ROOT / "LICENSE-text.md").read_text()
    assert "Creative Commons Attribution 4.0 International" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text


def names_both_licences(text: str) -> bool:
    """LICENSE (on its own, not only as part of LICENSE-text.md) and LICENSE-text.md."""
    return bool(re.search(r"\bLICENSE\b(?!-text)", text)) and "LICENSE-text.md" in text


@pytest.mark.parametrize("where", ["README.md", "the footer"])
def test_both_licences_are_named(where):
    if where == "README.md":
        text = (ROOT / "README.md").read_text()
    else:
        text = config()["html"]["extra_footer"]
    assert names_both_licences(text), f"{where} must name LICENSE and LICENSE-text.md"
    assert "MIT" in text and "CC BY 4.0" in text


def test_the_config_writes_the_repository_url_once():
    """repository.url; the footer links through {repository_url} (filled in by
    assets/book_html.py), so a fork changes one line."""
    url = config()["repository"]["url"]
    assert (ROOT / "_config.yml").read_text().count(url) == 1, (
        f"_config.yml writes {url} more than once: use {{repository_url}}"
    )


def test_the_home_page_cites_this_version():
    """Its BibTeX entry is made from CITATION.cff with lib's version."""
    from tests.book.test_book_html import book_html

    bibtex = book_html.build_substitutions(ROOT, {})["book_bibtex"]
    assert f"version = {{{VERSION}}}" in bibtex
    assert config()["html"]["baseurl"] in bibtex
