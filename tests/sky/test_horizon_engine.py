"""The engine against a horizon mask: rise and set against the effective limit
max(mask(azimuth), altitude limit), checked against an independent computation: astropy's
full AltAz transformation (standard refraction) every 20 seconds across the night, its
crossings of the effective limit found on that grid.

Tolerance 30 s: astropy and the engine agree on apparent altitude and azimuth to about
0.01 deg (tests/sky/test_independent_astropy.py); where a mask slopes steeply a hundredth of
a degree of azimuth moves the limit a few hundredths, which the track covers in well under
half a minute. The 20-second reference grid adds under a second.

The engine looks for crossings on its 5-minute grid (``MASK_STEP_S``): a track grazing a
corner of the mask, under it (or over it) for less than a step, is below that resolution,
so the reference drops such a pair of crossings before comparing.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import AltAz, EarthLocation, SkyCoord
from astropy.time import Time

from planner.sky import Site, compute_observability
from planner.sky.engine import MASK_STEP_S
from planner.sky.horizon import HorizonMask

REFRACTING = dict(pressure=1013.25 * u.hPa, temperature=10 * u.deg_C, relative_humidity=0.0, obswl=0.55 * u.micron)
TOLERANCE_S = 30.0

# A backyard: a house to the north-east, open to the east, an oak to the south, a hedge
# to the west; every feature at least 20 degrees wide, with slopes up to 2 deg/deg.
BACKYARD = HorizonMask((
    (0.0, 18.0), (30.0, 35.0), (60.0, 35.0), (80.0, 8.0), (140.0, 8.0), (160.0, 40.0),
    (200.0, 40.0), (220.0, 12.0), (260.0, 25.0), (300.0, 25.0), (330.0, 12.0),
))


def _astropy_crossings(site: Site, mask: HorizonMask, ra: float, dec: float, start: float, end: float):
    """(code, time) where astropy's apparent altitude crosses the effective limit, every 20 s."""
    times = np.arange(start, end, 20.0)
    times = np.append(times, end)
    location = EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.elevation * u.m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = Time(times, format="unix")
        altaz = SkyCoord(ra * u.deg, dec * u.deg).transform_to(AltAz(obstime=t, location=location, **REFRACTING))
    margin = altaz.alt.deg - np.maximum(mask.altitude_at(altaz.az.deg), site.target_altitude)
    up = margin > 0
    out = []
    for k in np.nonzero(up[:-1] != up[1:])[0]:
        frac = margin[k] / (margin[k] - margin[k + 1])
        out.append(("TARGET_RISES" if not up[k] else "TARGET_SETS", times[k] + frac * (times[k + 1] - times[k])))
    resolved = []
    for event in out:  # drop a graze: two crossings closer than the engine's grid step
        if resolved and event[1] - resolved[-1][1] < MASK_STEP_S:
            resolved.pop()
        else:
            resolved.append(event)
    return resolved, bool(up[0])


@pytest.mark.parametrize("when", [1766836800.0, 1781784000.0])  # December and June 2026
def test_masked_rise_and_set_agree_with_astropy(when):
    site = Site(52.0, 4.0, 0.0, target_altitude=15.0, horizon=BACKYARD)
    rng = np.random.default_rng(7)
    ra = rng.uniform(0, 360, 24)
    dec = rng.uniform(-20, 75, 24)
    obs = compute_observability(ra, dec, site, when)
    night = obs.night
    compared = 0
    for i in range(ra.size):
        expected, up_at_start = _astropy_crossings(site, BACKYARD, ra[i], dec[i], night.start, night.end)
        got = [(code, t) for code, t in obs.events[i] if t is not None]
        assert [c for c, _ in got] == [c for c, _ in expected], (i, got, expected)
        for (_, mine), (_, theirs) in zip(got, expected):
            assert mine == pytest.approx(theirs, abs=TOLERANCE_S), i
            compared += 1
        if not got:
            assert (obs.events[i] == [("TARGET_IS_ALWAYS_UP", None)]) == up_at_start
    assert compared >= 10
    assert obs.events != compute_observability(ra, dec, site.without_horizon(), when).events  # the mask cut tracks


def test_a_mask_under_the_limit_changes_nothing():
    low = HorizonMask(((0.0, 5.0), (120.0, 19.9), (240.0, 0.0)))
    rng = np.random.default_rng(3)
    ra, dec = rng.uniform(0, 360, 300), rng.uniform(-60, 90, 300)
    plain = Site(40.0, -100.0, target_altitude=20.0)
    a = compute_observability(ra, dec, plain, 1770000000.0)
    b = compute_observability(ra, dec, plain.with_horizon(low), 1770000000.0)
    assert a.events == b.events
    assert np.array_equal(a.hours_observable, b.hours_observable)


def test_high_tracks_keep_their_closed_form_events():
    # Stars whose track never dips under the mask's highest point: the mask cannot matter.
    mask = HorizonMask(((0.0, 30.0), (180.0, 10.0)))
    site = Site(52.0, 4.0, target_altitude=20.0)
    ra, dec = np.array([10.0, 100.0, 250.0]), np.array([80.0, 85.0, 89.0])
    plain = compute_observability(ra, dec, site, 1766836800.0)
    masked = compute_observability(ra, dec, site.with_horizon(mask), 1766836800.0)
    assert masked.events == plain.events


def test_a_target_behind_the_oak_all_night_is_not_observable():
    # Low in the south (dec -25 from 52 N culminates at 13 deg apparent... with a 10 deg
    # limit it would be up; the oak, 40 deg from 160 to 200 azimuth, hides it).
    site = Site(52.0, 4.0, target_altitude=5.0)
    obs_open = compute_observability([90.0], [-25.0], site, 1766836800.0)
    obs_oak = compute_observability([90.0], [-25.0], site.with_horizon(BACKYARD), 1766836800.0)
    assert obs_open.observable[0] and obs_open.hours_observable[0] > 2
    assert not obs_oak.observable[0]
    assert obs_oak.events[0] == []
    assert obs_oak.hours_observable[0] == 0.0


def test_hours_match_the_windows_and_the_effective_limit_on_the_grid():
    site = Site(52.0, 4.0, target_altitude=15.0, horizon=BACKYARD)
    rng = np.random.default_rng(11)
    ra, dec = rng.uniform(0, 360, 200), rng.uniform(-30, 80, 200)
    obs = compute_observability(ra, dec, site, 1766836800.0)
    for i in range(ra.size):
        windows = obs.windows(i)
        assert obs.hours_observable[i] == pytest.approx(sum(b - a for a, b in windows) / 3600.0, abs=1e-9)
        # Away from the edges, the grid altitude is above the effective limit inside the
        # windows and below it outside them.
        limit = obs.effective_limit(i)
        inside = np.zeros(obs.grid.size, bool)
        for a, b in windows:
            inside |= (obs.grid > a + 600) & (obs.grid < b - 600)
        night = (obs.grid > obs.night.start) & (obs.grid < obs.night.end)
        near_edge = np.zeros(obs.grid.size, bool)
        for a, b in windows:
            near_edge |= (np.abs(obs.grid - a) <= 600) | (np.abs(obs.grid - b) <= 600)
        assert np.all(obs.altitude[i][inside] > limit[inside] - 0.02)
        outside = night & ~inside & ~near_edge
        assert np.all(obs.altitude[i][outside] < limit[outside] + 0.02)


def test_effective_limit_and_azimuth_on_the_grid_agree_with_astropy():
    site = Site(52.0, 4.0, target_altitude=15.0, horizon=BACKYARD)
    obs = compute_observability([83.6, 210.0], [22.0, 40.0], site, 1766836800.0)
    location = EarthLocation.from_geodetic(4.0 * u.deg, 52.0 * u.deg, 0 * u.m)
    idx = np.linspace(0, obs.grid.size - 1, 7).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = Time(obs.grid[idx], format="unix")
        ref = SkyCoord([83.6, 210.0] * u.deg, [22.0, 40.0] * u.deg)[:, None].transform_to(
            AltAz(obstime=t[None, :], location=location, **REFRACTING))
    for i in range(2):
        assert np.allclose(obs.azimuth(i)[idx], ref.az.deg[i], atol=0.02)
        expected = np.maximum(BACKYARD.altitude_at(ref.az.deg[i]), 15.0)
        assert np.allclose(obs.effective_limit(i)[idx], expected, atol=0.05)
