"""The engine against an independent, slow, full astropy AltAz computation at sites from the
equator to both poles, including polar day and polar night."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import AltAz, EarthLocation, SkyCoord, get_sun
from astropy.time import Time

from planner.sky import Site, compute_night, compute_observability
from planner.sky.types import SUN_RISE_SET_CORRECTION

# Standard conditions the engine's refraction assumes.
REFRACTING = dict(pressure=1013.25 * u.hPa, temperature=10 * u.deg_C, relative_humidity=0.0, obswl=0.55 * u.micron)

SITES = [
    ("equator", 0.0, 30.0),
    ("mid-north", 45.0, -100.0),
    ("mid-south", -33.9, 18.4),
    ("arctic", 70.0, 25.0),
    ("antarctic", -75.0, 123.0),
    ("near north pole", 89.0, 0.0),
]
TIMES = [1766836800.0, 1781784000.0, 1790000000.0]  # late Dec 2026, mid Jun 2026, late Sep 2026


def _location(site):
    return EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.elevation * u.m)


def _sun_alt(site, times):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = Time(np.atleast_1d(times), format="unix")
        return get_sun(t).transform_to(AltAz(obstime=t, location=_location(site))).alt.deg


@pytest.mark.parametrize("name, lat, lon", SITES)
@pytest.mark.parametrize("time", TIMES)
def test_night_and_events_agree_with_astropy(name, lat, lon, time):
    site = Site(lat, lon, 100.0)
    night = compute_night(site, time)
    level = site.sun_altitude - SUN_RISE_SET_CORRECTION

    # Independent status: the Sun's altitude every 2 minutes over the next 48 hours.
    grid = time + np.arange(0, 48 * 3600 + 1, 120.0)
    alt = _sun_alt(site, grid)
    up = alt > level
    changes = np.nonzero(up[:-1] != up[1:])[0]
    within_day = changes[grid[changes] <= time + 86400]
    if up[0]:
        expected = "SUN_IS_ALWAYS_UP" if within_day.size == 0 else None
    else:
        expected = "SUN_IS_ALWAYS_DOWN" if within_day.size == 0 else None
    if expected:
        assert night.status == expected
    else:
        assert night.status in {"SUN_IS_UP", "SUN_IS_DOWN", "SUN_ENTERS_ALWAYS_DOWN", "SUN_EXITS_ALWAYS_DOWN"}
        assert night.status.startswith("SUN_IS_UP" if up[0] else "SUN_") 
    for when in (night.sunset, night.sunrise):
        if when is not None and abs(when - time) < 2 * 86400:
            assert _sun_alt(site, when)[0] == pytest.approx(level, abs=0.01)

    # Targets: at every event astropy's apparent altitude equals the limit.
    rng = np.random.default_rng(int(time) % 1000 + int(lat * 10) % 97)
    ra = rng.uniform(0, 360, 25)
    dec = np.degrees(np.arcsin(rng.uniform(-1, 1, 25)))
    obs = compute_observability(ra, dec, site, time)
    frame_kwargs = dict(location=_location(site), **REFRACTING)
    checked = 0
    for i in range(len(ra)):
        for code, when in obs.events[i]:
            if when is None:
                continue
            t = Time(when, format="unix")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                apparent = SkyCoord(ra[i] * u.deg, dec[i] * u.deg).transform_to(AltAz(obstime=t, **frame_kwargs)).alt.deg
            assert apparent == pytest.approx(site.target_altitude, abs=0.01), (name, code)
            checked += 1
    # The chart grid agrees with astropy at a few points (apparent altitude, 0.02 deg).
    idx = np.linspace(0, obs.grid.size - 1, 4).astype(int)
    t = Time(obs.grid[idx], format="unix")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = SkyCoord(ra[:5, None] * u.deg, dec[:5, None] * u.deg).transform_to(AltAz(obstime=t[None, :], **frame_kwargs)).alt.deg
    above = ref > 5  # refraction models diverge near the horizon
    assert np.allclose(obs.altitude[:5][:, idx][above], ref[above], atol=0.02)
    if night.end > night.start and name != "near north pole":
        assert checked > 0


def test_polar_day_and_night_statuses():
    north_june = compute_night(Site(80.0, 15.0), 1781784000.0)
    assert north_june.status == "SUN_IS_ALWAYS_UP"
    assert north_june.to_api() == {"status": "SUN_IS_ALWAYS_UP"}
    assert north_june.start == north_june.end
    north_december = compute_night(Site(80.0, 15.0), 1766836800.0)
    assert north_december.status == "SUN_IS_ALWAYS_DOWN"
    assert north_december.hours == pytest.approx(24.0)
    south_june = compute_night(Site(-80.0, 15.0), 1781784000.0)
    assert south_june.status == "SUN_IS_ALWAYS_DOWN"
    # Under the midnight sun no target is observable.
    obs = compute_observability([0.0, 180.0], [80.0, 80.0], Site(80.0, 15.0), 1781784000.0)
    assert obs.events == [[], []]
    assert not obs.observable.any()
    # In polar night a circumpolar star is up all the time.
    dark = compute_observability([37.95], [89.26], Site(80.0, 15.0), 1766836800.0)
    assert dark.events == [[("TARGET_IS_ALWAYS_UP", None)]]


def test_entering_and_leaving_polar_night():
    # With the default sun altitude (-5 deg, i.e. the centre at -5.83 deg) the Sun's noon altitude
    # at 78 N, 12 + declination, drops below the limit for good in mid November 2025.
    site = Site(78.0, 20.0)
    level = site.sun_altitude - SUN_RISE_SET_CORRECTION
    before = compute_night(site, 1762862400.0)  # 2025-11-11 12:00 UTC: down, one last short day ahead
    assert before.status == "SUN_IS_DOWN"
    last_day = compute_night(site, before.sunrise + 60.0)
    assert last_day.status == "SUN_ENTERS_ALWAYS_DOWN"
    assert last_day.to_api().keys() == {"status", "sunset"}
    assert last_day.sunset - before.sunrise < 3 * 3600  # a day of under three hours
    # After that sunset there is no sunrise within 24 hours (astropy agrees).
    later = last_day.sunset + np.arange(600, 86400, 600)
    assert np.all(_sun_alt(site, later) < level)
    assert compute_night(site, last_day.sunset + 3600).status == "SUN_IS_ALWAYS_DOWN"

    # The first sunrise after the polar night, early February 2026.
    still_dark = compute_night(site, 1769644800.0)  # 2026-01-29 00:00 UTC
    assert still_dark.status == "SUN_IS_ALWAYS_DOWN"
    leaving = compute_night(site, 1769731200.0)  # 2026-01-30 00:00 UTC
    assert leaving.status == "SUN_EXITS_ALWAYS_DOWN"
    assert leaving.to_api().keys() == {"status", "sunrise"}
    assert _sun_alt(site, leaving.sunrise)[0] == pytest.approx(level, abs=0.01)
    assert np.all(_sun_alt(site, leaving.sunrise - np.arange(3600, 86400, 3600)) < level)
