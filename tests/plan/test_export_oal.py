"""The OpenAstronomyLog 2.1 export: validated against the official schema (oal21.xsd of the
openastronomylog project) with xmlschema, and read back by its rules."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from defusedxml import ElementTree as SafeET

from planner.plan.export import ExportOptions, render
from planner.plan.export.oal import standard_offset_minutes
from planner.plan.model import Observation, Plan
from planner.sky.site import Site
from tests.plan.helpers import SITE, T0, sample_plan

OAL = "{http://groups.google.com/group/openastronomylog}"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
OPTIONS = ExportOptions(observer_name="Jane Q. Observer", observer_code="OBS")


def schema_path() -> Path | None:
    """The official XSD: $PLANNER_OAL_XSD, or shared/reference/oal/ beside the checkout."""
    candidates = [os.environ.get("PLANNER_OAL_XSD", ""),
                  Path(__file__).resolve().parents[3] / "shared" / "reference" / "oal" / "oal21.xsd"]
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


@pytest.fixture(scope="module")
def schema():
    path = schema_path()
    if path is None:
        pytest.skip("the official oal21.xsd is not beside this checkout (set PLANNER_OAL_XSD)")
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(path))


def iso(t):
    return datetime.fromtimestamp(t, tz=timezone.utc)


def observed_plan() -> Plan:
    plan = sample_plan()
    i = next(i for i, e in enumerate(plan.entries) if e.name == "chi Cyg")
    e = plan.entries[i]
    plan.entries[i] = replace(e, observations=(
        Observation(time=e.start + 60, magnitude=5.2, comparison=("50", "54"), chart_id="X12345AB"),
        Observation(time=e.start + 300, magnitude=13.5, fainter_than=True, uncertain=True),
    ))
    return plan


def sample_plans():
    plan = sample_plan()
    no_night = Plan(site=Site(-33.86, 151.21))  # unnamed, no night, no entries
    odd = sample_plan()
    odd.entries = [replace(e, status="observed") for e in odd.entries]  # observed without times or estimates
    return {"sample": plan, "observed": observed_plan(), "empty": no_night, "odd": odd}


@pytest.mark.parametrize("name", ["sample", "observed", "empty", "odd"])
def test_every_export_is_valid_against_the_official_schema(schema, name):
    for options in (OPTIONS, ExportOptions()):
        schema.validate(render(sample_plans()[name], "oal", options).decode("utf-8"))


def test_the_schema_check_is_real(schema):
    import xmlschema

    text = render(observed_plan(), "oal", OPTIONS).decode("utf-8")
    broken = text.replace("<chartID>X12345AB</chartID>", "")  # the finding type requires its chart
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(broken)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        schema.validate(text.replace("<timezone>60</timezone>", "<timezone>+1:00</timezone>"))


def test_site_timezone_is_the_standard_offset_without_daylight_saving():
    september = Plan(site=SITE, night_start=datetime(2026, 9, 15, 19, tzinfo=timezone.utc).timestamp())
    root = SafeET.fromstring(render(september, "oal"))
    assert root.findtext("sites/site/timezone") == "60"  # CEST is +120, the standard time +60
    for zone, lat, lon, when, minutes in [
        ("Europe/Amsterdam", 52, 4, (2026, 1, 15), 60),
        ("America/New_York", 40.7, -74, (2026, 7, 4), -300),
        ("Australia/Sydney", -33.9, 151.2, (2026, 1, 15), 600),
        ("Asia/Kathmandu", 27.7, 85.3, (2026, 5, 1), 345),
        ("Europe/Dublin", 53.3, -6.3, (2026, 7, 1), 0),  # tz data store Irish winter time as negative DST
        ("Europe/Dublin", 53.3, -6.3, (2026, 1, 1), 0),
        ("UTC", 0, 0, (2026, 7, 1), 0),
    ]:
        site = Site(lat, lon, timezone=zone)
        t = datetime(*when, 22, tzinfo=timezone.utc).timestamp()
        assert standard_offset_minutes(site, t) == minutes, zone


def test_observed_entries_become_observations_with_variable_star_findings():
    plan = observed_plan()
    root = SafeET.fromstring(render(plan, "oal", OPTIONS))
    observer = root.find("observers/observer")
    assert (observer.findtext("name"), observer.findtext("surname")) == ("Jane Q.", "Observer")
    assert observer.find("account").get("name") == "aavso" and observer.findtext("account") == "OBS"
    targets = {t.get("id"): t.findtext("name") for t in root.findall("targets/target")}
    observations = root.findall("observation")
    assert len(observations) == 2  # chi Cyg's two estimates; nothing for entries still planned
    first, second = observations
    assert targets[first.findtext("target")] == "chi Cyg"
    assert first.findtext("observer") == observer.get("id") and first.findtext("site") == root.find("sites/site").get("id")
    assert datetime.fromisoformat(first.findtext("begin")) == iso(plan.entries[3].start + 60)
    result = first.find("result")
    assert result.get(f"{XSI}type") == "oal:findingsVariableStarType"
    assert float(result.findtext("visMag")) == 5.2
    assert [c.text for c in result.findall("comparisonStar")] == ["50", "54"]
    assert result.findtext("chartID") == "X12345AB"
    # no chart or comparison stars: the variable-star type cannot be used, a description can
    plain = second.find("result")
    assert plain.get(f"{XSI}type") is None and "fainter than 13.5" in plain.findtext("description")
    assert "(uncertain)" in plain.findtext("description")


def test_an_observed_entry_without_estimates_still_is_an_observation():
    plan = sample_plan()  # chi Cyg observed, nothing recorded
    root = SafeET.fromstring(render(plan, "oal"))
    (observation,) = root.findall("observation")
    assert datetime.fromisoformat(observation.findtext("begin")) == iso(T0 + 12000)
    assert datetime.fromisoformat(observation.findtext("end")) == iso(T0 + 12600)
    assert observation.findtext("result/description")


def test_targets_session_and_site():
    plan = sample_plan()
    root = SafeET.fromstring(render(plan, "oal"))
    assert root.tag == f"{OAL}observations" and root.get("version") == "2.1"
    assert [c.tag for c in root][:4] == ["observers", "sites", "sessions", "targets"]
    site = root.find("sites/site")
    assert site.findtext("name") == "Test site" and float(site.findtext("latitude")) == 52.0
    session = root.find("sessions/session")
    assert datetime.fromisoformat(session.findtext("begin")) == iso(plan.night_start)
    assert "Bring the dew heater." in session.findtext("comments")
    ss = root.find("targets/target")
    assert ss.get(f"{XSI}type") == "oal:variableStarTargetType" and ss.findtext("name") == "SS Cyg"
    assert float(ss.findtext("apparentMag")) == 12.2 and float(ss.findtext("maxApparentMag")) == 7.7
    assert float(ss.findtext("period")) == 49.5 and ss.findtext("type") == "UGSS"
    unnamed = SafeET.fromstring(render(Plan(site=Site(-33.86, 151.21)), "oal"))
    assert unnamed.findtext("sites/site/name") == "33.8600°S 151.2100°E"
