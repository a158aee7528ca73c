"""Secrets never reach an error message, in whatever form a server echoes them: as typed, as
the HTTP Basic base64 value, URL-encoded, or cut by the message's length limit."""

from __future__ import annotations

import base64
import urllib.parse

import pytest
from werkzeug import Response

from planner.services.aavso import AavsoClient
from planner.services.errors import ServiceError, clean_detail
from planner.services.http import POLICIES, ServicePolicy, ServiceSession, redact_text, register_secret

from .conftest import fast

KEY = "CANARY-basic-3c9d5e7f1a2b"


def echo_headers(request):
    """A server that repeats the raw request headers in its 4xx text, as some proxies do."""
    lines = "; ".join(f"{k}: {v}" for k, v in request.headers.items())
    return Response(f"Bad request. You sent {lines}", status=400, content_type="text/plain")


def test_basic_auth_value_is_redacted(httpserver):
    """Before: 'Authorization: Basic Q0FOQVJZ...' came through un-redacted."""
    httpserver.expect_request("/api/v1/nighttime").respond_with_handler(echo_headers)
    session = ServiceSession(fast(POLICIES["aavso"]), httpserver.url_for("/api/v1"))
    client = AavsoClient(KEY, session=session)
    with pytest.raises(ServiceError) as info:
        client.nighttime()
    encoded = base64.b64encode(f"{KEY}:api_token".encode()).decode()
    text = str(info.value) + repr(info.value.__dict__)
    assert encoded[:12] not in text and KEY not in text
    assert "Basic ***" in text  # the message still shows what was sent, without the value


def test_secret_is_redacted_before_the_message_is_cut(httpserver, test_policy):
    """Before: bodies were cut to 300 characters first, so a key across the cut leaked its prefix."""
    secret = "CANARY-cut-8e1d2c3b4a5f6e7d"
    register_secret(secret)
    body = "x" * 290 + " " + secret + " and more text after it"
    httpserver.expect_request("/cut").respond_with_data(body, status=400, content_type="text/plain")
    session = ServiceSession(test_policy, httpserver.url_for(""))
    with pytest.raises(ServiceError) as info:
        session.get("cut")
    text = str(info.value)
    assert secret[:8] not in text
    assert len(text) < 400


def test_url_encoded_secret_is_redacted(httpserver):
    secret = "CANARY+enc/7f3e=2d1c"
    policy = fast(ServicePolicy("encsvc", "Encoding Service", expire_after=0, secret_params=("api_key",)))

    def echo_path(request):
        return Response(f"unknown key in {request.full_path}", status=400, content_type="text/plain")

    httpserver.expect_request("/enc").respond_with_handler(echo_path)
    session = ServiceSession(policy, httpserver.url_for(""))
    register_secret(secret)
    with pytest.raises(ServiceError) as info:
        session.get("enc", params={"api_key": secret, "q": "m31"})
    text = str(info.value)
    for form in (secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)):
        assert form not in text
    assert "q=m31" in text


def test_clean_detail_redacts_then_cuts():
    secret = "CANARY-detail-0a9b8c7d6e"
    register_secret(secret)
    text = "y" * 295 + secret
    cleaned = clean_detail(text)
    assert secret[:6] not in cleaned and "CANA" not in cleaned


def test_redact_text_covers_every_registered_form():
    secret = "CANARY form/with+chars"
    register_secret(secret)
    for form in (secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret), urllib.parse.quote(secret)):
        assert redact_text(f"<{form}>") == "<***>"
