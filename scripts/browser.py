"""Serve a folder on 127.0.0.1 and drive Debian's headless Chromium through Playwright,
with the checks of a page that the browser tests and ``scripts/pdf.py`` both make.

Playwright is imported only when a browser starts.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path):
    """An HTTP server for ``directory`` on 127.0.0.1 (a free port); yields its base
    URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser():
    """A headless Chromium (Playwright, the Debian binary; no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_FLAGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class PageWatch:
    """Records console errors, page errors and every request that leaves 127.0.0.1."""

    def __init__(self, page, base_url: str):
        self.errors, self.external = [], []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.on(
            "requestfailed", lambda r: self.errors.append(f"failed request: {r.url}")
        )
        page.on(
            "response",
            lambda r: (
                r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}")
            ),
        )

        def route(r):
            if r.request.url.startswith(base_url) or r.request.url.startswith("data:"):
                return r.continue_()
            self.external.append(r.request.url)
            return r.abort()

        page.route("**/*", route)


def open_watched(
    base_url: str,
    chromium,
    rel: str,
    viewport: dict | None = None,
    timeout_ms: float | None = None,
    idle: bool = True,
):
    """A new page of ``chromium`` (``viewport``: {"width", "height"}, None: Playwright's
    default; ``timeout_ms``: its default timeout), watched (:class:`PageWatch`) from
    before it opens ``base_url/rel``; returns (page, watch) once the page has loaded
    and, with ``idle``, the network is idle."""
    page = chromium.new_page(**({} if viewport is None else {"viewport": viewport}))
    if timeout_ms is not None:
        page.set_default_timeout(timeout_ms)
    watch = PageWatch(page, base_url)  # also refuses every request off 127.0.0.1
    page.goto(f"{base_url}/{rel}", wait_until="load")
    if idle:
        page.wait_for_load_state("networkidle")
    return page, watch


WAIT_FOR_MATHJAX = (
    "async () => {\n"
    "  const hasMath = document.querySelector('.math, div.math, span.math') !== null;\n"
    "  for (let i = 0; i < 200 && hasMath && "
    "!(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)\n"
    "    await new Promise(r => setTimeout(r, 50));\n"
    "  if (window.MathJax && MathJax.startup && MathJax.startup.promise) "
    "await MathJax.startup.promise;\n"
    "  return hasMath;\n"
    "}"
)

RAW_TEX_LEFT = (
    "() => {\n"
    "  const body = document.querySelector('main') || document.body;\n"
    "  const copy = body.cloneNode(true);\n"
    "  copy.querySelectorAll("
    "'pre, code, script, style, mjx-container, textarea, .cell_input')\n"
    "      .forEach(e => e.remove());\n"
    "  const text = copy.innerText;\n"
    "  const hits = [];\n"
    "  for (const re of [/\\$\\$/, /\\\\\\[/, /\\\\\\(/, /\\\\begin\\{/, "
    "/\\$[^$\\s][^$]*\\\\[a-zA-Z]+[^$]*\\$/]) {\n"
    "    const m = text.match(re);\n"
    "    if (m) hits.push(text.slice(Math.max(0, m.index - 40), m.index + 40));\n"
    "  }\n"
    "  return hits;\n"
    "}"
)

BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(img => !(img.complete && img.naturalWidth > 0))
  .map(img => img.getAttribute('src').slice(0, 80))"""
