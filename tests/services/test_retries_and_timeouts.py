"""Retries as the services need them: a server that accepted the request and hangs costs one
read timeout, not four; retries after a 5xx keep the service's throttle."""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.services.errors import NetworkError, OfflineError
from planner.services.http import ServicePolicy, ServiceSession


@contextlib.contextmanager
def hanging_server(path: str):
    """A server that accepts every request and never answers (until the test ends);
    ``arrivals`` counts the requests that reached it."""
    release = threading.Event()
    arrivals: list[float] = []
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()

    def hang(_request):
        arrivals.append(time.monotonic())
        release.wait(30)
        return Response("{}", content_type="application/json")

    server.expect_request(path).respond_with_handler(hang)
    try:
        yield server, arrivals
    finally:
        release.set()
        server.clear()
        server.stop()


def retrying_policy(key="retrysvc", **changes) -> ServicePolicy:
    base = dict(retries=3, backoff_factor=0.001, timeout=(1.0, 0.4), min_interval=0.0, expire_after=3600)
    base.update(changes)
    return ServicePolicy(key, "Retry Service", **base)


def test_read_timeout_is_not_retried(tmp_path):
    """Before: 4 attempts of one read timeout each (4 x 30 s with the real timeout)."""
    with hanging_server("/slow") as (server, arrivals):
        session = ServiceSession(retrying_policy(), server.url_for(""), cache_path=tmp_path / "c.sqlite")
        with pytest.raises(OfflineError) as info:
            session.get("slow")
    assert len(arrivals) == 1, f"the hung request was sent {len(arrivals)} times"
    message = str(info.value)
    assert "did not answer within 0.4 s" in message
    assert message.count("\n") == 0 and message.startswith("Retry Service: ")


def test_read_timeout_of_a_post_is_one_attempt_too(tmp_path):
    with hanging_server("/slow") as (server, arrivals):
        session = ServiceSession(retrying_policy(), server.url_for(""), cache_path=tmp_path / "c.sqlite")
        with pytest.raises(NetworkError, match="did not answer within 0.4 s"):
            session.post("slow", data={"a": 1})
    assert len(arrivals) == 1


def test_connection_errors_and_5xx_are_still_retried(httpserver, tmp_path):
    httpserver.expect_ordered_request("/flaky").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/flaky").respond_with_data("busy", status=502)
    httpserver.expect_ordered_request("/flaky").respond_with_json({"ok": True})
    session = ServiceSession(retrying_policy(), httpserver.url_for(""), cache_path=tmp_path / "c.sqlite")
    assert session.get("flaky").data == {"ok": True}
    assert len(httpserver.log) == 3


def test_retries_after_503_keep_the_throttle(httpserver, tmp_path):
    """Before: the retry after a 503 left 0.002 s after the first request, though AstroBin and
    astrometry.net allow about one a second."""
    arrivals: list[float] = []

    def answer(status):
        def handler(_request):
            arrivals.append(time.monotonic())
            if status == 200:
                return Response('{"ok": true}', content_type="application/json")
            return Response("down", status=status)

        return handler

    for status in (503, 503, 200):
        httpserver.expect_ordered_request("/throttled").respond_with_handler(answer(status))
    policy = retrying_policy(min_interval=0.3)
    session = ServiceSession(policy, httpserver.url_for(""), cache_path=tmp_path / "c.sqlite")
    assert session.get("throttled").data == {"ok": True}
    assert len(arrivals) == 3
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:])]
    assert min(gaps) >= 0.3 - 0.02, f"retries came {gaps} s apart"


def test_retries_count_against_the_hourly_budget(httpserver, tmp_path):
    """A retry is a request the service counts: the local budget sees it too."""
    httpserver.expect_ordered_request("/b").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/b").respond_with_json({"ok": True})
    policy = retrying_policy(hourly_budget=1000, key="budgetsvc")
    session = ServiceSession(policy, httpserver.url_for(""), cache_path=tmp_path / "c.sqlite")
    session.get("b")
    assert session.sent_in_the_last_hour() == 2


def test_fast_policy_helper_matches_real_shape():
    # the real policies keep three retries for connection errors and 5xx
    from planner.services.http import POLICIES

    assert all(p.retries == 3 for p in POLICIES.values())
    assert all(dataclasses.asdict(p)["timeout"][1] == 30.0 for p in POLICIES.values())
