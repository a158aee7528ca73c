"""Plan blocks for a minimum, transit or maximum: the entry carries its event and margins,
the scheduler keeps it fixed in time and fits the rest around it, the plan file keeps it
(old files without events still load) and every export says what the block is for."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from planner.plan import store
from planner.plan.export import render
from planner.plan.model import Plan, PlanEntry, PlanEvent, PlanLimits, PlanValueError
from planner.plan.scheduler import REASON_FIXED, reschedule, schedule_entries
from tests.plan.helpers import ALWAYS_UP, NIGHT, SITE, T0, fake_observability, target

HOUR = 3600.0
DUSK = NIGHT.twilight.astronomical_dusk


def min_event(mid: float, half: float = HOUR, before: float = 1800.0, after: float = 1800.0) -> PlanEvent:
    return PlanEvent(kind="primary", time=mid, start=mid - half, end=mid + half, before=before, after=after,
                     label="Min I")


def fixed_entry(name: str = "bet Per", mid: float = DUSK + 4 * HOUR, **kw) -> PlanEntry:
    return PlanEntry.for_event(target(name), min_event(mid, **kw), filters=("V",))


# -- the entry -------------------------------------------------------------------------------

def test_an_event_block_spans_the_window_and_its_margins():
    entry = fixed_entry(mid=T0 + 6 * HOUR)
    assert entry.fixed and entry.start == T0 + 6 * HOUR - HOUR - 1800 and entry.end == T0 + 6 * HOUR + HOUR + 1800
    assert entry.duration == entry.end - entry.start == 3 * HOUR
    assert entry.label() == "bet Per Min I"
    assert not PlanEntry(target=target("X")).fixed


@pytest.mark.parametrize("changes, message", [
    ({"kind": "eclipse"}, "event kind must be one of"),
    ({"time": T0 - 10 * HOUR}, "outside its window"),
    ({"before": -60.0}, "must not be negative"),
    ({"start": float("nan")}, "must be finite"),
])
def test_bad_events_are_refused_naming_the_field(changes, message):
    fields = dict(kind="primary", time=T0, start=T0 - HOUR, end=T0 + HOUR, before=0.0, after=0.0)
    fields.update(changes)
    with pytest.raises(PlanValueError, match=message):
        PlanEvent(**fields)


def test_the_plan_file_keeps_the_event_and_old_files_still_load(tmp_path):
    plan = Plan(site=SITE, night_start=NIGHT.start, night_end=NIGHT.end, entries=[fixed_entry(),
                                                                                  PlanEntry(target=target("X"))])
    path = tmp_path / "night.json"
    store.save_plan(plan, path)
    loaded = store.load_plan(path)
    assert loaded.entries[0].event == plan.entries[0].event and loaded.entries[0].fixed
    assert loaded.entries[1].event is None
    raw = plan.to_dict()
    assert "event" not in raw["entries"][1]  # optional: an entry without one is written as before
    raw["entries"][0]["event"]["kind"] = "flare"
    with pytest.raises(PlanValueError, match="entry 1: event kind"):
        Plan.from_dict(raw)


def test_a_block_moved_off_its_event_is_a_conflict():
    plan = Plan(site=SITE, night_start=NIGHT.start, night_end=NIGHT.end, entries=[fixed_entry()])
    assert not [c for c in plan.conflicts() if c.kind == "event"]
    plan.set_times(0, plan.entries[0].start + 2 * HOUR)
    (conflict,) = [c for c in plan.conflicts() if c.kind == "event"]
    assert "no longer covers its Min I" in conflict.message


# -- the scheduler ---------------------------------------------------------------------------

def test_the_scheduler_keeps_an_event_block_and_fits_the_others_around_it():
    fixed = fixed_entry(mid=DUSK + 2 * HOUR)  # DUSK+0.5h .. DUSK+3.5h
    others = [PlanEntry(target=target(f"S{i}"), duration=HOUR) for i in range(4)]
    entries = [others[0], fixed, *others[1:]]
    obs = fake_observability([ALWAYS_UP] * len(entries))
    limits = PlanLimits(gap=300.0)
    placed, unplaced, _ = schedule_entries(entries, obs, limits=limits, now=T0, constraints=())
    by_id = {e.id: e for e in placed}
    kept = by_id[fixed.id]
    assert (kept.start, kept.end, kept.event) == (fixed.start, fixed.end, fixed.event)
    assert not unplaced and len(placed) == len(entries)
    for e in placed:
        if e.id != fixed.id:  # clear of the fixed block, gap included
            assert e.end + limits.gap <= kept.start or e.start >= kept.end + limits.gap, e.name
    blocks = sorted((e.start, e.end) for e in placed)
    assert all(b[0] >= a[1] for a, b in zip(blocks, blocks[1:]))  # no overlaps anywhere


def test_a_target_that_fits_only_where_the_event_is_waits():
    fixed = fixed_entry(mid=DUSK + 2 * HOUR)
    # up only from DUSK to DUSK+3h: every hour of it is taken by the fixed block
    short = PlanEntry(target=target("Short"), duration=HOUR)
    from tests.plan.helpers import up

    obs = fake_observability([up(DUSK - T0, DUSK - T0 + 3 * HOUR), ALWAYS_UP])
    placed, unplaced, _ = schedule_entries([short, fixed], obs, now=T0, constraints=())
    assert [e.id for e in placed] == [fixed.id]
    # the reason names the fixed block that took its time
    assert [u.name for u in unplaced] == ["Short"] and unplaced[0].reason.startswith(REASON_FIXED)


def test_reschedule_keeps_event_blocks_and_what_entries_hold():
    from planner.plan.model import Observation

    fixed = fixed_entry(mid=DUSK + 5 * HOUR)
    seen = PlanEntry(target=target("Seen"), duration=HOUR, notes="comparison 84",
                     observations=(Observation(time=DUSK + HOUR, magnitude=8.4),))
    plan = Plan(site=SITE, entries=[seen, fixed], limits=PlanLimits())
    obs = fake_observability([ALWAYS_UP, ALWAYS_UP])
    reschedule(plan, obs, now=T0, constraints=())
    by_name = {e.name: e for e in plan.entries}
    assert (by_name["bet Per"].start, by_name["bet Per"].end) == (fixed.start, fixed.end)
    assert by_name["Seen"].observations == seen.observations and by_name["Seen"].notes == "comparison 84"


def test_an_event_block_stays_even_without_dark_hours():
    from dataclasses import replace

    from planner.sky.types import Twilight

    bright = replace(NIGHT, twilight=Twilight(sunset=T0, sunrise=T0 + 15 * HOUR))  # no astronomical night
    fixed = fixed_entry(mid=T0 + 7 * HOUR)
    placed, unplaced, dark = schedule_entries([fixed, PlanEntry(target=target("X"))],
                                              fake_observability([ALWAYS_UP] * 2, night=bright),
                                              now=T0, constraints=())
    assert dark is None and [e.id for e in placed] == [fixed.id] and [u.name for u in unplaced] == ["X"]


# -- the exports -----------------------------------------------------------------------------

@pytest.fixture
def event_plan():
    fixed = fixed_entry(mid=DUSK + 3 * HOUR)
    other = PlanEntry(target=target("SS Cyg"), duration=HOUR, start=DUSK, end=DUSK + HOUR, filters=("V",))
    return Plan(site=SITE, night_start=NIGHT.start, night_end=NIGHT.end, date="2026-11-23",
                title="Events night", entries=[other, fixed])


def test_acp_waits_until_the_event_block_and_says_why(event_plan):
    from planner.plan.export.acp import acp_time

    text = render(event_plan, "acp").decode()
    fixed = event_plan.entries[1]
    lines = text.splitlines()
    note = next(i for i, line in enumerate(lines) if "primary minimum" in line)
    assert lines[note].startswith(";") and "30 min before and 30 min after" in lines[note]
    assert lines[note + 1] == f"#waituntil 1, {acp_time(fixed.start)}"
    assert "2026-11-23 20:30 UTC" in lines[note]  # the middle (DUSK 17:30 + 3 h)


def test_ekos_starts_the_job_at_the_event_block(event_plan, tmp_path):
    import xml.etree.ElementTree as ET

    from planner.plan.export import ExportOptions, render_export

    rendered = render_export(event_plan, "esl", ExportOptions(sequence_dir=tmp_path), tmp_path / "n.esl")
    root = ET.fromstring(rendered.data)
    job = next(j for j in root.iter("Job") if j.findtext("Name") == "bet Per")
    at = job.find("StartupCondition/Condition").get("value")
    fixed = event_plan.entries[1]
    expected = dt.datetime.fromtimestamp(fixed.start, ZoneInfo(SITE.timezone)).strftime("%Y-%m-%dT%H:%M")
    assert at.startswith(expected)
    assert b"primary minimum at 2026-11-23 21:30 CET" in rendered.data  # as a comment, in local time


def test_ics_names_the_event(event_plan):
    from icalendar import Calendar

    cal = Calendar.from_ical(render(event_plan, "ics"))
    events = {str(e.get("summary")): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Observe SS Cyg", "Observe bet Per (primary minimum)"}
    description = str(events["Observe bet Per (primary minimum)"].get("description"))
    assert "primary minimum at 2026-11-23 21:30 CET, from 20:30 to 22:30" in description


def test_the_pdf_night_sheet_draws_the_event(event_plan):
    import pypdf

    text = pypdf.PdfReader(io.BytesIO(render(event_plan, "pdf"))).pages[0].extract_text()
    assert "Min I" in text
