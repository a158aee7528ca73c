"""The AAVSO VSP client against a local server that answers as VSP does: charts by star,
by position and by id, the photometry's shapes, the image, and every failure."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from werkzeug import Response

from planner.services.errors import (
    BadResponseError,
    InvalidRequestError,
    NotFoundError,
    OfflineError,
    ServiceUnavailableError,
)
from planner.services.vsp import (
    VspClient,
    base_url,
    canonical_band,
    chart_params,
    parse_angle,
    parse_chart,
)

DATA = Path(__file__).parent.parent / "data" / "vsp"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def png(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), 255).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def client(httpserver, fast_policies):
    return VspClient(httpserver.url_for("/vsp/api"))


def chart_answer(httpserver) -> dict:
    answer = load("chart_ss_cyg.json")
    answer["image_uri"] = httpserver.url_for("/vsp/chart/X28471AB.png")
    return answer


def test_a_chart_by_star_sends_the_documented_query_and_parses_the_photometry(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/", query_string={
        "star": "SS Cyg", "fov": "60", "maglimit": "14.5", "north": "down", "format": "json",
    }).respond_with_json(chart_answer(httpserver))
    chart = client.chart("SS  Cyg", fov=60, maglimit=14.5, north="down")
    assert chart.chart_id == "X28471AB" and chart.star == "SS Cyg" and chart.auid == "000-BCP-220"
    assert chart.fov == 60.0 and chart.maglimit == 14.5 and chart.resolution == 150 and chart.dss is False
    assert chart.ra == pytest.approx(325.67871) and chart.dec == pytest.approx(43.58611)
    assert chart.labels() == ["85", "104", "117", "128"]
    first = chart.comparison("85")
    # 21:42:27.18 -> 325.61325 deg; 43:31:05.9 (no sign) -> +43.51831
    assert first.ra == pytest.approx(325.61325, abs=1e-5) and first.dec == pytest.approx(43.518306, abs=1e-5)
    assert first.magnitude("V").mag == 8.524 and first.magnitude("R").band == "Rc"  # R asked, Rc given
    assert first.magnitude("Ic").error is None
    bv = first.b_minus_v
    assert bv.mag == pytest.approx(1.127) and bv.error == pytest.approx(0.022, abs=1e-3)
    assert chart.comparison("117").b_minus_v is None  # V only
    assert chart.comparison("000-bcp-213").label == "128"  # by AUID too
    assert chart.comparison("128").comments.startswith("may be a close double")
    assert chart.bands() == ["V", "B", "Rc", "Ic"]
    assert chart.comparison("999") is None
    assert not chart.from_cache and chart.fetched_at is not None


def test_a_chart_by_position_and_by_id(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/", query_string={
        "ra": "325.678710", "dec": "+43.586110", "fov": "30", "maglimit": "16", "format": "json",
    }).respond_with_json(chart_answer(httpserver))
    httpserver.expect_request("/vsp/api/chart/X28471AB/", query_string={"format": "json"}).respond_with_json(
        chart_answer(httpserver))
    assert client.chart(ra=325.67871, dec=43.58611, fov=30, maglimit=16).chart_id == "X28471AB"
    assert client.chart_by_id(" X28471AB ").photometry[1].label == "104"


def test_the_image_is_fetched_from_image_uri_and_checked(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/").respond_with_json(chart_answer(httpserver))
    httpserver.expect_request("/vsp/chart/X28471AB.png").respond_with_data(png(), content_type="image/png")
    chart = client.chart("SS Cyg", fov=60, maglimit=14.5)
    data = client.image(chart)
    assert Image.open(io.BytesIO(data)).size == (40, 30)


def test_an_error_page_served_as_the_image_is_refused(client, httpserver):
    httpserver.expect_request("/vsp/chart/X1.png").respond_with_data("<html>oops</html>", content_type="image/png")
    with pytest.raises(BadResponseError, match="not a whole picture"):
        client.image(httpserver.url_for("/vsp/chart/X1.png"))
    with pytest.raises(BadResponseError, match="not a web address"):
        client.image("file:///etc/passwd")


def test_an_unknown_star_gives_vsps_own_words(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/").respond_with_json(load("errors_unknown_star.json"), status=400)
    with pytest.raises(InvalidRequestError) as caught:
        client.chart("SS Foo", fov=60, maglimit=14.5)
    text = str(caught.value)
    assert text.startswith("AAVSO VSP: could not make a chart of 'SS Foo': SS Foo: star not found;")
    assert "VSX name or AUID" in text and "\n" not in text


def test_errors_in_a_200_answer_are_errors_too_and_are_not_cached(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/").respond_with_json(load("errors_bad_fov.json"))
    for _ in range(2):
        with pytest.raises(InvalidRequestError, match="field of view must be less than 1200"):
            client.chart("SS Cyg", fov=1000, maglimit=14.5)
    assert len(httpserver.log) == 2  # not served from the cache the second time


def test_an_unknown_chart_id(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/X99999ZZ/").respond_with_data("Not found", status=404)
    with pytest.raises(NotFoundError, match="has no chart X99999ZZ .*check the chart id"):
        client.chart_by_id("X99999ZZ")


@pytest.mark.parametrize("answer, words", [
    ({"chartid": "X1"}, "without an image address"),
    ({"image_uri": "https://x/y.png"}, "without a 'chartid'"),
    ([1, 2], "not a chart"),
    ({"chartid": "X1", "image_uri": "https://x/y.png", "photometry": {"a": 1}}, "'photometry' that is not a list"),
    ({"chartid": "X1", "image_uri": "https://x/y.png", "photometry": [{"ra": "25:99:00", "bands": []}]},
     "unexpected shape"),
    ({"chartid": "X1", "image_uri": "https://x/y.png", "photometry": [{"bands": [{"band": "V", "mag": "bright"}]}]},
     "unexpected shape"),
])
def test_malformed_answers_are_bad_responses(client, httpserver, answer, words):
    httpserver.expect_request("/vsp/api/chart/").respond_with_json(answer)
    with pytest.raises(BadResponseError, match=words):
        client.chart("SS Cyg", fov=60, maglimit=14.5)


def test_a_web_page_instead_of_json_and_a_server_error(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/", query_string={"star": "A", "fov": "60", "maglimit": "14",
                                                                "format": "json"}).respond_with_data(
        "<html><body>Maintenance</body></html>", content_type="text/html")
    with pytest.raises(BadResponseError, match="web page instead of JSON"):
        client.chart("A", fov=60, maglimit=14)
    httpserver.expect_request("/vsp/api/chart/", query_string={"star": "B", "fov": "60", "maglimit": "14",
                                                                "format": "json"}).respond_with_data("", status=503)
    with pytest.raises(ServiceUnavailableError, match="AAVSO VSP"):
        client.chart("B", fov=60, maglimit=14)


def test_a_cached_chart_is_served_offline_and_marked(httpserver, fast_policies, closed_port_url):
    online = VspClient(httpserver.url_for("/vsp/api"))
    httpserver.expect_request("/vsp/api/chart/X28471AB/").respond_with_json(chart_answer(httpserver))
    assert not online.chart_by_id("X28471AB").from_cache
    again = online.chart_by_id("X28471AB")
    assert again.from_cache and not again.offline
    # the same server gone: the cached answer is served, marked offline, when refreshing
    httpserver.clear()
    httpserver.expect_request("/vsp/api/chart/X28471AB/").respond_with_data("", status=502)
    stale = online.chart_by_id("X28471AB", refresh=True)
    assert stale.offline and stale.chart_id == "X28471AB"
    nowhere = VspClient(closed_port_url + "/vsp/api")
    with pytest.raises(OfflineError, match="no cached answer"):
        nowhere.chart_by_id("X28471AB")


def test_requests_are_refused_before_sending_with_the_parameter_named(client, httpserver):
    cases = [
        (dict(star="", fov=60, maglimit=14), "needs a star name"),
        (dict(star="SS Cyg", ra=1.0, dec=2.0, fov=60, maglimit=14), "not both"),
        (dict(ra=400.0, dec=2.0, fov=60, maglimit=14), "ra 400.0 is not a right ascension"),
        (dict(ra=10.0, fov=60, maglimit=14), "both ra and dec"),
        (dict(star="SS Cyg", fov=0, maglimit=14), "fov 0 is not a field"),
        (dict(star="SS Cyg", fov=60, maglimit=float("nan")), "maglimit nan"),
        (dict(star="SS Cyg", fov=60, maglimit=14, north="left"), "north 'left'"),
        (dict(star="SS Cyg", fov=60, maglimit=14, resolution=5000), "resolution 5000"),
        (dict(star="x" * 200, fov=60, maglimit=14), "ordinary characters"),
    ]
    for kwargs, words in cases:
        star = kwargs.pop("star", None)
        with pytest.raises(InvalidRequestError, match=words):
            client.chart(star, **kwargs)
    with pytest.raises(InvalidRequestError, match="not a chart id"):
        client.chart_by_id("../../etc")
    assert len(httpserver.log) == 0


def test_parameters_and_helpers():
    params = chart_params("SS Cyg", fov=7.5, maglimit=18.5, east="left", other="gcvs", dss=True, lines=True,
                          title="  My   chart ", resolution=100)
    assert params == {"star": "SS Cyg", "fov": "7.5", "maglimit": "18.5", "east": "left", "other": "gcvs",
                      "resolution": "100", "title": "My chart", "dss": "on", "lines": "on", "format": "json"}
    assert canonical_band("Vis.") == "V" and canonical_band("I") == "Ic" and canonical_band("B") == "B"
    assert parse_angle("-05:23:28.0", ra=False) == pytest.approx(-5.391111, abs=1e-6)
    assert parse_angle("00:00:00.0", ra=True) == 0.0 and parse_angle(None, ra=True) is None
    with pytest.raises(ValueError):
        parse_angle("12:61:00", ra=True)
    with pytest.raises(ValueError):
        parse_angle(95.0, ra=False)


def test_vsps_errors_in_a_parsed_answer_are_an_invalid_request():
    with pytest.raises(InvalidRequestError, match="star not found"):
        parse_chart(load("errors_unknown_star.json"))


def test_the_address_comes_from_the_environment_then_settings(monkeypatch):
    from planner.config import Settings

    assert base_url(Settings()) == "https://app.aavso.org/vsp/api"
    assert base_url(Settings(base_urls={"vsp": "http://mirror.example/vsp/api/"})) == "http://mirror.example/vsp/api"
    monkeypatch.setenv("PLANNER_VSP_URL", "http://127.0.0.1:9/vsp/api")
    assert base_url(Settings(base_urls={"vsp": "http://mirror.example"})) == "http://127.0.0.1:9/vsp/api"
    assert VspClient.from_settings(Settings()).base_url == "http://127.0.0.1:9/vsp/api"


def test_chart_json_keeps_the_apis_fields(client, httpserver):
    httpserver.expect_request("/vsp/api/chart/").respond_with_json(chart_answer(httpserver))
    out = client.chart("SS Cyg", fov=60, maglimit=14.5).to_json()
    assert {"chartid", "image_uri", "fov", "maglimit", "photometry", "resolution", "dss"} <= set(out)
    assert out["photometry"][0]["bands"][0] == {"band": "V", "mag": 8.524, "error": 0.012}


def test_a_hanging_server_costs_one_read_timeout(fast_policies):
    from tests.services.support import slow_server

    with slow_server("/vsp/api/chart/", "/vsp/api") as url:
        client = VspClient(url)
        with pytest.raises(Exception) as caught:
            client.chart("SS Cyg", fov=60, maglimit=14.5)
    assert "did not answer within" in str(caught.value)


def test_the_server_sees_one_request_per_chart(client, httpserver):
    calls = []

    def handler(request):
        calls.append(request.args.get("star"))
        return Response(json.dumps(chart_answer(httpserver)), content_type="application/json")

    httpserver.expect_request("/vsp/api/chart/").respond_with_handler(handler)
    client.chart("SS Cyg", fov=60, maglimit=14.5)
    client.chart("SS Cyg", fov=60, maglimit=14.5)  # cached
    assert calls == ["SS Cyg"]
