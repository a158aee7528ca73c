"""``planner crosscheck``: the offline path from saved answers, the live path against a
local HTTP server speaking the Target Tool API, and clean one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planner.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "crosscheck"
API_FILE = DATA / "api_targets.json"
NIGHT_FILE = DATA / "api_nighttime.json"
SAME_SITE = ["--lat", "52", "--lon", "4", "--target-altitude", "20", "--sun-altitude", "-5"]


def run(capsys, *argv):
    code = main(["crosscheck", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- offline: --api-file ----------------------------------------------------------------------


def test_saved_answer_for_the_same_site_agrees(capsys):
    code, out, err = run(capsys, "--api-file", str(API_FILE), "--nighttime-file", str(NIGHT_FILE), *SAME_SITE)
    assert code == 0, err
    assert out.splitlines()[0] == "cross-check: 13 agree, 0 differ"
    assert "nighttime agrees" in out
    assert "time: 2026-02-21 20:23:35Z" in out  # meta.fetched_utc used as the time
    assert "saved answer" in out


def test_json_report_for_a_different_latitude_says_push_the_site(capsys):
    code, out, err = run(
        capsys, "--api-file", str(API_FILE), "--nighttime-file", str(NIGHT_FILE), "--lat", "40", "--lon", "4", "--format", "json"
    )
    assert code == 0, err  # disagreement is a result, not an error
    data = json.loads(out)
    assert data["wholesale"] is True and data["suggest_push_site"] is True
    assert "telescope settings stored in your account" in data["likely_cause"]
    assert data["counts"]["differ"] > data["counts"]["agree"]
    assert data["nighttime"]["agrees"] is False
    assert data["site"]["latitude"] == 40.0
    assert set(data["differing_names"]) == {t["name"] for t in data["differing"]}
    assert data["source"].startswith("saved answer")


def test_tolerance_changes_the_verdict(capsys):
    # Half a degree of longitude moves every event by two minutes.
    args = ["--api-file", str(API_FILE), "--lat", "52", "--lon", "4.5", "--format", "json"]
    _, loose, _ = run(capsys, *args, "--tolerance", "300")
    _, tight, _ = run(capsys, *args, "--tolerance", "30")
    assert json.loads(loose)["counts"]["differ"] == 0
    tight = json.loads(tight)
    assert tight["counts"]["differ"] >= 5 and tight["tolerance_s"] == 30.0
    kinds = {d["kind"] for t in tight["differing"] for d in t["differences"]}
    assert "time differs" in kinds


def test_time_option_overrides_and_file_without_meta_needs_it(capsys, tmp_path):
    payload = json.loads(API_FILE.read_text())
    del payload["meta"]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(payload))
    code, out, err = run(capsys, "--api-file", str(bare), *SAME_SITE)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "meta.fetched_utc" in err and "--time" in err
    code, out, err = run(capsys, "--api-file", str(bare), *SAME_SITE, "--time", "2026-02-21T20:23:35Z")
    assert code == 0 and out.startswith("cross-check: 13 agree, 0 differ"), out + err


def test_nighttime_inside_the_api_file_is_used(capsys, tmp_path):
    payload = json.loads(API_FILE.read_text())
    payload["nighttime"] = {"status": "SUN_IS_DOWN", "sunrise": json.loads(NIGHT_FILE.read_text())["sunrise"] + 1800}
    path = tmp_path / "with-night.json"
    path.write_text(json.dumps(payload))
    code, out, _ = run(capsys, "--api-file", str(path), *SAME_SITE)
    assert code == 0 and "nighttime differs" in out and "Likely cause" in out


def test_bad_records_are_skipped_with_a_warning(capsys, tmp_path):
    payload = json.loads(API_FILE.read_text())
    payload["targets"].append({"star_name": "Broken", "ra": "nowhere", "dec": 10, "observability_times": []})
    path = tmp_path / "partly-bad.json"
    path.write_text(json.dumps(payload))
    code, out, err = run(capsys, "--api-file", str(path), *SAME_SITE)
    assert code == 0 and out.startswith("cross-check: 13 agree, 0 differ")
    assert "warning" in err and "Broken" in err and "ra" in err


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("not json", "not valid JSON"),
        ('{"items": []}', "no 'targets' list"),
        ('{"targets": [{"star_name": "A", "ra": 1, "dec": 2}]}', "no target with observability_times"),
        (b"\xff\xfe\x00garbage", "not a UTF-8 JSON file"),
        ("[" * 100_000, "nested far too deeply"),
    ],
)
def test_unusable_api_files_give_one_clean_line(capsys, tmp_path, content, message):
    path = tmp_path / "answer.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    code, out, err = run(capsys, "--api-file", str(path), *SAME_SITE, "--time", "1771705415")
    assert code == 2 and out == ""
    assert err.startswith("planner crosscheck: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--lat", "95"], "Latitude"),
        (["--time", "yesterday-ish"], "ISO 8601"),
        (["--tolerance", "-5"], "tolerance"),
        (["--target-altitude", "120"], "Target altitude"),
    ],
)
def test_bad_options_give_one_clean_line(capsys, argv, message):
    code, out, err = run(capsys, "--api-file", str(API_FILE), *argv)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_nighttime_file_needs_api_file(capsys):
    code, _, err = run(capsys, "--nighttime-file", str(NIGHT_FILE), *SAME_SITE)
    assert code == 2 and "--api-file" in err


def test_bad_nighttime_file(capsys, tmp_path):
    path = tmp_path / "night.json"
    path.write_text('["SUN_IS_DOWN"]')
    code, _, err = run(capsys, "--api-file", str(API_FILE), "--nighttime-file", str(path), *SAME_SITE)
    assert code == 2 and "nighttime file" in err and "status" in err


def test_site_time_shows_the_site_zone(capsys):
    code, out, _ = run(capsys, "--api-file", str(API_FILE), *SAME_SITE, "--site-time")
    assert code == 0 and "21:23:35 CET" in out


def test_settings_site_is_the_default(capsys, tmp_path):
    from planner.config import Settings, save_settings

    save_settings(Settings(latitude=52.0, longitude=4.0, target_altitude=20.0, sun_altitude=-5.0, crosscheck_tolerance_s=90))
    code, out, _ = run(capsys, "--api-file", str(API_FILE), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["site"]["latitude"] == 52.0 and data["tolerance_s"] == 90.0
    assert data["counts"]["differ"] == 0


# -- live: the AAVSO client against a local server -------------------------------------------

KEY = "test-crosscheck-key-0042"
BASE = "/TargetTool/api/v1"


@pytest.fixture
def aavso_server(httpserver, monkeypatch):
    """A loopback server speaking the Target Tool API with the saved answers; records requests."""
    import base64

    from werkzeug import Response

    from planner.services.http import POLICIES, reset_limiters

    reset_limiters()
    # Quick failures: no retry back-off in tests.
    monkeypatch.setitem(POLICIES, "aavso", _fast(POLICIES["aavso"]))
    monkeypatch.setenv("PLANNER_AAVSO_URL", httpserver.url_for(BASE))
    monkeypatch.setenv("PLANNER_AAVSO_KEY", KEY)
    expected = "Basic " + base64.b64encode(f"{KEY}:api_token".encode()).decode()
    seen: list[tuple[str, dict]] = []
    payload = json.loads(API_FILE.read_text())
    night = json.loads(NIGHT_FILE.read_text())

    def handler(request):
        if request.headers.get("Authorization") != expected:
            return Response("Invalid API key, or API key not provided.", status=401, content_type="text/plain")
        args = {k: request.args.getlist(k) if k == "obs_section" else request.args[k] for k in request.args}
        seen.append((request.path.rsplit("/", 1)[-1], args))
        body = night if request.path.endswith("nighttime") else {"targets": payload["targets"]}
        return Response(json.dumps(body), content_type="application/json", headers={"X-Rate-Limit-Remaining": "990"})

    httpserver.expect_request(f"{BASE}/targets").respond_with_handler(handler)
    httpserver.expect_request(f"{BASE}/nighttime").respond_with_handler(handler)
    yield httpserver, seen
    reset_limiters()


def _fast(policy):
    import dataclasses

    return dataclasses.replace(policy, retries=0, backoff_factor=0.0, timeout=(1.0, 2.0))


def test_live_crosscheck_asks_for_the_same_site_limits_and_time(capsys, aavso_server):
    _, seen = aavso_server
    code, out, err = run(capsys, *SAME_SITE, "--time", "1771705415", "--section", "ac", "--section", "cv")
    assert code == 0, err
    assert out.splitlines()[0] == "cross-check: 13 agree, 0 differ"
    assert "nighttime agrees" in out and "AAVSO answers: AAVSO Target Tool API" in out
    (targets_path, targets_args), (night_path, night_args) = seen
    assert targets_path == "targets" and night_path == "nighttime"
    assert targets_args["obs_section"] == ["ac", "cv"]
    assert {k: float(v) for k, v in targets_args.items() if k != "obs_section"} == {
        "latitude": 52.0, "longitude": 4.0, "targetaltitude": 20.0, "sunaltitude": -5.0, "time": 1771705415.0
    }
    assert {k: float(v) for k, v in night_args.items()} == {
        "latitude": 52.0, "longitude": 4.0, "sunaltitude": -5.0, "time": 1771705415.0
    }


def test_live_crosscheck_for_another_site_is_wholesale(capsys, aavso_server):
    # The server answers for 52 N whatever it is asked: as if the account's site were used.
    code, out, err = run(capsys, "--lat", "40", "--lon", "4", "--time", "1771705415", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["suggest_push_site"] and data["nighttime"]["agrees"] is False


def test_live_without_time_compares_at_the_answers_fetch_time_and_works_from_the_cache(capsys, aavso_server):
    import time

    server, seen = aavso_server
    before = time.time()
    code, out, err = run(capsys, *SAME_SITE, "--format", "json")
    assert code == 0, err
    first = json.loads(out)
    assert "time" not in seen[0][1]  # AAVSO computes for "now"...
    assert before - 1 <= first["time"] <= time.time() + 1  # ...which is the answer's fetch time
    assert float(seen[1][1]["time"]) == first["time"]  # the nighttime is asked for that moment
    requests_so_far = len(seen)

    server.stop()  # no network any more: the cached answers must do
    try:
        code, out, err = run(capsys, *SAME_SITE, "--format", "json")
    finally:
        server.start()
    assert code == 0, err
    second = json.loads(out)
    assert len(seen) == requests_so_far
    assert second["time"] == first["time"] and "cached answer" in second["source"]
    assert second["counts"] == first["counts"] and second["nighttime"]["compared"]


def test_live_wrong_key_is_one_clean_line(capsys, aavso_server, monkeypatch):
    monkeypatch.setenv("PLANNER_AAVSO_KEY", "wrong-key-123456")
    code, out, err = run(capsys, *SAME_SITE, "--time", "1771705415")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "AAVSO" in err and "key" in err and "wrong-key-123456" not in err


def test_live_without_a_key_says_where_to_set_it(capsys, aavso_server, monkeypatch):
    monkeypatch.delenv("PLANNER_AAVSO_KEY")
    code, out, err = run(capsys, *SAME_SITE)
    assert code == 2 and "PLANNER_AAVSO_KEY" in err and err.count("\n") == 1


def test_live_nighttime_failure_still_compares_the_targets(capsys, aavso_server):
    from werkzeug import Response

    server, _ = aavso_server
    server.clear_all_handlers()
    payload = json.loads(API_FILE.read_text())
    server.expect_request(f"{BASE}/targets").respond_with_json({"targets": payload["targets"]})
    server.expect_request(f"{BASE}/nighttime").respond_with_response(
        Response("Temporarily down for maintenance", status=503, content_type="text/plain")
    )
    code, out, err = run(capsys, *SAME_SITE, "--time", "1771705415")
    assert code == 0, err
    assert out.startswith("cross-check: 13 agree, 0 differ")
    assert "not compared" in out and "warning: nighttime not compared" in err


def test_live_server_error_is_one_clean_line(capsys, aavso_server):
    server, _ = aavso_server
    server.clear_all_handlers()
    server.expect_request(f"{BASE}/targets").respond_with_data(
        "<!DOCTYPE html><html><body>Internal error</body></html>", status=500, content_type="text/html"
    )
    code, out, err = run(capsys, *SAME_SITE, "--time", "1771705415")
    assert code == 2 and out == "" and err.count("\n") == 1 and "<html" not in err.lower()
