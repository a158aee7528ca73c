"""Typing an entry's Start or End (``planner.app.plan_edit``), pinning, and the scheduler
keeping a pinned entry where the user put it; the conflict check exports use
(``planner.plan.conflicts.export_warnings``)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from planner.app.plan_edit import clock_on_night, parse_clock, set_entry_time
from planner.plan.conflicts import export_warnings
from planner.plan.model import Plan, PlanEntry, PlanLimits, PlanValueError
from planner.plan.scheduler import reschedule, retime
from planner.sky.site import Site
from tests.plan.helpers import ALWAYS_UP, SITE, T0, fake_observability, sample_plan, target, up

HOUR = 3600.0
AMS = ZoneInfo("Europe/Amsterdam")


def local(day: int, hour: int, minute: int = 0) -> float:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=AMS).timestamp()


def test_a_typed_clock_time_lands_on_the_nights_date():
    plan = sample_plan()  # evening of 2026-11-23; dark 18:30 to 06:30 CET
    middle = (plan.night_start + plan.night_end) / 2
    assert clock_on_night(22, 15, AMS, middle) == local(23, 22, 15)  # the evening
    assert clock_on_night(1, 30, AMS, middle) == local(24, 1, 30)  # after midnight: the next date
    assert clock_on_night(0, 0, AMS, middle) == local(24, 0, 0)
    # the same typed time in UTC is an hour later on the clock (CET is UTC+1)
    assert clock_on_night(0, 30, dt.timezone.utc, middle) == local(24, 1, 30)


def test_parse_clock_takes_what_people_type_and_refuses_the_rest():
    assert parse_clock("23:40") == (23, 40)
    assert parse_clock("0130") == (1, 30)
    assert parse_clock("1.05") == (1, 5)
    assert parse_clock("22:10 CET") == (22, 10)  # the zone the cell shows is ignored
    assert parse_clock("  ") is None
    for bad in ("25:00", "12:75", "soon"):
        with pytest.raises(PlanValueError, match="HH:MM"):
            parse_clock(bad)


def test_a_new_start_keeps_the_length_pins_and_warns_of_what_it_breaks():
    plan = sample_plan()
    events = []
    plan.events.changed.connect(lambda i, e: events.append(i))
    # omi Cet (20 min, up from T0+7000 s = 17:56 CET) moved onto SS Cyg's block at 19:00
    edit = set_entry_time(plan, 1, "start", (19, 0), AMS)
    e = plan.entries[1]
    assert (e.start, e.end, e.pinned) == (local(23, 19, 0), local(23, 19, 20), True)
    assert events == [1]  # one announcement, for the one row
    assert any("overlaps SS Cyg" in w for w in edit.warnings)
    assert "pinned" in edit.summary(AMS) and "overlaps SS Cyg" in edit.summary(AMS)


def test_an_end_must_be_after_the_start_and_nothing_changes_when_it_is_not():
    plan = sample_plan()
    before = plan.entries[0]
    with pytest.raises(PlanValueError, match="must be after Start"):
        set_entry_time(plan, 0, "end", (18, 0), AMS)  # SS Cyg starts 18:40 CET
    assert plan.entries[0] == before
    edit = set_entry_time(plan, 0, "end", (19, 40), AMS)
    assert plan.entries[0].duration == local(23, 19, 40) - before.start and edit.entry.pinned


def test_a_block_outside_the_dark_time_or_below_the_limit_is_kept_with_the_reason():
    plan = sample_plan()
    edit = set_entry_time(plan, 0, "start", (6, 20), AMS)  # past dawn, and past its window (T0+20000 s)
    assert plan.entries[0].start == local(24, 6, 20)
    kinds = {c.kind for c in plan.conflicts() if c.entry_id == edit.entry.id}
    assert kinds == {"night", "window"}
    assert any("outside the dark time" in w for w in edit.warnings)
    assert any("below its altitude limit (25°)" in w for w in edit.warnings)


def test_an_empty_start_unschedules_and_releases_the_entry():
    plan = sample_plan()
    set_entry_time(plan, 0, "start", (20, 0), AMS)
    set_entry_time(plan, 0, "start", None, AMS)
    assert plan.entries[0].start is None and not plan.entries[0].pinned
    with pytest.raises(PlanValueError, match="needs an End"):
        set_entry_time(plan, 1, "end", None, AMS)


def test_a_plan_with_no_night_asks_for_one_first():
    plan = Plan(site=SITE)
    plan.add(PlanEntry(target=target()))
    with pytest.raises(PlanValueError, match="no night yet"):
        set_entry_time(plan, 0, "start", (22, 0), AMS)


def test_pinned_survives_a_save():
    entry = PlanEntry(target=target(), start=T0 + 6000, end=T0 + 7800, pinned=True)
    assert PlanEntry.from_dict(entry.to_dict()).pinned
    assert "pinned" not in PlanEntry(target=target()).to_dict()  # older files stay as they were


@pytest.mark.parametrize("run", [reschedule, retime])
def test_schedule_and_retime_keep_a_pinned_entry_where_the_user_put_it(run):
    a = PlanEntry(target=target("A"), duration=HOUR)
    b = PlanEntry(target=target("B"), duration=HOUR)
    plan = Plan(site=SITE, entries=[a, b], limits=PlanLimits(min_altitude=20.0))
    pinned_at = T0 + 5 * HOUR + 17 * 60  # a time the scheduler would never pick on its own
    plan.set_times(1, pinned_at, pinned_at + HOUR, pinned=True)
    run(plan, fake_observability([ALWAYS_UP, ALWAYS_UP]), now=T0, constraints=())
    b_after = next(e for e in plan.entries if e.name == "B")
    a_after = next(e for e in plan.entries if e.name == "A")
    assert (b_after.start, b_after.end, b_after.pinned) == (pinned_at, pinned_at + HOUR, True)
    assert a_after.start is not None  # placed around it, not over it
    assert a_after.end <= pinned_at or a_after.start >= pinned_at + HOUR
    # without the pin the scheduler moves it
    plan.set_times(plan.index_of(b.id), pinned_at, pinned_at + HOUR, pinned=False)
    run(plan, fake_observability([ALWAYS_UP, ALWAYS_UP]), now=T0, constraints=())
    assert next(e for e in plan.entries if e.name == "B").start != pinned_at


def test_a_pinned_entry_is_checked_against_its_window_after_schedule():
    plan = Plan(site=SITE, entries=[PlanEntry(target=target("A"), duration=HOUR)])
    plan.set_times(0, T0 + 2 * HOUR, T0 + 3 * HOUR, pinned=True)  # the target is up only from 4 h
    reschedule(plan, fake_observability([up(4 * HOUR, 9 * HOUR)]), now=T0, constraints=())
    assert [c.kind for c in plan.conflicts()] == ["window"]


def test_export_warnings_list_each_problem_once_in_the_plans_order():
    plan = sample_plan()
    plan.set_times(1, T0 + 7000, T0 + 8200)  # omi Cet over SS Cyg (T0+6000..7800)
    plan.add(PlanEntry(target=target("R Leo"), start=T0 + 3600, end=T0 + 4200))  # timed by hand, in twilight
    warnings = export_warnings(plan)
    lines = [(plan.entries[c.index].name, c.kind) for c in warnings]
    assert lines == [
        ("SS Cyg", "overlap"),  # "SS Cyg and omi Cet overlap": once, not once per entry
        ("T CrB", "untimed"),
        ("R Leo", "night"),
        ("R Leo", "unchecked"),
    ]
    assert warnings[0].message == "SS Cyg and omi Cet overlap"
    # chi Cyg (observed) has no windows and is not warned about: nothing is left to run
    assert not any(plan.entries[c.index].name == "chi Cyg" for c in warnings)


def test_a_pinned_block_behind_the_horizon_mask_is_warned_about_after_schedule():
    """Real sky (the app's one visibility call, in process): omi Cet at 21:00 CET on
    2026-11-23 stands about 30° up in the south-east, above the 20° limit but behind a 70°
    wall over azimuths 0-180°. Pinned there, it is kept, and the conflict names the mask
    (Schedule gives a pinned entry the engine's windows, which honour the mask)."""
    from planner.app.plan_edit import set_entry_time
    from planner.app.schedule import reschedule_plan
    from planner.sky import night_for_date
    from planner.sky.horizon import HorizonMask

    site = SITE.with_limits(target_altitude=20.0)
    walled = Site(**{k: getattr(site, k) for k in ("latitude", "longitude", "elevation", "target_altitude",
                                                     "sun_altitude", "timezone", "name")},
                  horizon=HorizonMask(((0.0, 70.0), (180.0, 70.0), (180.5, 0.0), (359.5, 0.0))))
    time = night_for_date(walled, dt.date(2026, 11, 23))
    for s, behind in ((site, False), (walled, True)):
        plan = Plan(site=s, limits=PlanLimits(min_altitude=20.0), date="2026-11-23")
        plan.add(PlanEntry(target=target("omi Cet", ra=34.8366, dec=-2.9776), duration=1800))
        reschedule_plan(plan, time, now=time)  # a night and windows to check against
        set_entry_time(plan, 0, "start", (21, 0), AMS)
        reschedule_plan(plan, time, now=time)
        e = plan.entries[0]
        assert (e.start, e.pinned) == (local(23, 21, 0), True)
        window = [c.message for c in plan.conflicts() if c.kind == "window"]
        assert bool(window) is behind, window
        if behind:
            assert "or behind the horizon mask" in window[0]


def test_check_times_gives_a_hand_timed_entry_its_windows_and_air_mass():
    """In process, the real sky: a copy of SS Cyg that was never scheduled, typed at 19:00
    CET (79° up, astropy's AltAz) and another at 04:30 (near its lowest, 8°: below the plan's
    25°). Both get the windows Schedule would give them; only the second warns."""
    from planner.app.plan_edit import apply_checked, check_times

    plan = sample_plan()
    for clock in ((19, 0), (4, 30)):
        plan.add(PlanEntry(target=target("SS Cyg copy"), duration=1200))
        set_entry_time(plan, len(plan.entries) - 1, "start", clock, AMS)
    ids = [e.id for e in plan.entries[-2:]]
    assert {c.kind for c in export_warnings(plan) if c.entry_id in ids} >= {"unchecked"}
    checked = check_times(plan, plan.night_start - 3 * HOUR, ids)
    assert set(checked) == set(ids) and all(1.0 <= c.airmass.mean < 40 for c in checked.values())
    assert apply_checked(plan, checked) == ids
    evening, morning = (plan.entries[plan.index_of(i)] for i in ids)
    assert evening.windows and morning.windows  # the target is up in the dark time, part of it
    kinds = {(c.entry_id, c.kind) for c in plan.conflicts()}
    assert (evening.id, "window") not in kinds and (morning.id, "window") in kinds
    assert not any(c.kind == "unchecked" and c.entry_id in ids for c in export_warnings(plan))
    # a later edit is not overwritten by an answer for the old times
    set_entry_time(plan, plan.index_of(ids[0]), "start", (20, 0), AMS)
    assert apply_checked(plan, {ids[0]: checked[ids[0]]}) == []
