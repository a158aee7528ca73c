"""NASA Image Library client against a local server speaking its Collection+JSON API."""

from __future__ import annotations

import io
import json
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.cli import main as cli_main
from planner.services import nasa_images
from planner.services.errors import (
    BadResponseError,
    GoneError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServiceUnavailableError,
)
from planner.services.http import ServiceSession
from planner.services.images_util import is_decodable_image
from planner.services.nasa_images import (
    NasaAsset,
    NasaImagesClient,
    build_search_params,
)
from tests.services.support import slow_server

DATA = Path(__file__).resolve().parents[1] / "data" / "nasa"


def canned(name: str):
    return json.loads((DATA / name).read_text("utf-8"))


def fast_policy(**changes):
    return replace(nasa_images.make_policy(), backoff_factor=0.0, retries=1, timeout=(2.0, 0.5), **changes)


@pytest.fixture
def client(httpserver):
    base = httpserver.url_for("/")
    session = ServiceSession(fast_policy(), base)
    yield NasaImagesClient(base, session=session)
    session.close()


# ----------------------------------------------------------------------------- payloads


def test_every_documented_search_parameter_is_sent():
    params = build_search_params(
        "apollo 11",
        center="JSC",
        description="moon landing",
        description_508="astronaut",
        keywords=["MOON", "APOLLO 11 FLIGHT"],
        location="Sea of Tranquility",
        media_type="image,AUDIO",
        nasa_id="as11-40-5874",
        photographer="Neil A. Armstrong",
        secondary_creator="Buzz Aldrin",
        title="Aldrin",
        year_start=1969,
        year_end="1970",
        page=2,
        page_size=50,
    )
    assert params == {
        "q": "apollo 11",
        "center": "JSC",
        "description": "moon landing",
        "description_508": "astronaut",
        "keywords": "MOON,APOLLO 11 FLIGHT",
        "location": "Sea of Tranquility",
        "media_type": "image,audio",
        "nasa_id": "as11-40-5874",
        "photographer": "Neil A. Armstrong",
        "secondary_creator": "Buzz Aldrin",
        "title": "Aldrin",
        "year_start": "1969",
        "year_end": "1970",
        "page": "2",
        "page_size": "50",
    }


@pytest.mark.parametrize(
    "args, kwargs, fragment",
    [
        ((), {}, "at least one parameter"),
        (("  ",), {"page": 2}, "at least one parameter"),
        (("m31",), {"media_type": "hologram"}, "hologram"),
        (("m31",), {"year_start": "69"}, "not a year"),
        (("m31",), {"year_start": 2000, "year_end": 1990}, "after"),
        (("m31",), {"page": 0}, "page"),
        (("m31",), {"page_size": 1000}, "page_size"),
        (("m31",), {"colour": "red"}, "colour"),
    ],
)
def test_bad_searches_are_refused_before_sending(client, httpserver, args, kwargs, fragment):
    with pytest.raises(InvalidRequestError) as info:
        client.search(*args, **kwargs)
    assert fragment in str(info.value) and "NASA Images" in str(info.value)
    assert httpserver.log == []


def test_asset_pick_by_need_with_fallbacks():
    asset = nasa_images.parse_manifest(canned("asset_as11-40-5874.json"), "as11-40-5874")
    assert asset.pick("thumb").endswith("as11-40-5874~thumb.jpg")  # Unicode hyphens repaired
    assert asset.pick("small").endswith("~small.jpg")
    assert asset.pick("medium").endswith("~medium.jpg")
    assert asset.pick("large").endswith("~orig.jpg")  # no ~large: the next larger size
    assert asset.pick("orig").endswith("~orig.jpg")
    assert asset.metadata_url.endswith("/metadata.json")
    only_thumb = NasaAsset("x", ("https://h/x~thumb.jpg", "https://h/metadata.json"))
    assert only_thumb.pick("orig") == "https://h/x~thumb.jpg"
    assert NasaAsset("x", ("https://h/metadata.json",)).pick("thumb") is None
    with pytest.raises(ValueError):
        asset.pick("huge")


# ----------------------------------------------------------------------------- success paths


def test_search_parses_collection_and_paging(client, httpserver):
    httpserver.expect_request(
        "/search", query_string={"q": "apollo 11", "media_type": "image"}
    ).respond_with_json(canned("search_apollo11.json"))
    results = client.search("apollo 11", media_type="image")
    assert results.total_hits == 336
    assert [i.nasa_id for i in results.items] == ["as11-40-5874", "as11-40-5903"]
    first = results.items[0]
    assert first.center == "JSC" and first.media_type == "image" and "MOON" in first.keywords
    assert first.preview_url.endswith("as11-40-5874~thumb.jpg")
    assert first.href.endswith("/collection.json")
    assert results.next_page == 2 and results.previous_page is None
    assert len(httpserver.log) == 1


def test_next_page_is_asked_for_by_number(client, httpserver):
    httpserver.expect_request(
        "/search", query_string={"q": "apollo 11", "media_type": "image", "page": "2"}
    ).respond_with_json(canned("search_apollo11_page2.json"))
    results = client.search("apollo 11", media_type="image", page=2)
    assert [i.nasa_id for i in results.items] == ["as11-44-6551"]
    assert (results.previous_page, results.next_page) == (1, 3)


def test_no_hits(client, httpserver):
    httpserver.expect_request("/search").respond_with_json(canned("search_none.json"))
    results = client.search("zzzxq")
    assert results.items == () and results.total_hits == 0 and results.next_page is None


def test_asset_metadata_and_captions(client, httpserver):
    httpserver.expect_request("/asset/as11-40-5874").respond_with_json(canned("asset_as11-40-5874.json"))
    meta_url = httpserver.url_for("/assets/as11-40-5874/metadata.json")
    httpserver.expect_request("/metadata/as11-40-5874").respond_with_json({"location": meta_url})
    httpserver.expect_request("/assets/as11-40-5874/metadata.json").respond_with_json(canned("metadata.json"))
    httpserver.expect_request("/captions/172_ISS-Slosh").respond_with_json(canned("captions_location.json"))

    asset = client.asset("as11-40-5874")
    assert len(asset.urls) == 5 and set(asset.by_size()) == {"orig", "medium", "small", "thumb"}
    assert client.metadata_location("as11-40-5874") == meta_url
    meta = client.metadata("as11-40-5874")
    assert meta.title.startswith("Apollo 11 Mission image") and meta.date_created == "1969-07-21T00:00:00Z"
    assert meta.fields["EXIF:Make"] == "Hasselblad" and meta.location == meta_url
    assert client.captions_location("172_ISS-Slosh").endswith("172_ISS-Slosh.srt")
    with pytest.raises(InvalidRequestError):
        client.asset("../search")


def test_album_with_paging(client, httpserver):
    httpserver.expect_request("/album/apollo", query_string={"page": "1"}).respond_with_json(canned("album_apollo.json"))
    results = client.album("apollo", page=1)
    assert results.total_hits == 302 and results.next_page == 2
    assert results.items[0].album == ("apollo",) and results.items[0].center == "GSFC"


def test_download_of_a_file_that_is_not_an_image(client, httpserver):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8, 8), 128).save(buffer, "JPEG")
    httpserver.expect_request("/img/a~thumb.jpg").respond_with_data(buffer.getvalue(), content_type="image/jpeg")
    httpserver.expect_request("/img/b~thumb.jpg").respond_with_data(b'{"reason": "nope"}', content_type="image/jpeg")
    assert is_decodable_image(client.download(httpserver.url_for("/img/a~thumb.jpg")))
    fake = client.download(httpserver.url_for("/img/b~thumb.jpg"))
    assert isinstance(fake, bytes) and not is_decodable_image(fake)


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "status, body, error, fragment",
    [
        (400, json.dumps(canned("error_400.json")), InvalidRequestError, "page_size"),
        (401, "{}", NotAuthorisedError, "401"),
        (404, '{"reason": "No media found"}', NotFoundError, "404"),
        (410, "{}", GoneError, "410"),
        (429, "{}", RateLimitedError, "429"),
        (500, "<html><head><title>500</title></head><body>Internal Server Error</body></html>", ServiceUnavailableError, "500"),
        (503, "<html><body>Service Unavailable</body></html>", ServiceUnavailableError, "503"),
        (200, "{\"collection\": {\"items\": [", BadResponseError, "JSON"),
        (200, '{"reason": "Something broke"}', BadResponseError, "Something broke"),
        (200, '{"collection": {"items": [{"data": [{"title": "no id"}]}]}}', BadResponseError, "nasa_id"),
    ],
)
def test_http_failures_become_service_errors(client, httpserver, status, body, error, fragment):
    httpserver.expect_request("/search").respond_with_data(body, status=status, content_type="application/json")
    with pytest.raises(error) as info:
        client.search("m31")
    assert fragment in str(info.value) and "NASA Images" in str(info.value)
    assert "<html" not in str(info.value).lower()


def test_truncated_body(client, httpserver):
    full = json.dumps(canned("search_apollo11.json")).encode()
    httpserver.expect_request("/search").respond_with_response(
        Response(full[:300], headers={"Content-Length": str(len(full))}, content_type="application/json")
    )
    with pytest.raises(BadResponseError):
        client.search("apollo 11")


def test_timeout():
    with slow_server("/search", "/") as base:
        client = NasaImagesClient(base, session=ServiceSession(fast_policy(), base))
        with pytest.raises((NetworkError, OfflineError), match="did not answer within"):
            client.search("m31")


def test_refused_connection():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    client = NasaImagesClient(base, session=ServiceSession(fast_policy(), base))
    with pytest.raises((NetworkError, OfflineError)):
        client.search("m31")


def test_cached_answer_is_served_offline_when_server_is_gone(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    base = server.url_for("/")
    cache = tmp_path / "nasa.sqlite"
    policy = fast_policy(expire_after=0.05)
    try:
        server.expect_request("/search").respond_with_json(canned("search_apollo11.json"))
        first = NasaImagesClient(base, session=ServiceSession(policy, base, cache_path=cache)).search("apollo 11")
    finally:
        server.clear()
        server.stop()
    time.sleep(0.1)
    again = NasaImagesClient(base, session=ServiceSession(policy, base, cache_path=cache)).search("apollo 11")
    assert again.offline and again.from_cache and again.total_hits == first.total_hits == 336


# ----------------------------------------------------------------------------- property tests

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=15),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=12,
)
link = st.fixed_dictionaries({}, optional={"href": json_values | st.just("https://x/y?page=3"), "rel": st.sampled_from(["next", "prev", "preview", 3]), "prompt": json_values, "render": json_values})
item = st.fixed_dictionaries({}, optional={"data": st.lists(st.dictionaries(st.sampled_from(["nasa_id", "title", "keywords", "album", "date_created"]), json_values), max_size=2) | json_values, "href": json_values, "links": st.lists(link, max_size=2) | json_values})
collection = st.fixed_dictionaries(
    {},
    optional={"items": st.lists(item | json_values, max_size=3) | json_values, "links": st.lists(link | json_values, max_size=3) | json_values, "metadata": st.dictionaries(st.just("total_hits"), json_values) | json_values, "href": json_values},
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=json_values | st.builds(lambda c: {"collection": c}, collection | json_values))
def test_parsers_raise_only_bad_response_on_random_json(payload):
    for parser in (
        nasa_images.parse_collection,
        lambda d: nasa_images.parse_manifest(d, "x"),
        nasa_images.parse_location,
        lambda d: nasa_images.parse_metadata(d, "x", "https://x/metadata.json"),
    ):
        try:
            result = parser(payload)
        except BadResponseError:
            continue
        if isinstance(result, NasaAsset):
            for need in nasa_images.SIZES:
                result.pick(need)


# ----------------------------------------------------------------------------- CLI


def test_cli_search(httpserver, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/"))
    httpserver.expect_request(
        "/search", query_string={"q": "apollo 11", "media_type": "image", "year_start": "1969", "year_end": "1969", "page": "1"}
    ).respond_with_json(canned("search_apollo11.json"))
    code = cli_main(["images", "nasa", "apollo 11", "--media-type", "image", "--year-start", "1969", "--year-end", "1969", "--page", "1"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total_hits"] == 336 and data["next_page"] == 2 and data["items"][0]["nasa_id"] == "as11-40-5874"


def test_cli_asset(httpserver, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/"))
    httpserver.expect_request("/asset/as11-40-5874").respond_with_json(canned("asset_as11-40-5874.json"))
    assert cli_main(["images", "nasa", "--asset", "as11-40-5874", "--size", "thumb"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["best"].endswith("~thumb.jpg")


def test_cli_empty_search_is_refused(httpserver, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/"))
    assert cli_main(["images", "nasa"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "at least one parameter" in err and len(err.strip().splitlines()) == 1
    assert httpserver.log == []


def test_cli_server_error_is_one_line(httpserver, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_NASA_URL", httpserver.url_for("/"))
    httpserver.expect_request("/search").respond_with_data("<html><body>oops</body></html>", status=404)
    assert cli_main(["images", "nasa", "m31"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "NASA Images" in err and "<html" not in err


def test_nasa_ids_are_used_verbatim_and_quoted(httpserver):
    """Some real ids end in a space; the library knows them only with it. Before: stripped."""
    odd = "PIA01234 "
    collection = {"collection": {"items": [{"data": [{"nasa_id": odd, "title": "t", "media_type": "image"}]}]}}
    httpserver.expect_request("/search").respond_with_json(collection)
    manifest = {"collection": {"items": [{"href": "https://images-assets.nasa.gov/image/PIA01234/PIA01234~orig.jpg"}]}}
    httpserver.expect_request(f"/asset/{odd}").respond_with_json(manifest)
    client = NasaImagesClient(httpserver.url_for(""), session=ServiceSession(fast_policy(), httpserver.url_for("")))
    item = client.search("x").items[0]
    assert item.nasa_id == odd
    asset = client.asset(item.nasa_id)
    assert asset.nasa_id == odd and asset.pick("orig").endswith("~orig.jpg")
    request, _ = httpserver.log[-1]
    assert request.url.endswith("/asset/PIA01234%20")  # quoted on the wire
    for bad in ("", "   ", "a/b", "../x", "id?x=1"):
        with pytest.raises(InvalidRequestError):
            client.asset(bad)
