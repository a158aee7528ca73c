"""The scheduler with the observer's own limits: a German equatorial's meridian flip
(blocks kept out of the flip window, or marked), the mount's hour-angle reach, the horizon
mask and the Lorentzian Moon avoidance, each as an astroplan constraint at every step of a
block and checked afterwards against astropy directly."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from planner.catalog import Target
from planner.plan.model import Plan, PlanEntry, PlanLimits
from planner.plan.scheduler import REASON_FLIP, REASON_MOON, schedule, schedule_entries
from planner.sky import night_for_date
from planner.sky.horizon import HorizonMask
from planner.sky.mount import Mount, crosses_flip, flip_free_windows, transits_between
from tests.plan.helpers import ALWAYS_UP, SITE, T0, fake_observability, target

HOUR = 3600.0
FLIP = Mount(german=True, flip_minutes=10.0)
MARK = Mount(german=True, flip_minutes=10.0, flip_policy="mark")


def _astropy(site):
    from astropy import units as u
    from astropy.coordinates import EarthLocation

    return EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.elevation * u.m)


# -- the flip geometry --------------------------------------------------------------------

def test_which_blocks_cross_the_flip_window():
    t = T0 + 5 * HOUR
    assert crosses_flip(t - 1800, t + 1200, t, 600) == t  # east of the meridian, past the flip
    assert crosses_flip(t - 1800, t + 300, t, 600) is None  # done before the flip is due
    assert crosses_flip(t + 60, t + 3600, t, 600) is None  # starts west of the meridian
    assert crosses_flip(t - 3600, t - 60, t, 600) is None  # over before the meridian
    # one sidereal day later the next culmination counts the same way
    later = t + 86164.0905
    assert crosses_flip(later - 600, later + 1200, t, 600) == pytest.approx(later)


def test_flip_free_windows_split_at_each_culmination():
    t = T0 + 5 * HOUR
    assert flip_free_windows([(T0, T0 + 10 * HOUR)], t, 600) == [(T0, t + 600), (t, T0 + 10 * HOUR)]
    assert flip_free_windows([(T0, t - 1)], t, 600) == [(T0, t - 1)]  # no culmination inside
    assert transits_between(t, T0, T0 + 30 * HOUR) == [t, pytest.approx(t + 86164.0905)]


def test_mount_settings_round_trip_and_are_checked():
    assert Mount.from_json(MARK.to_json()) == MARK
    with pytest.raises(ValueError, match="flip policy must be one of avoid, mark"):
        Mount(german=True, flip_policy="pray")
    with pytest.raises(ValueError, match="east limit hours 2 is outside -12 to 0 hours"):
        Mount(east_limit_hours=2.0)
    limits = PlanLimits(moon_separation=60.0, moon_width=7.0, mount=MARK)
    assert PlanLimits.from_dict(limits.to_dict()) == limits
    assert PlanLimits.from_dict({"min_altitude": 20.0}).mount is None  # older plans


# -- the scheduler on a synthetic sky (windows known exactly) --------------------------------

def _one_all_night(transit: float, mount: Mount):
    obs = fake_observability([ALWAYS_UP])
    obs.transit = np.array([transit])
    limits = PlanLimits(min_altitude=20.0, twilight="site", mount=mount)
    return obs, limits


def test_avoid_keeps_every_block_out_of_the_flip_window():
    # A 2-hour block of a target culminating at dusk + 1 h: the earliest slot would run
    # through the flip, so the block waits until the target is west of the meridian.
    dusk = T0
    obs, limits = _one_all_night(dusk + HOUR, FLIP)
    placed, unplaced, _ = schedule_entries([PlanEntry(target=target(), duration=2 * HOUR)], obs, limits=limits,
                                           now=T0, constraints=())
    (block,) = placed
    assert unplaced == []
    assert block.start == pytest.approx(dusk + HOUR)
    assert crosses_flip(block.start, block.end, dusk + HOUR, FLIP.flip_seconds) is None
    assert block.meridian_flip is None
    # Without the mount the same block starts at dusk, straight through the flip.
    free, _, _ = schedule_entries([PlanEntry(target=target(), duration=2 * HOUR)], obs,
                                  limits=PlanLimits(min_altitude=20.0, twilight="site"), now=T0, constraints=())
    assert free[0].start == pytest.approx(dusk)


def test_avoid_says_why_when_every_slot_crosses_the_flip():
    # Up only for 1 hour around its culmination: a 50-minute block cannot miss the flip.
    t = T0 + 6 * HOUR
    obs = fake_observability([[("TARGET_RISES", t - 1800), ("TARGET_SETS", t + 1800)]])
    obs.transit = np.array([t])
    placed, unplaced, _ = schedule_entries([PlanEntry(target=target(), duration=50 * 60)], obs,
                                           limits=PlanLimits(twilight="site", mount=FLIP), now=T0, constraints=())
    assert placed == [] and unplaced[0].reason == REASON_FLIP


def test_mark_places_the_block_and_marks_the_flip():
    dusk = T0
    obs, limits = _one_all_night(dusk + HOUR, MARK)
    placed, _, _ = schedule_entries([PlanEntry(target=target(), duration=2 * HOUR)], obs, limits=limits,
                                    now=T0, constraints=())
    (block,) = placed
    assert block.start == pytest.approx(dusk)
    assert block.meridian_flip == pytest.approx(dusk + HOUR)
    again = PlanEntry.from_dict(block.to_dict())  # the plan file keeps the mark
    assert again.meridian_flip == pytest.approx(dusk + HOUR)


# -- real skies: astroplan constraints at every step, checked with astropy -------------------

def test_hour_angle_limits_hold_through_each_block():
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from astropy.time import Time

    from planner.sky.constraints import observer_for

    time = night_for_date(SITE, dt.date(2026, 11, 23))
    star = Target("Capella-ish", 79.17, 45.99)  # culminates near local midnight in November
    mount = Mount(east_limit_hours=-2.0, west_limit_hours=1.0)
    result = schedule([star], SITE, time, duration=HOUR, now=time,
                      limits=PlanLimits(twilight="astronomical", mount=mount))
    (block,) = result.plan.entries
    times = Time(np.arange(block.start, block.end + 1, 60.0), format="unix")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ha = observer_for(SITE).target_hour_angle(times, SkyCoord(star.ra * u.deg, star.dec * u.deg)).hour
    ha = (np.asarray(ha) + 12) % 24 - 12
    # 5-minute steps: the hour angle moves 0.084 h between two checked steps
    assert ha.min() >= -2.0 - 0.09 and ha.max() <= 1.0 + 0.09


def test_the_horizon_mask_holds_through_each_block():
    from astropy import units as u
    from astropy.coordinates import AltAz, SkyCoord
    from astropy.time import Time

    time = night_for_date(SITE, dt.date(2026, 11, 23))
    # A wall in the east up to 60 degrees: an eastern target waits until it has cleared it.
    wall = HorizonMask(((0.0, 0.0), (45.0, 0.0), (45.0, 60.0), (135.0, 60.0), (135.0, 0.0)))
    site = SITE.with_horizon(wall)
    star = Target("East riser", 100.0, 20.0)
    result = schedule([star], site, time, duration=HOUR, now=time, limits=PlanLimits(twilight="astronomical"))
    (block,) = result.plan.entries
    times = Time(np.arange(block.start, block.end + 1, 60.0), format="unix")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        altaz = SkyCoord(star.ra * u.deg, star.dec * u.deg).transform_to(
            AltAz(obstime=times, location=_astropy(SITE), pressure=1013.25 * u.hPa, temperature=10 * u.deg_C,
                  relative_humidity=0.0, obswl=0.55 * u.micron))
    # at the wall's vertical edge a hundredth of a degree of azimuth (engine against astropy)
    # decides which side a moment is on: take the lower side within 0.02 deg
    az = altaz.az.deg
    limit = np.maximum(np.minimum(wall.altitude_at(az - 0.02), wall.altitude_at(az + 0.02)), 20.0)
    assert np.all(altaz.alt.deg >= limit - 0.05)
    assert block.windows[0][0] > result.plan.night_start  # it did wait for the wall


def test_lorentzian_moon_avoidance_waits_for_the_moon_to_set():
    """A waxing gibbous Moon (age ~11 d: 60/7 asks about 46 deg) sets before dawn; a target
    25 deg north of it is placed only after moonset, and every minute of its block is either
    far enough from the Moon or has the Moon below the horizon."""
    from astropy import units as u
    from astropy.coordinates import AltAz, SkyCoord, get_body
    from astropy.time import Time

    from planner.sky import compute_observability

    site = SITE.with_limits(target_altitude=10.0)
    time = night_for_date(site, dt.date(2025, 12, 30))
    probe = compute_observability([0.0], [0.0], site, time)
    k = int(np.nonzero((probe.moon_altitude[:-1] > 0) & (probe.moon_altitude[1:] <= 0))[0][-1])
    location = _astropy(site)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moon = get_body("moon", Time(float(probe.grid[k]), format="unix"), location)
    star = Target("Near the Moon", float(moon.ra.deg), float(moon.dec.deg) + 25.0)
    limits = PlanLimits(min_altitude=10.0, twilight="nautical", moon_separation=60.0, moon_width=7.0)
    result = schedule([star], site, time, duration=HOUR, now=time, limits=limits)
    (block,) = result.plan.entries
    times = Time(np.arange(block.start, block.end + 1, 60.0), format="unix")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moon_t = get_body("moon", times, location)
        moon_alt = moon_t.transform_to(AltAz(obstime=times, location=location)).alt.deg
        separation = moon_t.separation(SkyCoord(star.ra * u.deg, star.dec * u.deg)).deg
    assert np.all((moon_alt < 0.5) | (separation >= 44.0))
    assert moon_alt[-1] < 0  # it ran while the Moon was down
    # A flat 30 deg (the old way) would not have let it near the Moon either, but the
    # Lorentzian at full Moon distance rules out far more of a bright night:
    assert "full Moon" in limits.describe_moon()


def test_too_close_to_the_moon_reason_names_the_lorentzian():
    site = SITE.with_limits(target_altitude=10.0)
    time = night_for_date(site, dt.date(2026, 1, 3))  # full Moon, up all night
    from planner.sky import compute_observability

    probe = compute_observability([0.0], [0.0], site, time)
    middle = 0.5 * (probe.night.start + probe.night.end)
    sep = probe.moon_separation_on_grid(0)  # just to know the Moon's direction is there
    assert sep.shape == probe.grid.shape
    from astropy.coordinates import get_body
    from astropy.time import Time

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moon = get_body("moon", Time(middle, format="unix"), _astropy(site))
    star = Target("Beside the full Moon", float(moon.ra.deg), float(moon.dec.deg) + 20.0)
    result = schedule([star], site, time, duration=HOUR, now=time,
                      limits=PlanLimits(min_altitude=10.0, twilight="nautical", moon_separation=60.0, moon_width=7.0))
    assert result.plan.entries == []
    (why,) = result.unplaced
    assert why.reason.startswith(REASON_MOON) and "60° from the full Moon" in why.reason


def test_a_plan_made_against_a_mask_keeps_it():
    wall = HorizonMask(((0.0, 10.0), (180.0, 30.0)), "wall.hrz")
    plan = Plan(site=SITE.with_horizon(wall))
    again = Plan.from_dict(plan.to_dict())
    assert again.site.horizon == wall


# -- the flip in the exports that can carry it ---------------------------------------------

def test_a_marked_flip_reaches_the_csv_acp_ics_and_pdf_exports():
    import csv
    import io

    import icalendar

    from planner.plan.export import render
    from tests.plan.helpers import sample_plan
    from tests.plan.readers import read_acp_plan

    plan = sample_plan()
    first = plan.scheduled_entries[0]
    first.meridian_flip = first.start + 600.0
    assert plan.flips() == [(first.start + 600.0, first.label())]
    rows = list(csv.DictReader(io.StringIO(render(plan, "csv").decode("utf-8-sig"))))
    assert rows[0]["meridian_flip_utc"].startswith("2026-11-23T17:50:00")
    assert all(r["meridian_flip_utc"] == "" for r in rows[1:])
    acp = read_acp_plan(render(plan, "acp").decode("utf-8"), {"V", "B", "R", "Clear"})
    assert any("meridian flip during this block, at 23 Nov 2026 17:50:00 UTC" in c for c in acp.comments)
    events = icalendar.Calendar.from_ical(render(plan, "ics")).walk("VEVENT")
    assert "Meridian flip during this block at 18:50 Europe/Amsterdam" in str(events[0]["description"])
    assert "Meridian flip" not in str(events[1]["description"])
    assert render(plan, "pdf").startswith(b"%PDF")  # the chart marks it (tests/ui/test_sky_ui.py draws one)
