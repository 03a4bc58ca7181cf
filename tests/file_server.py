"""A local HTTP server for the download tests (nothing leaves 127.0.0.1).

``file_server(files, truncated)`` serves each ``files[path]`` whole, answers 404 for any
other path, and at ``/truncated.txt`` announces every byte of ``truncated`` but sends
half and hangs up, as a dropped connection does.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def file_server(files: dict[str, bytes], truncated: bytes) -> Iterator[str]:
    """Serve ``files`` while the block runs; yields the base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/truncated.txt":
                self.send_response(200)
                self.send_header("Content-Length", str(len(truncated)))
                self.end_headers()
                self.wfile.write(truncated[: len(truncated) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
