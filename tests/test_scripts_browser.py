"""scripts/browser.py, the browser helpers of scripts/pdf.py and the browser tests, with
no browser started; and scripts import nothing from tests/."""

from __future__ import annotations

import ast
import urllib.request
from pathlib import Path

from scripts.browser import PageWatch, open_watched, serve

ROOT = Path(__file__).resolve().parents[1]


def test_scripts_import_nothing_from_tests():
    for path in sorted((ROOT / "scripts").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and node.level == 0
                else []
            )
            for name in names:
                assert name.split(".")[0] != "tests", (
                    f"{path.relative_to(ROOT)} imports {name}: scripts never import "
                    "tests/ (shared helpers go to scripts/)"
                )


def test_serve_gives_the_folder_on_localhost(tmp_path):
    (tmp_path / "page.html").write_text("<p>hello</p>")
    with serve(tmp_path) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base_url}/page.html") as response:
            assert response.read() == b"<p>hello</p>"


class FakePage:
    """What open_watched and PageWatch call on a Playwright page, recorded."""

    def __init__(self, calls: list, **options):
        self.calls = calls
        calls.append(("new_page", options))

    def on(self, event, handler):
        self.calls.append(("on", event))

    def route(self, pattern, handler):
        self.calls.append(("route", pattern))

    def set_default_timeout(self, ms):
        self.calls.append(("timeout", ms))

    def goto(self, url, wait_until):
        self.calls.append(("goto", url, wait_until))

    def wait_for_load_state(self, state):
        self.calls.append(("wait", state))


class FakeChromium:
    def __init__(self):
        self.calls = []

    def new_page(self, **options):
        return FakePage(self.calls, **options)


def test_open_watched_watches_before_it_opens_the_page():
    chromium = FakeChromium()
    page, watch = open_watched("http://h", chromium, "a/b.html", timeout_ms=5)
    assert isinstance(page, FakePage)
    assert isinstance(watch, PageWatch) and watch.errors == watch.external == []
    steps = [call[0] for call in chromium.calls]
    assert chromium.calls[0] == ("new_page", {})  # Playwright's default viewport
    assert steps.index("timeout") < steps.index("route") < steps.index("goto")
    assert chromium.calls[-2:] == [
        ("goto", "http://h/a/b.html", "load"),
        ("wait", "networkidle"),
    ]
    chromium = FakeChromium()
    viewport = {"width": 390, "height": 800}
    open_watched("http://h", chromium, "c.html", viewport=viewport, idle=False)
    assert chromium.calls[0] == ("new_page", {"viewport": viewport})
    assert "timeout" not in [c[0] for c in chromium.calls]
    assert chromium.calls[-1] == ("goto", "http://h/c.html", "load")
