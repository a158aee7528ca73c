"""Builders shared by the plan tests: sites, plans, and hand-made Observability objects
whose windows are known exactly (so scheduler properties can be checked without astropy)."""

from __future__ import annotations

import numpy as np

from planner.plan.model import Plan, PlanEntry, PlanLimits, PlanTarget
from planner.sky.site import Site
from planner.sky.types import (
    SUN_IS_UP,
    TARGET_IS_ALWAYS_DOWN,
    TARGET_IS_ALWAYS_UP,
    TARGET_RISES,
    TARGET_SETS,
    Night,
    Observability,
    Twilight,
)

SITE = Site(latitude=52.0, longitude=4.0, elevation=5.0, timezone="Europe/Amsterdam", name="Test site")
# A night of 2026-11-23 at SITE, in round numbers: sunset 16:00 UTC, sunrise 07:00 UTC.
T0 = 1795449600.0  # 2026-11-23T16:00:00Z
NIGHT = Night(
    status=SUN_IS_UP,
    time=T0 - 4 * 3600,
    sunset=T0,
    sunrise=T0 + 15 * 3600,
    start=T0,
    end=T0 + 15 * 3600,
    twilight=Twilight(
        sunset=T0,
        civil_dusk=T0 + 1800,
        nautical_dusk=T0 + 3600,
        astronomical_dusk=T0 + 5400,
        astronomical_dawn=T0 + 15 * 3600 - 5400,
        nautical_dawn=T0 + 15 * 3600 - 3600,
        civil_dawn=T0 + 15 * 3600 - 1800,
        sunrise=T0 + 15 * 3600,
    ),
)


def fake_observability(events: list[list[tuple[str, float | None]]], moon_sep=None, site: Site = SITE,
                       night: Night = NIGHT) -> Observability:
    n = len(events)
    grid = np.arange(night.start - 3600, night.end + 3600, 300.0)
    return Observability(
        site=site,
        night=night,
        ra=np.linspace(0, 359, n) if n else np.zeros(0),
        dec=np.zeros(n),
        events=events,
        rise=np.full(n, np.nan),
        set=np.full(n, np.nan),
        observable=np.array([bool(e) and e[0][0] != TARGET_IS_ALWAYS_DOWN for e in events], dtype=bool),
        hours_observable=np.zeros(n),
        max_altitude=np.zeros(n),
        max_altitude_time=np.zeros(n),
        transit=np.zeros(n),
        solar_conjunction=np.zeros(n, dtype=bool),
        sun_separation=np.full(n, 90.0),
        moon_separation=np.full(n, 90.0) if moon_sep is None else np.asarray(moon_sep, dtype=float),
        grid=grid,
        altitude=np.zeros((n, len(grid))),
        sun_altitude=np.zeros(len(grid)),
        moon_altitude=np.zeros(len(grid)),
        moon_illumination=0.5,
        moon_phase_angle=90.0,
        moon_waxing=True,
    )


def up(a: float, b: float) -> list[tuple[str, float | None]]:
    """Events of a target above the limit from a to b (seconds after T0)."""
    return [(TARGET_RISES, T0 + a), (TARGET_SETS, T0 + b)]


ALWAYS_UP = [(TARGET_IS_ALWAYS_UP, None)]
ALWAYS_DOWN = [(TARGET_IS_ALWAYS_DOWN, None)]


def target(name: str = "SS Cyg", **kw) -> PlanTarget:
    fields = dict(name=name, ra=325.6785, dec=43.5861, constellation="Cyg", var_type="UGSS", min_mag=12.2,
                  min_mag_band="V", max_mag=7.7, max_mag_band="V", period=49.5, obs_cadence=1.0)
    fields.update(kw)
    return PlanTarget(**fields)


def sample_plan() -> Plan:
    plan = Plan(site=SITE, night_start=T0 + 5400, night_end=T0 + 15 * 3600 - 5400, date="2026-11-23",
                limits=PlanLimits(min_altitude=25.0, moon_separation=20.0), title="Test night",
                notes="Bring the dew heater.\nSecond line.")
    plan.add(PlanEntry(target=target(), duration=1800, start=T0 + 6000, end=T0 + 7800, filters=("V", "B"),
                       exposure=30, count=10, notes="outburst?", windows=((T0 + 5400, T0 + 20000),)))
    plan.add(PlanEntry(target=target("omi Cet", ra=34.8366, dec=-2.9776, var_type="M", period=332.0,
                                     min_mag=10.1, max_mag=2.0, priority=True),
                       duration=1200, start=T0 + 9000, end=T0 + 10200, filters=("V",), windows=((T0 + 7000, T0 + 30000),)))
    plan.add(PlanEntry(target=target("T CrB", ra=239.8757, dec=25.9202, var_type="NR", period=None),
                       duration=900, notes="unscheduled; check at dawn"))
    plan.add(PlanEntry(target=target("chi Cyg", ra=297.6414, dec=32.9143, var_type="M"), duration=600,
                       start=T0 + 12000, end=T0 + 12600, status="observed"))
    return plan


def filter_plan() -> Plan:
    """A night whose entries ask for every kind of filter: three bands, one band, none,
    visual only, AAVSO's 'All', and an entry already observed."""
    plan = Plan(site=SITE, night_start=T0 + 5400, night_end=T0 + 15 * 3600 - 5400, date="2026-11-23",
                limits=PlanLimits(min_altitude=25.0, moon_separation=20.0), title="Filter night")
    plan.add(PlanEntry(target=target(), duration=1800, start=T0 + 6000, end=T0 + 7800, filters=("V", "B", "R"),
                       exposure=30, count=10))
    plan.add(PlanEntry(target=target("omi Cet", ra=34.8366, dec=-2.9776, var_type="M", priority=True),
                       duration=1200, start=T0 + 9000, end=T0 + 10200, filters=("V",), exposure=60, count=3))
    plan.add(PlanEntry(target=target("Z Cam", ra=126.2667, dec=73.1100, var_type="UGZ"), duration=900,
                       start=T0 + 10800, end=T0 + 11700, exposure=45, count=20))
    plan.add(PlanEntry(target=target("R Leo", ra=146.8898, dec=11.4289, var_type="M"), duration=600,
                       start=T0 + 12000, end=T0 + 12600, filters=("Vis",)))
    plan.add(PlanEntry(target=target("T CrB", ra=239.8757, dec=25.9202, var_type="NR"), duration=900,
                       filters=("All",), exposure=30, count=10))
    plan.add(PlanEntry(target=target("chi Cyg", ra=297.6414, dec=32.9143, var_type="M"), duration=600,
                       start=T0 + 13000, end=T0 + 13600, filters=("V",), status="observed"))
    return plan


def with_estimates(plan: Plan) -> Plan:
    """``plan`` with a visual and an instrumental estimate of its first entry (what the AAVSO
    report formats need to have something to write)."""
    from planner.plan.model import Observation

    first = plan.entries[0]
    when = first.start if first.start is not None else (plan.night_start or T0 + 7200)
    plan.update(0, status="observed", observations=(
        Observation(time=when + 60, magnitude=11.6, comparison=("104", "117"), chart_id="X28471AB", notes="clear"),
        Observation(time=when + 120, magnitude=11.53, band="V", error=0.02, comparison=("104",),
                    comparison_auids=("000-BCP-194",), chart_id="X28471AB", airmass=1.2)))
    return plan

