"""The whole fault matrix, as a user meets it: five services x twelve faults through the
commands. Each gives one clear line on stderr (the service named, what happened, what to
do), nothing on stdout, exit status 2, no traceback and no secret; and a service that
hangs costs one read timeout, not one per retry."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.cli import main
from planner.services.http import POLICIES, reset_limiters
from tests.services.conftest import fast

READ_TIMEOUT = 0.5
SECRET = "CANARY-matrix-5e4d3c2b1a"

# service: (argv, URL variable, base path, request path, display name)
SERVICES = {
    "aavso": (["aavso", "targets"], "PLANNER_AAVSO_URL", "/TargetTool/api/v1", "/TargetTool/api/v1/targets",
              "AAVSO Target Tool"),
    "astrobin": (["images", "astrobin", "M31"], "PLANNER_ASTROBIN_URL", "/api/v1", "/api/v1/image/", "AstroBin"),
    "nasa": (["images", "nasa", "m31"], "PLANNER_NASA_URL", "", "/search", "NASA Images"),
    "astrometry": (["solve", "https://example.org/frame.jpg"], "PLANNER_ASTROMETRY_URL", "/api", "/api/login",
                   "nova.astrometry.net"),
    "arcsecond": (["arcsecond", "sites"], "PLANNER_ARCSECOND_URL", "/local", "/local/observingsites/", "Arcsecond"),
}

HTML_500 = "<!DOCTYPE html><html><head><title>Server Error</title></head><body><h1>500</h1></body></html>"


def answer(fault: str):
    """The handler for one fault (None: the fault is not an answer)."""
    canned = {
        "401": Response('{"detail": "Invalid key."}', status=401, content_type="application/json"),
        "403": Response("Forbidden", status=403, content_type="text/plain"),
        "404": Response("Not Found", status=404, content_type="text/plain"),
        "410": Response("Gone", status=410, content_type="text/plain"),
        "429": Response("Too many requests", status=429, headers={"Retry-After": "120"}),
        "html 500": Response(HTML_500, status=500, content_type="text/html"),
        "503": Response("Service Unavailable", status=503, content_type="text/plain"),
        "malformed": Response('{"targets": [', content_type="application/json"),
        # The connection closes after 7 of the 400 bytes announced (a generator body keeps
        # werkzeug from correcting the Content-Length).
        "truncated": Response(iter([b'{"x": 1']), headers={"Content-Length": "400", "Connection": "close"},
                              content_type="application/json", direct_passthrough=True),
        "wrong type": Response('"a string, not the object asked for"', content_type="application/json"),
    }
    return canned.get(fault)


FAULTS = ("401", "403", "404", "410", "429", "html 500", "503", "timeout", "refused", "malformed", "truncated",
          "wrong type")


@contextlib.contextmanager
def fault_server(path: str, fault: str):
    release = threading.Event()
    arrivals: list[float] = []
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()

    def handler(_request):
        arrivals.append(time.monotonic())
        if fault == "timeout":
            release.wait(30)
            return Response("{}", content_type="application/json")
        return answer(fault)

    server.expect_request(path).respond_with_handler(handler)
    try:
        yield server, arrivals
    finally:
        release.set()
        server.clear()
        server.stop()


@pytest.fixture
def matrix_env(monkeypatch):
    reset_limiters()
    for key, policy in list(POLICIES.items()):
        # Three retries as in real use, a short read timeout: a retried hang would show.
        monkeypatch.setitem(POLICIES, key, fast(policy, retries=3, timeout=(1.0, READ_TIMEOUT)))
    for var in ("PLANNER_AAVSO_KEY", "PLANNER_ASTROBIN_KEY", "PLANNER_ASTROBIN_SECRET", "PLANNER_ASTROMETRY_KEY",
                "PLANNER_ARCSECOND_KEY"):
        monkeypatch.setenv(var, SECRET + var[-6:])
    yield
    reset_limiters()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("service", SERVICES)
def test_every_fault_is_one_clear_line_within_one_timeout(service, fault, matrix_env, monkeypatch, capsys):
    argv, variable, base, path, name = SERVICES[service]
    with fault_server(path, fault) as (server, arrivals):
        url = f"http://127.0.0.1:{closed_port()}{base}" if fault == "refused" else server.url_for(base)
        monkeypatch.setenv(variable, url)
        started = time.monotonic()
        status = main(argv)
        elapsed = time.monotonic() - started
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert status == 2, (status, err)
    assert out == ""
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith("planner ") and name in line and line.rstrip().endswith(".")
    assert "; " in line  # what happened; what to do
    for noise in ("Traceback", "<html", "<!DOCTYPE", SECRET):
        assert noise not in line
    if fault == "truncated":
        assert "incomplete (truncated) answer" in line
    if fault == "timeout":
        assert len(arrivals) == 1, f"the hung request was sent {len(arrivals)} times"
        assert f"did not answer within {READ_TIMEOUT:g} s" in line
    # Generous, so that a busy machine cannot fail it, yet far below 4 retried timeouts of 30 s.
    assert elapsed < 20
