"""Fixtures for the window's tests: synthetic targets and sky results, and window settings
redirected into the test's temporary config folder."""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalog.target import SECTION_NAMES, Target
from planner.sky.site import Site
from planner.sky.types import (
    SUN_IS_UP,
    TARGET_IS_ALWAYS_DOWN,
    TARGET_IS_ALWAYS_UP,
    TARGET_RISES,
    TARGET_SETS,
    Night,
    Observability,
)

NOW = 1_771_705_415.0  # 2026-02-21T20:23:35Z
SECTIONS = list(SECTION_NAMES.values())


def make_targets(n: int, *, seed: int = 1) -> list[Target]:
    """``n`` varied targets: some with missing magnitudes/periods/cadences, some priority."""
    rng = np.random.default_rng(seed)
    targets = []
    for i in range(n):
        cadence = None if i % 7 == 3 else float(rng.integers(1, 30))
        last = None if i % 11 == 5 else NOW - float(rng.uniform(0, 60)) * 86400
        targets.append(
            Target(
                star_name=f"V{i:04d} {['Cyg', 'Aql', 'Sgr', 'Ori', 'UMa'][i % 5]}",
                ra=float(rng.uniform(0, 360)),
                dec=float(rng.uniform(-60, 85)),
                constellation=["Cyg", "Aql", "Sgr", "Ori", "UMa"][i % 5],
                var_type=["M", "UGSS", "EA", "DSCT", "RCB"][i % 5],
                min_mag=None if i % 9 == 0 else float(rng.uniform(10, 18)),
                min_mag_band="V",
                max_mag=None if i % 13 == 0 else float(rng.uniform(5, 12)),
                max_mag_band="V",
                period=None if i % 4 == 0 else float(rng.uniform(0.05, 500)),
                obs_cadence=cadence,
                obs_mode="CCD" if i % 2 else "VIS",
                obs_section=(SECTIONS[i % len(SECTIONS)],),
                filter="V" if i % 3 else "",
                other_info="See [[AAVSO Alert https://www.aavso.org/aavso-alert-notice-1]]" if i % 10 == 0 else "",
                priority=i % 17 == 0,
                last_data_point=last,
            )
        )
    return targets


def make_observability(targets: list[Target], *, seed: int = 2, site: Site | None = None) -> Observability:
    """Plausible sky results for ``targets`` (input data for table tests, not astronomy)."""
    rng = np.random.default_rng(seed)
    n = len(targets)
    site = site or Site(52.0, 4.0, 0.0, timezone="Europe/Amsterdam")
    start, end = NOW, NOW + 10 * 3600
    night = Night(SUN_IS_UP, NOW, NOW - 600, end, start, end)
    rise = np.full(n, np.nan)
    set_ = np.full(n, np.nan)
    events: list[list] = []
    observable = np.zeros(n, dtype=bool)
    hours = np.zeros(n)
    for i in range(n):
        kind = i % 4
        if kind == 0:
            events.append([(TARGET_IS_ALWAYS_UP, None)])
            observable[i], hours[i] = True, 10.0
        elif kind == 1:
            events.append([(TARGET_IS_ALWAYS_DOWN, None)])
        elif kind == 2:
            rise[i] = start + rng.uniform(0, 9) * 3600
            events.append([(TARGET_RISES, float(rise[i]))])
            observable[i], hours[i] = True, (end - rise[i]) / 3600
        else:
            set_[i] = start + rng.uniform(0, 9) * 3600
            events.append([(TARGET_SETS, float(set_[i]))])
            observable[i], hours[i] = True, (set_[i] - start) / 3600
    grid = np.arange(start - 3600, end + 3600, 300.0)
    altitude = rng.uniform(-30, 80, size=(n, len(grid)))
    max_alt = np.where(observable, rng.uniform(20, 85, n), rng.uniform(-40, 19, n))
    return Observability(
        site=site, night=night, ra=np.array([t.ra for t in targets]), dec=np.array([t.dec for t in targets]),
        events=events, rise=rise, set=set_, observable=observable, hours_observable=hours,
        max_altitude=max_alt, max_altitude_time=np.full(n, start + 3600), transit=np.full(n, start + 7200),
        solar_conjunction=np.zeros(n, dtype=bool), sun_separation=np.full(n, 90.0),
        moon_separation=rng.uniform(0, 180, n), grid=grid, altitude=altitude,
        sun_altitude=np.linspace(-5, -30, len(grid)), moon_altitude=np.linspace(10, 40, len(grid)),
        moon_illumination=0.4, moon_phase_angle=100.0, moon_waxing=True,
    )


@pytest.fixture
def targets() -> list[Target]:
    return make_targets(60)


@pytest.fixture
def observability(targets) -> Observability:
    return make_observability(targets)
