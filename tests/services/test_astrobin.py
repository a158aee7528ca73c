"""AstroBin client against a local server speaking API v1 (canned answers modelled on the API page)."""

from __future__ import annotations

import io
import json
import socket
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.cli import main as cli_main
from planner.services import astrobin
from planner.services.astrobin import client as astrobin_client
from planner.services.astrobin import (
    AstrobinClient,
    SearchQuery,
    build_search_params,
    image_urls,
)
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
    ServiceError,
    ServiceUnavailableError,
)
from planner.services.http import ServiceSession
from planner.services.images_util import is_decodable_image
from tests.services.support import slow_server

DATA = Path(__file__).resolve().parents[1] / "data" / "astrobin"
KEY = "CANARY-ASTROBIN-KEY-5c1f"
SECRET = "CANARY-ASTROBIN-SECRET-77ab"
AUTH = {"api_key": KEY, "api_secret": SECRET, "format": "json"}


def canned(name: str):
    return json.loads((DATA / name).read_text("utf-8"))


def fast_policy(**changes):
    # The real throttle is 1 s; tests keep the rules (secrets, retries) and drop the waiting.
    return replace(astrobin.make_policy(0.0), backoff_factor=0.0, retries=1, timeout=(2.0, 0.5), **changes)


@pytest.fixture
def client(httpserver):
    base = httpserver.url_for("/api/v1")
    session = ServiceSession(fast_policy(), base)
    yield AstrobinClient(KEY, SECRET, base, session=session)
    session.close()


def assert_no_secret(text: str) -> None:
    assert KEY not in text
    assert SECRET not in text


def error_text(exc: ServiceError) -> str:
    return " ".join(str(x) for x in (exc, exc.url, exc.what, exc.action, repr(exc.args)))


# ----------------------------------------------------------------------------- payloads


def test_search_params_cover_every_documented_filter():
    import datetime as dt

    params = build_search_params(
        SearchQuery(
            subject="M31",
            user="siovene",
            title="andromeda",
            description="wind",
            lookups={"title__istartswith": "And", "description__iendswith": "galaxy", "published__gte": "2012-01-01",
                     "w__gte": 4000},
            uploaded_after=dt.date(2012, 4, 10),
            uploaded_before="2012-04-11",
            is_solved=True,
            order_by="-published",
            limit=5,
            offset=10,
        )
    )
    assert params == {
        "subjects": "M31",  # what the server filters on (astrobin/api.py build_filters)
        "subject": "M31",  # the API page's spelling, ignored by the server
        "user": "siovene",
        "title__icontains": "andromeda",
        "description__icontains": "wind",
        "title__istartswith": "And",
        "description__iendswith": "galaxy",
        "published__gte": "2012-01-01 00:00:00",
        "w__gte": "4000",
        "uploaded__gte": "2012-04-10 00:00:00",
        "uploaded__lt": "2012-04-11 00:00:00",
        "is_solved": "True",
        "order_by": "-published",
        "limit": "5",
        "offset": "10",
    }


@pytest.mark.parametrize(
    "query, fragment",
    [
        (SearchQuery(order_by="-rating_score"), "does not sort by rating_score"),
        (SearchQuery(order_by="likes"), "sort by uploaded, published or title"),
        (SearchQuery(min_field_width=2), "does not filter on field size"),
        (SearchQuery(min_field_height=2, field_units="degrees"), "does not filter on field size"),
        (SearchQuery(lookups={"fieldw__gte": 2}), "does not filter on field size"),
        (SearchQuery(lookups={"rating__gte": 2}), "not a filter AstroBin's server applies"),
    ],
)
def test_what_the_server_ignores_or_refuses_is_refused_with_the_reason(client, httpserver, query, fragment):
    """The API page shows subject=, fieldw/fieldh and -rating_score; the server ignores the
    first two without an error (results come back unfiltered) and refuses the third."""
    with pytest.raises(InvalidRequestError) as info:
        client.search(query)
    assert fragment in str(info.value)
    assert httpserver.log == []


def test_a_subject_search_sends_what_the_server_filters_on(client, httpserver):
    httpserver.expect_request(
        "/api/v1/image/", query_string=dict(AUTH, subjects="M31", subject="M31", limit="2", offset="0")
    ).respond_with_json(canned("image_search_m31.json"))
    assert client.search(subject="M31", limit=2).total_count == 5


@pytest.mark.parametrize(
    "query, fragment",
    [
        (SearchQuery(limit=0), "limit"),
        (SearchQuery(limit=26), "limit"),
        (SearchQuery(offset=-1), "offset"),
        (SearchQuery(order_by="rating; DROP"), "order_by"),
        (SearchQuery(lookups={"password__icontains": "x"}), "password__icontains"),
        (SearchQuery(lookups={"uploaded__icontains": "2012"}), "uploaded__icontains"),
        (SearchQuery(uploaded_after="last tuesday"), "not a date"),
        (SearchQuery(lookups={"w__gte": -3}), "positive"),
    ],
)
def test_bad_queries_are_refused_before_sending(client, httpserver, query, fragment):
    with pytest.raises(InvalidRequestError) as info:
        client.search(query)
    assert fragment in str(info.value)
    assert httpserver.log == []


def test_image_urls_follow_the_api_page_rules_and_prefer_new_fields():
    old = astrobin.parse_image(canned("image_1234.json"))
    urls = image_urls(old)
    assert urls.full == "https://cdn.astrobin.com/images/siovene_1334093590.jpg"
    assert urls.regular == "https://cdn.astrobin.com/images/siovene_1334093590_resized.jpg"
    assert urls.thumb == "https://cdn.astrobin.com/images/siovene_1334093590_thumb.png"
    assert image_urls(replace(old, original_ext="png")).full.endswith("siovene_1334093590.png")
    new = astrobin.parse_image(canned("image_search_m31.json")["objects"][1])
    assert new.urls.thumb == "https://cdn.astrobin.com/thumbs/a3bc4d_thumb.jpg"
    assert new.urls.regular.endswith("a3bc4d_regular.jpg")
    assert new.urls.full.endswith("a3bc4d_hd.jpg")
    assert image_urls(astrobin.AstrobinImage(id="x")) == astrobin.ImageUrls(None, None, None)


# ----------------------------------------------------------------------------- success paths


def test_search_sends_filters_and_credentials_and_parses_one_page(client, httpserver):
    httpserver.expect_request(
        "/api/v1/image/", query_string=dict(AUTH, subjects="M31", subject="M31", limit="2", offset="0")
    ).respond_with_json(canned("image_search_m31.json"))
    page = client.search(subject="M31", limit=2)
    assert [i.id for i in page.images] == ["1234", "a3bc4d"]
    first = page.images[0]
    assert first.title == "Andromeda Galaxy M31" and first.user == "siovene"
    assert first.subjects == ("M31", "M32", "M110")
    assert first.is_solved is True and first.ra == pytest.approx(10.684708)
    assert first.imaging_telescopes == ("Takahashi FSQ-106ED",)
    assert page.images[1].imaging_telescopes == ("Samyang 135",) and page.images[1].likes == 7
    assert (page.total_count, page.offset, page.next_offset, page.previous_offset) == (5, 0, 2, None)
    assert len(httpserver.log) == 1  # one page per call, never the whole result set


def test_paging_asks_for_the_offset_given(client, httpserver):
    httpserver.expect_request(
        "/api/v1/image/", query_string=dict(AUTH, subjects="M31", subject="M31", limit="2", offset="4")
    ).respond_with_json(canned("image_search_m31_last.json"))
    page = client.search(subject="M31", limit=2, offset=4)
    assert [i.id for i in page.images] == ["1240"]
    assert page.next_offset is None and page.previous_offset == 2


def test_empty_result(client, httpserver):
    httpserver.expect_request("/api/v1/image/").respond_with_json(canned("empty.json"))
    page = client.search(subject="nothing-like-this")
    assert page.images == () and page.total_count == 0 and page.next_offset is None


def test_image_by_id(client, httpserver):
    httpserver.expect_request("/api/v1/image/1234/", query_string=AUTH).respond_with_json(canned("image_1234.json"))
    image = client.image(1234)
    assert image.id == "1234" and image.width == 3000 and image.fieldunits == "degrees"
    with pytest.raises(InvalidRequestError):
        client.image("../../etc/passwd")


def test_image_of_the_day_resolves_its_image(client, httpserver):
    httpserver.expect_request(
        "/api/v1/imageoftheday/", query_string=dict(AUTH, limit="1", offset="1")
    ).respond_with_json(canned("imageoftheday.json"))
    httpserver.expect_request("/api/v1/image/1234/").respond_with_json(canned("image_1234.json"))
    iotd = client.image_of_the_day(days_ago=1)
    assert iotd.date == "2024-03-01" and iotd.image_id == "1234"
    assert iotd.image is not None and iotd.image.title == "Andromeda Galaxy M31"


def test_download_image_returns_bytes_and_decodability_is_checked(client, httpserver):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 20, 30)).save(buffer, "PNG")
    png = buffer.getvalue()
    httpserver.expect_request("/images/ok_thumb.png").respond_with_data(png, content_type="image/png")
    httpserver.expect_request("/images/html_thumb.png").respond_with_data(
        "<html><body>Not found</body></html>", content_type="image/png"
    )
    httpserver.expect_request("/images/cut_thumb.png").respond_with_data(png[: len(png) // 2], content_type="image/png")
    good = client.download_image(httpserver.url_for("/images/ok_thumb.png"))
    assert good == png and is_decodable_image(good)
    not_image = client.download_image(httpserver.url_for("/images/html_thumb.png"))
    assert isinstance(not_image, bytes) and not is_decodable_image(not_image)
    assert not is_decodable_image(client.download_image(httpserver.url_for("/images/cut_thumb.png")))
    assert not is_decodable_image(b"") and not is_decodable_image(None)
    # Neither the key nor the secret is sent to the image host.
    for request, _response in httpserver.log:
        assert "api_key" not in request.query_string.decode()
    with pytest.raises(BadResponseError, match="larger"):
        client.download_image(httpserver.url_for("/images/ok_thumb.png"), max_bytes=10)
    with pytest.raises(InvalidRequestError):
        client.download_image("file:///etc/passwd")


def test_policy_throttles_and_keeps_secrets_out_of_cache_keys():
    policy = astrobin.make_policy()
    assert policy.min_interval == pytest.approx(1.0)
    assert {"api_key", "api_secret"} <= set(policy.secret_params)
    cdn = astrobin.make_download_policy()
    assert cdn.key != policy.key and 0 < cdn.min_interval < policy.min_interval  # own limiter, still gentle


def test_downloads_use_their_own_session_when_none_is_injected(httpserver):
    png = _png()
    httpserver.expect_request("/images/x_thumb.png").respond_with_data(png, content_type="image/png")
    client = AstrobinClient(KEY, SECRET, httpserver.url_for("/api/v1"), cdn_base=httpserver.url_for("/images/"))
    assert client.download_image(httpserver.url_for("/images/x_thumb.png")) == png
    assert client._downloads() is not client.session
    assert client._downloads().policy.key == "astrobin-cdn"


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 20, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def test_missing_key_is_a_clear_configuration_error():
    with pytest.raises(ConfigurationError, match="PLANNER_ASTROBIN_KEY"):
        AstrobinClient(None, None, "http://127.0.0.1:1/api/v1")


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "status, body, headers, error, fragment",
    [
        (401, '{"error": "bad key"}', {}, NotAuthorisedError, "AstroBin API key"),
        (403, "Forbidden", {}, NotAuthorisedError, "Settings"),
        (404, '{"error": "not found"}', {}, NotFoundError, "404"),
        (410, "Gone", {}, GoneError, "410"),
        (429, "slow down", {"Retry-After": "120"}, RateLimitedError, "try again after"),
        (500, "<!DOCTYPE html><html><body><h1>Server Error (500)</h1></body></html>", {}, ServiceUnavailableError, "500"),
        (503, "<html><body>Maintenance</body></html>", {}, ServiceUnavailableError, "503"),
        (200, "{not json", {}, BadResponseError, "not valid JSON"),
        (200, '{"meta": {}, "objects": "nope"}', {}, BadResponseError, "no list of objects"),
        (200, '{"meta": {}, "objects": [{"title": "no id"}]}', {}, BadResponseError, "no usable id"),
    ],
)
def test_http_failures_become_service_errors(client, httpserver, status, body, headers, error, fragment):
    httpserver.expect_request("/api/v1/image/").respond_with_data(
        body, status=status, headers=headers, content_type="text/html" if body.startswith("<") else "application/json"
    )
    with pytest.raises(error) as info:
        client.search(subject="M31")
    text = error_text(info.value)
    assert fragment in str(info.value)
    assert "AstroBin" in str(info.value)
    assert "<html" not in text.lower()
    assert_no_secret(text)


def test_truncated_body_is_a_bad_response(client, httpserver):
    full = json.dumps(canned("image_search_m31.json")).encode()
    httpserver.expect_request("/api/v1/image/").respond_with_response(
        Response(full[:200], headers={"Content-Length": str(len(full))}, content_type="application/json")
    )
    with pytest.raises(BadResponseError) as info:
        client.search(subject="M31")
    assert_no_secret(error_text(info.value))


def test_timeout_is_a_network_error():
    with slow_server("/api/v1/image/", "/api/v1") as base:
        client = AstrobinClient(KEY, SECRET, base, session=ServiceSession(fast_policy(), base))
        with pytest.raises((NetworkError, OfflineError)) as info:
            client.search(subject="M31")
    assert "did not answer within" in str(info.value)
    assert_no_secret(error_text(info.value))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_refused_connection_is_a_network_error():
    base = f"http://127.0.0.1:{closed_port()}/api/v1"
    client = AstrobinClient(KEY, SECRET, base, session=ServiceSession(fast_policy(), base))
    with pytest.raises((NetworkError, OfflineError)) as info:
        client.search(subject="M31")
    assert "refused" in str(info.value) or "reached" in str(info.value)
    assert_no_secret(error_text(info.value))


def test_second_run_without_server_serves_the_cached_answer_offline(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        base = server.url_for("/api/v1")
        server.expect_request("/api/v1/image/").respond_with_json(canned("image_search_m31.json"))
        cache = tmp_path / "cache.sqlite"
        policy = fast_policy(expire_after=0.05)
        first = AstrobinClient(KEY, SECRET, base, session=ServiceSession(policy, base, cache_path=cache)).search(subject="M31")
        assert not first.from_cache and not first.offline
    finally:
        server.clear()
        server.stop()
    time.sleep(0.1)  # let the cached answer expire so the client has to try the network
    again = AstrobinClient(KEY, SECRET, base, session=ServiceSession(policy, base, cache_path=cache)).search(subject="M31")
    assert again.offline and again.from_cache
    assert [i.id for i in again.images] == [i.id for i in first.images]
    raw = cache.read_bytes()
    for path in tmp_path.glob("cache.sqlite*"):
        raw += path.read_bytes()
    assert KEY.encode() not in raw and SECRET.encode() not in raw
    with sqlite3.connect(cache) as db:
        keys = " ".join(str(row) for row in db.execute("select * from responses"))
    assert_no_secret(keys)


# ----------------------------------------------------------------------------- property tests

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12,
)
image_like = st.fixed_dictionaries(
    {},
    optional={
        k: json_values
        for k in ("id", "title", "user", "subjects", "ra", "dec", "w", "h", "is_solved", "filename", "original_ext", "url_thumb", "resource_uri", "likes", "imaging_telescopes")
    },
)
page_like = st.fixed_dictionaries({}, optional={"meta": json_values | st.dictionaries(st.sampled_from(["limit", "offset", "next", "previous", "total_count"]), json_values), "objects": st.lists(image_like | json_values, max_size=3) | json_values})


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(payload=json_values | page_like)
def test_parsers_raise_only_bad_response_on_random_json(payload):
    for parser in (astrobin.parse_image_page, astrobin.parse_image, astrobin.parse_iotd_page):
        try:
            parser(payload)
        except BadResponseError:
            pass


@settings(max_examples=100, deadline=None)
@given(payload=image_like)
def test_image_parser_urls_never_crash(payload):
    try:
        image = astrobin.parse_image(payload)
    except BadResponseError:
        return
    urls = image.urls
    for url in (urls.thumb, urls.regular, urls.full):
        assert url is None or isinstance(url, str)


# ----------------------------------------------------------------------------- CLI


@pytest.fixture
def cli_env(httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_ASTROBIN_URL", httpserver.url_for("/api/v1"))
    monkeypatch.setenv("PLANNER_ASTROBIN_KEY", KEY)
    monkeypatch.setenv("PLANNER_ASTROBIN_SECRET", SECRET)


def test_cli_search_prints_json(cli_env, httpserver, capsys):
    httpserver.expect_request(
        "/api/v1/image/", query_string=dict(AUTH, subjects="M31", subject="M31", user="siovene", is_solved="True", limit="2", offset="0")
    ).respond_with_json(canned("image_search_m31.json"))
    assert cli_main(["images", "astrobin", "M31", "--user", "siovene", "--solved", "--limit", "2"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["total_count"] == 5 and data["next_offset"] == 2
    assert data["images"][0]["urls"]["thumb"].endswith("_thumb.png")
    assert_no_secret(out + err)


def test_cli_image_of_the_day(cli_env, httpserver, capsys, monkeypatch):
    httpserver.expect_request("/api/v1/imageoftheday/").respond_with_json(canned("imageoftheday.json"))
    httpserver.expect_request("/api/v1/image/1234/").respond_with_json(canned("image_1234.json"))
    real_policy = astrobin.make_policy
    # where the client reads it (planner.services.astrobin re-exports it from there)
    monkeypatch.setattr(astrobin_client, "make_policy", lambda min_interval=0.0: real_policy(0.0))  # no 1 s wait
    assert cli_main(["images", "astrobin", "--iotd"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["image_of_the_day"]["date"] == "2024-03-01" and data["image"]["id"] == "1234"


@pytest.mark.parametrize("status", [401, 404])
def test_cli_failure_is_one_line_without_secrets(cli_env, httpserver, capsys, status):
    httpserver.expect_request("/api/v1/image/").respond_with_data("nope", status=status)
    assert cli_main(["images", "astrobin", "M31"]) != 0
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "AstroBin" in err
    assert_no_secret(out + err)


def test_cli_without_key_says_how_to_set_one(httpserver, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_ASTROBIN_URL", httpserver.url_for("/api/v1"))
    assert cli_main(["images", "astrobin", "M31"]) == 2
    err = capsys.readouterr().err
    assert "planner keys set astrobin" in err and len(err.strip().splitlines()) == 1
    assert httpserver.log == []


def test_cli_accepts_an_order_that_starts_with_a_dash(cli_env, httpserver, capsys):
    """Before: argparse refused '--order-by -uploaded' ('expected one argument'), the README's
    own form of the example."""
    httpserver.expect_request(
        "/api/v1/image/", query_string=dict(AUTH, subjects="M31", subject="M31", order_by="-uploaded", limit="20", offset="0")
    ).respond_with_json(canned("image_search_m31.json"))
    assert cli_main(["images", "astrobin", "M31", "--order-by", "-uploaded"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["total_count"] == 5 and "expected one argument" not in err


def test_a_refusal_of_the_server_shows_its_own_words(client, httpserver):
    """Tastypie answers a bad sort or filter with 400 {"error": "..."}: the words, not the JSON."""
    httpserver.expect_request("/api/v1/image/").respond_with_json(
        {"error": "The 'likes' field does not allow ordering."}, status=400
    )
    with pytest.raises(InvalidRequestError) as info:
        client.search(subject="M31", order_by="-uploaded")
    assert "rejected the request (HTTP 400): The 'likes' field does not allow ordering;" in str(info.value)
    assert "{" not in str(info.value)
