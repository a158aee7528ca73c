"""``planner site``: set once by hand or from AAVSO / Arcsecond, then used by every command.

The imports talk to local servers that answer as the services do: the AAVSO Target Tool's
``/telescope`` (HTTP Basic with the key and ``api_token``, plain-text 401, longitudes also
0..360) and Arcsecond's ``/observingsites/`` (``X-Arcsecond-API-Authorization: Key ...``,
``{"detail": ...}`` errors), failures included.
"""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
from werkzeug import Response

from planner.cli import main
from planner.config import Settings, load_settings, save_settings, settings_path
from planner.services.http import POLICIES

AAVSO_BASE = "/TargetTool/api/v1"
AAVSO_KEY = "test-aavso-key-0001"
ARC_KEY = "CANARY-ARCSECOND-API-KEY-41d9"
HTML_500 = "<!DOCTYPE html><html><body><h1>Internal error</h1></body></html>"
SITE_A = "3e9a4b1c-2f5d-4a6b-8c7d-9e0f1a2b3c4d"
SITE_B = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def fast_policies(monkeypatch):
    for key, policy in list(POLICIES.items()):
        monkeypatch.setitem(POLICIES, key, dataclasses.replace(
            policy, retries=1, backoff_factor=0.001, timeout=(1.0, 1.0), min_interval=0.0))


# -- by hand ------------------------------------------------------------------------------------


def test_set_once_then_every_command_uses_it(capsys):
    code, out, err = run(capsys, "site", "set", "--lat", "52.09", "--lon", "5.12", "--elevation", "4",
                         "--name", "Utrecht roof", "--target-alt", "25", "--sun-altitude", "-8")
    assert code == 0 and err == "", err
    assert out.startswith(f"Saved your site to {settings_path()}")
    saved = load_settings()
    assert (saved.site_name, saved.latitude, saved.longitude, saved.elevation) == ("Utrecht roof", 52.09, 5.12, 4.0)
    assert (saved.target_altitude, saved.sun_altitude, saved.timezone) == (25.0, -8.0, "")
    # No --lat/--lon any more: tonight and night take the saved site.
    code, out, _ = run(capsys, "tonight", "--time", "2026-11-23T18:00:00Z", "--limit", "3")
    assert code == 0 and out.startswith("Site: Utrecht roof (52.0900°N 5.1200°E, 4 m)")
    assert "Europe/Amsterdam" in out and "limit 25 deg" in out and "below -8 deg" in out
    code, out, _ = run(capsys, "site", "show", "--format", "json")
    shown = json.loads(out)
    assert shown["name"] == "Utrecht roof" and shown["timezone"] == "Europe/Amsterdam"
    assert shown["timezone_from_coordinates"] and not shown["is_default"] and shown["warnings"] == []


def test_show_says_the_default_is_a_default(capsys):
    code, out, _ = run(capsys, "site", "show")
    assert code == 0 and "This is the default site" in out and "planner site set" in out
    assert str(settings_path()) in out


def test_set_changes_only_what_is_given_and_moving_refinds_the_zone(capsys):
    save_settings(Settings(site_name="Backyard", latitude=52.0, longitude=4.0, elevation=3.0,
                           timezone="Europe/Amsterdam", theme="night"))
    assert run(capsys, "site", "set", "--target-altitude", "30")[0] == 0
    kept = load_settings()
    assert (kept.site_name, kept.latitude, kept.timezone, kept.theme, kept.target_altitude) == (
        "Backyard", 52.0, "Europe/Amsterdam", "night", 30.0)
    assert run(capsys, "site", "set", "--lat", "-33.9", "--lon", "18.4")[0] == 0
    moved = load_settings()
    assert moved.site().timezone == "Africa/Johannesburg" and moved.site_name == "Backyard" and moved.elevation == 3.0


def test_moving_the_default_site_drops_aavso_hqs_name_and_elevation(capsys):
    assert run(capsys, "site", "set", "--lat", "-33.9", "--lon", "18.4")[0] == 0
    site = load_settings().site()
    assert site.name == "" and site.elevation == 0.0


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--lat", "52"], "give both --lat and --lon"),
        (["--lon", "-71"], "give both --lat and --lon"),
        (["--lat", "95", "--lon", "0"], "95 must be from -90 to 90"),
        (["--sun-alt", "10"], "10 must be from -30 to 5"),
        (["--timezone", "Mars/Olympus"], "not a known IANA time zone"),
        ([], "nothing to change"),
    ],
)
def test_bad_values_change_nothing(capsys, argv, words):
    save_settings(Settings(site_name="Backyard", latitude=52.0, longitude=4.0))
    before = settings_path().read_bytes()
    code, out, err = run(capsys, "site", "set", *argv)
    assert code == 2 and out == "" and words in err and len(err.strip().splitlines()) == 1
    assert settings_path().read_bytes() == before


def test_dry_run_saves_nothing(capsys):
    code, out, _ = run(capsys, "site", "set", "--lat", "10", "--lon", "20", "--dry-run")
    assert code == 0 and "nothing changed" in out and not settings_path().exists()


def test_fixing_a_broken_file_keeps_the_old_one(capsys):
    settings_path().write_text(json.dumps({"site_name": "Yard", "latitude": "abc", "longitude": 4.0}))
    code, out, err = run(capsys, "site", "set", "--lat", "52", "--lon", "4", "--name", "Yard")
    assert code == 0
    assert err.count("planner: warning: settings") == 1 and '"latitude"' in err  # said once, on stderr
    copy = settings_path().with_name("settings.json.bak")
    assert f"kept as {copy}" in out and json.loads(copy.read_text())["latitude"] == "abc"
    assert load_settings().warnings == () and load_settings().latitude == 52.0


def test_show_lists_the_settings_problems_in_its_output_not_twice(capsys):
    settings_path().write_text(json.dumps({"latitude": 52.0, "longitude": 4.0, "sun_altitude": 40}))
    code, out, err = run(capsys, "site", "show")
    assert code == 0 and err == ""
    assert "Problems in the settings file" in out and '"sun_altitude"' in out and "Using the default, -5" in out


# -- from the AAVSO account's telescope record -----------------------------------------------------


@pytest.fixture
def aavso(httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for(AAVSO_BASE))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", AAVSO_KEY)
    return httpserver


def basic_auth_only(answer):
    expected = "Basic " + base64.b64encode(f"{AAVSO_KEY}:api_token".encode()).decode()

    def handler(request):
        if request.headers.get("Authorization") != expected:
            return Response("Invalid API key", status=401, content_type="text/plain")
        return answer(request)

    return handler


def json_response(data, status=200):
    return Response(json.dumps(data), status=status, content_type="application/json")


def test_import_aavso_takes_the_place_and_limits(aavso, capsys):
    # The Target Tool stores east longitudes 0..360 as well: 273.2 is 86.8 W (Nashville).
    aavso.expect_request(f"{AAVSO_BASE}/telescope", method="GET").respond_with_handler(basic_auth_only(
        lambda r: json_response({"latitude": 36.1661, "longitude": 273.2161, "targetaltitude": 25, "sunaltitude": -12})))
    code, out, err = run(capsys, "site", "import-aavso", "--name", "Nashville yard", "--elevation", "180")
    assert code == 0, err
    site = load_settings().site()
    assert (site.latitude, site.target_altitude, site.sun_altitude) == (36.1661, 25.0, -12.0)
    assert site.longitude == pytest.approx(-86.7839) and site.timezone == "America/Chicago"
    assert (site.name, site.elevation) == ("Nashville yard", 180.0)
    assert "From your AAVSO telescope record" in out


def test_import_aavso_without_limits_keeps_yours(aavso, capsys):
    save_settings(Settings(target_altitude=30.0, sun_altitude=-10.0))
    aavso.expect_request(f"{AAVSO_BASE}/telescope").respond_with_handler(
        basic_auth_only(lambda r: json_response({"latitude": 52.0, "longitude": 4.0})))
    code, out, _ = run(capsys, "site", "import-aavso")
    assert code == 0 and "so yours are kept" in out
    site = load_settings().site()
    assert (site.latitude, site.longitude, site.target_altitude, site.sun_altitude) == (52.0, 4.0, 30.0, -10.0)


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda r: Response("Invalid API key", status=401, content_type="text/plain"), "refused the API key"),
        (lambda r: Response(HTML_500, status=500, content_type="text/html"), "AAVSO Target Tool"),
        (lambda r: Response("{not json", status=200, content_type="application/json"), "AAVSO Target Tool"),
        (lambda r: json_response({"latitude": 95, "longitude": 4}), "AAVSO Target Tool"),
        (lambda r: json_response({"latitude": 52, "longitude": 4, "targetaltitude": 95}), "AAVSO account cannot be your site: Target altitude 95"),
    ],
)
def test_import_aavso_failures_are_one_line_and_change_nothing(aavso, capsys, answer, words):
    save_settings(Settings(site_name="Backyard", latitude=52.0, longitude=4.0))
    before = settings_path().read_bytes()
    aavso.expect_request(f"{AAVSO_BASE}/telescope").respond_with_handler(answer)
    code, out, err = run(capsys, "site", "import-aavso")
    assert code == 2 and out == "" and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and AAVSO_KEY not in err
    assert settings_path().read_bytes() == before


def test_import_aavso_without_a_key_says_how_to_set_one(aavso, monkeypatch, capsys):
    monkeypatch.delenv("PLANNER_AAVSO_KEY")
    code, _, err = run(capsys, "site", "import-aavso")
    assert code == 2 and "no API key" in err and "PLANNER_AAVSO_KEY" in err and len(aavso.log) == 0


# -- from an Arcsecond observing site ----------------------------------------------------------------


@pytest.fixture
def arcsecond(httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_ARCSECOND_URL", httpserver.url_for("/"))
    monkeypatch.setenv("PLANNER_ARCSECOND_KEY", ARC_KEY)
    return httpserver


def arc_site(uuid, name, lat, lon, height=None):
    coordinates = {"latitude": lat, "longitude": lon}
    if height is not None:
        coordinates["height"] = height
    return {"uuid": uuid, "name": name, "country": "FR", "coordinates": coordinates, "telescopes": []}


def serve_sites(httpserver, payload, status=200):
    def handler(request):
        if request.headers.get("X-Arcsecond-API-Authorization") != f"Key {ARC_KEY}":
            return json_response({"detail": "Invalid API key."}, status=401)
        return json_response(payload, status=status)

    # A self-hosted (non-cloud) server keeps its resources under /local/, as Arcsecond.local does.
    httpserver.expect_request("/local/observingsites/").respond_with_handler(handler)


def test_import_arcsecond_takes_the_only_site(arcsecond, capsys):
    serve_sites(arcsecond, [arc_site(SITE_A, "Backyard Observatory", 46.2, 6.14, 420.0)])
    code, out, err = run(capsys, "site", "import-arcsecond")
    assert code == 0, err
    site = load_settings().site()
    assert (site.name, site.latitude, site.longitude, site.elevation) == ("Backyard Observatory", 46.2, 6.14, 420.0)
    assert site.timezone == "Europe/Zurich" and SITE_A in out


def test_import_arcsecond_with_several_sites_needs_a_choice(arcsecond, capsys):
    serve_sites(arcsecond, {"count": 2, "next": None, "results": [
        arc_site(SITE_A, "Backyard Observatory", 46.2, 6.14, 420.0),
        arc_site(SITE_B, "Pic du Midi", 42.9364, 360 - 0.1425, 2877.0)]})
    code, out, err = run(capsys, "site", "import-arcsecond")
    assert code == 2 and out == "" and "choose one by name or UUID" in err
    assert "Backyard Observatory" in err and SITE_B in err and not settings_path().exists()
    code, out, _ = run(capsys, "site", "import-arcsecond", "pic du midi")
    assert code == 0
    site = load_settings().site()
    assert site.name == "Pic du Midi" and site.longitude == pytest.approx(-0.1425) and site.elevation == 2877.0
    code, _, err = run(capsys, "site", "import-arcsecond", "Mauna Kea")
    assert code == 2 and "No Arcsecond observing site is called 'Mauna Kea'" in err


@pytest.mark.parametrize(
    "payload, status, words",
    [
        ([], 200, "has no observing site yet"),
        ([arc_site(SITE_A, "No place", None, None)], 200, "has coordinates"),
        ({"detail": "Invalid API key."}, 401, "Arcsecond"),
        ({"detail": "boom"}, 503, "Arcsecond"),
        ({"results": "not a list"}, 200, "Arcsecond"),
        ([arc_site(SITE_A, "Summit", 46.2, 6.14, 12000.0)], 200, "Summit (" + SITE_A + ") cannot be your site: Elevation"),
    ],
)
def test_import_arcsecond_failures_are_one_line_and_change_nothing(arcsecond, capsys, payload, status, words):
    serve_sites(arcsecond, payload, status)
    code, out, err = run(capsys, "site", "import-arcsecond")
    assert code == 2 and out == "" and words in err, err
    assert len(err.strip().splitlines()) == 1 and ARC_KEY not in err and not settings_path().exists()


def test_import_arcsecond_with_a_wrong_key(arcsecond, monkeypatch, capsys):
    monkeypatch.setenv("PLANNER_ARCSECOND_KEY", "a-wrong-key")
    serve_sites(arcsecond, [arc_site(SITE_A, "Backyard Observatory", 46.2, 6.14)])
    code, _, err = run(capsys, "site", "import-arcsecond")
    assert code == 2 and "Arcsecond" in err and "key" in err.lower() and not settings_path().exists()
