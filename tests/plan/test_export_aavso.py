"""The AAVSO Extended and Visual reports, read back by a reader written from the format
specifications (tests/plan/aavso_reader.py), not by the exporters' code; and the estimates
in the OAL export, validated against the official OAL 2.1 schema when it is at hand."""

from __future__ import annotations

import pytest

from planner import __version__
from planner.plan.export import ExportError, ExportOptions, export_plan, render, render_export
from planner.plan.model import Observation, Plan, PlanEntry, PlanTarget
from tests.plan.aavso_reader import ReportError, read_report
from tests.plan.helpers import SITE, T0

OPTIONS = ExportOptions(observer_name="Jane Q. Observer", observer_code="xyz", obstype="DSLR")
JD0 = T0 / 86400.0 + 2440587.5  # 2026-11-23 16:00 UTC (2461368.16667)


def _plan() -> Plan:
    plan = Plan(site=SITE, date="2026-11-23", night_start=T0 + 5400, night_end=T0 + 13 * 3600)
    ss = PlanEntry(target=PlanTarget(name="SS Cyg", ra=325.6787, dec=43.5861), status="observed", chart_id="X28471AB",
                   observations=(
                       Observation(time=T0 + 7200, magnitude=11.53, band="V", error=0.021, comparison=("104",),
                                   comparison_auids=("000-BCP-194",), comparison_magnitudes=(10.412,),
                                   comparison_instrumental=-8.123, check="117", check_auid="000-BCP-207",
                                   check_magnitude=11.703, check_instrumental=-6.834, airmass=1.23456,
                                   chart_id="X28471AB", notes="thin cirrus, later clear"),
                       Observation(time=T0 + 7500, magnitude=12.0, band="B", fainter_than=True, comparison=(),
                                   chart_id="X28471AB"),
                       Observation(time=T0 + 7800, magnitude=11.6, band="Vis.", comparison=("104", "117"),
                                   chart_id="X28471AB", comment_codes="B", uncertain=True, notes="moon 40 deg away"),
                   ))
    rleo = PlanEntry(target=PlanTarget(name="R Leo", ra=146.8899, dec=11.4289), status="observed",
                     observations=(
                         Observation(time=T0 + 9000, magnitude=6.0, band="Vis.", comparison=("60",), chart_id="X1234A"),
                         Observation(time=T0 + 9300, magnitude=9.8765, band="CV", comparison=("a", "b", "c"),
                                     comparison_auids=("000-A", "000-B", "000-C"), airmass=39.99999),
                     ))
    plan.add(ss)
    plan.add(rleo)
    return plan


def test_extended_report_follows_the_specification():
    rendered = render_export(_plan(), "aavso-extended", OPTIONS)
    report = read_report(rendered.data)
    assert report.type == "EXTENDED"
    p = report.parameters
    # a note holds a comma, so the next delimiter the spec suggests is used
    assert (p["OBSCODE"], p["DATE"], p["OBSTYPE"], p["DELIM"]) == ("XYZ", "JD", "DSLR", ";")
    assert p["SOFTWARE"] == f"planner {__version__}"
    assert len(report.records) == 3
    first, fainter, ensemble = report.records
    assert first["starid"] == "SS Cyg" and first["jd"] == pytest.approx(JD0 + 2 / 24, abs=1e-5)
    assert (first["magnitude"], first["magerr"], first["filter"], first["trans"], first["mtype"]) == (
        11.53, 0.021, "V", False, "STD")
    # the AUIDs name the stars; CMAG/KMAG are the instrumental magnitudes, the chart's in the notes
    assert (first["cname"], first["cmag"], first["kname"], first["kmag"]) == ("000-BCP-194", -8.123, "000-BCP-207", -6.834)
    assert first["subfields"] == {"CREFMAG": "10.412", "KREFMAG": "11.703"}
    assert first["notes"].startswith("thin cirrus")
    assert first["airmass"] == pytest.approx(1.2346) and first["chart"] == "X28471AB"
    assert fainter["fainter"] and fainter["magerr"] is None and fainter["filter"] == "B"
    assert fainter["cname"] is None and fainter["notes"] == "na"
    assert ensemble["cname"] == "ENSEMBLE" and ensemble["cmag"] is None
    assert ensemble["subfields"]["ENSEMBLE"] == "000-A 000-B 000-C"
    assert ensemble["airmass"] == pytest.approx(40.0)  # 39.99999 fits 7 characters as 40.0000
    assert ensemble["chart"] is None and ensemble["filter"] == "CV"
    assert rendered.notes == ["Left out 2 visual estimates: report them with the AAVSO Visual format (aavso-visual)."]


def test_visual_report_follows_the_specification():
    rendered = render_export(_plan(), "aavso-visual", OPTIONS)
    report = read_report(rendered.data)
    assert report.type == "VISUAL" and report.parameters["OBSTYPE"] == "Visual"
    assert [r["name"] for r in report.records] == ["SS Cyg", "R Leo"]
    ss, rleo = report.records
    assert ss["magnitude"] == 11.6 and ss["codes"] == "BZ"  # Z: the estimate was marked uncertain
    assert (ss["comp1"], ss["comp2"], ss["chart"]) == ("104", "117", "X28471AB")
    assert ss["jd"] == pytest.approx(JD0 + 7800 / 86400, abs=1e-4)
    assert (rleo["comp1"], rleo["comp2"], rleo["codes"], rleo["notes"]) == ("60", None, "", "na")
    assert "6.0," in rendered.data.decode()  # a tenth of a magnitude, as estimated
    assert rendered.notes == ["Left out 3 instrumental estimates: report them with the AAVSO Extended format "
                              "(aavso-extended)."]


def test_a_delimiter_no_field_uses_is_chosen():
    plan = _plan()
    entry = plan.entries[1]
    plan.update(1, observations=(Observation(time=T0 + 9000, magnitude=6.1, band="Vis.", comparison=("60",),
                                             notes="haze, low; then clear"),))
    data = render(plan, "aavso-visual", OPTIONS)
    report = read_report(data)
    assert report.parameters["DELIM"] == "!"
    assert report.records[-1]["notes"] == "haze, low; then clear" and entry.name == "R Leo"


def test_a_report_needs_an_observer_code_and_estimates():
    with pytest.raises(ExportError, match="needs your AAVSO observer code: give --obscode"):
        render(_plan(), "aavso-extended", ExportOptions())
    with pytest.raises(ExportError, match="is not an AAVSO observer code"):
        render(_plan(), "aavso-extended", ExportOptions(observer_code="X Y"))
    empty = Plan(site=SITE)
    empty.add(PlanEntry(target=PlanTarget(name="SS Cyg", ra=325.6787, dec=43.5861)))
    with pytest.raises(ExportError, match="no instrumental estimates to report"):
        render(empty, "aavso-extended", OPTIONS)
    with pytest.raises(ExportError, match="no visual estimates to report"):
        render(empty, "aavso-visual", OPTIONS)
    with pytest.raises(ExportError, match="observation type 'VISUAL' is not one of CCD"):
        render(_plan(), "aavso-extended", ExportOptions(observer_code="XYZ", obstype="visual"))


def test_a_field_too_long_for_webobs_is_refused_with_the_field_named():
    plan = Plan(site=SITE)
    plan.add(PlanEntry(target=PlanTarget(name="ZTF J193437.98+303342.6 and more", ra=293.6, dec=30.56),
                       observations=(Observation(time=T0, magnitude=15.2, band="V"),)))
    with pytest.raises(ExportError, match=r"STARID 'ZTF J193437.98\+303342.6 and more' .* is 32 characters; WebObs takes "
                                          "at most 30"):
        render(plan, "aavso-extended", OPTIONS)


def test_non_ascii_notes_are_refused_rather_than_written():
    plan = Plan(site=SITE)
    plan.add(PlanEntry(target=PlanTarget(name="SS Cyg", ra=325.6787, dec=43.5861),
                       observations=(Observation(time=T0, magnitude=11.0, band="Vis.", notes="Mond 40°"),)))
    with pytest.raises(ExportError, match="not plain ASCII"):
        render(plan, "aavso-visual", OPTIONS)


def test_the_reader_refuses_what_webobs_refuses():
    good = render(_plan(), "aavso-extended", OPTIONS).decode()
    for broken, words in [
        (good.replace("#OBSTYPE=DSLR\n", ""), "missing parameters: OBSTYPE"),
        (good.replace("1.2346", "1.234567"), "AIRMASS '1.234567' is longer than 7"),
        (good + "\n", "blank"),
        (good.replace(";11.530;", ";11;"), "has no dot"),
    ]:
        with pytest.raises(ReportError, match=words):
            read_report(broken.encode())


def test_export_plan_writes_the_report_atomically(tmp_path):
    result = export_plan(_plan(), "aavso-extended", tmp_path / "report.txt", OPTIONS)
    assert result.path.read_bytes().startswith(b"#TYPE=Extended\n#OBSCODE=XYZ\n")


# -- OAL --------------------------------------------------------------------------------


def test_oal_findings_carry_the_comment_codes_and_the_estimate_details():
    from defusedxml import ElementTree as SafeET

    from tests.plan.test_export_oal import OAL, XSI, schema_path

    data = render(_plan(), "oal", OPTIONS)
    root = SafeET.fromstring(data)
    results = root.findall(f"{OAL}observation/result") or root.findall("observation/result")
    assert len(results) == 5
    typed = [r for r in results if r.get(f"{XSI}type") == "oal:findingsVariableStarType"]
    assert len(typed) == 2  # the two visual estimates with comparison stars and a chart
    ss = typed[0]
    assert ss.get("brightSky") == "true" and ss.find("visMag").get("uncertain") == "true"
    assert [c.text for c in ss.findall("comparisonStar")] == ["104", "117"]
    described = " ".join(r.find("description").text for r in results)
    assert "V 11.53 ± 0.021" in described and "check star 117 (11.703)" in described and "airmass 1.235" in described
    path = schema_path()
    if path is not None:
        import xmlschema

        xmlschema.XMLSchema(str(path)).validate(data.decode())
