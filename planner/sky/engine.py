"""Vectorised nighttime and target visibility with the AAVSO Target Tool's semantics.

Why not astroplan's ``Observer``: it transforms every target at every time through the full
astropy frame machinery, which costs seconds for a few thousand targets. A star's apparent
place hardly moves during one night, so we compute it once per target (ICRS -> aberration ->
bias-precession-nutation of date, with ERFA), and the hour angle then advances linearly with
sidereal time. Rise and set times follow in closed form from the hour-angle equation, and the
altitude grid for charts is a single (N, T) numpy expression. The Sun and the Moon, which do
move, are evaluated with ERFA on a time grid and their crossings refined numerically.

Conventions (reproducing the real server, see shared/reference/README.md):
- the target limit applies to the *apparent* altitude (standard refraction, 1013.25 hPa,
  10 deg C, dry air, 0.55 um, via ``erfa.refco``);
- the Sun's ``sun_altitude`` is applied to its centre with the 0.833 deg rise/set
  correction;
- the window is [time, sunrise] when the Sun is down at ``time``, else [sunset, sunrise].

The parts: ``planner.sky.frames`` (time scales, Earth orientation, apparent places,
refraction: the ERFA part), ``planner.sky.nights`` (the Sun's crossings, nighttime),
``planner.sky.row_events`` (rise/set events against a limit or a horizon mask); this module
puts them together for many targets over one night (``compute_observability``,
``altitudes_at``). Their public names stay importable from here.
"""

from __future__ import annotations

import math

import erfa
import numpy as np

from planner.limits import check_time
from planner.sky.frames import (  # noqa: F401 - re-exported: planner.sky.engine's names
    DAY,
    SIDEREAL_RATE,
    _altitude,
    _altitude_grid,
    _apparent_of_date,
    _azimuth_grid,
    _frame,
    _jd_parts,
    _lst_deg,
    _moon_topocentric,
    _sun_direction_of_date,
    _unit_vectors,
    apparent_altitude,
    geometric_limit,
    prime_time_scales,
    refraction_from_apparent,
)
from planner.sky.moon import MOON_DOWN_ALTITUDE, SYNODIC_MONTH_DAYS, MoonAvoidance, moon_age_days
from planner.sky.nights import _sun_track, compute_night, compute_nights, night_for_date  # noqa: F401 - re-exported
from planner.sky.row_events import (  # noqa: F401 - MASK_STEP_S re-exported
    MASK_STEP_S,
    _hours_and_firsts,
    _row_events,
    _Rows,
    _target_events,
    _up_on_grid,
)
from planner.sky.site import Site
from planner.sky.types import SOLAR_CONJUNCTION_DEG, SUN_IS_ALWAYS_UP, Night, Observability

__all__ = [
    "MASK_STEP_S",
    "altitudes_at",
    "apparent_altitude",
    "compute_night",
    "compute_nights",
    "compute_observability",
    "geometric_limit",
    "night_for_date",
    "prime_time_scales",
    "refraction_from_apparent",
]


def _grid_bounds(night: Night) -> tuple[float, float]:
    tw = night.twilight
    if night.status == SUN_IS_ALWAYS_UP:
        return night.time, night.time + DAY
    lo = tw.sunset if tw.sunset is not None else (night.sunset if night.sunset is not None else night.start)
    hi = tw.sunrise if tw.sunrise is not None else (night.sunrise if night.sunrise is not None else night.end)
    lo = min(lo, night.start) - 3600.0
    hi = max(hi, night.end) + 3600.0
    if hi - lo > 1.5 * DAY:
        hi = lo + 1.5 * DAY
    return lo, hi


def altitudes_at(ra_deg, dec_deg, site: Site, times) -> np.ndarray:
    """Apparent (refracted) altitude in degrees of stars at J2000 ``ra_deg``/``dec_deg`` at
    unix ``times``: ``ra_deg``/``dec_deg`` of shape (N,) and ``times`` of shape (N, S) give
    (N, S), one row of times per star (an event's window, say).

    The same arithmetic as the chart grid: one apparent place per star at the middle of
    all the times, the hour angle advancing with sidereal time; good to about 0.01 deg
    within a few days of that middle."""
    ra = np.atleast_1d(np.asarray(ra_deg, dtype=float))
    dec = np.atleast_1d(np.asarray(dec_deg, dtype=float))
    times = np.asarray(times, dtype=float)
    if times.ndim == 1:
        times = np.broadcast_to(times, (ra.size, times.size))
    if ra.shape != dec.shape or times.shape[0] != ra.size:
        raise ValueError("ra_deg, dec_deg and the rows of times must describe the same stars")
    if times.size == 0:
        return np.zeros(times.shape)
    frame = _frame(float(np.median(times)))
    app_ra, app_dec = _apparent_of_date(frame, ra, dec)
    hour_angle = _lst_deg(frame, site.longitude, times) - app_ra[:, None]
    return apparent_altitude(_altitude(site.latitude, app_dec[:, None], hour_angle))


def _ecliptic_longitude(vectors: np.ndarray, obliquity: float) -> np.ndarray:
    """Longitude (deg) on the ecliptic of date of unit vectors in the true equator of date."""
    c, s = math.cos(obliquity), math.sin(obliquity)
    return np.degrees(np.arctan2(vectors[..., 1] * c + vectors[..., 2] * s, vectors[..., 0]))


def _coordinates(ra_deg, dec_deg) -> tuple[np.ndarray, np.ndarray]:
    """``ra_deg``/``dec_deg`` (scalars or arrays) as two 1-D float arrays, checked: the one
    check of target coordinates for the single-night engine and the outlook."""
    ra = np.atleast_1d(np.asarray(ra_deg, dtype=float))
    dec = np.atleast_1d(np.asarray(dec_deg, dtype=float))
    if ra.shape != dec.shape or ra.ndim != 1:
        raise ValueError("ra_deg and dec_deg must be 1-D arrays of the same length")
    if np.any(~np.isfinite(ra)) or np.any(~np.isfinite(dec)) or np.any(np.abs(dec) > 90):
        raise ValueError("ra_deg and dec_deg must be finite, with |dec| <= 90")
    return ra, dec


def compute_observability(
    ra_deg,
    dec_deg,
    site: Site,
    time: float,
    *,
    grid_step_s: float = 300.0,
    moon: MoonAvoidance | None = None,
) -> Observability:
    """Visibility of many targets for the night following unix ``time`` at ``site``.

    ``ra_deg``/``dec_deg`` are J2000 (ICRS) degrees, scalars or arrays of equal length.
    Returns the night and, per target, its ``observability_times`` in the AAVSO shape,
    rise/set, hours observable, maximum altitude, Sun and Moon separation, the solar
    conjunction flag, and the apparent altitude on a time grid for charts. With a horizon
    mask on the site, rise/set, hours and the windows are against the effective limit
    max(mask(azimuth), target_altitude). ``moon`` is the Moon avoidance the night is judged
    with (``moon_min_separation``, ``moon_clear``; the Target Scheduler's defaults when None).
    """
    ra, dec = _coordinates(ra_deg, dec_deg)
    check_time(float(time))
    if grid_step_s <= 0:
        raise ValueError("grid_step_s must be positive")
    moon = moon if moon is not None else MoonAvoidance()
    time = float(time)
    night = compute_night(site, time)
    start, end = night.start, night.end
    middle = 0.5 * (start + end) if end > start else start
    frame = _frame(middle)
    lat = site.latitude
    n = ra.size

    app_ra, app_dec = _apparent_of_date(frame, ra, dec)
    lst_start = float(_lst_deg(frame, site.longitude, start))
    rows = _Rows(lat, app_ra, app_dec, np.full(n, lst_start), np.full(n, start), np.full(n, end))

    # Chart grid.
    g_lo, g_hi = _grid_bounds(night)
    grid = np.arange(math.floor(g_lo / grid_step_s) * grid_step_s, g_hi + grid_step_s, grid_step_s)
    lst_grid = _lst_deg(frame, site.longitude, grid)
    altitude = _altitude_grid(lat, app_ra, app_dec, lst_grid)
    sun_alt = _sun_track(site, time).altitude_at(grid)

    def chart_samples(subset):
        # The mask search reads the chart grid's altitudes inside the window (its ends are
        # evaluated exactly by the search): the (N, T) altitude work is not done twice.
        inside = np.nonzero((grid > start) & (grid < end))[0]
        t = np.concatenate([[start], grid[inside], [end]])
        az = _azimuth_grid(lat, app_ra[subset], app_dec[subset], lst_grid[inside])
        margin = altitude[np.ix_(subset, inside)] - np.maximum(site.horizon.table(az), np.float32(site.target_altitude))
        f = np.concatenate([np.zeros((subset.size, 1), np.float32), margin, np.zeros((subset.size, 1), np.float32)], axis=1)
        return np.broadcast_to(t, f.shape), f

    row, times, codes, up_at_start, max_alt, max_alt_time = _row_events(
        rows, site.target_altitude, site.horizon, chart_samples if grid_step_s <= MASK_STEP_S else None)
    has_window = end > start
    events = _target_events(n, row, times, codes, up_at_start, has_window)
    hours, first_rise, first_set, _ = _hours_and_firsts(n, row, times, codes, up_at_start, np.full(n, start),
                                                        np.full(n, end))
    if not has_window:
        hours = np.zeros(n)
        first_rise[:] = np.nan
        first_set[:] = np.nan
    # Transit nearest the window middle (for display, whether or not inside the window).
    to_mid = ((app_ra - _lst_deg(frame, site.longitude, middle) + 180.0) % 360.0 - 180.0) / SIDEREAL_RATE
    transit = middle + to_mid

    # The Moon on a coarse grid, interpolated (it moves ~0.5 deg an hour).
    coarse = np.linspace(grid[0], grid[-1], max(2, int((grid[-1] - grid[0]) / 1800.0) + 1))
    m_ra, m_dec, m_geo = _moon_topocentric(site, frame, coarse)
    m_alt_coarse = _altitude(lat, m_dec, _lst_deg(frame, site.longitude, coarse) - m_ra)
    moon_alt = apparent_altitude(np.interp(grid, coarse, m_alt_coarse))
    m_vec_coarse = _unit_vectors(m_ra, m_dec)
    moon_dir = np.stack([np.interp(grid, coarse, m_vec_coarse[:, j]) for j in range(3)], axis=1)
    moon_dir /= np.linalg.norm(moon_dir, axis=1, keepdims=True)
    # The Moon's age through the night: its ecliptic longitude east of the Sun's (the Sun's
    # place comes from the night's Sun track, interpolated between its ephemeris knots).
    obliquity = float(erfa.obl06(*_jd_parts(middle, frame.scales.dtt)))
    sun_lon = _ecliptic_longitude(_unit_vectors(*_sun_track(site, time).place_at(coarse)), obliquity)
    age_coarse = moon_age_days(_ecliptic_longitude(m_geo, obliquity) - sun_lon)
    age_grid = np.interp(grid, coarse, np.degrees(np.unwrap(np.radians(age_coarse * 360.0 / SYNODIC_MONTH_DAYS))))
    age_grid = moon_age_days(age_grid)
    moon_required = moon.required(age_grid, moon_alt)

    # Separations at the window middle.
    star_vec = _unit_vectors(app_ra, app_dec)
    m_ra_mid, m_dec_mid, moon_geo_dir = _moon_topocentric(site, frame, middle)
    moon_vec = _unit_vectors(m_ra_mid, m_dec_mid)[0]
    sun_vec = _sun_direction_of_date(frame, middle)
    moon_sep = np.degrees(np.arccos(np.clip(star_vec @ moon_vec, -1, 1)))
    sun_sep = np.degrees(np.arccos(np.clip(star_vec @ sun_vec, -1, 1)))
    elongation = math.degrees(math.acos(float(np.clip(moon_geo_dir[0] @ sun_vec, -1, 1))))
    phase_angle = 180.0 - elongation  # Earth-Moon distance is tiny next to the Sun's
    illumination = (1.0 + math.cos(math.radians(phase_angle))) / 2.0
    moon_lon = math.atan2(moon_geo_dir[0][1], moon_geo_dir[0][0])
    sun_lon_mid = math.atan2(sun_vec[1], sun_vec[0])
    waxing = ((moon_lon - sun_lon_mid) % (2 * math.pi)) < math.pi
    age_mid = float(moon_age_days(_ecliptic_longitude(moon_geo_dir[0], obliquity)
                                  - _ecliptic_longitude(sun_vec, obliquity)))

    # The Moon through each target's observable time: the closest it comes while the target
    # is above its limit and the Moon above the horizon, and whether the Lorentzian's
    # requirement holds at every grid step of that time.
    up = _up_on_grid(n, grid, row, times, up_at_start, start, end) if has_window else np.zeros((n, grid.size), bool)
    moon_up = moon_alt > MOON_DOWN_ALTITUDE
    cos_sep = (star_vec.astype(np.float32) @ moon_dir.T.astype(np.float32))
    watched = up & moon_up[None, :]
    closest = np.where(watched, cos_sep, -2.0).max(axis=1) if grid.size else np.full(n, -2.0)
    moon_min_sep = np.where(closest > -2.0, np.degrees(np.arccos(np.clip(closest, -1.0, 1.0))), np.nan)
    too_close = cos_sep > np.cos(np.radians(moon_required)).astype(np.float32)[None, :]
    moon_clear = ~np.any(watched & too_close & (moon_required > 0)[None, :], axis=1)

    return Observability(
        site=site,
        night=night,
        ra=ra,
        dec=dec,
        events=events,
        rise=first_rise,
        set=first_set,
        observable=hours > 0,
        hours_observable=hours,
        max_altitude=max_alt,
        max_altitude_time=max_alt_time,
        transit=transit,
        solar_conjunction=sun_sep < SOLAR_CONJUNCTION_DEG,
        sun_separation=sun_sep,
        moon_separation=moon_sep,
        grid=grid,
        altitude=altitude,
        sun_altitude=sun_alt,
        moon_altitude=moon_alt,
        moon_illumination=illumination,
        moon_phase_angle=phase_angle,
        moon_waxing=bool(waxing),
        apparent_ra=app_ra,
        apparent_dec=app_dec,
        lst_grid=np.asarray(lst_grid, dtype=float),
        moon_direction=moon_dir.astype(np.float32),
        moon_required=moon_required,
        moon_age=age_mid,
        moon_min_separation=moon_min_sep,
        moon_clear=moon_clear,
        moon_avoidance=moon,
    )
