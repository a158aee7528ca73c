from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from planner.catalog import Target, load_targets_file
from planner.plan.model import PlanEntry, PlanLimits
from planner.plan.scheduler import (
    REASON_BELOW,
    REASON_FIXED,
    REASON_FULL,
    REASON_MOON,
    REASON_NIGHT_FULL,
    REASON_NO_NIGHT,
    REASON_NO_SLOT,
    REASON_ORDER,
    REASON_RISES_AFTER,
    REASON_SHORT,
    REASON_TWILIGHT,
    dark_interval,
    reschedule,
    retime,
    schedule,
    schedule_entries,
)
from planner.sky.types import TARGET_RISES, TARGET_SETS, Twilight
from tests.plan.helpers import ALWAYS_DOWN, ALWAYS_UP, NIGHT, SITE, T0, fake_observability, target, up

DUSK = NIGHT.twilight.astronomical_dusk
DAWN = NIGHT.twilight.astronomical_dawn
HOUR = 3600.0


def entry(name="X", duration=HOUR, **kw):
    return PlanEntry(target=target(name, **kw), duration=duration)


# -- properties ---------------------------------------------------------------------------

@st.composite
def event_lists(draw):
    """AAVSO-style observability events inside the night window [T0, T0 + 15 h]."""
    kind = draw(st.sampled_from(["up", "down", "rises", "sets", "rise-set", "set-rise"]))
    a, b = sorted(draw(st.lists(st.floats(min_value=60, max_value=15 * HOUR - 60), min_size=2, max_size=2)))
    if kind == "up":
        return ALWAYS_UP
    if kind == "down":
        return ALWAYS_DOWN
    if kind == "rises":
        return [(TARGET_RISES, T0 + a)]
    if kind == "sets":
        return [(TARGET_SETS, T0 + a)]
    if kind == "rise-set":
        return [(TARGET_RISES, T0 + a), (TARGET_SETS, T0 + b)]
    return [(TARGET_SETS, T0 + a), (TARGET_RISES, T0 + b)]


@settings(max_examples=200, deadline=None)
@given(
    data=st.lists(
        st.tuples(event_lists(), st.floats(min_value=300, max_value=4 * HOUR), st.booleans(),
                  st.floats(min_value=0, max_value=180)),
        max_size=25,
    ),
    twilight=st.sampled_from(["astronomical", "nautical", "civil", "site"]),
    gap=st.sampled_from([0.0, 120.0]),
    max_entries=st.none() | st.integers(min_value=0, max_value=10),
    fixed=st.lists(st.tuples(st.floats(0, 14 * HOUR), st.floats(300, 2 * HOUR)), max_size=2),
)
# found by hypothesis: _fits accepted the blocks in order of their best times, the layout
# tried only the setting-time order and the earliest packing, and scheduling raised KeyError
@example(data=[(ALWAYS_UP, 300.0, False, 0.0),
               (ALWAYS_UP, 6421.0, True, 140.0),
               (ALWAYS_UP, 13592.0, False, 180.0),
               (ALWAYS_UP, 8340.0, True, 180.0)],
         twilight="astronomical", gap=120.0, max_entries=None, fixed=[(27689.0, 7200.0)])
def test_scheduler_properties(data, twilight, gap, max_entries, fixed):
    """The packing, on synthetic skies (the observability is the whole truth: no astroplan
    constraints; the Moon over real skies is tested below)."""
    entries = [entry(f"T{i}", duration=d, priority=p) for i, (_, d, p, _) in enumerate(data)]
    obs = fake_observability([ev for ev, _, _, _ in data], moon_sep=[m for *_, m in data])
    limits = PlanLimits(twilight=twilight, gap=gap)
    fixed = [(T0 + a, T0 + a + d) for a, d in fixed]
    placed, unplaced, dark = schedule_entries(entries, obs, limits=limits, now=T0, max_entries=max_entries,
                                              constraints=(), fixed=fixed)

    # every entry comes back exactly once: placed, or unplaced with a reason
    assert sorted([e.id for e in placed] + [u.entry.id for u in unplaced]) == sorted(e.id for e in entries)
    assert all(u.reason for u in unplaced)
    if max_entries is not None:
        assert len(placed) <= max_entries
    starts = [e.start for e in placed]
    assert starts == sorted(starts)
    for e in placed:
        i = int(e.name[1:])
        # inside the dark interval and inside one of its own above-the-limit windows
        assert dark[0] <= e.start and e.end <= dark[1]
        assert any(a <= e.start and e.end <= b for a, b in obs.windows(i))
        assert e.end - e.start == pytest.approx(e.duration)
    # no overlaps, gap respected
    for first, second in zip(placed, placed[1:]):
        assert second.start >= first.end + gap - 1e-6
    for e in placed:  # fixed blocks stay clear, with the gap
        assert all(e.end + gap <= a + 1e-6 or e.start >= b + gap - 1e-6 for a, b in fixed)
    for u in unplaced:
        i = int(u.entry.name[1:])
        if u.reason == REASON_BELOW:
            assert obs.windows(i) == [] or all(b <= dark[0] or a >= dark[1] for a, b in obs.windows(i))


# -- reasons ------------------------------------------------------------------------------

def test_each_reason_is_given():
    entries = [
        entry("down"),
        entry("twilight-only"),
        entry("short", duration=2 * HOUR),
        entry("first", duration=2 * HOUR),
        entry("second", duration=2 * HOUR),
        entry("ok"),
    ]
    obs = fake_observability(
        [
            ALWAYS_DOWN,
            up(0, 1800),  # sets before astronomical dusk (T0 + 1.5 h)
            up(2 * HOUR, 3 * HOUR),
            up(2 * HOUR, 4.5 * HOUR),
            up(2 * HOUR, 4.5 * HOUR),
            ALWAYS_UP,
        ],
    )
    placed, unplaced, _ = schedule_entries(entries, obs, now=T0, constraints=())
    reasons = {u.entry.name: u.reason for u in unplaced}
    assert reasons["down"] == REASON_BELOW
    assert reasons["twilight-only"] == REASON_TWILIGHT
    assert reasons["short"].startswith(REASON_SHORT)
    assert reasons["second"].startswith(REASON_NO_SLOT)
    assert {e.name for e in placed} == {"first", "ok"}


def test_max_entries_reason():
    entries = [entry(f"T{i}") for i in range(3)]
    placed, unplaced, _ = schedule_entries(entries, fake_observability([ALWAYS_UP] * 3), now=T0, max_entries=2, constraints=())
    assert len(placed) == 2
    assert [u.reason for u in unplaced] == [f"{REASON_FULL} (2)"]


def test_no_dark_time_means_nothing_is_placed_and_says_why():
    night = NIGHT.__class__(**{**NIGHT.__dict__, "twilight": Twilight(sunset=T0, civil_dusk=T0 + 1800)})
    obs = fake_observability([ALWAYS_UP], night=night)
    assert dark_interval(obs, "astronomical") is None
    placed, unplaced, dark = schedule_entries([entry()], obs, now=T0, constraints=())
    assert placed == [] and dark is None
    assert unplaced[0].reason.startswith(REASON_NO_NIGHT)
    # the site's own night still works
    placed, _, dark = schedule_entries([entry()], obs, limits=PlanLimits(twilight="site"), now=T0, constraints=())
    assert len(placed) == 1 and dark == (NIGHT.start, NIGHT.end)


def test_twilight_choice_sets_the_dark_interval():
    obs = fake_observability([])
    assert dark_interval(obs, "astronomical") == (DUSK, DAWN)
    assert dark_interval(obs, "nautical") == (NIGHT.twilight.nautical_dusk, NIGHT.twilight.nautical_dawn)
    assert dark_interval(obs, "civil") == (NIGHT.twilight.civil_dusk, NIGHT.twilight.civil_dawn)
    assert dark_interval(obs, "site") == (NIGHT.start, NIGHT.end)


def test_urgent_targets_win_a_contested_slot():
    # Both only fit in the same 1.5-hour window; the priority one must get it.
    entries = [entry("plain", obs_cadence=None), entry("urgent", priority=True, obs_cadence=None)]
    obs = fake_observability([up(2 * HOUR, 3.5 * HOUR)] * 2)
    placed, unplaced, _ = schedule_entries(entries, obs, now=T0, constraints=())
    assert [e.name for e in placed] == ["urgent"]
    assert unplaced[0].entry.name == "plain" and unplaced[0].reason.startswith(REASON_NO_SLOT)


def test_soonest_setting_goes_first_so_both_fit():
    # An all-night star and one that sets 2 h after dusk: the setting one is observed first.
    entries = [entry("all-night", priority=True), entry("setting")]
    obs = fake_observability([ALWAYS_UP, up(0, 1.5 * HOUR + 2 * HOUR)])
    placed, unplaced, _ = schedule_entries(entries, obs, now=T0, constraints=())
    assert unplaced == []
    assert [e.name for e in placed] == ["setting", "all-night"]
    assert placed[0].start == DUSK


def test_placed_entries_keep_their_settings_and_windows():
    e = PlanEntry(target=target("A"), duration=900, filters=("B", "V"), exposure=45, count=7, notes="n")
    placed, _, _ = schedule_entries([e], fake_observability([up(3 * HOUR, 6 * HOUR)]), now=T0, constraints=())
    p = placed[0]
    assert (p.id, p.filters, p.exposure, p.count, p.notes) == (e.id, ("B", "V"), 45, 7, "n")
    assert p.windows == ((T0 + 3 * HOUR, T0 + 6 * HOUR),)
    assert p.start == T0 + 3 * HOUR


# -- the real reason a target found no slot (issue 15) --------------------------------------

def test_circumpolar_stars_are_turned_away_because_the_night_is_full():
    # 12 h of darkness (astronomical dusk to dawn), three all-night stars wanting 5 h each
    entries = [entry(f"polar{i}", duration=5 * HOUR, obs_cadence=None) for i in range(3)]
    placed, unplaced, _ = schedule_entries(entries, fake_observability([ALWAYS_UP] * 3), now=T0, constraints=())
    assert len(placed) == 2
    (why,) = unplaced
    assert why.reason.startswith(REASON_NIGHT_FULL) and "300 min" in why.reason
    assert REASON_NO_SLOT not in why.reason


def test_a_star_that_sets_while_the_night_is_taken_says_so_with_the_times():
    entries = [entry("early", duration=2 * HOUR, priority=True), entry("short-lived", duration=HOUR)]
    obs = fake_observability([up(HOUR, 4 * HOUR), up(HOUR, 3.5 * HOUR)])  # both up only in the evening
    placed, unplaced, _ = schedule_entries(entries, obs, now=T0, constraints=())
    assert [e.name for e in placed] == ["early"]
    (why,) = unplaced
    assert why.reason.startswith(REASON_NO_SLOT)
    # it is up until T0 + 3.5 h = 19:30 UTC = 20:30 CET; the night is free after 'early' (from 21:30 CET... or so)
    assert "20:30 CET" in why.reason and "free 60 min" in why.reason


def test_a_star_that_rises_after_the_free_time_is_not_said_to_set():
    # 'late' rises at T0 + 12 h and is up to dawn; the urgent all-night block takes that time
    # and a long block fills the morning: the only free time is early in the evening
    entries = [entry("morning", duration=2 * HOUR, priority=True), entry("late", duration=HOUR)]
    obs = fake_observability([up(11 * HOUR, 13.5 * HOUR), up(12 * HOUR, 13.5 * HOUR)])
    placed, unplaced, _ = schedule_entries(entries, obs, now=T0, constraints=())
    assert [e.name for e in placed] == ["morning"]
    (why,) = unplaced
    assert why.reason.startswith(REASON_RISES_AFTER), why.reason


def test_fixed_blocks_stay_where_they_are_and_are_named_as_the_conflict():
    fixed = [(T0 + 3 * HOUR, T0 + 5 * HOUR)]  # e.g. an eclipse minimum someone watches
    entries = [entry("under-it", duration=HOUR), entry("all-night", duration=HOUR)]
    obs = fake_observability([up(2.5 * HOUR, 5.5 * HOUR), ALWAYS_UP])
    placed, unplaced, _ = schedule_entries(entries, obs, now=T0, constraints=(), fixed=fixed)
    assert [e.name for e in placed] == ["all-night"]
    assert not (placed[0].start < fixed[0][1] and placed[0].end > fixed[0][0])
    (why,) = unplaced
    assert why.reason.startswith(REASON_FIXED)
    # with a gap the fixed block is kept clear of it too
    placed, _, _ = schedule_entries([entry("next", duration=HOUR)], fake_observability([up(5 * HOUR, 7 * HOUR)]),
                                    now=T0, constraints=(), fixed=fixed, limits=PlanLimits(gap=600))
    assert placed[0].start >= fixed[0][1] + 600


def test_retime_keeps_the_users_order_and_gives_each_block_new_times():
    from planner.plan.model import Plan

    entries = [entry("A", duration=HOUR), entry("B", duration=HOUR), entry("C", duration=HOUR)]
    plan = Plan(site=SITE, entries=[entries[1], entries[0], entries[2]])  # the user put B first
    result = retime(plan, fake_observability([ALWAYS_UP, ALWAYS_UP, up(2 * HOUR, 3 * HOUR)]), now=T0,
                    constraints=())
    assert [e.name for e in plan.entries] == ["B", "A", "C"]  # the order is the user's
    b, a, c = plan.entries
    assert b.start is not None and a.start is not None and b.end <= a.start
    # C only fits 2-3 h after T0, which lies before B and A are done: left out, kept in place
    assert c.start is None
    assert [u.name for u in result.unplaced] == ["C"] and result.unplaced[0].reason.startswith(REASON_ORDER)


def test_scheduling_keeps_everything_else_an_entry_holds():
    """Placed or left out, an entry keeps its observations, notes and settings: scheduling
    only gives it times (it used to rebuild entries field by field and drop observations)."""
    from planner.plan.model import Observation, Plan

    seen = (Observation(time=T0 + 600, magnitude=8.4, comparison=("84", "90")),)
    kept = PlanEntry(target=target("kept"), duration=HOUR, notes="check the comp", observations=seen, count=3)
    left = PlanEntry(target=target("left"), duration=HOUR, observations=seen)
    for run in (reschedule, retime):
        plan = Plan(site=SITE, entries=[kept, left])
        run(plan, fake_observability([ALWAYS_UP, ALWAYS_DOWN]), now=T0, constraints=())
        placed, unplaced = plan.entries
        assert placed.start is not None and unplaced.start is None
        assert placed.observations == seen and placed.notes == "check the comp" and placed.count == 3
        assert unplaced.observations == seen


# -- with the real sky engine ---------------------------------------------------------------

def test_schedule_real_targets_with_the_sky_engine():
    from planner.sky import night_for_date

    targets = load_targets_file("tests/data/plan/targets.json").targets
    time = night_for_date(SITE, dt.date(2026, 11, 23))
    result = schedule(targets, SITE, time, duration=1800, now=time, date="2026-11-23",
                      limits=PlanLimits(min_altitude=25.0))
    plan = result.plan
    assert plan.conflicts() == []
    assert plan.night_start is not None and plan.night_end - plan.night_start > 8 * HOUR  # a long November night
    names = {e.name for e in plan.entries}
    reasons = {u.name: u.reason for u in result.unplaced}
    assert names | set(reasons) == {t.star_name for t in targets}
    assert reasons["eta Car"] == REASON_BELOW  # never rises at 52° N
    assert "SS Cyg" in names and "omi Cet" in names  # up in the evening in November
    assert plan.site.target_altitude == 25.0
    # windows were computed by the engine for this site and limit
    from planner.sky import compute_observability

    obs = compute_observability(np.array([t.ra for t in targets]), np.array([t.dec for t in targets]),
                                plan.site, time)
    for e in plan.entries:
        i = [t.star_name for t in targets].index(e.name)
        assert min(obs.altitude_at(i, np.linspace(e.start, e.end, 7))) > 25.0 - 0.5
    for e in plan.entries:  # requested AAVSO filters carried over
        t = next(t for t in targets if t.star_name == e.name)
        assert e.filters == tuple(t.filter.split(","))


def test_reschedule_keeps_unplaceable_entries_unscheduled():
    from planner.sky import night_for_date

    time = night_for_date(SITE, dt.date(2026, 11, 23))
    result = schedule([Target("SS Cyg", 325.6785, 43.5861)], SITE, time, now=time)
    plan = result.plan
    plan.add_targets([Target("eta Car", 161.2648, -59.6844)], duration=600)
    plan.set_times(0, plan.night_end + 600)  # dragged past dawn: a conflict
    assert plan.conflicts()
    result = reschedule(plan, time=time, now=time)
    assert [e.name for e in plan.entries] == ["SS Cyg", "eta Car"]
    assert plan.entries[0].start is not None and plan.entries[1].start is None
    assert plan.conflicts() == []
    assert [u.reason for u in result.unplaced] == [REASON_BELOW]


# -- the Moon over a real sky: astroplan's MoonSeparationConstraint at every step of a block --

def _moon_trailing_target(distance_deg: float):
    """A target on the Moon's path, ``distance_deg`` behind it at the middle of the night of
    2026-11-23 at SITE (a nearly full Moon, up all night): the Moon draws away from it
    through the night, so the separation grows from ~9.4 deg at dusk to ~15 deg at dawn."""
    import warnings

    from astropy import units as u
    from astropy.coordinates import EarthLocation, get_body
    from astropy.time import Time

    from planner.sky import compute_observability, night_for_date

    time = night_for_date(SITE, dt.date(2026, 11, 23))
    tw = compute_observability([0.0], [0.0], SITE, time).night.twilight
    middle = (tw.astronomical_dusk + tw.astronomical_dawn) / 2
    location = EarthLocation.from_geodetic(SITE.longitude * u.deg, SITE.latitude * u.deg, SITE.elevation * u.m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moon = get_body("moon", Time(middle, format="unix"), location=location)
    ra = (moon.ra.deg - distance_deg / np.cos(np.radians(moon.dec.deg))) % 360.0
    return Target("Trailing", float(ra), float(moon.dec.deg)), time, location


def _moon_separation(target, location, times):
    import warnings

    from astropy import units as u
    from astropy.coordinates import SkyCoord, get_body
    from astropy.time import Time

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moon = get_body("moon", Time(times, format="unix"), location=location)
        return moon.separation(SkyCoord(target.ra * u.deg, target.dec * u.deg)).deg


def test_the_moon_limit_holds_at_every_step_of_the_block():
    from planner.sky import compute_observability

    target, time, location = _moon_trailing_target(12.0)
    limit = 11.5
    obs = compute_observability([target.ra], [target.dec], SITE, time)
    assert obs.moon_separation[0] >= limit  # one moment (the night's middle) would let it anywhere...
    dusk = dark_interval(obs, "astronomical")[0]
    assert _moon_separation(target, location, [dusk])[0] < limit  # ...though it is too close at dusk
    result = schedule([target], SITE, time, duration=HOUR, now=time, limits=PlanLimits(moon_separation=limit))
    (block,) = result.plan.entries
    # checked independently, every minute of the block (astropy's Moon; 0.05 deg is what the
    # Moon moves in 5 minutes, the step the constraint is evaluated at)
    separations = _moon_separation(target, location, np.arange(block.start, block.end + 1, 60))
    assert separations.min() >= limit - 0.05
    assert block.start > dusk + HOUR  # it waited for the Moon to draw away


def test_too_close_to_the_moon_all_night_is_the_reason():
    target, time, _ = _moon_trailing_target(12.0)
    result = schedule([target], SITE, time, duration=HOUR, now=time, limits=PlanLimits(moon_separation=20))
    assert result.plan.entries == []
    (why,) = result.unplaced
    assert why.reason.startswith(REASON_MOON) and "20°" in why.reason


def test_any_astroplan_constraint_can_be_added():
    from astroplan import AltitudeConstraint
    from astropy import units as u

    target, time, _ = _moon_trailing_target(12.0)
    result = schedule([target], SITE, time, duration=HOUR, now=time,
                      extra_constraints=[AltitudeConstraint(min=55 * u.deg)])  # only near the top of its arc
    (block,) = result.plan.entries
    from planner.sky import compute_observability

    obs = compute_observability([target.ra], [target.dec], SITE, time)
    assert obs.altitude_at(0, np.arange(block.start, block.end + 1, 300)).min() > 55 - 0.5
