"""Every page of the built book, in a real browser (headless Chromium), offline.

Run by ``make test`` after the book build (BOOK_HTML points at the built HTML). Checks
that math was typeset by the local MathJax (no raw TeX left), that every image loads,
that saved widgets render, that nothing was requested from outside 127.0.0.1 and that
the console stayed free of errors; saves a screenshot of each page under
_build/screenshots/.
"""

from __future__ import annotations

import pytest

from tests.book.browser_support import (
    BROKEN_IMAGES,
    RAW_TEX_LEFT,
    ROOT,
    WAIT_FOR_MATHJAX,
    built_site,
    open_watched,
    served_site,
)

pytestmark = pytest.mark.browser
SITE = built_site()
PAGES = sorted(
    p.relative_to(SITE).as_posix()
    for p in SITE.glob("**/*.html")
    if not p.relative_to(SITE).as_posix().startswith(("_static/", "_sources/"))
)
SHOTS = ROOT / "_build" / "screenshots"


REPEATED_IDS = """() => {
  const seen = {};
  for (const e of document.querySelectorAll('[id]')) seen[e.id] = (seen[e.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


@pytest.fixture(scope="module")
def site():
    missing = None if PAGES else f"no built pages under {SITE}: build the book first"
    yield from served_site(SITE, missing)


def open_page(site, rel: str, width: int = 1280):
    return open_watched(*site, rel, viewport={"width": width, "height": 1000})


@pytest.mark.parametrize("rel", PAGES)
def test_page(site, rel):
    page, watch = open_page(site, rel)
    has_math = page.evaluate(WAIT_FOR_MATHJAX)
    if has_math:
        assert page.locator("mjx-container").count() > 0, (
            "math present but MathJax rendered nothing"
        )
    assert page.evaluate(RAW_TEX_LEFT) == [], "raw TeX left on the page"
    assert page.evaluate(BROKEN_IMAGES) == [], "images that did not load"
    repeated = page.evaluate(REPEATED_IDS)
    assert repeated == [], f"ids used more than once on the page: {repeated}"
    if page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count():
        page.wait_for_selector(".jupyter-widgets", timeout=15_000)
    shot = SHOTS / (rel[: -len(".html")] + ".png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert watch.external == [], "requests left 127.0.0.1 (the book must work offline)"
    assert watch.errors == [], "console errors:\n" + "\n".join(watch.errors)
    page.close()


PHONE_PAGE = "book/bptt.html"


def test_phone_width(site):
    """A chapter page at phone width (390 px): readable, nothing wider than the
    screen."""
    if PHONE_PAGE not in PAGES:
        pytest.fail(f"{PHONE_PAGE} was not built")
    page, watch = open_page(site, PHONE_PAGE, width=390)
    page.evaluate(WAIT_FOR_MATHJAX)
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - window.innerWidth"
    )
    shot = SHOTS / "phone" / PHONE_PAGE.replace("/", "-").replace(".html", ".png")
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert overflow <= 1, f"the page is {overflow} px wider than a phone screen"
    assert watch.errors == [] and watch.external == []
    page.close()


CODE_PAGE = "notebooks/bptt.html"
WIDTHS = (768, 992, 1199, 1200, 1240, 1279, 1280, 1440, 1920)


@pytest.mark.parametrize("width", WIDTHS)
def test_code_cells_fit_the_column(site, width):
    """From a tablet's 768 px up, no code cell scrolls sideways: assets/static/book.css
    sizes the code's font to show 88 characters (ruff's line length) whole, and makes
    room between 1200 and 1280 px, where the theme adds the contents column. A phone's
    column is too narrow for 88 characters at a readable size; there the cells
    scroll."""
    if CODE_PAGE not in PAGES:
        pytest.fail(f"{CODE_PAGE} was not built")
    page, watch = open_page(site, CODE_PAGE, width=width)
    scrolling = page.evaluate(
        """() => [...document.querySelectorAll('div.cell_input pre')]
            .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
            .map(pre => `${pre.scrollWidth - pre.clientWidth} px: `
                        + pre.textContent.slice(0, 40))"""
    )
    assert page.locator("div.cell_input pre").count() > 0, "no code cell on the page"
    assert scrolling == [], (
        f"at {width} px these code cells scroll sideways (by how much, and how they "
        f"start): {scrolling}"
    )
    assert watch.errors == []
    page.close()
