"""AAVSO Target Tool client against a local server speaking the API page's protocol."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from werkzeug import Response

from planner.catalog import Target
from planner.services.aavso import AavsoClient
from planner.services.errors import (
    BadResponseError,
    ConfigurationError,
    GoneError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    RateLimitedError,
    ServiceUnavailableError,
)
from planner.services.http import POLICIES, ServiceSession

from .conftest import fast

DATA = Path(__file__).parent.parent / "data" / "aavso"
KEY = "test-aavso-key-0001"
BASE = "/TargetTool/api/v1"
HTML_500 = "<!DOCTYPE html><html><body><h1>Internal error</h1></body></html>"


def fixture(name):
    return json.loads((DATA / name).read_text())


def rate_headers(remaining=997, reset=1800):
    return {"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": str(reset)}


def authorised(handler):
    """Answer 401 in plain text unless the request carries Basic auth with the key and api_token."""
    expected = "Basic " + base64.b64encode(f"{KEY}:api_token".encode()).decode()

    def wrapped(request):
        if request.headers.get("Authorization") != expected:
            return Response("Invalid API key, or API key not provided.", status=401, content_type="text/plain")
        return handler(request)

    return wrapped


def json_response(payload, **headers):
    return Response(json.dumps(payload), content_type="application/json", headers={**rate_headers(), **headers})


def client_for(server, key=KEY, **policy_changes):
    policy = fast(POLICIES["aavso"], **policy_changes)
    return AavsoClient(key, session=ServiceSession(policy, server.url_for(BASE)))


def test_targets_success_and_parameters(httpserver):
    seen = {}

    def handler(request):
        seen["sections"] = request.args.getlist("obs_section")
        seen["args"] = dict(request.args)
        return json_response(fixture("targets.json"))

    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(authorised(handler))
    client = client_for(httpserver)
    reply = client.targets(
        sections=("cv", "lpv"), observable=True, orderby="star_name", reverse=True,
        latitude=52.0, longitude=4.0, targetaltitude=20, sunaltitude=-5, time=1771705415,
    )
    assert seen["sections"] == ["cv", "lpv"]  # repeated values, as requests sends lists
    args = seen["args"]
    assert args["observable"] == "true" and args["reverse"] == "true" and args["orderby"] == "star_name"
    assert float(args["latitude"]) == 52.0 and float(args["longitude"]) == 4.0 and args["time"] == "1771705415"
    assert [t.star_name for t in reply.targets] == ["CH Cyg", "AG Dra", "AG Peg", "Nova Oph 2017"]
    assert all(isinstance(t, Target) for t in reply.targets)
    ch = reply.targets[0]
    assert ch.ra == pytest.approx(291.13779) and ch.period is None and ch.obs_section == ("Alerts / Campaigns",)
    assert ch.observability_times == (("TARGET_RISES", 1771719131.0),)
    assert len(reply.problems) == 1 and "Broken record" in reply.problems[0]
    assert reply.rate.remaining == 997 and reply.rate.limit == 1000
    assert not reply.from_cache and not reply.offline


def test_default_section_is_ac(httpserver):
    httpserver.expect_request(f"{BASE}/targets", query_string="obs_section=ac").respond_with_handler(
        authorised(lambda r: json_response({"targets": []}))
    )
    assert client_for(httpserver).targets().targets == []


def test_nighttime(httpserver):
    httpserver.expect_request(f"{BASE}/nighttime").respond_with_handler(
        authorised(lambda r: json_response(fixture("nighttime.json")))
    )
    night = client_for(httpserver).nighttime(latitude=36.1, longitude=-86.8, sunaltitude=-12, time=1526510000)
    assert night.status == "SUN_IS_UP" and night.sunset == 1526518490 and night.sunrise == 1526553112
    request, _ = httpserver.log[0]
    assert request.args["sunaltitude"] == "-12.0" and "targetaltitude" not in request.args


def test_telescope_get_and_post(httpserver):
    posted = {}

    def post(request):
        posted.update(request.form.to_dict())
        return json_response({**fixture("telescope.json"), **{k: float(v) for k, v in request.form.items()}})

    httpserver.expect_request(f"{BASE}/telescope", method="GET").respond_with_handler(
        authorised(lambda r: json_response(fixture("telescope.json")))
    )
    httpserver.expect_request(f"{BASE}/telescope", method="POST").respond_with_handler(authorised(post))
    client = client_for(httpserver)
    scope = client.get_telescope()
    assert scope.latitude == pytest.approx(36.1661111111) and scope.targetaltitude == 20 and scope.sunaltitude == -5
    new = client.set_telescope(52.0, 4.0, targetaltitude=25)
    assert posted == {"latitude": "52.0", "longitude": "4.0", "targetaltitude": "25.0"}
    assert new.latitude == 52.0 and new.targetaltitude == 25.0


def test_wrong_key_is_not_authorised(httpserver):
    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(authorised(lambda r: json_response({"targets": []})))
    with pytest.raises(NotAuthorisedError) as info:
        client_for(httpserver, key="wrong-key-9999").targets()
    message = str(info.value)
    assert message.startswith("AAVSO Target Tool:") and "API key" in message
    assert "wrong-key-9999" not in message


def test_missing_key_and_plain_http():
    with pytest.raises(ConfigurationError) as info:
        AavsoClient(None)
    assert "PLANNER_AAVSO_KEY" in str(info.value)
    with pytest.raises(ConfigurationError):
        AavsoClient(KEY, base_url="http://targettool.aavso.org/TargetTool/api/v1")
    assert AavsoClient(KEY).session.base_url == "https://targettool.aavso.org/TargetTool/api/v1"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sections": ["xx"]},
        {"orderby": "observability_times"},
        {"latitude": 91},
        {"longitude": "east"},
        {"time": float("nan")},
        {"targetaltitude": float("inf")},
    ],
)
def test_bad_parameters_refused_before_sending(httpserver, kwargs):
    with pytest.raises(InvalidRequestError):
        client_for(httpserver).targets(**kwargs)
    assert httpserver.log == []


def _respond(httpserver, **kw):
    httpserver.expect_request(f"{BASE}/targets").respond_with_data(**kw)


@pytest.mark.parametrize(
    "status, body, ctype, error",
    [
        (404, "Not found", "text/plain", NotFoundError),
        (410, "API no longer in service.", "text/plain", GoneError),
        (500, HTML_500, "text/html", ServiceUnavailableError),
        (503, HTML_500, "text/html", ServiceUnavailableError),
        (200, "{'targets': [", "application/json", BadResponseError),
        (200, '{"stars": []}', "application/json", BadResponseError),
        (200, '{"targets": 5}', "application/json", BadResponseError),
    ],
)
def test_failures(httpserver, status, body, ctype, error):
    _respond(httpserver, response_data=body, status=status, content_type=ctype)
    with pytest.raises(error) as info:
        client_for(httpserver).targets()
    assert str(info.value).startswith("AAVSO Target Tool: ")
    assert "<" not in str(info.value)


def test_plain_text_4xx_is_surfaced(httpserver):
    _respond(httpserver, response_data="Invalid value for orderby", status=400, content_type="text/plain")
    with pytest.raises(InvalidRequestError) as info:
        client_for(httpserver).targets()
    assert "Invalid value for orderby" in str(info.value)


def test_429_with_rate_headers(httpserver):
    _respond(httpserver, response_data="Too many requests", status=429, headers=rate_headers(0, 900))
    client = client_for(httpserver)
    with pytest.raises(RateLimitedError) as info:
        client.targets()
    assert info.value.retry_at == pytest.approx(time.time() + 900, abs=10)
    assert "try again after" in str(info.value)
    assert client.rate.remaining == 0


def test_budget_never_exceeded(httpserver):
    counter = iter(range(2, -1, -1))
    httpserver.expect_request(f"{BASE}/nighttime").respond_with_handler(
        authorised(lambda r: json_response(fixture("nighttime.json"), **rate_headers(next(counter))))
    )
    client = client_for(httpserver)
    for t in range(3):
        client.nighttime(time=1526510000 + t)
    assert client.rate.remaining == 0
    with pytest.raises(RateLimitedError):
        client.nighttime(time=1526519999)
    assert len(httpserver.log) == 3


def test_timeout(httpserver):
    def slow(request):
        time.sleep(0.8)
        return json_response({"targets": []})

    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(slow)
    with pytest.raises(NetworkError):
        client_for(httpserver, retries=0, timeout=(1.0, 0.2)).targets()


def test_refused(closed_port_url):
    client = AavsoClient(KEY, session=ServiceSession(fast(POLICIES["aavso"]), closed_port_url + BASE))
    with pytest.raises(NetworkError) as info:
        client.targets()
    assert "refused" in str(info.value)


def test_truncated(httpserver):
    def handler(request):
        response = Response(b'{"targets": [{"star_name": "CH', content_type="application/json")
        response.headers["Content-Length"] = "4000"
        return response

    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(handler)
    with pytest.raises(BadResponseError):
        client_for(httpserver, retries=0).targets()


def test_cached_answer_offline_when_server_stopped(httpserver):
    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(authorised(lambda r: json_response(fixture("targets.json"))))
    client = client_for(httpserver)
    first = client.targets()
    assert client.targets().from_cache  # a fresh cached answer costs no request
    httpserver.stop()
    try:
        again = client.targets(refresh=True)
        scope_error = None
        try:
            client.get_telescope()
        except NetworkError as exc:
            scope_error = exc
    finally:
        httpserver.start()
    assert again.offline and again.from_cache
    assert [t.star_name for t in again.targets] == [t.star_name for t in first.targets]
    assert again.fetched_at == pytest.approx(first.fetched_at, abs=2)
    assert scope_error is not None  # never fetched, nothing cached: a clear network error


# -- the headless command ------------------------------------------------------------------


@pytest.fixture
def cli_env(httpserver, monkeypatch, fast_policies):
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for(BASE))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", KEY)
    return httpserver


def test_cli_targets(cli_env, capsys):
    from planner.cli import main

    cli_env.expect_request(f"{BASE}/targets").respond_with_handler(authorised(lambda r: json_response(fixture("targets.json"))))
    assert main(["aavso", "targets", "-s", "cv,lpv", "--section", "eb", "--lat", "52", "--lon", "-4.5",
                 "--time", "2026-02-21T20:00"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [t["star_name"] for t in out["targets"]][:2] == ["CH Cyg", "AG Dra"]
    assert out["rate_limit"]["remaining"] == 997 and out["offline"] is False
    request = cli_env.log[0][0]
    assert request.args.getlist("obs_section") == ["cv", "lpv", "eb"]
    assert request.args["time"] == "1771704000" and float(request.args["longitude"]) == -4.5
    # Half a place would mix it with the account's other coordinate: refused before asking.
    assert main(["aavso", "targets", "--lat", "52"]) == 2
    assert "give both --lat and --lon" in capsys.readouterr().err and len(cli_env.log) == 1


def test_cli_nighttime_and_telescope(cli_env, capsys):
    from planner.cli import main

    cli_env.expect_request(f"{BASE}/nighttime").respond_with_handler(authorised(lambda r: json_response(fixture("nighttime.json"))))
    cli_env.expect_request(f"{BASE}/telescope", method="POST").respond_with_handler(
        authorised(lambda r: json_response({k: float(v) for k, v in r.form.items()}))
    )
    assert main(["aavso", "nighttime", "--lat", "36.1", "--lon", "-86.8"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "SUN_IS_UP"
    assert main(["aavso", "telescope", "--set", "--lat", "52", "--lon", "4"]) == 0
    assert json.loads(capsys.readouterr().out)["latitude"] == 52.0
    assert main(["aavso", "telescope", "--lat", "52"]) == 2  # changing needs --set
    assert "--set" in capsys.readouterr().err


def test_cli_failure_is_one_line(cli_env, capsys, monkeypatch):
    from planner.cli import main

    monkeypatch.setenv("PLANNER_AAVSO_KEY", "a-wrong-key-777")
    cli_env.expect_request(f"{BASE}/targets").respond_with_handler(authorised(lambda r: json_response({"targets": []})))
    assert main(["aavso", "targets"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "API key" in captured.err and "a-wrong-key-777" not in captured.err


def test_json_output_keeps_nulls_and_integers_as_the_api_sends_them(cli_env, capsys):
    """Before: a null band came out as "" and integer times as 1770638619.0."""
    record = {
        "star_name": "CH Cyg", "ra": 291.13779, "dec": 50.24142, "constellation": "Cyg", "var_type": "ZAND+SR",
        "min_mag": 10.1, "min_mag_band": None, "max_mag": 5.6, "max_mag_band": "V", "period": None,
        "obs_cadence": 5.0, "obs_mode": "All", "obs_section": ["Alerts / Campaigns"], "filter": "B",
        "other_info": "", "priority": True, "last_data_point": 1770638619,
        "observability_times": [["TARGET_RISES", 1771719131], ["TARGET_SETS", 1771760000]], "solar_conjunction": False,
    }
    from planner.cli import main

    cli_env.expect_request(f"{BASE}/targets").respond_with_handler(
        authorised(lambda _r: json_response({"targets": [record]}))
    )
    assert main(["aavso", "targets"]) == 0
    out = capsys.readouterr().out
    (target,) = json.loads(out)["targets"]
    assert target == record
    assert '"last_data_point": 1770638619,' in out and '"min_mag_band": null' in out
