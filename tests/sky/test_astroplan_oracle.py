"""astroplan as an independent oracle for the sky engine: its ``Observer`` (astropy's full
frame machinery, with the same standard refraction) computes the altitude and the rise and
set times of the same targets another way.

Tolerances: altitude 0.02 deg (the engine's chart grid is float32 and its refraction a
one-pass formula; astropy iterates ERFA's); rise/set 60 s (astroplan interpolates its
altitudes linearly on a grid of 150 points a day, ~10 minutes apart, which errs by tens of
seconds for a star crossing 20 deg; the engine solves the crossing in closed form).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from planner.sky import Site, compute_observability
from planner.sky.constraints import observer_for
from planner.sky.types import TARGET_RISES, TARGET_SETS

SITE = Site(52.16, 4.49, elevation=0.0, target_altitude=20.0, sun_altitude=-5.0, timezone="Europe/Amsterdam")
WHEN = 1_795_449_600.0  # 2026-11-23T16:00:00Z, the Sun up: the window is that evening's night


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    ra = rng.uniform(0, 360, 24)
    dec = rng.uniform(-25, 85, 24)
    return ra, dec, compute_observability(ra, dec, SITE, WHEN)


def test_altitude_grid_agrees_with_astroplan(sample):
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from astropy.time import Time

    ra, dec, obs = sample
    times = obs.grid[::6]
    observer = observer_for(SITE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        altaz = observer.altaz(Time(times, format="unix"), SkyCoord(ra * u.deg, dec * u.deg), grid_times_targets=True)
    theirs = altaz.alt.deg
    ours = obs.altitude[:, ::6]
    high = theirs > 5  # near the horizon the two refraction models part, and no limit lives there
    assert np.abs(ours - theirs)[high].max() < 0.02


def test_rise_and_set_agree_with_astroplan(sample):
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from astropy.time import Time

    ra, dec, obs = sample
    observer = observer_for(SITE)
    checked = 0
    for i in range(len(ra)):
        for code, when in obs.events[i]:
            if code not in (TARGET_RISES, TARGET_SETS):
                continue
            target = SkyCoord(ra[i] * u.deg, dec[i] * u.deg)
            start = Time(when - 3 * 3600, format="unix")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                find = observer.target_rise_time if code == TARGET_RISES else observer.target_set_time
                theirs = find(start, target, which="next", horizon=SITE.target_altitude * u.deg).unix
            assert abs(theirs - when) < 60, (i, code, theirs - when)
            checked += 1
    assert checked >= 10
