"""One target's night for the Details dock and ``planner tonight --star``
(``planner.app.target_sky``), checked against astroplan computing it another way.

Tolerances: transit 2 s (measured: 0.11 s at most) — astroplan finds the meridian crossing by
interpolating the hour angle on its grid (linear in time to well under a second) from
astropy's full apparent place; the engine extrapolates the apparent RA against the sidereal
time from the night's middle at the sidereal rate: both are exact to well under a second. Altitude at transit 0.02 deg,
as for the altitude grid (float32 grid, one-pass refraction against astropy's iterated ERFA).
"""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import pytest

from planner.app.target_sky import describe_target_sky, target_sky, window_text
from planner.catalog.target import Target
from planner.sky import Site, compute_observability
from planner.sky.constraints import observer_for

SITE = Site(52.16, 4.49, elevation=0.0, target_altitude=20.0, timezone="Europe/Amsterdam")
WHEN = 1_795_449_600.0  # 2026-11-23T16:00:00Z, the Sun up: that evening's night
TARGETS = [
    Target("SS Cyg", 325.678, 43.586, constellation="Cyg"),  # sets in the evening
    Target("R Leo", 146.890, 11.429, constellation="Leo"),  # rises after midnight, transits near dawn
    Target("bet Cas", 2.294, 59.150, constellation="Cas"),  # circumpolar: up all night
    Target("alf Oct", 319.0, -77.4, constellation="Oct"),  # never rises at 52 N
    Target("Zero", 90.0, 0.0),
]


@pytest.fixture(scope="module")
def obs():
    return compute_observability([t.ra for t in TARGETS], [t.dec for t in TARGETS], SITE, WHEN)


def test_transit_and_its_altitude_agree_with_astroplan(obs):
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from astropy.time import Time

    observer = observer_for(SITE)
    for i, t in enumerate(TARGETS):
        sky = target_sky(obs, i, t)
        coord = SkyCoord(t.ra * u.deg, t.dec * u.deg)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = observer.target_meridian_transit_time(Time(sky.transit - 3 * 3600, format="unix"), coord, which="next",
                                                           n_grid_points=300)
            alt = observer.altaz(theirs, coord).alt.deg
        assert abs(theirs.unix - sky.transit) < 2.0, t.star_name
        if alt > 0:  # astropy's refraction stops at the horizon; under it only the sign matters
            assert abs(float(alt) - sky.transit_altitude) < 0.02, t.star_name
        else:
            assert sky.transit_altitude < 0


def test_windows_hours_and_the_curve_are_the_nights_own(obs):
    for i, t in enumerate(TARGETS):
        sky = target_sky(obs, i, t)
        assert list(sky.windows) == obs.windows(i)
        assert sky.hours == pytest.approx(float(obs.hours_observable[i]))
        assert np.array_equal(sky.altitude, obs.altitude[i]) and np.array_equal(sky.grid, obs.grid)
        assert np.array_equal(sky.limit, obs.effective_limit(i))
    assert target_sky(obs, 2, TARGETS[2]).up_all_night
    assert not target_sky(obs, 3, TARGETS[3]).observable


def test_the_words_for_a_window_a_transit_and_a_star_that_never_rises(obs):
    tz = SITE.tz
    ss = dict(describe_target_sky(target_sky(obs, 0, TARGETS[0]), tz, "CET"))
    start, end = obs.windows(0)[0]
    clock = lambda u: dt.datetime.fromtimestamp(round(u / 60) * 60, tz).strftime("%H:%M")  # noqa: E731
    assert ss["Position"] == "RA 21:42:42.7  Dec +43:35:10 (J2000), in Cyg"
    assert ss["Observable"] == f"{clock(start)} – {clock(end)} CET, {obs.hours_observable[0]:.1f} h"
    assert ss["Transit"].startswith(clock(float(obs.transit[0])))
    never = dict(describe_target_sky(target_sky(obs, 3, TARGETS[3]), tz, "CET"))
    assert never["Observable"] == "never: it never rises at this latitude"
    assert "below the horizon" in never["Transit"] and "Highest" not in never
    assert window_text(target_sky(obs, 2, TARGETS[2]), tz, "CET").startswith("up all night, ")
    leo = dict(describe_target_sky(target_sky(obs, 1, TARGETS[1]), tz, "CET"))
    assert "in daylight" not in leo["Transit"] or not target_sky(obs, 1).transit_in_night


def test_a_night_in_progress_says_which_window_is_open_now():
    late = 1_795_471_200.0  # 2026-11-23T22:00:00Z, 23:00 CET: SS Cyg is up, R Leo not yet
    obs = compute_observability([t.ra for t in TARGETS], [t.dec for t in TARGETS], SITE, late)
    ss, leo = target_sky(obs, 0, TARGETS[0]), target_sky(obs, 1, TARGETS[1])
    assert ss.now == late and ss.windows[0][0] == pytest.approx(late)
    assert window_text(ss, SITE.tz, "CET").startswith("23:00 (now) – ")
    assert "(now)" not in window_text(leo, SITE.tz, "CET")
    ahead = target_sky(compute_observability([0.0], [60.0], SITE, WHEN), 0)  # by day: the night ahead
    assert ahead.now is None and "(now)" not in window_text(ahead, SITE.tz, "CET")
