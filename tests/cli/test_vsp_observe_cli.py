"""``planner vsp``, ``planner observe`` and the AAVSO reports from the command line, against
a local server that answers as VSP does; and the whole loop as an observer runs it: charts
prepared at home, then estimates and the report with no network at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from planner.cli import main
from planner.plan import load_plan, save_plan
from planner.plan.model import Plan, PlanEntry, PlanTarget
from planner.sky.site import Site
from tests.plan.aavso_reader import read_report
from tests.vsp_service import png, serve_vsp

SITE = Site(latitude=52.0, longitude=4.0, elevation=5.0, timezone="Europe/Amsterdam", name="Backyard")
DATE = "2026-11-23"
EVENING = "2026-11-23T19:30:00Z"  # SS Cyg high in the west from 52°N


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def vsp(httpserver, monkeypatch):
    """A VSP at a local address: charts by star and by id, and their pictures."""
    httpserver.asked = serve_vsp(httpserver, monkeypatch, unknown=("SS Foo",), picture=png(60, 40, "L"))
    return httpserver


def gone(httpserver):
    """The network is gone: every request fails."""
    httpserver.clear()
    httpserver.expect_request("/", method="GET").respond_with_data("", status=599)
    httpserver.no_handler_status_code = 599


def test_vsp_prints_the_chart_as_the_api_gives_it_and_writes_the_picture(capsys, tmp_path, vsp):
    from planner.config import Settings, save_settings

    save_settings(Settings(telescope_aperture_mm=200.0, telescope_focal_length_mm=1200.0,
                           eyepiece_focal_length_mm=25.0, eyepiece_field_deg=52.0))
    picture = tmp_path / "ss.png"
    code, out, err = run(capsys, "vsp", "SS Cyg", "--maglimit", "14.5", "--image", picture)
    assert code == 0, err
    data = json.loads(out)
    assert data["chartid"] == "X28471AB" and data["fov"] == 60.0 and data["maglimit"] == 14.5
    assert data["photometry"][0]["label"] == "85" and data["source"] == "service"
    assert vsp.asked[0]["fov"] == "65" and vsp.asked[0]["maglimit"] == "14.5"  # the eyepiece's field, as asked
    assert Image.open(picture).size == (60, 40)
    # asked again: the kept chart, no network
    count = len(vsp.log)
    code, out, err = run(capsys, "vsp", "SS Cyg", "--maglimit", "14.5", "--format", "table")
    assert code == 0 and len(vsp.log) == count
    assert "Chart X28471AB of SS Cyg" in out and "kept since" in out
    lines = out.splitlines()
    assert lines[2].split()[:6] == ["Label", "AUID", "RA", "Dec", "V", "B-V"]
    assert "8.524±0.012" in out and "1.127±0.022" in out


def test_a_kept_chart_id_opens_with_no_network(capsys, vsp):
    assert run(capsys, "vsp", "--chart-id", "X28471AB")[0] == 0
    gone(vsp)
    code, out, err = run(capsys, "vsp", "--chart-id", "X28471AB")
    assert code == 0, err
    assert json.loads(out)["source"] == "store"


def test_an_unknown_star_is_one_clear_line(capsys, vsp):
    code, out, err = run(capsys, "vsp", "SS Foo")
    assert code == 2 and out == ""
    assert err.startswith("planner vsp: AAVSO VSP: could not make a chart of 'SS Foo': SS Foo: star not found;")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_vsp_without_a_star_or_with_conflicting_options(capsys, vsp):
    assert run(capsys, "vsp")[2].startswith("planner vsp: give a star NAME")
    assert "leave --fov" in run(capsys, "vsp", "--chart-id", "X1", "--fov", "30")[2]


def _plan_file(tmp_path, *names) -> Path:
    plan = Plan(site=SITE, date=DATE)
    coordinates = {"SS Cyg": (325.6787, 43.5861), "SS Foo": (10.0, 10.0), "R Leo": (146.8899, 11.4289)}
    for name in names:
        ra, dec = coordinates[name]
        plan.add(PlanEntry(target=PlanTarget(name=name, ra=ra, dec=dec, min_mag=12.2)))
    path = tmp_path / "night.plan.json"
    save_plan(plan, path)
    return path


def test_vsp_plan_prepares_every_chart_and_the_plan_remembers_them(capsys, tmp_path, vsp):
    path = _plan_file(tmp_path, "SS Cyg", "SS Foo")
    code, out, err = run(capsys, "vsp", "--plan", path)
    assert code == 1  # one star could not be had
    assert "[1/2] SS Cyg" in err and "[2/2] SS Foo" in err
    assert "1 of 2 charts ready for the field" in out and "SS Foo (AAVSO VSP: could not make" in out
    assert "Saved the chart ids" in out
    plan = load_plan(path)
    assert [e.chart_id for e in plan.entries] == ["X28471AB", ""]


def test_the_whole_loop_offline_once_the_charts_are_prepared(capsys, tmp_path, vsp):
    """At home: prepare the plan's charts. At the dark site (no network): estimates checked
    against the kept charts, then both AAVSO reports, read by the specification's rules."""
    from planner.config import Settings, save_settings

    save_settings(Settings(observer_code="XYZ"))
    path = _plan_file(tmp_path, "SS Cyg")
    assert run(capsys, "vsp", "--plan", path)[0] == 0
    gone(vsp)
    before = len(vsp.log)

    code, out, err = run(capsys, "observe", path, "--star", "ss cyg", "--time", EVENING, "--mag", "11.6",
                         "--comp", "104", "--comp", "117", "--codes", "B")
    assert code == 0, err
    assert "comparison 104 (10.412), 117 (11.703)" in out and "chart X28471AB" in out and "airmass" in out
    code, out, err = run(capsys, "observe", path, "--star", "SS Cyg", "--time", "2026-11-23T19:40:00Z",
                         "--mag", "11.534", "--err", "0.02", "--filter", "V", "--comp", "104", "--check", "117",
                         "--cmag", "-8.12", "--kmag", "-6.83")
    assert code == 0, err
    # an unknown label is refused with the chart's labels named, and the plan is left as it was
    code, out, err = run(capsys, "observe", path, "--star", "SS Cyg", "--time", EVENING, "--mag", "11.6",
                         "--comp", "999")
    assert code == 2 and "comparison star '999' is not on chart X28471AB (its labels: 85, 104, 117, 128)" in err
    assert "Nothing was added" in err
    plan = load_plan(path)
    assert len(plan.entries[0].observations) == 2 and plan.entries[0].status == "observed"

    visual_file, extended_file = tmp_path / "visual.txt", tmp_path / "extended.txt"
    code, out, err = run(capsys, "export", path, "--format", "aavso-visual", "-o", visual_file)
    assert code == 0, err
    assert "1 estimate)" in out and "Left out 1 instrumental estimate" in out
    code, out, err = run(capsys, "export", path, "--format", "aavso-extended", "--obstype", "dslr",
                         "-o", extended_file)
    assert code == 0, err
    visual = read_report(visual_file.read_bytes())
    assert visual.parameters["OBSCODE"] == "XYZ"
    (v,) = visual.records
    assert (v["name"], v["magnitude"], v["comp1"], v["comp2"], v["codes"], v["chart"]) == (
        "SS Cyg", 11.6, "104", "117", "B", "X28471AB")
    extended = read_report(extended_file.read_bytes())
    (x,) = extended.records
    assert extended.parameters["OBSTYPE"] == "DSLR"
    assert (x["cname"], x["cmag"], x["kname"], x["kmag"], x["magerr"]) == ("000-BCP-194", -8.12, "000-BCP-207", -6.83, 0.02)
    assert x["subfields"] == {"CREFMAG": "10.412", "KREFMAG": "11.703"} and 1.0 < x["airmass"] < 2.0
    assert len(vsp.log) == before  # nothing was asked of the network after the charts were prepared


def test_observe_refuses_bad_input_with_the_field_named_and_keeps_the_plan(capsys, tmp_path):
    path = _plan_file(tmp_path, "SS Cyg")
    original = path.read_bytes()
    cases = [
        (["--star", "T Cen", "--mag", "9", "--time", EVENING], "star 'T Cen' is not in the plan (its stars: SS Cyg)"),
        (["--star", "SS Cyg", "--mag", "99", "--time", EVENING], "magnitude 99 is not one a star can have here"),
        (["--star", "SS Cyg", "--mag", "11", "--time", "2026-11-24T12:00:00Z"], "is outside the plan's night"),
        (["--star", "SS Cyg", "--mag", "11", "--err", "5", "--time", EVENING], "error 5 must be between 0 and 2"),
        (["--star", "SS Cyg", "--fainter-than", "13", "--err", "0.1", "--time", EVENING], "has no error"),
        (["--star", "SS Cyg", "--mag", "11", "--codes", "Q", "--time", EVENING], "comment code Q is not AAVSO's"),
        (["--star", "SS Cyg", "--mag", "11", "--filter", "Johnson-V", "--time", EVENING], "filter 'Johnson-V' is not"),
        (["--star", "SS Cyg", "--mag", "11", "--comp", "1", "--comp", "2", "--comp", "3", "--time", EVENING],
         "at most two comparison stars"),
        (["--star", "SS Cyg", "--mag", "11", "--time", "yesterday"], "--time 'yesterday' is neither"),
    ]
    for argv, words in cases:
        code, out, err = run(capsys, "observe", path, *argv)
        assert code == 2, (argv, out)
        assert words in err, (words, err)
        assert err.count("\n") == 1
    assert path.read_bytes() == original


def test_a_report_without_an_observer_code_is_refused(capsys, tmp_path):
    path = _plan_file(tmp_path, "SS Cyg")
    assert run(capsys, "observe", path, "--star", "SS Cyg", "--mag", "11.2", "--time", EVENING)[0] == 0
    code, out, err = run(capsys, "export", path, "--format", "aavso-visual")
    assert code == 2 and "needs your AAVSO observer code: give --obscode" in err
    assert not (tmp_path / "night-aavso-visual.txt").exists()
    code, out, err = run(capsys, "export", path, "--format", "aavso-visual", "--obscode", "xyz")
    assert code == 0 and (tmp_path / "night-aavso-visual.txt").read_text().startswith("#TYPE=Visual\n#OBSCODE=XYZ\n")
