"""The Moon through the night: the Lorentzian the Target Scheduler documents, the Moon's age
and illumination at new and full Moon against astropy (GeocentricTrueEcliptic longitudes,
astroplan's moon_illumination), and no penalty while the Moon is below the horizon.

Full Moon 2026-01-03 10:03 UTC and new Moon 2026-01-18 19:52 UTC (astropy agrees: the
longitude difference is 180.000 and 0.001 deg at those minutes).
"""

from __future__ import annotations

import datetime as dt
import warnings

import astropy.units as u
import numpy as np
import pytest
from astroplan import moon_illumination
from astropy.coordinates import AltAz, EarthLocation, GeocentricTrueEcliptic, SkyCoord, get_body, get_sun
from astropy.time import Time

from planner.sky import Site, compute_observability, night_for_date
from planner.sky.moon import (
    SYNODIC_MONTH_DAYS,
    MoonAvoidance,
    lorentzian_separation,
    moon_age_days,
)

SITE = Site(52.0, 4.0, 0.0)
FULL_NIGHT = dt.date(2026, 1, 3)
NEW_NIGHT = dt.date(2026, 1, 18)
GIBBOUS_NIGHT = dt.date(2025, 12, 30)  # age ~11 days: the Moon sets before dawn


def _astropy_age(unix: float) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = Time(unix, format="unix")
        moon = get_body("moon", t).transform_to(GeocentricTrueEcliptic(equinox=t))
        sun = get_sun(t).transform_to(GeocentricTrueEcliptic(equinox=t))
    return float((moon.lon.deg - sun.lon.deg) % 360.0) * SYNODIC_MONTH_DAYS / 360.0


def _middle(obs) -> float:
    return 0.5 * (obs.night.start + obs.night.end)


def test_the_lorentzian_as_the_target_scheduler_computes_it():
    full = SYNODIC_MONTH_DAYS / 2
    assert lorentzian_separation(full, 60.0, 7.0) == pytest.approx(60.0)
    # ``width`` days either side of full Moon the requirement is half the distance
    assert lorentzian_separation(full - 7.0, 60.0, 7.0) == pytest.approx(30.0)
    assert lorentzian_separation(full + 7.0, 60.0, 7.0) == pytest.approx(30.0)
    # new Moon: distance / (1 + (0.5 / (7 / 29.53059))**2) = 11.01 deg
    assert lorentzian_separation(0.0, 60.0, 7.0) == pytest.approx(60.0 / (1 + (0.5 * SYNODIC_MONTH_DAYS / 7.0) ** 2))
    assert float(lorentzian_separation(0.0, 60.0, 7.0)) == pytest.approx(11.01, abs=0.01)
    assert moon_age_days(180.0) == pytest.approx(full)
    assert moon_age_days(-90.0) == pytest.approx(0.75 * SYNODIC_MONTH_DAYS)  # last quarter


def test_avoidance_settings_are_checked_and_round_trip():
    avoid = MoonAvoidance(45.0, 5.0)
    assert MoonAvoidance.from_json(avoid.to_json()) == avoid
    assert MoonAvoidance.from_json(None) == MoonAvoidance()
    with pytest.raises(ValueError, match="distance 200 degrees is outside 0-180"):
        MoonAvoidance(200.0, 7.0)
    with pytest.raises(ValueError, match="width 0 days is outside"):
        MoonAvoidance(60.0, 0.0)
    assert not MoonAvoidance(enabled=False).required([15.0], [40.0]).any()


def test_full_moon_night():
    obs = compute_observability([0.0], [0.0], SITE, night_for_date(SITE, FULL_NIGHT))
    middle = _middle(obs)
    assert obs.moon_age == pytest.approx(_astropy_age(middle), abs=0.05)
    assert abs(obs.moon_age - SYNODIC_MONTH_DAYS / 2) < 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert obs.moon_illumination == pytest.approx(float(moon_illumination(Time(middle, format="unix"))), abs=0.01)
    up = obs.moon_altitude > 0
    assert up.any()  # a full Moon is up all night in January
    # While it is up the requirement is the Lorentzian at the Moon's age then: the full
    # distance, nearly, slowly falling as the Moon wanes through the night.
    for k in np.nonzero(up)[0][::12]:
        expected = float(lorentzian_separation(_astropy_age(float(obs.grid[k])), 60.0, 7.0))
        assert obs.moon_required[k] == pytest.approx(expected, abs=0.05)
    assert np.all(obs.moon_required[up] > 58.0)
    assert np.all(obs.moon_required[~up] == 0.0)


def test_new_moon_night():
    obs = compute_observability([0.0], [0.0], SITE, night_for_date(SITE, NEW_NIGHT))
    age = obs.moon_age if obs.moon_age < SYNODIC_MONTH_DAYS / 2 else obs.moon_age - SYNODIC_MONTH_DAYS
    expected = _astropy_age(_middle(obs))
    expected = expected if expected < SYNODIC_MONTH_DAYS / 2 else expected - SYNODIC_MONTH_DAYS
    assert age == pytest.approx(expected, abs=0.05)
    assert obs.moon_illumination < 0.01
    dark = (obs.grid > obs.night.start) & (obs.grid < obs.night.end)
    assert np.all(obs.moon_altitude[dark] < 0)  # the new Moon is down all night
    assert np.all(obs.moon_required[dark] == 0.0)
    assert obs.moon_clear.all()
    assert np.isnan(obs.moon_min_separation).all()


def test_no_penalty_while_the_moon_is_down():
    """A waxing gibbous Moon (about 46 deg asked): a target 25 deg north of it is too close
    while the Moon is up and clear once it has set (the target, further north, stays up)."""
    time = night_for_date(SITE, GIBBOUS_NIGHT)
    probe = compute_observability([0.0], [0.0], SITE, time)
    # The Moon's place at its setting, from astropy (independent of the engine).
    set_index = int(np.nonzero((probe.moon_altitude[:-1] > 0) & (probe.moon_altitude[1:] <= 0))[0][-1])
    moonset = float(probe.grid[set_index])
    location = EarthLocation.from_geodetic(4.0 * u.deg, 52.0 * u.deg, 0 * u.m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # as seen from the site (GCRS with the observer's position: axes as ICRS's)
        moon = get_body("moon", Time(moonset, format="unix"), location)
    target_ra, target_dec = float(moon.ra.deg), float(moon.dec.deg) + 25.0
    obs = compute_observability([target_ra], [target_dec], SITE.with_limits(target_altitude=5.0), time)
    grid = obs.grid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = Time(grid, format="unix")
        moon_alt = get_body("moon", t, location).transform_to(AltAz(obstime=t, location=location)).alt.deg
        star_alt = SkyCoord(target_ra * u.deg, target_dec * u.deg).transform_to(AltAz(obstime=t, location=location)).alt.deg
    night = (grid > obs.night.start) & (grid < obs.night.end)
    target_up = night & (star_alt > 6.0)
    moon_up = moon_alt > 1.0  # a degree from the horizon either way: refraction and parallax models
    moon_down = moon_alt < -1.0
    too_close = obs.moon_too_close(0)
    assert np.any(target_up & moon_up) and np.any(target_up & moon_down)
    assert np.all(too_close[target_up & moon_up])
    assert not np.any(too_close[moon_down])
    assert not obs.moon_clear[0]
    assert obs.moon_min_separation[0] == pytest.approx(25.0, abs=3.0)
    # With the avoidance off nothing is too close, and the closest approach is still reported.
    off = compute_observability([target_ra], [target_dec], SITE.with_limits(target_altitude=5.0), time,
                                moon=MoonAvoidance(enabled=False))
    assert off.moon_clear[0] and not off.moon_too_close(0).any()
    assert off.moon_min_separation[0] == pytest.approx(obs.moon_min_separation[0])
