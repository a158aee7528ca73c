"""A planted canary key must never show up in logs, exceptions, CLI output or the cache file.

The canary is set through the environment (AAVSO, astrometry.net) and the keyring (a
generic query-parameter secret), then every client is driven through successes and
failures, including servers that echo the key back in their error text.
"""

from __future__ import annotations

import base64
import json
import logging

import pytest
from werkzeug import Response

from planner.services import credentials, http
from planner.services.aavso import AavsoClient
from planner.services.astrometry_net import AstrometryNetClient, UploadOptions
from planner.services.errors import ServiceError
from planner.services.http import POLICIES, ServicePolicy, ServiceSession

from .conftest import fast

AAVSO_CANARY = "CANARY-aavso-5b1e9d0c77"
NOVA_CANARY = "CANARY-nova-a41f3e82d9"
QUERY_CANARY = "CANARY-query-7d6c5b4a39"
SESSION_CANARY = "CANARY-session-0e1f2a3b4c"
CANARIES = (AAVSO_CANARY, NOVA_CANARY, QUERY_CANARY, SESSION_CANARY)


def echo_key(request):
    """An unhelpful server that repeats whatever credentials it got in its error text."""
    auth = request.headers.get("Authorization", "")
    decoded = base64.b64decode(auth.split()[-1]).decode() if auth.startswith("Basic ") else auth
    return Response(f"Invalid API key {decoded} for {request.full_path}", status=400, content_type="text/plain")


def assert_clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"a secret leaked into {where}"


@pytest.fixture
def planted(monkeypatch, memory_keyring, fast_policies):
    monkeypatch.setenv("PLANNER_AAVSO_KEY", AAVSO_CANARY)
    monkeypatch.setenv("PLANNER_ASTROMETRY_KEY", NOVA_CANARY)
    credentials.set_secret("astrobin", QUERY_CANARY)  # via the keyring
    assert credentials.get_secret("astrobin") == QUERY_CANARY


def test_canary_never_leaks(planted, httpserver, caplog, capsys, closed_port_url, monkeypatch):
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    base = "/TargetTool/api/v1"

    def attempt(fn):
        try:
            result = fn()
            texts.append(repr(result))
        except ServiceError as exc:
            texts.extend([str(exc), repr(exc), repr(exc.__dict__)])

    # AAVSO: success, echoing 400, 401, 429, HTML 500, malformed, refused
    httpserver.expect_request(f"{base}/targets").respond_with_json({"targets": []}, headers={"X-Rate-Limit-Remaining": "5"})
    httpserver.expect_request(f"{base}/nighttime").respond_with_handler(echo_key)
    # A proxy that repeats the raw request headers, Basic value and all, past the 300-char cut
    httpserver.expect_request(f"{base}/echo-headers").respond_with_handler(
        lambda r: Response("x" * 280 + " ".join(f"{k}: {v}" for k, v in r.headers.items()), status=400)
    )
    httpserver.expect_request(f"{base}/telescope", method="GET").respond_with_data("no", status=401)
    httpserver.expect_request(f"{base}/telescope", method="POST").respond_with_data("slow", status=429, headers={"X-Rate-Limit-Reset": "60"})
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for(base))
    aavso = AavsoClient.from_settings()
    texts.append(repr(aavso))
    attempt(lambda: aavso.targets())
    attempt(lambda: aavso.targets(refresh=True))
    attempt(lambda: aavso.nighttime())
    attempt(lambda: aavso.session.get("echo-headers", auth=aavso._auth))
    attempt(lambda: aavso.get_telescope())
    attempt(lambda: aavso.set_telescope(1, 2))
    attempt(lambda: AavsoClient(AAVSO_CANARY, session=ServiceSession(fast(POLICIES["aavso"]), closed_port_url)).targets())

    # nova.astrometry.net: login echoing the key, a good login, upload, results, errors
    seen = {"n": 0}

    def login(request):
        seen["n"] += 1
        payload = json.loads(request.form["request-json"])
        if seen["n"] == 1:
            return Response(json.dumps({"status": "error", "errormessage": f"bad apikey {payload['apikey']}"}), content_type="application/json")
        return Response(json.dumps({"status": "success", "session": SESSION_CANARY}), content_type="application/json")

    def upload(request):
        payload = json.loads(request.form["request-json"])
        return Response(json.dumps({"status": "error", "errormessage": f"quota for {payload['session']}"}), content_type="application/json")

    httpserver.expect_request("/api/login").respond_with_handler(login)
    httpserver.expect_request("/api/url_upload").respond_with_handler(upload)
    httpserver.expect_request("/api/jobs/7/calibration/").respond_with_json(
        {"ra": 1.0, "dec": 2.0, "radius": 0.5, "pixscale": 1.1, "orientation": 3.0, "parity": 1.0}
    )
    httpserver.expect_request("/api/jobs/7").respond_with_data("<html>boom</html>", status=500)
    monkeypatch.setenv("PLANNER_ASTROMETRY_URL", httpserver.url_for("/api"))
    nova = AstrometryNetClient.from_settings()
    texts.append(repr(nova))
    attempt(lambda: nova.login())
    attempt(lambda: nova.upload_url("https://example.org/a.jpg", UploadOptions(publicly_visible="n")))
    attempt(lambda: nova.calibration(7))
    attempt(lambda: nova.job_status(7))

    # A secret in a query parameter (as AstroBin sends it): cache key, DB, logs, errors
    policy = fast(ServicePolicy("canarysvc", "Canary Service", expire_after=3600, secret_params=("api_key",)))
    httpserver.expect_request("/q/ok").respond_with_json({"fine": True})
    httpserver.expect_request("/q/echo").respond_with_handler(echo_key)
    httpserver.expect_request("/q/missing").respond_with_data("missing", status=404)
    plain = ServiceSession(policy, httpserver.url_for("/q"))
    for path in ("ok", "ok", "echo", "missing"):
        attempt(lambda path=path: plain.get(path, params={"api_key": QUERY_CANARY, "term": "m31"}))
    httpserver.stop()
    try:
        attempt(lambda: plain.get("ok", params={"api_key": QUERY_CANARY, "term": "m31"}, refresh=True))
        attempt(lambda: plain.get("gone", params={"api_key": QUERY_CANARY}))
    finally:
        httpserver.start()

    # The CLI, failing and succeeding
    from planner.cli import main

    httpserver.expect_request(f"{base}/targets").respond_with_json({"targets": []})
    main(["aavso", "nighttime"])
    main(["keys", "status"])
    main(["solve", "https://example.org/a.jpg"])
    captured = capsys.readouterr()
    texts.extend([captured.out, captured.err])

    assert len(texts) > 20
    for text in texts:
        assert_clean(text, "a message, a result or CLI output")
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]  # werkzeug is the test server
    assert any(r.name.startswith("urllib3") for r in ours)
    for record in ours:
        assert_clean(record.getMessage(), f"the log ({record.name})")
        if record.exc_info:
            assert_clean(logging.Formatter().formatException(record.exc_info), "a logged traceback")

    for session in (aavso.session, nova.session, plain):
        session.close()
    cache = http.cache_path()
    blobs = [p.read_bytes() for p in cache.parent.glob(cache.name + "*")]
    assert blobs and sum(len(b) for b in blobs) > 0
    for blob in blobs:
        for canary in CANARIES:
            assert canary.encode() not in blob, "a secret leaked into the HTTP cache file"
    # Every other file planner wrote: the credential salt, the AAVSO budget file, settings
    from planner.config import cache_dir, config_dir, data_dir

    written = [p for folder in (cache_dir(), data_dir(), config_dir()) for p in folder.rglob("*") if p.is_file()]
    assert any(p.name.startswith("rate-budget-aavso") for p in written)
    for path in written:
        content = path.read_bytes()
        for canary in CANARIES:
            for form in (canary, base64.b64encode(f"{canary}:api_token".encode()).decode()):
                assert form.encode() not in content, f"a secret leaked into {path.name}"


def test_settings_file_never_holds_keys(planted):
    from planner.config import Settings, save_settings

    path = save_settings(Settings())
    assert_clean(path.read_text(), "the settings file")
