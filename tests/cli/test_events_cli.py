"""``planner events`` and ``planner vsx`` as a user runs them: the JSON shape, the kinds
filter, the table and CSV, one-line errors, and VSX lookups against a local server."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from planner.cli import main

SITE = ["--lat", "52", "--lon", "4", "--elevation", "0"]
VSX = Path(__file__).resolve().parents[1] / "data" / "vsx"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def vsx_answer(name: str):
    return json.loads((VSX / name).read_text("utf-8"))


def test_json_for_a_date(capsys):
    code, out, err = run(capsys, "events", "--date", "2026-12-01", *SITE, "--format", "json", "--no-vsx")
    assert code == 0
    data = json.loads(out)
    assert data["night"]["date"] == "2026-12-01" and data["night"]["latitude"] == 52.0
    assert data["events"] and [e["time"] for e in data["events"]] == sorted(e["time"] for e in data["events"])
    first = data["events"][0]
    assert {"star_name", "kind", "time", "start", "end", "altitude", "observable", "cycles_from_epoch",
            "uncertainty_s", "elements"} <= set(first)
    assert {"epoch", "time_scale", "period", "eclipse_duration", "source"} <= set(first["elements"])


def test_kind_filter_and_time(capsys):
    code, out, _ = run(capsys, "events", "--time", "2026-12-01T12:00:00Z", *SITE, "--kind", "transit", "maximum",
                       "--format", "json", "--no-vsx")
    assert code == 0
    kinds = {e["kind"] for e in json.loads(out)["events"]}
    assert kinds and kinds <= {"transit", "maximum"}


def test_table_and_csv(capsys):
    code, out, _ = run(capsys, "events", "--date", "2026-12-01", *SITE, "--no-vsx")
    assert code == 0 and "Night:" in out and "Min I" in out and "watch" in out
    code, out, _ = run(capsys, "events", "--date", "2026-12-01", *SITE, "--format", "csv", "--no-vsx")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows and rows[0]["time_utc"].endswith("Z") and rows[0]["observable"]


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["--date", "2026-13-01"], "--date '2026-13-01' is not a date"),
        (["--date", "2026-12-01", "--time", "2026-12-01T20:00:00Z"], "not both"),
        (["--time", "yesterday"], "--time 'yesterday'"),
    ],
)
def test_bad_input_is_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, "events", *argv, *SITE, "--no-vsx")
    assert code == 2 and out == "" and fragment in err and len(err.strip().splitlines()) == 1


def test_bad_elements_in_a_targets_file_are_named(capsys, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([
        {"star_name": "Good EB", "ra": 47.04, "dec": 40.96, "var_type": "EA", "period": 2.867326,
         "epoch": 2455528.105, "eclipse_duration": 14},
        {"star_name": "Bad EB", "ra": 50.0, "dec": 40.0, "var_type": "EA", "period": 1.5,
         "epoch": 2455528.1, "eclipse_duration": 75},
    ]))
    code, out, err = run(capsys, "events", "--targets-file", str(path), "--date", "2026-12-01", *SITE,
                         "--format", "json", "--no-vsx")
    assert code == 0
    assert "'Bad EB'" in err and "eclipse_duration" in err and "skipped" not in err
    assert {e["star_name"] for e in json.loads(out)["events"]} <= {"Good EB"}


def test_missing_elements_are_looked_up_in_vsx(capsys, tmp_path, httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_VSX_URL", httpserver.url_for("/"))
    httpserver.expect_request("/index.php", query_string={"view": "api.object", "ident": "V0999 Tst",
                                                          "format": "json"}).respond_with_json(
        vsx_answer("eclipsing_odd.json"))
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([{"star_name": "V0999 Tst", "ra": 301.5, "dec": 22.25, "var_type": "EA/SD"}]))
    code, out, err = run(capsys, "events", "--targets-file", str(path), "--date", "2026-12-01", *SITE,
                         "--format", "json")
    assert code == 0, err
    events = json.loads(out)["events"]
    assert events and all(e["elements"]["source"].startswith("AAVSO VSX") for e in events)
    # the second run asks VSX nothing: the answer is cached for weeks
    run(capsys, "events", "--targets-file", str(path), "--date", "2026-12-01", *SITE, "--format", "json")
    assert len(httpserver.log) == 1


def test_vsx_down_is_a_warning_not_a_failure(capsys, tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([{"star_name": "V0999 Tst", "ra": 301.5, "dec": 22.25, "var_type": "EA/SD"}]))
    code, out, err = run(capsys, "events", "--targets-file", str(path), "--date", "2026-12-01", *SITE)
    assert code == 0 and "AAVSO VSX" in err and "1 target(s) have no elements" in err
    assert "No events" in out


def test_planner_vsx_prints_the_record(capsys, httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_VSX_URL", httpserver.url_for("/"))
    httpserver.expect_request("/index.php", query_string={"view": "api.object", "ident": "T CrB",
                                                          "format": "json"}).respond_with_json(vsx_answer("t_crb.json"))
    code, out, err = run(capsys, "vsx", "T", "CrB")
    assert code == 0, err
    record = json.loads(out)
    assert record["name"] == "T CrB" and record["var_type"] == "NR+ELL" and record["period"] == 227.5528
    assert record["elements"]["epoch"] == 2455828.9 and record["max_mag"]["band"] == "V"
    assert record["vsx"]["AUID"] == "000-BBW-825"


def test_planner_vsx_unknown_star(capsys, httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_VSX_URL", httpserver.url_for("/"))
    httpserver.expect_request("/index.php").respond_with_json({"VSXObject": []})
    code, out, err = run(capsys, "vsx", "Nosuch", "Star")
    assert code == 2 and out == "" and "VSX has no star called 'Nosuch Star'" in err


def test_planner_vsx_service_down_is_one_line(capsys, httpserver, monkeypatch):
    monkeypatch.setenv("PLANNER_VSX_URL", httpserver.url_for("/"))
    httpserver.expect_request("/index.php").respond_with_data("<html>down</html>", status=503)
    code, out, err = run(capsys, "vsx", "bet", "Per")
    assert code == 2 and out == "" and "AAVSO VSX" in err and "503" in err and len(err.strip().splitlines()) == 1
