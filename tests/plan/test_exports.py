"""Every export is read back with an independent parser (csv, defusedxml, icalendar, pypdf)
or checked by its structure, and none leaks a secret or a local path."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest
from defusedxml import ElementTree as SafeET

from planner.plan.export import FORMATS, ExportError, dec_dms, export_plan, ra_hms, render
from planner.plan.model import Plan
from planner.plan.store import loads_plan
from tests.plan.helpers import SITE, T0, sample_plan

OAL = "{http://groups.google.com/group/openastronomylog}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def iso(t):
    return datetime.fromtimestamp(t, tz=timezone.utc)


def hms_to_deg(text):
    """RA back from any 'h m s' spelling (what N.I.N.A.'s HMSToDegrees does: numbers only)."""
    h, m, s = (float(x) for x in re.findall(r"[0-9.]+", text))
    return (h + m / 60 + s / 3600) * 15


def dms_to_deg(text):
    d, m, s = (float(x) for x in re.findall(r"[0-9.]+", text))
    value = d + m / 60 + s / 3600
    return -value if "-" in text else value


@pytest.mark.parametrize(
    "ra, text", [(0.0, "00:00:00.00"), (83.82208, "05:35:17.30"), (359.99999999, "00:00:00.00"), (44.99999, "02:59:60.00".replace("02:59:60.00", "03:00:00.00"))]
)
def test_ra_sexagesimal_rounds_without_sixty_seconds(ra, text):
    assert ra_hms(ra) == text


@pytest.mark.parametrize("dec, text", [(-5.391111, "-05:23:28.0"), (89.99999999, "+90:00:00.0"), (-0.0001, "-00:00:00.4"), (0.0, "+00:00:00.0")])
def test_dec_sexagesimal(dec, text):
    assert dec_dms(dec) == text


def test_csv_one_row_per_entry_with_utc_local_and_both_coordinate_forms():
    plan = sample_plan()
    rows = list(csv.DictReader(io.StringIO(render(plan, "csv").decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["SS Cyg", "omi Cet", "chi Cyg", "T CrB"]  # time order, unscheduled last
    first = rows[0]
    assert datetime.fromisoformat(first["start_utc"].replace("Z", "+00:00")) == iso(T0 + 6000)
    local = datetime.fromisoformat(first["start_local"])
    assert local == iso(T0 + 6000) and local.utcoffset().total_seconds() == 3600  # CET in November
    assert first["timezone"] == "Europe/Amsterdam"
    assert float(first["ra_deg"]) == pytest.approx(325.6785)
    assert hms_to_deg(first["ra_hms"]) == pytest.approx(325.6785, abs=1e-4)
    assert dms_to_deg(first["dec_dms"]) == pytest.approx(43.5861, abs=1e-4)
    assert first["filters"] == "V B" and first["count"] == "10" and first["notes"] == "outburst?"
    assert float(first["duration_min"]) == 30.0
    assert rows[3]["start_utc"] == "" and rows[3]["status"] == "planned"
    assert rows[2]["status"] == "observed"
    assert rows[1]["priority"] == "yes"


def test_nina_csv_uses_the_telescopius_columns_and_reads_back():
    text = render(sample_plan(), "nina-csv").decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    assert header == ["Familiar Name", "Catalogue Entry", "Right Ascension (j2000)", "Declination (j2000)",
                      "Position Angle (East)", "Type"]
    # N.I.N.A. matches headers lower-cased and trimmed; never a bare "right ascension" column
    lowered = [h.lower().strip() for h in header]
    assert "right ascension" not in lowered and "declination" not in lowered
    rows = [dict(zip(lowered, r)) for r in reader]
    # only entries still to do: the observed chi Cyg is left out
    assert [r["familiar name"] for r in rows] == ["SS Cyg", "omi Cet", "T CrB"]
    assert hms_to_deg(rows[1]["right ascension (j2000)"]) == pytest.approx(34.8366, abs=1e-4)
    assert dms_to_deg(rows[1]["declination (j2000)"]) == pytest.approx(-2.9776, abs=1e-4)
    assert rows[0]["type"] == "UGSS" and float(rows[0]["position angle (east)"]) == 0.0


def _acp_targets(text):
    """A small ACP plan reader: directives accumulate until a target line consumes them."""
    targets, pending = [], {}
    for line in text.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        if line.startswith("#"):
            key, _, value = line[1:].partition(" ")
            pending[key.lower()] = value.split(";")[0].strip()
            continue
        name, ra, dec = line.split("\t")
        targets.append((name, ra, dec, pending))
        pending = {}
    return targets, pending


def test_acp_plan_structure():
    plan = sample_plan()
    text = render(plan, "acp").decode("utf-8")
    assert "\r\n" in text
    targets, trailing = _acp_targets(text)
    assert [t[0] for t in targets] == ["SS Cyg", "omi Cet", "T CrB"]
    name, ra, dec, d = targets[0]
    assert float(ra.split(":")[0]) + float(ra.split(":")[1]) / 60 + float(ra.split(":")[2]) / 3600 == pytest.approx(325.6785 / 15, abs=1e-5)
    assert dms_to_deg(dec) == pytest.approx(43.5861, abs=1e-4)
    assert d["filter"] == "V,B" and d["count"] == "10,10" and d["interval"] == "30,30"
    for _, _, _, directives in targets:  # equal-length comma lists
        lengths = {len(directives[k].split(",")) for k in ("count", "interval", "filter") if k in directives}
        assert len(lengths) == 1
    assert datetime.strptime(d["waituntil"].split(",", 1)[1].strip(), "%m/%d/%Y %H:%M:%S").replace(
        tzinfo=timezone.utc) == iso(T0 + 6000)
    assert "waituntil" not in targets[2][3]  # unscheduled: no wait
    assert "filter" in targets[1][3] and targets[1][3]["count"] == "1"
    assert datetime.strptime(trailing["quitat"], "%m/%d/%Y %H:%M:%S").replace(tzinfo=timezone.utc) == iso(plan.night_end)
    assert "; Bring the dew heater." in text and "; outburst?" in text


def test_acp_target_names_cannot_break_the_line():
    plan = sample_plan()
    plan.entries[0] = plan.entries[0].__class__(**{**plan.entries[0].__dict__,
                                                   "target": plan.entries[0].target.__class__(
                                                       **{**plan.entries[0].target.__dict__, "name": "V1\tX;y\nz"})})
    targets, _ = _acp_targets(render(plan, "acp").decode())
    assert targets[0][0] == "V1 X y z"


def test_ekos_esl_has_a_job_per_entry_with_coordinates_constraints_and_times():
    plan = sample_plan()
    root = SafeET.fromstring(render(plan, "esl"))
    assert root.tag == "SchedulerList" and root.get("version")
    jobs = root.findall("Job")
    assert [j.findtext("Name") for j in jobs] == ["SS Cyg", "omi Cet", "T CrB"]
    j = jobs[0]
    assert float(j.findtext("Coordinates/J2000RA")) == pytest.approx(325.6785 / 15, abs=1e-6)
    assert float(j.findtext("Coordinates/J2000DE")) == pytest.approx(43.5861, abs=1e-6)
    constraints = {c.text: c.get("value") for c in j.findall("Constraints/Constraint")}
    assert float(constraints["MinimumAltitude"]) == 25.0
    assert float(constraints["MoonSeparation"]) == 20.0
    assert "EnforceTwilight" in constraints
    start = j.find("StartupCondition/Condition")
    assert start.text == "At"
    local = datetime.fromisoformat(start.get("value")).replace(tzinfo=SITE.tz)
    assert local == iso(T0 + 6000)
    assert j.find("CompletionCondition/Condition").text == "At"
    assert jobs[2].find("StartupCondition/Condition").text == "ASAP"
    assert jobs[1].findtext("Priority") == "5"  # priority target
    assert j.findtext("Sequence") in ("", None)  # no local path


def test_oal_has_variable_star_targets_session_and_site():
    plan = sample_plan()
    root = SafeET.fromstring(render(plan, "oal"))
    assert root.tag == f"{OAL}observations" and root.get("version") == "2.1"
    assert "oal21.xsd" in root.get(f"{XSI}schemaLocation")
    children = [c.tag for c in root]
    assert children[:4] == ["observers", "sites", "sessions", "targets"]
    site = root.find("sites/site")
    assert float(site.findtext("latitude")) == 52.0 and site.find("latitude").get("unit") == "deg"
    assert float(site.findtext("longitude")) == 4.0
    assert site.findtext("timezone") == "60"
    session = root.find("sessions/session")
    assert session.findtext("site") == site.get("id")
    assert datetime.fromisoformat(session.findtext("begin")) == iso(plan.night_start)
    assert datetime.fromisoformat(session.findtext("end")) == iso(plan.night_end)
    assert "Bring the dew heater." in session.findtext("comments")
    targets = root.findall("targets/target")
    assert [t.findtext("name") for t in targets] == ["SS Cyg", "omi Cet", "chi Cyg", "T CrB"]
    ss = targets[0]
    assert ss.get(f"{XSI}type") == "oal:variableStarTargetType"
    assert ss.findtext("datasource")
    assert float(ss.findtext("position/ra")) == pytest.approx(325.6785)
    assert ss.find("position/ra").get("unit") == "deg"
    assert float(ss.findtext("position/dec")) == pytest.approx(43.5861)
    assert ss.findtext("constellation") == "Cyg"
    assert ss.findtext("type") == "UGSS"
    assert float(ss.findtext("apparentMag")) == 12.2 and float(ss.findtext("maxApparentMag")) == 7.7
    assert float(ss.findtext("period")) == 49.5
    # schema order inside a variable-star target
    order = [c.tag for c in ss]
    expected = ["datasource", "name", "position", "constellation", "notes", "apparentMag", "type", "maxApparentMag", "period"]
    assert order == [t for t in expected if t in order]
    assert targets[3].find("period") is None  # T CrB has no period


def test_ics_one_event_per_scheduled_entry_with_location_and_geo():
    icalendar = pytest.importorskip("icalendar")
    plan = sample_plan()
    cal = icalendar.Calendar.from_ical(render(plan, "ics"))
    events = [c for c in cal.walk("VEVENT")]
    assert [str(e["summary"]) for e in events] == ["Observe SS Cyg", "Observe omi Cet", "Observe chi Cyg"]
    first = events[0]
    assert first.decoded("dtstart") == iso(T0 + 6000) and first.decoded("dtend") == iso(T0 + 7800)
    geo = first["geo"]
    assert (geo.latitude, geo.longitude) == (52.0, 4.0)
    assert "Test site" in str(first["location"])
    description = str(first["description"])
    assert "21:42:42.84" in description and "+43:35:10.0" in description and "7.7–12.2 V" in description
    assert len({str(e["uid"]) for e in events}) == 3


def test_pdf_has_the_chart_and_the_table():
    pypdf = pytest.importorskip("pypdf")
    plan = sample_plan()
    reader = pypdf.PdfReader(io.BytesIO(render(plan, "pdf")))
    assert len(reader.pages) == 2
    chart = reader.pages[0].extract_text()
    assert "Test night" in chart and "Altitude" in chart
    table = reader.pages[1].extract_text()
    for text in ("SS Cyg", "omi Cet", "T CrB", "chi Cyg", "21:42:42.8", "+43:35:10", "7.7–12.2 V", "outburst?", "18:40", "19:10"):
        assert text in table, text


def test_pdf_paginates_long_plans_and_handles_an_empty_plan():
    pypdf = pytest.importorskip("pypdf")
    plan = sample_plan()
    for i in range(40):
        plan.add_targets([plan.entries[0].target], duration=60)
    assert len(pypdf.PdfReader(io.BytesIO(render(plan, "pdf"))).pages) == 1 + 2  # 44 rows, 22 a page
    empty = Plan(site=SITE)
    reader = pypdf.PdfReader(io.BytesIO(render(empty, "pdf")))
    assert "no entries" in reader.pages[1].extract_text()


def test_json_export_is_the_plan_document():
    plan = sample_plan()
    data = render(plan, "json")
    assert json.loads(data)["format"] == "planner-plan"
    assert loads_plan(data.decode()) == plan


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_no_secret_or_local_path_in_any_export(fmt, tmp_path, monkeypatch, memory_keyring):
    secrets = ["aavso-SECRET-key-123", "astrobin-SECRET-456", "nova-SECRET-789"]
    monkeypatch.setenv("PLANNER_AAVSO_KEY", secrets[0])
    monkeypatch.setenv("PLANNER_ASTROBIN_SECRET", secrets[1])
    memory_keyring.set_password("planner", "astrometry", secrets[2])
    import os
    from pathlib import Path

    from planner.config import cache_dir, config_dir, data_dir

    plan = sample_plan()
    out = export_plan(plan, fmt, tmp_path / "exports" / f"plan{FORMATS[fmt].suffix}")
    data = out.read_bytes()
    if fmt == "pdf":
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data))
        data = ("".join(p.extract_text() for p in reader.pages) + str(reader.metadata)).encode()
    text = data.decode("utf-8", "replace")
    forbidden = secrets + [str(tmp_path), str(Path.home()), str(config_dir()), str(cache_dir()), str(data_dir()),
                           os.getcwd()]
    for item in forbidden:
        assert item not in text, f"{item!r} leaked into the {fmt} export"


def test_unknown_format_and_unwritable_target_are_clean_errors(tmp_path):
    with pytest.raises(ExportError, match="unknown export format 'xls'"):
        render(sample_plan(), "xls")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="could not write"):
        export_plan(sample_plan(), "csv", blocker / "sub" / "plan.csv")
