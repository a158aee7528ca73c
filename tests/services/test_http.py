"""The shared HTTP layer against a local server: caching, offline fallback, retries,
rate limits, error mapping, size limits and redaction."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from werkzeug import Response

from planner.services import http
from planner.services.errors import (
    BadResponseError,
    ConfigurationError,
    GoneError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServiceUnavailableError,
)
from planner.services.http import ServicePolicy, ServiceSession, parse_or_bad_response

HTML_500 = "<!DOCTYPE html><html><head><title>Internal error</title></head><body><h1>Internal error</h1><p>Oops</p></body></html>"


def make(policy, server, tmp_path=None, **kw):
    return ServiceSession(policy, server.url_for(""), **kw)


def test_get_json_then_cache_hit(httpserver, test_policy):
    httpserver.expect_ordered_request("/v1/thing", query_string="a=1").respond_with_json({"ok": True})
    session = ServiceSession(test_policy, httpserver.url_for("/v1"))
    first = session.get("thing", params={"a": 1})
    second = session.get("thing", params={"a": 1})
    assert first.data == {"ok": True} and not first.from_cache and not first.offline
    assert second.data == {"ok": True} and second.from_cache and not second.offline
    assert second.fetched_at == pytest.approx(first.fetched_at, abs=2)
    assert len(httpserver.log) == 1  # the second answer did not reach the server


def test_user_agent_and_default_timeout(httpserver, test_policy):
    httpserver.expect_request("/ua").respond_with_json({})
    session = make(test_policy, httpserver)
    session.get("/ua")
    request, _ = httpserver.log[0]
    from planner import __version__

    assert request.headers["User-Agent"].startswith(f"planner/{__version__} ")


def test_secret_param_not_in_cache_key(httpserver, test_policy):
    httpserver.expect_request("/s").respond_with_json({"n": 1})
    session = make(test_policy, httpserver)
    session.get("/s", params={"q": "x", "api_key": "first-secret"})
    again = session.get("/s", params={"q": "x", "api_key": "first-secret"})
    other = session.get("/s", params={"q": "x", "api_key": "other-secret"})
    assert again.from_cache  # the same key gets its own cached answer
    assert not other.from_cache  # another key never does (its digest differs)
    assert "first-secret" not in again.url and "REDACTED" in again.url
    keys = list(session.cached_session.cache.responses.keys())
    assert keys and not any("secret" in k for k in keys)


def test_offline_fallback_with_refresh(httpserver, test_policy):
    httpserver.expect_request("/t").respond_with_json({"v": 42})
    session = make(test_policy, httpserver)
    fresh = session.get("/t")
    httpserver.stop()
    try:
        stale = session.get("/t", refresh=True)
    finally:
        httpserver.start()
    assert stale.data == {"v": 42}
    assert stale.offline and stale.from_cache
    assert stale.fetched_at == pytest.approx(fresh.fetched_at, abs=2)


def test_expired_cache_served_offline_when_server_gone(httpserver, test_policy):
    policy = dataclasses.replace(test_policy, expire_after=0.5)
    httpserver.expect_request("/t").respond_with_json({"v": 1})
    session = make(policy, httpserver)
    session.get("/t")
    time.sleep(0.7)
    httpserver.stop()
    try:
        reply = session.get("/t")
    finally:
        httpserver.start()
    assert reply.offline and reply.data == {"v": 1}


def test_5xx_with_cache_serves_stale(httpserver, test_policy):
    httpserver.expect_ordered_request("/t").respond_with_json({"v": 1})
    httpserver.expect_request("/t").respond_with_data(HTML_500, status=500, content_type="text/html")
    session = make(dataclasses.replace(test_policy, retries=0), httpserver)
    session.get("/t")
    reply = session.get("/t", refresh=True)
    assert reply.offline and reply.data == {"v": 1}


def test_refused_without_cache_is_offline_error(closed_port_url, test_policy):
    session = ServiceSession(test_policy, closed_port_url)
    with pytest.raises(OfflineError) as info:
        session.get("/x")
    assert isinstance(info.value, NetworkError)
    assert "Test Service" in str(info.value) and "refused" in str(info.value)


def test_refused_post_is_network_error(closed_port_url, test_policy):
    session = ServiceSession(test_policy, closed_port_url)
    with pytest.raises(NetworkError) as info:
        session.post("/x", data={"a": 1})
    assert not isinstance(info.value, OfflineError)


def test_timeout_is_network_error(httpserver, test_policy):
    def slow(request):
        time.sleep(0.8)
        return Response("{}", content_type="application/json")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    session = make(dataclasses.replace(test_policy, retries=0, timeout=(1.0, 0.2)), httpserver)
    with pytest.raises(NetworkError) as info:
        session.get("/slow", cache=False)
    assert "did not answer within" in str(info.value)


@pytest.mark.parametrize(
    "status, error, words",
    [
        (401, NotAuthorisedError, "API key"),
        (403, NotAuthorisedError, "denied"),
        (404, NotFoundError, "404"),
        (410, GoneError, "no longer in service"),
        (503, ServiceUnavailableError, "temporarily down"),
        (502, ServiceUnavailableError, "server error"),
    ],
)
def test_status_mapping(httpserver, test_policy, status, error, words):
    httpserver.expect_request("/e").respond_with_data("nope", status=status, content_type="text/plain")
    session = make(dataclasses.replace(test_policy, retries=0), httpserver)
    with pytest.raises(error) as info:
        session.get("/e")
    assert words in str(info.value)
    assert info.value.status == status
    assert str(info.value).startswith("Test Service: ")


def test_html_500_has_no_html_in_message(httpserver, test_policy):
    httpserver.expect_request("/e").respond_with_data(HTML_500, status=500, content_type="text/html")
    session = make(test_policy, httpserver)
    with pytest.raises(ServiceUnavailableError) as info:
        session.get("/e")
    message = str(info.value)
    assert "<" not in message and "Internal error" not in message
    assert len(httpserver.log) == 2  # one retry for a GET on 500


def test_post_is_not_retried(httpserver, test_policy):
    httpserver.expect_request("/p", method="POST").respond_with_data("x", status=503)
    session = make(dataclasses.replace(test_policy, retries=3), httpserver)
    with pytest.raises(ServiceUnavailableError):
        session.post("/p", data={"a": "b"})
    assert len(httpserver.log) == 1


def test_other_4xx_surfaces_plain_text(httpserver, test_policy):
    httpserver.expect_request("/q").respond_with_data("Invalid obs_section: xyz", status=400)
    session = make(test_policy, httpserver)
    with pytest.raises(InvalidRequestError) as info:
        session.get("/q")
    assert info.value.detail == "Invalid obs_section: xyz"
    assert "Invalid obs_section: xyz" in str(info.value)


def test_429_sets_retry_at_and_blocks(httpserver, test_policy):
    policy = dataclasses.replace(test_policy, hourly_budget=1000)
    httpserver.expect_request("/r").respond_with_data(
        "Too many requests",
        status=429,
        headers={"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "600"},
    )
    session = make(policy, httpserver)
    before = time.time()
    with pytest.raises(RateLimitedError) as info:
        session.get("/r")
    assert info.value.retry_at == pytest.approx(before + 600, abs=5)
    assert "try again after" in str(info.value)
    with pytest.raises(RateLimitedError):
        session.get("/r")
    assert len(httpserver.log) == 1  # the second call never reached the server
    assert session.rate.remaining == 0 and session.rate.limit == 1000


def test_hourly_budget_never_exceeded(httpserver, test_policy):
    policy = dataclasses.replace(test_policy, hourly_budget=1000)
    remaining = iter(["2", "1", "0"])

    def handler(request):
        return Response(
            "{}",
            content_type="application/json",
            headers={"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": next(remaining), "X-Rate-Limit-Reset": "1200"},
        )

    httpserver.expect_request("/b").respond_with_handler(handler)
    session = make(policy, httpserver)
    for i in range(3):
        session.get("/b", params={"i": i})
    assert session.rate.remaining == 0
    with pytest.raises(RateLimitedError) as info:
        session.get("/b", params={"i": 99})
    assert len(httpserver.log) == 3
    assert info.value.retry_at is not None
    # A cached answer is still served: it costs nothing.
    assert session.get("/b", params={"i": 0}).from_cache


def test_local_budget_without_headers(httpserver, test_policy):
    policy = dataclasses.replace(test_policy, hourly_budget=2)
    httpserver.expect_request("/b").respond_with_json({})
    session = make(policy, httpserver)
    session.get("/b", params={"i": 1})
    session.get("/b", params={"i": 2})
    with pytest.raises(RateLimitedError):
        session.get("/b", params={"i": 3})
    assert len(httpserver.log) == 2


def test_limiter_is_shared_by_service_key(httpserver, test_policy):
    policy = dataclasses.replace(test_policy, hourly_budget=1)
    httpserver.expect_request("/b").respond_with_json({})
    make(policy, httpserver).get("/b", params={"i": 1})
    with pytest.raises(RateLimitedError):
        make(policy, httpserver).get("/b", params={"i": 2})


def test_throttle_spaces_requests():
    limiter = http.ServiceLimiter("throttle-test")
    policy = ServicePolicy("throttle-test", "T", expire_after=0, min_interval=1.0)
    clock = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter.acquire(policy, clock=lambda: clock[0], sleep=sleep)
    clock[0] += 0.25
    limiter.acquire(policy, clock=lambda: clock[0], sleep=sleep)
    assert slept == [pytest.approx(0.75)]


def test_throttle_is_thread_safe():
    limiter = http.ServiceLimiter("threads")
    policy = ServicePolicy("threads", "T", expire_after=0, min_interval=0.0, hourly_budget=50)
    errors = []

    def worker():
        for _ in range(20):
            try:
                limiter.acquire(policy)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 30  # 80 attempts, 50 allowed, never more
    assert all(isinstance(e, RateLimitedError) for e in errors)


def test_malformed_json_is_bad_response_and_not_cached(httpserver, test_policy):
    httpserver.expect_ordered_request("/m").respond_with_data("{not json", content_type="application/json")
    httpserver.expect_ordered_request("/m").respond_with_json({"fixed": True})
    session = make(test_policy, httpserver)
    with pytest.raises(BadResponseError):
        session.get("/m")
    assert session.get("/m").data == {"fixed": True}


def test_html_200_is_bad_response(httpserver, test_policy):
    httpserver.expect_request("/h").respond_with_data(HTML_500, content_type="text/html")
    with pytest.raises(BadResponseError) as info:
        make(test_policy, httpserver).get("/h")
    assert "web page" in str(info.value) and "<" not in str(info.value)


def test_truncated_body(httpserver, test_policy):
    def handler(request):
        response = Response(b'{"targets": [1, 2', content_type="application/json")
        response.headers["Content-Length"] = "500"
        return response

    httpserver.expect_request("/t").respond_with_handler(handler)
    with pytest.raises(BadResponseError) as info:
        make(dataclasses.replace(test_policy, retries=0), httpserver).get("/t")
    assert "truncated" in str(info.value)


def test_max_bytes(httpserver, test_policy):
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000, content_type="application/octet-stream")
    session = make(test_policy, httpserver)
    with pytest.raises(BadResponseError) as info:
        session.get("/big", expect="bytes", max_bytes=1000)
    assert "1,000" in str(info.value)
    assert session.get("/big", expect="bytes", max_bytes=10000).data == b"x" * 5000


def test_max_bytes_applies_to_cached_answers_too(httpserver, test_policy):
    httpserver.expect_request("/cached-big").respond_with_data(b"z" * 5000, content_type="application/octet-stream")
    session = make(test_policy, httpserver)
    assert len(session.get("/cached-big", expect="bytes").data) == 5000  # cached without a limit
    with pytest.raises(BadResponseError) as info:
        session.get("/cached-big", expect="bytes", max_bytes=1000)
    assert "cached answer" in str(info.value)
    assert len(httpserver.log) == 1


def test_secret_headers_do_not_follow_a_redirect_to_another_host(httpserver, test_policy):
    from pytest_httpserver import HTTPServer

    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        other.expect_request("/landing").respond_with_json({"where": "other"})
        httpserver.expect_request("/away").respond_with_data("", status=302, headers={"Location": other.url_for("/landing")})
        httpserver.expect_request("/home").respond_with_json({"where": "home"})
        httpserver.expect_request("/stay").respond_with_data("", status=302, headers={"Location": httpserver.url_for("/home")})
        policy = dataclasses.replace(test_policy, secret_headers=("X-Service-Authorization",))
        session = make(policy, httpserver)
        secret = {"X-Service-Authorization": "Key canary-redirect-secret"}
        assert session.get("/away", headers=secret, cache=False).data == {"where": "other"}
        landed, _ = other.log[0]
        assert "X-Service-Authorization" not in landed.headers
        assert session.get("/stay", headers=secret, cache=False).data == {"where": "home"}
        home = [req for req, _ in httpserver.log if req.path == "/home"][0]
        assert home.headers["X-Service-Authorization"] == "Key canary-redirect-secret"
    finally:
        other.clear()
        other.stop()


def test_max_bytes_without_content_length(httpserver, test_policy):
    def handler(request):
        return Response((b"y" * 1000 for _ in range(10)), content_type="application/octet-stream", direct_passthrough=True)

    httpserver.expect_request("/stream").respond_with_handler(handler)
    with pytest.raises(BadResponseError):
        make(test_policy, httpserver).get("/stream", expect="bytes", max_bytes=3000)


def test_text_and_bytes(httpserver, test_policy):
    httpserver.expect_request("/txt").respond_with_data("hello", content_type="text/plain")
    session = make(test_policy, httpserver)
    assert session.get("/txt", expect="text").data == "hello"
    assert session.get("/txt", expect="bytes", cache=False).data == b"hello"


def test_https_only_refuses_plain_http():
    policy = ServicePolicy("aavso", "AAVSO Target Tool", expire_after=0, https_only=True)
    with pytest.raises(ConfigurationError) as info:
        ServiceSession(policy, "http://targettool.aavso.org/TargetTool/api/v1")
    assert "https" in str(info.value)
    ServiceSession(policy, "http://127.0.0.1:9/api")  # loopback is allowed (tests, local mirrors)
    ServiceSession(policy, "http://localhost:9/api")
    ServiceSession(policy, "http://[::1]:9/api")
    session = ServiceSession(policy, "https://example.org/api")
    with pytest.raises(ConfigurationError):
        session.get("http://example.org/elsewhere")


@pytest.mark.parametrize("base", ["", "ftp://x.org", "not a url", "https://"])
def test_bad_base_url(base):
    with pytest.raises(ConfigurationError):
        ServiceSession(ServicePolicy("x", "X", expire_after=0), base)


def test_redact_url():
    url = http.redact_url("https://a.org/p?api_key=SECRET1&q=m31&api_secret=SECRET2", ("api_key", "api_secret"))
    assert "SECRET" not in url and "q=m31" in url


def test_parse_or_bad_response():
    assert parse_or_bad_response("X", lambda d: d["a"], {"a": 1}) == 1
    for data in ({}, None, [], "s"):
        with pytest.raises(BadResponseError):
            parse_or_bad_response("X", lambda d: int(d["a"]["b"]), data)


def test_cache_size_and_clear(httpserver, test_policy, tmp_path):
    httpserver.expect_request("/c").respond_with_json({"payload": "z" * 2000})
    session = make(test_policy, httpserver)
    session.get("/c")
    assert http.cache_size_bytes() > 2000
    http.clear_cache()
    again = make(test_policy, httpserver).get("/c")
    assert not again.from_cache


def test_no_cache_when_expire_zero(httpserver, test_policy):
    httpserver.expect_request("/n").respond_with_json({})
    session = make(dataclasses.replace(test_policy, expire_after=0), httpserver)
    session.get("/n")
    assert not session.get("/n").from_cache
    assert len(httpserver.log) == 2


def test_session_for_uses_env_base_url(monkeypatch, httpserver):
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/nasa"))
    session = http.session_for("nasa")
    assert session.base_url.endswith("/nasa")
    with pytest.raises(ValueError):
        http.session_for("nope")


def test_a_live_answer_and_its_offline_copy_carry_the_same_fetch_time(httpserver, test_policy):
    """Before: the live fetched_at was taken a moment apart from the time the cache kept, so a
    command comparing 'the answer's time' saw two different times for one answer."""
    httpserver.expect_request("/t").respond_with_json({"v": 1})
    session = make(test_policy, httpserver)
    live = session.get("/t")
    httpserver.stop()
    try:
        stale = session.get("/t", refresh=True)
    finally:
        httpserver.start()
    assert stale.offline and stale.fetched_at == live.fetched_at
