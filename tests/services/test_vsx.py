"""AAVSO VSX client against a local server that answers as vsx.aavso.org does: a known star
as ``{"VSXObject": {...}}`` with every value a string, an unknown one as
``{"VSXObject": []}`` with HTTP 200, and the usual failures (5xx, timeouts, HTML pages,
truncated or malformed answers).

``phi_per.json`` is a live answer saved by a third party (quoted in a public script);
``t_crb.json`` keeps the fields of a live answer quoted in another project's notes;
``eclipsing_odd.json`` and ``pulsator.json`` are recorded-style: VSX's fields and writing
(uncertainty colons, "<" limits, amplitudes in parentheses) for made-up stars.
"""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.app.events import fill_from_vsx
from planner.catalog import Target
from planner.services import vsx
from planner.services.errors import (
    BadResponseError,
    InvalidRequestError,
    NetworkError,
    OfflineError,
    ServiceError,
    ServiceUnavailableError,
)
from planner.services.http import POLICIES, ServiceSession
from planner.services.vsx import VsxClient, parse_magnitude, parse_number, parse_object
from tests.services.support import slow_server

DATA = Path(__file__).resolve().parents[1] / "data" / "vsx"
PATH = "/index.php"


def canned(name: str):
    return json.loads((DATA / name).read_text("utf-8"))


def fast_policy(**changes):
    return replace(vsx.make_policy(), backoff_factor=0.0, retries=1, timeout=(2.0, 0.5), min_interval=0.0, **changes)


@pytest.fixture
def client(httpserver):
    base = httpserver.url_for("/")
    session = ServiceSession(fast_policy(), base)
    yield VsxClient(base, session=session)
    session.close()


def expect(httpserver, ident: str):
    return httpserver.expect_request(PATH, query_string={"view": "api.object", "ident": ident, "format": "json"})


# ----------------------------------------------------------------------------- answers


def test_a_known_star_as_vsx_writes_it(client, httpserver):
    expect(httpserver, "phi Per").respond_with_json(canned("phi_per.json"))
    record = client.object("phi Per")
    assert record.name == "phi Per" and record.auid == "000-BBD-264" and record.oid == "26210"
    assert record.ra == pytest.approx(25.91517) and record.dec == pytest.approx(50.68872)
    assert record.var_type == "GCAS" and record.period == 19.5 and record.epoch is None
    assert record.max_mag.value == 3.96 and record.max_mag.band == "V"
    assert record.min_mag.value == 4.11 and record.constellation == "Per"
    elements, problem = record.elements_or_problem()
    assert elements is None and "no epoch" in problem


def test_elements_from_a_star_with_an_epoch(client, httpserver):
    expect(httpserver, "T CrB").respond_with_json(canned("t_crb.json"))
    record = client.object("T CrB")
    elements, problem = record.elements_or_problem()
    assert problem == ""
    assert elements.epoch == 2455828.9 and elements.period == 227.5528 and elements.time_scale == "HJD"
    assert elements.source == "AAVSO VSX"


def test_odd_strings_colons_limits_and_amplitudes(client, httpserver):
    expect(httpserver, "V0999 Tst").respond_with_json(canned("eclipsing_odd.json"))
    record = client.object("V0999 Tst")
    assert record.period == pytest.approx(1.2345678) and "Period" in record.uncertain
    assert record.dec == pytest.approx(22.25)
    assert record.min_mag.limit == "<" and record.min_mag.band == "CV" and record.min_mag.value == 12.9
    assert record.eclipse_duration == 12.0
    elements, _ = record.elements_or_problem()
    assert elements.eclipse_duration == 12.0 and "uncertain" in elements.source

    expect(httpserver, "V0998 Tst").respond_with_json(canned("pulsator.json"))
    pulsator = client.object("V0998 Tst")
    assert pulsator.min_mag.amplitude and pulsator.min_mag.value == 0.85
    assert pulsator.rise_duration == 18.0


def test_an_unknown_star_is_none_not_an_error(client, httpserver):
    expect(httpserver, "Nonexistent Star").respond_with_json(canned("unknown.json"))
    assert client.object("Nonexistent Star") is None


def test_answers_are_cached_for_weeks(client, httpserver):
    expect(httpserver, "T CrB").respond_with_json(canned("t_crb.json"))
    first = client.object("T CrB")
    second = client.object("T CrB")
    assert not first.from_cache and second.from_cache and second.epoch == first.epoch
    assert len(httpserver.log) == 1
    assert vsx.make_policy().expire_after >= 14 * 24 * 3600 and vsx.make_policy().min_interval >= 1.0


def test_names_are_sent_as_given_and_checked(client, httpserver):
    with pytest.raises(InvalidRequestError, match="needs a star name"):
        client.object("   ")
    with pytest.raises(InvalidRequestError):
        client.object("x" * 500)
    assert httpserver.log == []


@pytest.mark.parametrize(
    "magnitude, expected",
    [
        ("2.09 V", (2.09, "V", "", False, False)),
        ("<15.2 CV", (15.2, "CV", "<", False, False)),
        ("(0.04) V", (0.04, "V", "", True, False)),
        ("3.30:", (3.30, "", "", False, True)),
        ("10.8: V", (10.8, "V", "", False, True)),
        (">11 B", (11.0, "B", ">", False, False)),
    ],
)
def test_magnitudes(magnitude, expected):
    m = parse_magnitude(magnitude)
    assert (m.value, m.band, m.limit, m.amplitude, m.uncertain) == expected


@pytest.mark.parametrize("text", ["", "   ", "V", "abc", None, "nan V"])
def test_unreadable_magnitudes_are_none(text):
    assert parse_magnitude(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [("2.867328", (2.867328, False)), ("0.1277:", (0.1277, True)), ("(9.6)", (9.6, False)),
     (" 12 ", (12.0, False)), ("", (None, False)), ("n/a", (None, False)), (3.5, (3.5, False)),
     (True, (None, False)), ("inf", (None, False))],
)
def test_numbers(text, expected):
    assert parse_number(text) == expected


# ----------------------------------------------------------------------------- failures


@pytest.mark.parametrize(
    "status, body, error, fragment",
    [
        (500, "<html><body>Internal Server Error</body></html>", ServiceUnavailableError, "500"),
        (503, "<html><body>down for maintenance</body></html>", ServiceUnavailableError, "503"),
        (200, "<!DOCTYPE html><html><body>Just a moment...</body></html>", BadResponseError, "web page"),
        (200, '{"VSXObject": {"Name": "x", ', BadResponseError, "JSON"),
        (200, '{"error": "no such view"}', BadResponseError, "VSXObject"),
        (200, '{"VSXObject": "nothing"}', BadResponseError, "not an object"),
        (200, '{"VSXObject": [{"Name": "a"}, {"Name": "b"}]}', BadResponseError, "several"),
        (200, '{"VSXObject": {"Period": "1.0"}}', BadResponseError, "without a name"),
        (200, '{"VSXObject": {"Name": ["x"]}}', BadResponseError, "unexpected shape"),
    ],
)
def test_failures_become_one_service_error(client, httpserver, status, body, error, fragment):
    expect(httpserver, "bet Per").respond_with_data(body, status=status, content_type="application/json")
    with pytest.raises(error) as info:
        client.object("bet Per")
    message = str(info.value)
    assert "AAVSO VSX" in message and fragment in message and "<html" not in message.lower()


def test_truncated_answer(client, httpserver):
    full = json.dumps(canned("t_crb.json")).encode()
    expect(httpserver, "T CrB").respond_with_response(
        Response(full[:60], headers={"Content-Length": str(len(full))}, content_type="application/json")
    )
    with pytest.raises(BadResponseError):
        client.object("T CrB")


def test_timeout_is_one_read_timeout():
    with slow_server(PATH, "/") as base:
        client = VsxClient(base, session=ServiceSession(fast_policy(), base))
        with pytest.raises((NetworkError, OfflineError), match="did not answer within"):
            client.object("bet Per")


def test_refused_connection(closed_port_url):
    client = VsxClient(closed_port_url, session=ServiceSession(fast_policy(), closed_port_url))
    with pytest.raises(NetworkError):
        client.object("bet Per")


def test_cached_answer_is_served_offline_when_vsx_is_gone(tmp_path):
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    base = server.url_for("/")
    cache = tmp_path / "vsx.sqlite"
    policy = fast_policy(expire_after=0.05)
    try:
        expect(server, "T CrB").respond_with_json(canned("t_crb.json"))
        first = VsxClient(base, session=ServiceSession(policy, base, cache_path=cache)).object("T CrB")
    finally:
        server.clear()
        server.stop()
    time.sleep(0.1)  # let the 0.05 s cache life run out, so the cached copy is stale
    again = VsxClient(base, session=ServiceSession(policy, base, cache_path=cache)).object("T CrB")
    assert again.offline and again.from_cache and again.epoch == first.epoch


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=16), children, max_size=5),
    max_leaves=12,
)
vsx_fields = st.sampled_from(["Name", "AUID", "RA2000", "Declination2000", "VariabilityType", "Period", "Epoch",
                              "MaxMag", "MinMag", "EclipseDuration", "RiseDuration", "OID"])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=json_values | st.builds(lambda o: {"VSXObject": o}, st.dictionaries(vsx_fields, json_values) | json_values))
def test_the_parser_raises_only_bad_response_on_random_json(payload):
    try:
        record = parse_object(payload)
    except BadResponseError:
        return
    if record is not None:
        record.elements_or_problem()
        json.dumps(record.to_json(), default=str)


# ----------------------------------------------------------------------------- filling a list


def _target(name, var_type="EA", **kw):
    return Target(star_name=name, ra=10.0, dec=20.0, var_type=var_type, **kw)


def test_fill_asks_only_for_targets_that_need_elements(client, httpserver):
    expect(httpserver, "T CrB").respond_with_json(canned("t_crb.json"))
    expect(httpserver, "V0999 Tst").respond_with_json(canned("eclipsing_odd.json"))
    expect(httpserver, "Nobody").respond_with_json(canned("unknown.json"))
    targets = [
        _target("V0999 Tst"),
        _target("SS Cyg", var_type="UGSS"),  # no periodic events: not asked
        _target("Nobody", var_type="EW"),
        _target("R Leo", var_type="M"),  # phase only: asked only for_phase
    ]
    result = fill_from_vsx(targets, client)
    asked = [entry[0].args["ident"] for entry in httpserver.log]
    assert asked == ["V0999 Tst", "Nobody"]
    assert result.found == ["V0999 Tst"] and result.targets[0].elements.period == pytest.approx(1.2345678)
    assert result.targets[1].elements is None and any("Nobody" in n for n in result.notes)


def test_fill_stops_at_the_first_service_failure(client, httpserver):
    expect(httpserver, "A").respond_with_data("<html>oops</html>", status=503)
    targets = [_target("A"), _target("B"), _target("C")]
    result = fill_from_vsx(targets, client)
    assert isinstance(result.error, ServiceError) and "503" in str(result.error)
    assert {e[0].args["ident"] for e in httpserver.log} == {"A"}  # A (and its one retry), never B or C
    assert all(t.elements is None for t in result.targets)


def test_declared_once_and_tested_from_settings_like_the_other_services(httpserver, monkeypatch):
    """VSX is one of the registry's services: its address resolves the one way (the
    environment wins), and Settings > Test connection asks for Algol's record."""
    from planner.config import Settings
    from planner.services import registry

    assert registry.declaration("vsx") is vsx.SERVICE and not vsx.SERVICE.needs_key
    monkeypatch.setenv("PLANNER_VSX_URL", httpserver.url_for("/"))
    assert VsxClient.from_settings(Settings()).session.base_url == httpserver.url_for("/").rstrip("/")
    monkeypatch.setitem(POLICIES, "vsx", fast_policy())
    algol = dict(canned("t_crb.json")["VSXObject"], Name="bet Per", VariabilityType="EA/SD", Period="2.8673043")
    expect(httpserver, "bet Per").respond_with_json({"VSXObject": algol})
    answer = registry.check_connection("vsx", {}, httpserver.url_for("/"), Settings())
    assert answer.startswith("AAVSO VSX answered: bet Per (EA/SD, period 2.8673 d)")
    again = registry.check_connection("vsx", {}, httpserver.url_for("/"), Settings())
    assert again.endswith("(from the cache)") and len(httpserver.log) == 1
    httpserver.expect_request("/not-vsx/index.php").respond_with_json(canned("unknown.json"))
    assert "does not know Algol" in registry.check_connection("vsx", {}, httpserver.url_for("/not-vsx"), Settings())
