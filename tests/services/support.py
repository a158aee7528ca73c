"""Helpers shared by the web-service tests (fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import threading

from pytest_httpserver import HTTPServer
from werkzeug import Response


@contextlib.contextmanager
def slow_server(path: str, base_path: str = ""):
    """A server of its own whose handler hangs until the test ends, so late requests never
    reach the shared ``httpserver``'s log."""
    release = threading.Event()
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()

    def slow(_request):
        release.wait(10)
        return Response("{}", content_type="application/json")

    server.expect_request(path).respond_with_handler(slow)
    try:
        yield server.url_for(base_path)
    finally:
        release.set()
        server.clear()
        server.stop()
