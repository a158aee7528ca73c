"""The ACP export read by a reader that follows ACP's plan rules (tests/plan/readers.py):
directives stay in force until changed, so every target must carry its own complete set;
#quitat must come before the targets; dates must read the same in every locale."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from planner.plan.export import ExportOptions, export_plan, render
from planner.plan.filters import FilterNames
from planner.plan.model import PlanEntry
from tests.plan.helpers import T0, filter_plan, sample_plan, target
from tests.plan.readers import AcpPlanError, acp_datetime, read_acp_plan

# An observatory whose wheel calls V "V-Johnson" and the clear slot "L".
OPTIONS = ExportOptions(filters=FilterNames.from_settings({"V": "V-Johnson", "CV": "L"}))
WHEEL = {"V-Johnson", "B", "R", "L"}


def utc(t):
    return datetime.fromtimestamp(t, tz=timezone.utc)


def test_every_target_gets_its_own_complete_directives_in_wheel_names():
    plan = filter_plan()
    text = render(plan, "acp", OPTIONS).decode("utf-8")
    assert "\r\n" in text
    acp = read_acp_plan(text, WHEEL)
    by_name = {t.name: t for t in acp.targets}
    # The observed chi Cyg is done, the visual-only R Leo is no camera target.
    assert [t.name for t in acp.targets] == ["SS Cyg", "omi Cet", "Z Cam", "T CrB"]
    ss, omi, z, tcrb = (by_name[n] for n in ("SS Cyg", "omi Cet", "Z Cam", "T CrB"))
    assert (ss.filters, ss.counts, ss.intervals) == (["V-Johnson", "B", "R"], [10, 10, 10], [30.0, 30.0, 30.0])
    # After a three-filter target: exactly one filter, one count, one interval.
    assert (omi.filters, omi.counts, omi.intervals) == (["V-Johnson"], [3], [60.0])
    # No filters asked: the unfiltered slot, not the previous target's V.
    assert (z.filters, z.counts, z.intervals) == (["L"], [20], [45.0])
    assert (tcrb.filters, tcrb.counts, tcrb.intervals) == (["V-Johnson"], [10], [30.0])  # AAVSO 'All'
    assert ss.waituntil == utc(T0 + 6000) and z.waituntil == utc(T0 + 10800)
    assert tcrb.waituntil is None  # unscheduled: no wait, and the previous target's does not carry over
    assert ss.ra_hours == pytest.approx(325.6785 / 15, abs=1e-6) and ss.dec == pytest.approx(43.5861, abs=1e-4)
    assert any("Left out R Leo: visual only (Vis" in c for c in acp.comments)


def test_quitat_comes_first_and_stops_the_plan_at_the_end_of_the_night():
    plan = filter_plan()
    text = render(plan, "acp", OPTIONS).decode("utf-8")
    acp = read_acp_plan(text, WHEEL)
    assert acp.quitat == utc(plan.night_end)
    directives = [line for line in text.splitlines() if line.startswith("#")]
    assert directives[0].startswith("#quitat ")


def test_dates_are_written_so_no_locale_reads_them_in_another_order():
    text = render(sample_plan(), "acp").decode("utf-8")
    stamps = [line.split(None, 1)[1] for line in text.splitlines() if line.startswith("#quitat")]
    stamps += [line.split(",", 1)[1] for line in text.splitlines() if line.startswith("#waituntil")]
    assert stamps and all(acp_datetime(s) for s in stamps)
    assert "/" not in "".join(stamps)
    assert "dates written day month year" in text  # and the header says so
    with pytest.raises(AcpPlanError, match="unambiguous"):
        acp_datetime("11/23/2026 18:40:00")


def test_the_reader_catches_what_the_old_export_got_wrong():
    """The reader is not a rubber stamp: the defects of the first ACP export fail it."""
    leaking = "#count 10,10,10\n#interval 30,30,30\n#filter V,B,R\nA\t1:00:00\t+10:00:00\n#count 1\n#interval 60\nB\t2:00:00\t+10:00:00\n"
    with pytest.raises(AcpPlanError, match="differ in length"):
        read_acp_plan(leaking, {"V", "B", "R"})
    late_quit = "#count 1\n#interval 60\n#filter V\nA\t1:00:00\t+10:00:00\n#quitat 24 Nov 2026 05:00:00\n"
    with pytest.raises(AcpPlanError, match="after the first target"):
        read_acp_plan(late_quit, {"V"})
    with pytest.raises(AcpPlanError, match="not on the filter wheel"):
        read_acp_plan("#count 1\n#interval 60\n#filter Vis\nA\t1:00:00\t+10:00:00\n", {"V"})


def test_a_plan_of_only_visual_stars_has_no_targets_and_says_why(tmp_path):
    plan = filter_plan()
    plan.entries = [e for e in plan.entries if e.name == "R Leo"]
    result = export_plan(plan, "acp", tmp_path / "night.txt", OPTIONS)
    acp = read_acp_plan(result.path.read_text("utf-8"), WHEEL)
    assert acp.targets == []
    assert result.notes and "R Leo" in result.notes[0] and "visual only" in result.notes[0]


def test_target_names_cannot_break_the_line():
    plan = sample_plan()
    plan.entries[0] = PlanEntry(target=target("V1\tX;y#\nz"), filters=("V",))
    acp = read_acp_plan(render(plan, "acp").decode(), {"V", "B", "Clear"})
    assert "V1 X y z" in [t.name for t in acp.targets]
