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
        (None, "does not exist"),
        ("not json", "not valid JSON"),
        ('{"items": []}', "no 'targets' list"),
        ('{"targets": [{"star_name": "A", "ra": 1, "dec": 2}]}', "no target with observability_times"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
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
