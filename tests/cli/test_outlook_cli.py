"""The headless horizon and outlook: ``planner targets/tonight --horizon FILE``, the mask
from the settings by default, and ``planner outlook`` in its three formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner.cli import main
from planner.config import Settings, save_settings

DATA = Path(__file__).resolve().parents[1] / "data" / "horizon"
REF_TIME = "2026-11-23T20:00:00Z"
SITE = ("--lat", "52", "--lon", "4")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _hours(capsys, *extra):
    code, out, err = run(capsys, "outlook", "--from", "2026-11-23", "--nights", "2", *SITE, *extra)
    assert code == 0, err
    data = json.loads(out)
    return {row["star_name"]: row["hours"] for row in data["nights"][0]["targets"]}, data


def test_outlook_json_shape_and_the_horizon_option(capsys):
    flat, data = _hours(capsys)
    assert set(data) == {"site", "nights"} and data["site"]["horizon"] is None
    assert [n["date"] for n in data["nights"]] == ["2026-11-23", "2026-11-24"]
    masked, data = _hours(capsys, "--horizon", str(DATA / "backyard.hrz"))
    assert data["site"]["horizon"] == "backyard.hrz"
    assert all(masked[name] <= flat[name] + 1e-9 for name in flat)
    assert sum(masked[name] < flat[name] - 0.01 for name in flat) >= 3


def test_the_configured_mask_is_the_default_and_none_switches_it_off(capsys):
    from planner.sky.horizon import read_horizon

    settings = Settings(latitude=52.0, longitude=4.0)
    settings.horizon = read_horizon(DATA / "backyard.hrz").to_json()
    save_settings(settings)
    code, out, _ = run(capsys, "outlook", "--from", "2026-11-23", "--nights", "1")
    assert code == 0 and json.loads(out)["site"]["horizon"] == "backyard.hrz"
    code, out, _ = run(capsys, "outlook", "--from", "2026-11-23", "--nights", "1", "--horizon", "none")
    assert code == 0 and json.loads(out)["site"]["horizon"] is None
    # a place given on the command line is another place: the configured mask stays home
    code, out, _ = run(capsys, "outlook", "--from", "2026-11-23", "--nights", "1", "--lat", "40", "--lon", "-74")
    assert code == 0 and json.loads(out)["site"]["horizon"] is None


def test_outlook_table_and_csv(capsys):
    code, out, _ = run(capsys, "outlook", "--from", "2026-11-23", "--nights", "3", *SITE, "--format", "table",
                       "--section", "lpv")
    assert code == 0
    assert "Hours observable each night" in out and "Moon (illuminated)" in out
    assert "omi Cet" in out and "SS Cyg" not in out  # the section filter
    code, out, _ = run(capsys, "outlook", "--from", "2026-11-23", "--nights", "3", *SITE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["date", "star_name", "hours", "max_altitude", "moon_separation", "moon_illumination", "due",
                            "events"]
    assert {r["date"] for r in rows} == {"2026-11-23", "2026-11-24", "2026-11-25"}


def test_bad_horizon_files_are_one_line_with_the_line_and_the_reason(capsys):
    for command in ("outlook", "targets", "tonight"):
        code, out, err = run(capsys, command, *SITE, "--horizon", str(DATA / "bad_altitude.hrz"))
        assert code == 2 and out == ""
        assert "bad_altitude.hrz, line 3: altitude 400 is over 90 degrees" in err
        assert "Traceback" not in err and err.count("\n") == 1


def test_bad_outlook_arguments(capsys):
    for argv, message in ((("--nights", "400"), "400 must be from 1 to 366 (nights)"), (("--from", "23/11/2026"), "not a date like 2026-11-23")):
        code = main(["outlook", *argv])
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1


def test_targets_and_tonight_take_the_horizon(capsys, tmp_path):
    args = ("--targets-file", str(Path(__file__).resolve().parents[1] / "data/sky/aavso_reference_subset.json"))
    code, out, _ = run(capsys, "targets", *args, *SITE, "--time", REF_TIME, "--observable")
    flat = {t["star_name"] for t in json.loads(out)["targets"]}
    # a 60-degree wall all round: fewer targets clear it
    wall = tmp_path / "wall.csv"
    wall.write_text("azimuth,altitude\n0,60\n180,60\n")
    code, out, _ = run(capsys, "targets", *args, *SITE, "--time", REF_TIME, "--observable", "--horizon", str(wall))
    walled = {t["star_name"] for t in json.loads(out)["targets"]}
    assert code == 0 and walled < flat
    code, out, _ = run(capsys, "tonight", *args, *SITE, "--time", REF_TIME, "--horizon", str(wall))
    assert code == 0 and "Horizon mask: 2 points, 60-60° (wall.csv)" in out
    assert "and the horizon mask" in out


def test_outlook_events_agree_with_events_for_night_of_the_same_night(capsys):
    """``planner outlook``'s events per target-night (JSON, CSV and the table's list) are
    what ``planner.app.events.events_for_night`` gives for that night, called directly."""
    import datetime as dt

    from planner.app.events import events_for_night
    from planner.catalog import load_sample
    from planner.sky import Site, night_for_date

    code, out, err = run(capsys, "outlook", "--from", "2026-12-01", "--nights", "2", *SITE)
    assert code == 0, err
    data = json.loads(out)
    s = data["site"]
    site = Site(s["latitude"], s["longitude"], elevation=s["elevation"], timezone=s["timezone"],
                target_altitude=s["target_altitude"], sun_altitude=s["sun_altitude"])
    targets = load_sample().targets
    expected_csv = {}
    for k, night in enumerate(data["nights"]):
        direct = events_for_night(targets, site, night_for_date(site, dt.date.fromisoformat(night["date"])))
        by_name = {t.star_name: row for t, row in zip(targets, direct.targets)}
        assert {row["star_name"] for row in night["targets"]} == set(by_name)
        for row in night["targets"]:
            want = by_name[row["star_name"]].events
            assert [(e["kind"], e["time"], e["observable"]) for e in row["events"]] == \
                [(e.kind, int(round(e.time)), e.observable) for e in want]
            expected_csv[(night["date"], row["star_name"])] = [(e.kind, e.observable) for e in want]
    assert sum(len(v) for v in expected_csv.values()) > 10
    code, out, _ = run(capsys, "outlook", "--from", "2026-12-01", "--nights", "2", *SITE, "--format", "csv")
    for r in csv.DictReader(io.StringIO(out)):
        got = [(part.split()[0], part.split()[2]) for part in r["events"].split("; ") if part]
        assert got == expected_csv[(r["date"], r["star_name"])]
    code, out, _ = run(capsys, "outlook", "--from", "2026-12-01", "--nights", "2", *SITE, "--format", "table")
    listed = out.split("Events (night of", 1)[1].splitlines()[1:]
    assert len(listed) == sum(len(v) for v in expected_csv.values())
    assert any("bet Per" in line and "Min I" in line for line in listed)
