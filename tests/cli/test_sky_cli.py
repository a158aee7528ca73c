"""The headless sky commands: planner night, targets and tonight."""

from __future__ import annotations

import csv
import io
import json

import pytest

from planner.cli import main

REF_TIME = "1771705415"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_night_prints_the_api_shape(capsys):
    code, out, err = run(capsys, "night", "--lat", "52", "--lon", "4", "--time", REF_TIME)
    assert code == 0 and err == ""
    night = json.loads(out)
    assert night["status"] == "SUN_IS_DOWN" and set(night) == {"status", "sunrise"}
    # The real server's night ends at dawn between the -5.90 and -5.06 deg moments; ours at -5.83.
    assert 1771740000 < night["sunrise"] < 1771741500


def test_night_accepts_iso_time(capsys):
    code, out, _ = run(capsys, "night", "--lat", "52", "--lon", "4", "--time", "2026-02-21T12:00:00Z")
    assert code == 0
    assert json.loads(out)["status"] == "SUN_IS_UP"


def test_targets_json_from_a_file_matches_the_server(capsys, tmp_path):
    subset = json.loads((__import__("pathlib").Path(__file__).parents[1] / "data/sky/aavso_reference_subset.json").read_text())
    file = tmp_path / "targets.json"
    file.write_text(json.dumps({"targets": [{k: v for k, v in t.items() if k != "observability_times"} for t in subset["targets"]]}))
    code, out, _ = run(capsys, "targets", "--targets-file", str(file), "--lat", "52", "--lon", "4",
                       "--target-altitude", "20", "--sun-altitude", "-5", "--time", REF_TIME)
    assert code == 0
    got = {t["star_name"]: t for t in json.loads(out)["targets"]}
    for expected in subset["targets"]:
        local = got[expected["star_name"]]
        assert [e[0] for e in local["observability_times"]] == [e[0] for e in expected["observability_times"]]
        for (_, a), (_, b) in zip(local["observability_times"], expected["observability_times"]):
            assert a is None and b is None or abs(a - b) <= 30
        assert local["solar_conjunction"] == expected["solar_conjunction"]


def test_targets_bare_list_observable_order_and_formats(capsys, tmp_path):
    file = tmp_path / "list.json"
    file.write_text(json.dumps([
        {"star_name": "Polaris-ish", "ra": 37.95, "dec": 89.26},
        {"star_name": "Far south", "ra": 100.0, "dec": -80.0},
        {"star_name": "Equatorial", "ra": 150.0, "dec": 0.0},
    ]))
    base = ["targets", "--targets-file", str(file), "--lat", "52", "--lon", "4", "--time", REF_TIME]
    code, out, _ = run(capsys, *base, "--observable", "--orderby", "star_name", "--reverse")
    names = [t["star_name"] for t in json.loads(out)["targets"]]
    assert names == ["Polaris-ish", "Equatorial"]  # "Far south" never rises at 52 N
    code, out, _ = run(capsys, *base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["star_name"] for r in rows] == ["Polaris-ish", "Far south", "Equatorial"]
    assert json.loads(rows[0]["observability_times"]) == [["TARGET_IS_ALWAYS_UP", None]]
    code, out, _ = run(capsys, *base, "--format", "table")
    assert "always up" in out and "not observable" in out


def test_targets_section_filter_on_the_sample(capsys):
    code, out, _ = run(capsys, "targets", "--section", "eb", "--lat", "52", "--lon", "4", "--time", REF_TIME)
    targets = json.loads(out)["targets"]
    assert targets and all("Eclipsing Variables" in t["obs_section"] for t in targets)


def test_tonight_lists_observable_targets_most_urgent_first(capsys):
    from planner.catalog import load_sample

    when = "2026-11-23T18:00:00Z"
    code, out, err = run(capsys, "tonight", "--lat", "52", "--lon", "4", "--time", when, "--limit", "8")
    assert code == 0, err
    assert "Europe/Amsterdam" in out and "Moon:" in out and "Sunset" in out
    lines = [l for l in out.splitlines() if l.startswith("  ") and "window" not in l]
    assert 0 < len(lines) <= 8
    # The same urgency the scheduler uses: priority and lateness, highest first.
    by_name = {t.star_name: t for t in load_sample().targets}
    now = 1795456800.0  # 2026-11-23T18:00:00Z
    shown = [by_name[l[2:22].strip()] for l in lines]
    scores = [t.urgency(now) for t in shown]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] >= 2.0  # the sample has priority or long-overdue stars up tonight
    # The columns line up, even when a target is up in two stretches (a longer window text).
    assert len({l.index("°") for l in lines}) == 1


def test_tonight_under_the_midnight_sun(capsys):
    code, out, _ = run(capsys, "tonight", "--lat", "80", "--lon", "15", "--time", "2026-06-18T12:00:00Z")
    assert code == 0 and "No night" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["night", "--lat", "95", "--lon", "0"], "Latitude 95"),
        (["night", "--lat", "0", "--lon", "0", "--time", "yesterday"], "neither unix seconds nor ISO 8601"),
        (["targets", "--targets-file", "/no/such/file.json"], "no such file"),
        (["tonight", "--sun-altitude", "40"], "Sun altitude"),
    ],
)
def test_errors_are_one_clear_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_malformed_json_file(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"targets": [')
    code, _, err = run(capsys, "targets", "--targets-file", str(bad))
    assert code == 2 and "not valid JSON" in err


def test_bad_records_are_skipped_with_a_message(capsys, tmp_path):
    file = tmp_path / "mixed.json"
    file.write_text(json.dumps([{"star_name": "Good", "ra": 10, "dec": 10}, {"star_name": "Bad", "ra": "x", "dec": 0}]))
    code, out, err = run(capsys, "targets", "--targets-file", str(file), "--lat", "0", "--lon", "0")
    assert code == 0
    assert [t["star_name"] for t in json.loads(out)["targets"]] == ["Good"]
    assert "'Bad'" in err and "ra" in err


def test_tonight_star_prints_what_the_details_panel_shows(capsys):
    from planner.app.target_sky import describe_target_sky, target_sky
    from planner.app.visibility import compute_visibility
    from planner.catalog import load_sample
    from planner.sky import Site

    when = "2026-11-23T17:00:00Z"
    code, out, err = run(capsys, "tonight", "--lat", "52", "--lon", "4", "--time", when, "--star", "ss cyg")
    assert code == 0 and err == ""
    site = Site(52.0, 4.0, timezone="Europe/Amsterdam")
    targets = load_sample().targets
    i = [t.star_name for t in targets].index("SS Cyg")
    obs = compute_visibility(targets, site, 1_795_453_200.0)
    lines = out.split("\nSS Cyg\n", 1)[1].splitlines()
    expected = describe_target_sky(target_sky(obs, i, targets[i]), site.tz, "CET")
    assert [line.split(":", 1)[1].strip() for line in lines] == [text for _, text in expected]
    assert lines[0].strip().startswith("Position:") and "Observable:" in lines[1]


def test_tonight_star_unknown_says_what_to_give(capsys):
    code, out, err = run(capsys, "tonight", "--lat", "52", "--lon", "4", "--star", "No Such Star")
    assert code == 2 and "No target called 'No Such Star'" in err and "Traceback" not in err
