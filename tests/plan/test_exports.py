"""Every export is read back with an independent parser (csv, defusedxml, icalendar, pypdf)
or checked by its structure, and none leaks a secret or a local path."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest

from planner.plan.export import FORMATS, ExportError, dec_dms, export_plan, ra_hms, render
from planner.plan.model import Plan
from planner.plan.store import loads_plan
from tests.plan.helpers import SITE, T0, sample_plan


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
    assert [r["name"] for r in rows] == ["SS Cyg", "omi Cet", "T CrB", "chi Cyg"]  # the plan's order
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
    assert rows[2]["start_utc"] == "" and rows[2]["status"] == "planned"
    assert rows[3]["status"] == "observed"
    assert rows[1]["priority"] == "yes"


def test_csv_rows_follow_the_plans_order_not_the_clock():
    """The order the Plan dock shows (a user's drag, a pinned late block put first) is the
    CSV's; the telescope formats run in time order (planner.plan.export.ordered_entries)."""
    plan = sample_plan()
    plan.move(3, 0)  # chi Cyg (T0+12000) dragged to the top
    plan.move(3, 1)  # T CrB (no time) second
    rows = list(csv.DictReader(io.StringIO(render(plan, "csv").decode("utf-8-sig"))))
    assert [(r["order"], r["name"]) for r in rows] == [("1", "chi Cyg"), ("2", "T CrB"), ("3", "SS Cyg"),
                                                       ("4", "omi Cet")]
    assert [datetime.fromisoformat(r["start_utc"].replace("Z", "+00:00")) if r["start_utc"] else None
            for r in rows] == [iso(T0 + 12000), None, iso(T0 + 6000), iso(T0 + 9000)]
    # an ACP plan runs top to bottom, each target held until its #waituntil: by the clock, the
    # untimed T CrB last (chi Cyg is observed: nothing left for the telescope)
    from tests.plan.readers import read_acp_plan

    acp = read_acp_plan(render(plan, "acp").decode("utf-8"), {"V", "B", "Clear"})
    assert [(t.name, t.waituntil) for t in acp.targets] == [("SS Cyg", iso(T0 + 6000)), ("omi Cet", iso(T0 + 9000)),
                                                            ("T CrB", None)]


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
    options = None
    if fmt.startswith("aavso-"):  # the reports write estimates, for an observer code
        from planner.plan.export import ExportOptions
        from tests.plan.helpers import with_estimates

        plan, options = with_estimates(plan), ExportOptions(observer_code="XYZ")
    folder = tmp_path / "exports"
    out = export_plan(plan, fmt, folder / f"plan{FORMATS[fmt].suffix}", options)
    forbidden = secrets + [str(tmp_path), str(Path.home()), str(config_dir()), str(cache_dir()), str(data_dir()),
                           os.getcwd()]
    for path in out.files:
        data = path.read_bytes()
        if fmt == "pdf":
            import pypdf

            reader = pypdf.PdfReader(io.BytesIO(data))
            data = ("".join(p.extract_text() for p in reader.pages) + str(reader.metadata)).encode()
        text = data.decode("utf-8", "replace")
        if fmt == "esl":
            # Ekos finds its capture sequences only by absolute path (and saves frames by one):
            # the export folder, and nothing else, may appear there.
            for tag in ("Sequence", "FITSDirectory"):
                for value in re.findall(f"<{tag}>(.*?)</{tag}>", text):
                    assert value.startswith(str(folder) + os.sep)
                text = re.sub(f"<{tag}>.*?</{tag}>", "", text)
        for item in forbidden:
            assert item not in text, f"{item!r} leaked into the {fmt} export ({path.name})"


def test_unknown_format_and_unwritable_target_are_clean_errors(tmp_path):
    with pytest.raises(ExportError, match="unknown export format 'xls'"):
        render(sample_plan(), "xls")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="could not write"):
        export_plan(sample_plan(), "csv", blocker / "sub" / "plan.csv")


def _crowded_plan():
    from planner.plan.model import PlanEntry
    from tests.plan.helpers import target

    plan = sample_plan()
    plan.add(PlanEntry(target=target("V1500 Cygni with a long designation", var_type="UGWZ+E+ZZ"),
                       filters=("V", "B", "R", "I"), exposure=120, count=25,
                       notes="A long note about the comparison stars, the seeing and the dew on the corrector " * 3))
    plan.add(PlanEntry(target=target("V404 Cyg", var_type="LMXB/BHXB/XN"), filters=("V",)))
    plan.add(PlanEntry(target=target("V Sge", var_type="EA/GS+SRC+E+ZAND"), filters=("Vis",)))
    plan.add(PlanEntry(target=target("Odd", var_type="ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ"), filters=("V",)))
    return plan


def test_pdf_table_cells_fit_their_boxes():
    """Every cell's text, as matplotlib renders it, lies inside its cell's border."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from planner.plan.export import ordered_entries
    from planner.plan.export.pdf_table import table_figures

    plan = _crowded_plan()
    checked = 0
    for fig in table_figures(plan, ordered_entries(plan)):
        FigureCanvasAgg(fig)
        renderer = fig.canvas.get_renderer()
        ax = fig.axes[0]
        boxes = {p.get_gid(): p.get_window_extent(renderer) for p in ax.patches}
        for text in ax.texts:
            gid = text.get_gid() or ""
            if not gid.startswith("cell:"):
                continue
            box, extent = boxes["box:" + gid[5:]], text.get_window_extent(renderer)
            assert box.x0 <= extent.x0 and extent.x1 <= box.x1 + 0.5, (gid, text.get_text())
            assert box.y0 <= extent.y0 + 0.5 and extent.y1 <= box.y1 + 0.5, (gid, text.get_text())
            checked += 1
    assert checked > 60


def test_pdf_type_cells_wrap_or_shrink_but_keep_every_character():
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(render(_crowded_plan(), "pdf")))
    table = "".join(reader.pages[1].extract_text().split())
    for code in ("UGWZ+E+ZZ", "LMXB/BHXB/XN", "EA/GS+SRC+E+ZAND", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ"):
        assert code in table, code
    assert "V1500Cygniwithalongdesignation" in table


def test_pdf_shows_the_site_by_its_label():
    pypdf = pytest.importorskip("pypdf")
    from planner.sky.site import Site

    plan = sample_plan()
    plan.site = Site(42.3736, -71.1097)
    reader = pypdf.PdfReader(io.BytesIO(render(plan, "pdf")))
    assert "42.3736°N 71.1097°W" in reader.pages[1].extract_text()
    assert "AAVSO HQ" not in "".join(p.extract_text() for p in reader.pages)


def test_ics_location_of_an_unnamed_site_is_its_coordinates():
    icalendar = pytest.importorskip("icalendar")
    from planner.sky.site import Site

    plan = sample_plan()
    plan.site = Site(52.0, 4.0)
    event = next(iter(icalendar.Calendar.from_ical(render(plan, "ics")).walk("VEVENT")))
    assert str(event["location"]).startswith("52.0000°N 4.0000°E")


def test_planner_export_prints_the_conflicts_on_stderr_and_still_writes(capsys, tmp_path):
    from planner.cli import main
    from planner.plan import save_plan

    plan = sample_plan()
    plan.set_times(1, T0 + 7000, T0 + 8200)  # omi Cet over SS Cyg
    path = tmp_path / "night.plan.json"
    save_plan(plan, path)
    code = main(["export", str(path), "-f", "acp", "-o", str(tmp_path / "night.txt")])
    out, err = capsys.readouterr()
    assert code == 0 and (tmp_path / "night.txt").exists()  # warned, not refused
    assert "2 warnings about the plan's times" in err
    assert "SS Cyg and omi Cet overlap." in err and "T CrB has no time" in err
    assert "overlap" not in out  # stdout stays what a script reads: what was written
    # a report of estimates or the plan JSON carries no schedule: nothing to warn about
    code = main(["export", str(path), "-f", "json", "-o", str(tmp_path / "copy.json")])
    assert code == 0 and capsys.readouterr().err == ""
