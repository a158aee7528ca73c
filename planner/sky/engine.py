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
"""

from __future__ import annotations

import datetime as _dt
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import erfa
import numpy as np

from planner.limits import check_date, check_time
from planner.sky._offline import configure_astropy_offline
from planner.sky.horizon import HorizonMask
from planner.sky.moon import MOON_DOWN_ALTITUDE, SYNODIC_MONTH_DAYS, MoonAvoidance, moon_age_days
from planner.sky.site import Site
from planner.sky.types import (
    ASTRONOMICAL,
    CIVIL,
    NAUTICAL,
    SOLAR_CONJUNCTION_DEG,
    SUN_ENTERS_ALWAYS_DOWN,
    SUN_EXITS_ALWAYS_DOWN,
    SUN_IS_ALWAYS_DOWN,
    SUN_IS_ALWAYS_UP,
    SUN_IS_DOWN,
    SUN_IS_UP,
    SUN_RISE_SET_CORRECTION,
    TARGET_IS_ALWAYS_UP,
    TARGET_RISES,
    TARGET_SETS,
    Night,
    Observability,
    TargetEvents,
    Twilight,
)

DAY = 86400.0
UNIX_EPOCH_JD = 2440587.5
# Earth's rotation: sidereal degrees per UT1 second (IAU 1982/2000 ratio 1.00273781191135448).
SIDEREAL_RATE = 360.0 * 1.00273781191135448 / DAY
SIDEREAL_DAY = 360.0 / SIDEREAL_RATE
AU_M = 149_597_870_700.0
LIGHT_TIME_AU_DAYS = 499.004783836 / DAY  # light time for 1 au, in days
TT_TAI_S = 32.184

# Refraction constants for standard conditions (see module docstring).
_REFA, _REFB = erfa.refco(1013.25, 10.0, 0.0, 0.55)
_REFRACTION_SWITCH = 15.0  # below this apparent altitude the tan z series is poor; use Bennett


# -- time scales ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TimeScales:
    """UT1-UTC and TT-UTC (seconds) near an epoch; constant over a few days to the ms level."""

    dut1: float
    dtt: float


_SCALES: dict[int, _TimeScales] = {}
_SCALES_MAX = 4096


def _time_scales(day_number: int) -> _TimeScales:
    known = _SCALES.get(day_number)
    if known is None:
        prime_time_scales([day_number])
        known = _SCALES[day_number]
    return known


def prime_time_scales(day_numbers) -> None:
    """Compute UT1-UTC and TT-UTC for many days in one astropy call (a night's computation
    needs one day's; the outlook needs a month's, and astropy's per-call cost dominates)."""
    configure_astropy_offline()
    from astropy.time import Time

    days = sorted({int(d) for d in day_numbers} - _SCALES.keys())
    if not days:
        return
    if len(_SCALES) + len(days) > _SCALES_MAX:
        _SCALES.clear()
    when = Time(np.asarray(days, dtype=float) * DAY, format="unix", scale="utc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tt = when.tt
        dtt = ((tt.jd1 - when.jd1) + (tt.jd2 - when.jd2)) * DAY
        try:
            ut1 = when.ut1
            dut1 = ((ut1.jd1 - when.jd1) + (ut1.jd2 - when.jd2)) * DAY
        except Exception:  # beyond every IERS table: |UT1-UTC| < 0.9 s by definition
            if len(days) > 1:  # some days may still be inside it
                for day in days:
                    prime_time_scales([day])
                return
            dut1 = np.zeros(1)
    for day, a, b in zip(days, np.atleast_1d(dut1), np.atleast_1d(dtt)):
        _SCALES[day] = _TimeScales(float(a), float(b))


@lru_cache(maxsize=64)
def _approximate_time_scales(day_number: int) -> _TimeScales:
    """TT-UTC from ERFA's leap-second table and UT1 taken as UTC: no astropy, no IERS table
    (whose first read costs seconds). |UT1-UTC| < 0.9 s moves the Sun's crossings by under
    a second; good for deciding which night it is, not for the times the engine reports."""
    day = _dt.datetime.fromtimestamp(day_number * DAY, _dt.timezone.utc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ERFA's "dubious year" beyond its table
        tai_utc = float(erfa.dat(day.year, day.month, day.day, 0.0))
    return _TimeScales(0.0, tai_utc + TT_TAI_S)


def _scales(t: float, precise: bool = True) -> _TimeScales:
    day = int(math.floor(t / DAY))
    return _time_scales(day) if precise else _approximate_time_scales(day)


def _jd_parts(t, offset_s: float):
    """Two-part Julian date of unix time(s) ``t`` shifted by ``offset_s`` seconds."""
    t = np.asarray(t, dtype=float)
    return UNIX_EPOCH_JD, (t + offset_s) / DAY


@dataclass(frozen=True)
class _Frame:
    """Earth orientation at an epoch: the rotation ICRS -> true equator and equinox of date,
    apparent sidereal time, and the Earth's barycentric velocity (for annual aberration)."""

    t0: float
    npb: np.ndarray  # (3, 3)
    gast0: float  # degrees, Greenwich apparent sidereal time at t0
    velocity: np.ndarray  # (3,) barycentric velocity of the Earth in units of c
    bm1: float  # sqrt(1 - |v|^2)
    sun_distance: float  # au (for the aberration call)
    scales: _TimeScales


@lru_cache(maxsize=64)
def _frame_at(t0: float, precise: bool = True) -> _Frame:
    s = _scales(t0, precise)
    tt1, tt2 = _jd_parts(t0, s.dtt)
    ut1, ut2 = _jd_parts(t0, s.dut1)
    npb = erfa.pnm06a(tt1, tt2)
    gast = math.degrees(float(erfa.gst06a(ut1, ut2, tt1, tt2)))
    pvh, pvb = erfa.epv00(tt1, tt2)
    v = np.asarray(pvb['v'], dtype=float) * LIGHT_TIME_AU_DAYS  # au/day -> fraction of c
    bm1 = math.sqrt(1.0 - float(v @ v))
    sun_distance = float(np.linalg.norm(np.asarray(pvh['p'], dtype=float)))
    return _Frame(t0, np.asarray(npb, dtype=float), gast, v, bm1, sun_distance, s)


def _frame(t0: float, precise: bool = True) -> _Frame:
    # Rounded to the second so repeated calls for "now" share one computation.
    return _frame_at(float(round(t0)), precise)


def _lst_deg(frame: _Frame, longitude: float, t) -> np.ndarray:
    return np.asarray(frame.gast0 + longitude + SIDEREAL_RATE * (np.asarray(t, dtype=float) - frame.t0))


# -- positions ---------------------------------------------------------------------------------


def _unit_vectors(ra_deg: np.ndarray, dec_deg: np.ndarray) -> np.ndarray:
    ra = np.radians(ra_deg)
    dec = np.radians(dec_deg)
    cd = np.cos(dec)
    return np.stack([cd * np.cos(ra), cd * np.sin(ra), np.sin(dec)], axis=-1)


def _apparent_of_date(frame: _Frame, ra_deg: np.ndarray, dec_deg: np.ndarray):
    """ICRS/J2000 star directions to apparent RA/Dec of date (degrees), vectorised over stars."""
    p = _unit_vectors(ra_deg, dec_deg)
    p = erfa.ab(p, frame.velocity, frame.sun_distance, frame.bm1)
    p = p @ frame.npb.T
    ra = np.degrees(np.arctan2(p[..., 1], p[..., 0])) % 360.0
    dec = np.degrees(np.arcsin(np.clip(p[..., 2], -1.0, 1.0)))
    return ra, dec


def _altitude(lat_deg: float, dec_deg, hour_angle_deg) -> np.ndarray:
    lat = math.radians(lat_deg)
    dec = np.radians(dec_deg)
    sin_alt = math.sin(lat) * np.sin(dec) + math.cos(lat) * np.cos(dec) * np.cos(np.radians(hour_angle_deg))
    return np.degrees(np.arcsin(np.clip(sin_alt, -1.0, 1.0)))


def _altitude_grid(lat_deg: float, ra_deg: np.ndarray, dec_deg: np.ndarray, lst_deg: np.ndarray) -> np.ndarray:
    """Apparent altitude (N, T) of N fixed apparent places at T sidereal times.

    cos(LST - RA) is expanded so the only (N, T) transcendental is the arcsine; float32 keeps
    the grid (a chart product, good to 1e-4 deg) fast and small.
    """
    lat = math.radians(lat_deg)
    ra = np.radians(ra_deg).astype(np.float32)
    dec = np.radians(dec_deg).astype(np.float32)
    lst = np.radians(lst_deg).astype(np.float32)
    a = (np.float32(math.cos(lat)) * np.cos(dec))[:, None]
    sin_alt = (np.float32(math.sin(lat)) * np.sin(dec))[:, None] + (a * np.cos(ra)[:, None]) * np.cos(lst)[None, :]
    sin_alt += (a * np.sin(ra)[:, None]) * np.sin(lst)[None, :]
    np.clip(sin_alt, -1.0, 1.0, out=sin_alt)
    geometric = np.arcsin(sin_alt, out=sin_alt)
    geometric *= np.float32(180.0 / math.pi)
    return _refract_in_place(geometric)


def _refract_in_place(g: np.ndarray) -> np.ndarray:
    """``apparent_altitude`` of a float32 grid, computed in place (the chart grid is the
    engine's largest array: every temporary of the float64 version cost as much again)."""
    r = np.maximum(g, np.float32(-1.5))
    x = r + np.float32(5.11)
    np.divide(np.float32(10.3), x, out=x)
    x += r
    x *= np.float32(math.pi / 180.0)
    sin = np.sin(x)  # 1/tan as cos/sin: float32 tan has no fast (SIMD) path in numpy, sin and cos do
    np.cos(x, out=x)
    x /= sin
    x *= np.float32(0.9626 * 1.02 / 60.0)
    x[g < np.float32(-1.5)] = 0.0
    g += x
    return g


def _azimuth_grid(lat_deg: float, ra_deg: np.ndarray, dec_deg: np.ndarray, lst_deg: np.ndarray) -> np.ndarray:
    """Azimuth (N, T), deg from north through east, of N apparent places at T sidereal
    times; expanded like ``_altitude_grid`` so the only (N, T) transcendental is atan2."""
    lat = math.radians(lat_deg)
    ra = np.radians(ra_deg).astype(np.float32)
    dec = np.radians(dec_deg).astype(np.float32)
    lst = np.radians(lst_deg).astype(np.float32)
    cd = np.cos(dec)
    c_ra, s_ra = (cd * np.cos(ra))[:, None], (cd * np.sin(ra))[:, None]
    c_lst, s_lst = np.cos(lst)[None, :], np.sin(lst)[None, :]
    east = s_ra * c_lst - c_ra * s_lst  # -cos(dec) sin(H)
    north = (np.float32(math.cos(lat)) * np.sin(dec))[:, None] - np.float32(math.sin(lat)) * (c_ra * c_lst + s_ra * s_lst)
    az = np.degrees(np.arctan2(east, north))
    az[az < 0] += np.float32(360.0)
    return az


def refraction_from_apparent(apparent_deg) -> np.ndarray:
    """Refraction (deg) for an apparent altitude: ERFA's tan z series above 15 deg, Bennett's
    formula scaled to meet it below; zero under -2 deg where it is meaningless."""
    h = np.asarray(apparent_deg, dtype=float)
    z = np.radians(90.0 - np.maximum(h, _REFRACTION_SWITCH))
    tz = np.tan(z)
    series = np.degrees(_REFA * tz + _REFB * tz**3)
    hb = np.maximum(h, -2.0)
    bennett = 1.0 / np.tan(np.radians(hb + 7.31 / (hb + 4.4))) / 60.0
    z15 = math.radians(90.0 - _REFRACTION_SWITCH)
    at_switch = math.degrees(_REFA * math.tan(z15) + _REFB * math.tan(z15) ** 3)
    bennett_switch = 1.0 / math.tan(math.radians(_REFRACTION_SWITCH + 7.31 / (_REFRACTION_SWITCH + 4.4))) / 60.0
    low = bennett * (at_switch / bennett_switch)
    out = np.where(h >= _REFRACTION_SWITCH, series, low)
    return np.where(h < -2.0, 0.0, out)


def apparent_altitude(geometric_deg) -> np.ndarray:
    """Apparent (refracted) altitude from a geometric one.

    Saemundsson's direct formula, scaled by 0.9626 to agree with the ERFA standard-conditions
    refraction used for the limits (within 0.001 deg above 10 deg); one pass, no iteration,
    because it runs on the whole (targets x times) chart grid.
    """
    g = np.asarray(geometric_deg)
    hb = np.maximum(g, -1.5)
    r = (0.9626 * 1.02 / 60.0) / np.tan(np.radians(hb + 10.3 / (hb + 5.11)))
    return np.where(g < -1.5, g, g + r)


def geometric_limit(apparent_limit_deg: float) -> float:
    return float(apparent_limit_deg - refraction_from_apparent(apparent_limit_deg))


def _sun_place(t, frame: _Frame):
    """Apparent RA/Dec of date (deg) of the Sun at unix times ``t``."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    tt1, tt2 = _jd_parts(t, frame.scales.dtt)
    pvh, pvb = erfa.epv00(tt1, tt2)
    earth_sun = -np.asarray(pvh['p'], dtype=float)
    dist = np.linalg.norm(earth_sun, axis=-1, keepdims=True)
    p = earth_sun / dist
    v = np.asarray(pvb['v'], dtype=float) * LIGHT_TIME_AU_DAYS
    bm1 = np.sqrt(1.0 - np.sum(v * v, axis=-1))
    p = erfa.ab(p, v, dist[..., 0], bm1)
    p = p @ frame.npb.T
    ra = np.degrees(np.arctan2(p[..., 1], p[..., 0]))
    dec = np.degrees(np.arcsin(np.clip(p[..., 2], -1, 1)))
    return ra, dec


def _sun_geometric_altitude(site: Site, t, frame: _Frame | None = None) -> np.ndarray:
    """Geometric altitude of the Sun's centre at unix times ``t`` (apparent place, no refraction).

    One Earth-orientation ``frame`` serves a few days: precession and nutation change the
    Sun's place by well under an arcsecond over that span."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    frame = frame or _frame(float(np.median(t)))
    ra, dec = _sun_place(t, frame)
    return _altitude(site.latitude, dec, _lst_deg(frame, site.longitude, t) - ra)


def _observer_vector_of_date(site: Site, frame: _Frame, t) -> np.ndarray:
    """Geocentric position of the observer (metres) in the true-equator-of-date frame."""
    xyz = np.asarray(
        erfa.gd2gc(1, math.radians(site.longitude), math.radians(site.latitude), site.elevation), dtype=float
    )
    gast = np.radians(_lst_deg(frame, 0.0, t))
    c, s = np.cos(gast), np.sin(gast)
    return np.stack([c * xyz[0] - s * xyz[1], s * xyz[0] + c * xyz[1], np.full_like(c, xyz[2])], axis=-1)


def _moon_topocentric(site: Site, frame: _Frame, t):
    """Topocentric apparent RA/Dec of date (deg) and geocentric direction of the Moon."""
    t = np.atleast_1d(np.asarray(t, dtype=float))
    tt1, tt2 = _jd_parts(t, frame.scales.dtt)
    pv = erfa.moon98(tt1, tt2)  # GCRS, au
    geo = np.asarray(pv['p'], dtype=float) @ frame.npb.T * AU_M
    topo = geo - _observer_vector_of_date(site, frame, t)
    ra = np.degrees(np.arctan2(topo[..., 1], topo[..., 0])) % 360.0
    dec = np.degrees(np.arcsin(topo[..., 2] / np.linalg.norm(topo, axis=-1)))
    return ra, dec, geo / np.linalg.norm(geo, axis=-1, keepdims=True)


def _sun_direction_of_date(frame: _Frame, t: float) -> np.ndarray:
    s = _scales(t)
    tt1, tt2 = _jd_parts(t, s.dtt)
    pvh, _ = erfa.epv00(tt1, tt2)
    p = -np.asarray(pvh['p'], dtype=float)
    p = p / np.linalg.norm(p)
    p = erfa.ab(p, frame.velocity, frame.sun_distance, frame.bm1)
    return p @ frame.npb.T


# -- crossings of the Sun ----------------------------------------------------------------------


_SUN_STEP = 600.0  # seconds; the Sun's altitude is smooth enough that 10 minutes catch every crossing
_SUN_KNOT = 7200.0  # its RA/Dec are interpolated between 2-hourly ephemeris knots (error < 1e-5 deg)
_BACK = 40 * 3600.0
_AHEAD = 52 * 3600.0


class _SunTrack:
    """The Sun around one moment: ephemeris knots, and its altitude every 10 minutes."""

    def __init__(self, site: Site, time: float, precise: bool = True, ahead: float = _AHEAD,
                 frame_time: float | None = None):
        self.site = site
        self.frame = _frame(time if frame_time is None else frame_time, precise)
        knots = np.arange(time - _BACK - _SUN_KNOT, time + ahead + 2 * _SUN_KNOT, _SUN_KNOT)
        ra, dec = _sun_place(knots, self.frame)
        self._knots = knots
        self._ra = np.degrees(np.unwrap(np.radians(ra)))
        self._dec = dec
        self.times = np.arange(time - _BACK, time + ahead + _SUN_STEP, _SUN_STEP)
        self.altitude = self.altitude_at(self.times)

    def place_at(self, t) -> tuple[np.ndarray, np.ndarray]:
        """The Sun's apparent RA/Dec of date (deg) at unix times ``t`` inside the track."""
        t = np.atleast_1d(np.asarray(t, dtype=float))
        if t.size and (t.min() < self._knots[0] or t.max() > self._knots[-1]):
            return _sun_place(t, self.frame)
        return np.interp(t, self._knots, self._ra), np.interp(t, self._knots, self._dec)

    def altitude_at(self, t) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        if t.size and (t.min() < self._knots[0] or t.max() > self._knots[-1]):
            return _sun_geometric_altitude(self.site, t, self.frame)
        ra, dec = self.place_at(t)
        return _altitude(self.site.latitude, dec, _lst_deg(self.frame, self.site.longitude, t) - ra)


_SUN_TRACK_BASE = 3600.0  # one track serves every moment of the hour it starts (its span has hours to spare)


def _sun_track(site: Site, time: float, precise: bool = True) -> _SunTrack:
    """The Sun around ``time``: the track made for the start of its hour, so that a night
    recomputed for "now" a minute later (the window's clock) reuses it."""
    return _sun_track_at(site, math.floor(time / _SUN_TRACK_BASE) * _SUN_TRACK_BASE, bool(precise))


@lru_cache(maxsize=32)
def _sun_track_at(site: Site, base: float, precise: bool) -> _SunTrack:
    return _SunTrack(site, base, precise)


def _all_crossings(track: _SunTrack, levels: tuple[float, ...]) -> dict[float, tuple[np.ndarray, np.ndarray]]:
    """For each level, (sets, rises): unix times where the Sun's centre goes below / above it.

    Brackets come from the 10-minute track; every crossing of every level is then refined
    together by secant steps on the exact altitude (three steps reach < 0.1 s)."""
    idx_list, level_list = [], []
    for level in levels:
        above = track.altitude > level
        idx = np.nonzero(above[:-1] != above[1:])[0]
        idx_list.append(idx)
        level_list.append(np.full(idx.size, level))
    idx = np.concatenate(idx_list) if idx_list else np.empty(0, int)
    lv = np.concatenate(level_list) if level_list else np.empty(0)
    out: dict[float, tuple[np.ndarray, np.ndarray]] = {}
    if idx.size:
        t0, t1 = track.times[idx], track.times[idx + 1]
        f0, f1 = track.altitude[idx] - lv, track.altitude[idx + 1] - lv
        going_down = f0 > 0
        for _ in range(3):
            t = t0 - f0 * (t1 - t0) / (f1 - f0)
            t = np.clip(t, np.minimum(t0, t1) - _SUN_STEP, np.maximum(t0, t1) + _SUN_STEP)
            f = track.altitude_at(t) - lv
            t0, f0, t1, f1 = t1, f1, t, f
            same = f1 == f0
            if np.any(same):
                f0 = np.where(same, f0 + 1e-12, f0)
        times = t1
    else:
        times, going_down = np.empty(0), np.empty(0, bool)
    for level in levels:
        sel = lv == level
        out[level] = (times[sel & going_down], times[sel & ~going_down])
    return out


_TWILIGHT_LEVELS = (
    ("sun", -SUN_RISE_SET_CORRECTION),
    ("civil", CIVIL),
    ("nautical", NAUTICAL),
    ("astronomical", ASTRONOMICAL),
)


def _first_after(values: np.ndarray, after: float, before: float | None = None) -> float | None:
    sel = values[values > after]
    if before is not None:
        sel = sel[sel <= before]
    return float(sel.min()) if sel.size else None


def _last_before(values: np.ndarray, before: float, after: float | None = None) -> float | None:
    sel = values[values < before]
    if after is not None:
        sel = sel[sel >= after]
    return float(sel.max()) if sel.size else None


def _night_levels(site: Site) -> tuple[float, ...]:
    return (site.sun_altitude - SUN_RISE_SET_CORRECTION,) + tuple(v for _, v in _TWILIGHT_LEVELS)


def _night_of(site: Site, time: float, precise: bool = True, track: _SunTrack | None = None,
              crossings=None) -> Night:
    """The night at ``site`` following ``time``, computed (``compute_night`` memoises it);
    ``track`` and its ``crossings`` may be a longer track's shared by many nights
    (``compute_nights``)."""
    track = track or _sun_track(site, time, precise)
    level = site.sun_altitude - SUN_RISE_SET_CORRECTION
    crossings = crossings or _all_crossings(track, _night_levels(site))
    sets, rises = crossings[level]
    up_now = float(track.altitude_at(time)[0]) > level
    horizon = time + DAY
    if up_now:
        sunset = _first_after(sets, time, horizon)
        if sunset is None:
            status, start, end, sunrise = SUN_IS_ALWAYS_UP, time, time, None
        else:
            sunrise = _first_after(rises, sunset, sunset + DAY)
            if sunrise is None:
                status, start, end = SUN_ENTERS_ALWAYS_DOWN, sunset, sunset + DAY
            else:
                status, start, end = SUN_IS_UP, sunset, sunrise
    else:
        sunrise = _first_after(rises, time, horizon)
        sunset = _last_before(sets, time, time - _BACK)
        if sunrise is None:
            status, start, end = SUN_IS_ALWAYS_DOWN, time, horizon
        elif sunset is None or sunrise - sunset > DAY:
            status, start, end = SUN_EXITS_ALWAYS_DOWN, time, sunrise
        else:
            status, start, end = SUN_IS_DOWN, time, sunrise
    twilight = _twilight(track, crossings, status, time, sunset, sunrise, start, end)
    return Night(status, time, sunset, sunrise, start, end, twilight)


def _twilight(track, crossings, status, time, sunset, sunrise, start, end) -> Twilight:
    """Dusk and dawn crossings of the standard twilight altitudes around this night's midnight
    (the Sun's lowest point between the evening crossing and the morning one)."""
    lo = sunset if sunset is not None else start
    hi = sunrise if sunrise is not None else max(end, start + DAY if status == SUN_IS_ALWAYS_UP else end)
    inside = (track.times >= lo) & (track.times <= hi)
    if not np.any(inside):
        inside = (track.times >= time) & (track.times <= time + DAY)
    lowest = float(track.times[inside][np.argmin(track.altitude[inside])])
    values: dict[str, float | None] = {}
    for name, level in _TWILIGHT_LEVELS:
        down, up = crossings[level]
        dusk = _last_before(down, lowest, lowest - 0.75 * DAY)
        dawn = _first_after(up, lowest, lowest + 0.75 * DAY)
        if dusk is not None and dawn is not None:
            # Keep the pair only if the Sun stays below the level between them.
            later_up = _first_after(up, dusk, dawn - 1.0)
            if later_up is not None and later_up < dawn:
                dusk = None
        values[f"{name}_dusk"] = dusk
        values[f"{name}_dawn"] = dawn
    return Twilight(
        sunset=values["sun_dusk"],
        civil_dusk=values["civil_dusk"],
        nautical_dusk=values["nautical_dusk"],
        astronomical_dusk=values["astronomical_dusk"],
        astronomical_dawn=values["astronomical_dawn"],
        nautical_dawn=values["nautical_dawn"],
        civil_dawn=values["civil_dawn"],
        sunrise=values["sun_dawn"],
    )


@lru_cache(maxsize=64)
def _night_memo(site: Site, time: float, precise: bool = True) -> Night:
    return _night_of(site, time, precise)


def compute_night(site: Site, time: float, *, precise: bool = True) -> Night:
    """Nighttime for ``site`` following unix ``time``, with the AAVSO status codes.

    ``precise=False`` takes UT1 as UTC (no IERS table, no astropy: milliseconds instead of
    seconds for the first call of a process); its times are then within about a second of
    the precise ones. The window decides which night "tonight" is that way before its first
    paint (``planner.app.tonight``). Raises ``DateRangeError`` outside the span ERFA computes
    (``planner.limits``)."""
    return _night_memo(site, check_time(float(time)), bool(precise))


# Nights that share one Sun track: one Earth-orientation frame serves them, and over a
# month its precession (2 arcseconds a fortnight) moves sunset by well under a second.
_NIGHTS_PER_TRACK = 31


def compute_nights(site: Site, times) -> list[Night]:
    """``compute_night`` for many moments at once (the outlook's nights): the Sun's track
    and its crossings are computed once per month of nights instead of once per night.
    The results agree with ``compute_night`` to well under a second."""
    times = [float(t) for t in times]
    if not times:
        return []
    prime_time_scales(math.floor(t / DAY) + k for t in times for k in (-2, -1, 0, 1, 2))
    order = sorted(range(len(times)), key=lambda k: times[k])
    out: list[Night | None] = [None] * len(times)
    for first in range(0, len(order), _NIGHTS_PER_TRACK):
        chunk = order[first:first + _NIGHTS_PER_TRACK]
        lo, hi = times[chunk[0]], times[chunk[-1]]
        track = _SunTrack(site, lo, ahead=(hi - lo) + _AHEAD, frame_time=0.5 * (lo + hi))
        crossings = _all_crossings(track, _night_levels(site))
        for k in chunk:
            out[k] = _night_of(site, times[k], track=track, crossings=crossings)
    return out  # type: ignore[return-value]


def night_for_date(site: Site, date: _dt.date) -> float:
    """Unix time of local noon on ``date`` at the site: pass it as ``time`` to get that
    evening's whole night (the Sun is up at noon, so the window is [sunset, sunrise])."""
    check_date(date)
    noon = _dt.datetime.combine(date, _dt.time(12, 0), tzinfo=site.tz)
    return noon.timestamp()


# -- targets -------------------------------------------------------------------------------------

# Event codes in the flat event arrays (row, time, code) of the functions below.
_SET, _RISE = 0, 1
# Against a horizon mask the crossings are looked for on a grid of this step and then
# refined on the exact altitude and azimuth to a fraction of a second. A dip of the track
# under the mask (or a peak over it) shorter than a step can be missed: at 5 minutes a
# star near the equator moves 1.25 deg, so features narrower than that may be stepped over.
MASK_STEP_S = 300.0
_MASK_BISECTIONS = 9  # 300 s / 2**9 = 0.6 s, then one secant step on top


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


def _alt_az(lat_deg: float, dec_deg, hour_angle_deg):
    """Geometric altitude and azimuth (deg, from north through east) of places of date."""
    lat = math.radians(lat_deg)
    dec = np.radians(dec_deg)
    h = np.radians(hour_angle_deg)
    sd, cd, ch = np.sin(dec), np.cos(dec), np.cos(h)
    sin_alt = math.sin(lat) * sd + math.cos(lat) * cd * ch
    alt = np.degrees(np.arcsin(np.clip(sin_alt, -1.0, 1.0)))
    az = np.degrees(np.arctan2(-cd * np.sin(h), sd * math.cos(lat) - cd * ch * math.sin(lat))) % 360.0
    return alt, az


@dataclass
class _Rows:
    """Fixed apparent places, each with its own observing window: the targets of one night,
    or (target, night) pairs of the outlook. ``lst_start`` is the local sidereal time at
    ``start``; the hour angle then advances at the sidereal rate."""

    latitude: float
    ra: np.ndarray  # (R,) apparent RA of date, deg
    dec: np.ndarray  # (R,) apparent Dec of date, deg
    lst_start: np.ndarray  # (R,) deg
    start: np.ndarray  # (R,) unix
    end: np.ndarray  # (R,) unix

    def __len__(self) -> int:
        return int(self.ra.size)

    def hour_angle(self, index, t) -> np.ndarray:
        return self.lst_start[index] + SIDEREAL_RATE * (t - self.start[index]) - self.ra[index]


def _flat_closed_form(rows: _Rows, h0: float):
    """Rise and set times against a flat geometric limit ``h0``, in closed form from the
    hour-angle equation: flat (row, time, code) arrays and whether each row starts up."""
    lat = rows.latitude
    sin_lat, cos_lat = math.sin(math.radians(lat)), math.cos(math.radians(lat))
    sin_dec, cos_dec = np.sin(np.radians(rows.dec)), np.cos(np.radians(rows.dec))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_h0 = (math.sin(math.radians(h0)) - sin_lat * sin_dec) / (cos_lat * cos_dec)
    cos_h0 = np.where(np.isfinite(cos_h0), cos_h0, np.where(sin_lat * sin_dec > math.sin(math.radians(h0)), -2.0, 2.0))
    always_above = cos_h0 <= -1.0
    crossing = ~(always_above | (cos_h0 >= 1.0))
    semi_arc = np.degrees(np.arccos(np.clip(cos_h0, -1.0, 1.0)))  # hour angle of setting
    ha_start = (rows.lst_start - rows.ra) % 360.0
    # Hour angle grows with time; a rise is at H = -H0, a set at H = +H0 (mod 360).
    ks = np.arange(3) * SIDEREAL_DAY
    start, end = rows.start[:, None], rows.end[:, None]
    rises = (rows.start + ((-semi_arc - ha_start) % 360.0) / SIDEREAL_RATE)[:, None] + ks
    sets = (rows.start + ((semi_arc - ha_start) % 360.0) / SIDEREAL_RATE)[:, None] + ks
    ok_r = crossing[:, None] & (rises > start) & (rises < end)
    ok_s = crossing[:, None] & (sets > start) & (sets < end)
    index = np.broadcast_to(np.arange(len(rows))[:, None], rises.shape)
    row = np.concatenate([index[ok_r], index[ok_s]])
    time = np.concatenate([rises[ok_r], sets[ok_s]])
    code = np.concatenate([np.full(int(ok_r.sum()), _RISE), np.full(int(ok_s.sum()), _SET)])
    ha_signed = ((ha_start + 180.0) % 360.0) - 180.0
    up_at_start = always_above | (crossing & (np.abs(ha_signed) < semi_arc))
    return row, time, code, up_at_start


def _altitude_range(rows: _Rows):
    """Highest and lowest apparent altitude of each row inside its window (at an end, or at
    an upper/lower culmination inside it), and when the highest is reached."""
    n = len(rows)
    upper = rows.start + ((rows.ra - rows.lst_start) % 360.0) / SIDEREAL_RATE
    lower = rows.start + ((rows.ra + 180.0 - rows.lst_start) % 360.0) / SIDEREAL_RATE
    candidates = np.stack([rows.start, np.maximum(rows.end, rows.start), upper, lower], axis=1)
    valid = np.ones(candidates.shape, dtype=bool)
    valid[:, 2] = upper <= np.maximum(rows.end, rows.start)
    valid[:, 3] = lower <= np.maximum(rows.end, rows.start)
    ha = rows.lst_start[:, None] + SIDEREAL_RATE * (candidates - rows.start[:, None]) - rows.ra[:, None]
    alt = _altitude(rows.latitude, rows.dec[:, None], ha)
    highest = np.where(valid, alt, -np.inf)
    lowest = np.where(valid, alt, np.inf)
    best = np.argmax(highest, axis=1)
    at = np.arange(n)
    return apparent_altitude(highest[at, best]), apparent_altitude(lowest.min(axis=1)), candidates[at, best]


def _effective_geometric_limit(mask: HorizonMask, limit: float, azimuth) -> np.ndarray:
    """The geometric altitude matching the effective apparent limit max(mask, limit)."""
    apparent = np.maximum(mask.altitude_at(azimuth), limit)
    return apparent - refraction_from_apparent(apparent)


def _mask_samples(rows: _Rows, subset: np.ndarray, mask: HorizonMask, limit: float, step_s: float = MASK_STEP_S):
    """Sample times from each subset row's start to its end every ``step_s``, and the
    effective-limit margin there (apparent altitude minus max(mask(az), limit), float32)."""
    start, end = rows.start[subset], rows.end[subset]
    steps = int(math.ceil(float(np.max(end - start)) / step_s)) if np.any(end > start) else 0
    t = np.minimum(start[:, None] + step_s * np.arange(steps + 1)[None, :], end[:, None])
    lst = rows.lst_start[subset][:, None] + SIDEREAL_RATE * (t - start[:, None])
    ra, dec = rows.ra[subset][:, None], rows.dec[subset][:, None]
    alt, az = _alt_az(rows.latitude, dec, lst - ra)
    return t, (apparent_altitude(alt) - np.maximum(mask.altitude_at(az), limit)).astype(np.float32)


def _flat_masked(rows: _Rows, subset: np.ndarray, mask: HorizonMask, limit: float, t: np.ndarray, f: np.ndarray):
    """Crossings of the effective limit max(mask(az), limit) for the rows in ``subset``:
    found where the margin ``f`` sampled at times ``t`` (both (len(subset), K), from each
    row's start to its end) changes sign, then refined by bisection and a secant step on
    the exact altitude and azimuth. Returns flat (row, time, code) arrays and whether each
    subset row starts up."""
    if subset.size == 0:
        return np.empty(0, int), np.empty(0), np.empty(0, int), np.empty(0, bool)
    lat = rows.latitude

    def exact(r, when):
        a, z = _alt_az(lat, rows.dec[r], rows.hour_angle(r, when))
        return a - _effective_geometric_limit(mask, limit, z)

    up = f > 0.0
    up_at_start = exact(subset, rows.start[subset]) > 0.0
    up[:, 0] = up_at_start
    up[:, -1] = exact(subset, rows.end[subset]) > 0.0
    local, k = np.nonzero(up[:, :-1] != up[:, 1:])
    if local.size == 0:
        return np.empty(0, int), np.empty(0), np.empty(0, int), up_at_start
    r = subset[local]
    lo, hi = t[local, k].astype(float), t[local, k + 1].astype(float)
    f_lo, f_hi = exact(r, lo), exact(r, hi)
    rising = ~up[local, k]
    s_lo, s_hi = f[local, k].astype(float), f[local, k + 1].astype(float)
    linear = lo + (hi - lo) * (s_lo / np.where(s_lo == s_hi, 1.0, s_lo - s_hi))
    # The samples are approximate (one-pass refraction, float32, the mask's table): within
    # a few thousandths of a degree of the limit a sample can fall on the wrong side, which
    # puts the crossing one step early or late. Then the exact ends do not bracket it, and
    # the neighbouring step that does is taken instead.
    bracketed = (f_lo > 0.0) != (f_hi > 0.0)
    if not bracketed.all():
        step = hi - lo
        first, last = rows.start[r], rows.end[r]
        for shift in (-1.0, 1.0):
            todo = ~bracketed
            if not todo.any():
                break
            new_lo = np.clip(lo + shift * step, first, last)
            new_hi = np.clip(hi + shift * step, first, last)
            g_lo = np.where(todo, exact(r, new_lo), f_lo)
            g_hi = np.where(todo, exact(r, new_hi), f_hi)
            found = todo & ((g_lo > 0.0) != (g_hi > 0.0)) & ((g_lo > 0.0) == ~rising)
            lo, hi = np.where(found, new_lo, lo), np.where(found, new_hi, hi)
            f_lo, f_hi = np.where(found, g_lo, f_lo), np.where(found, g_hi, f_hi)
            bracketed = bracketed | found
    for _ in range(_MASK_BISECTIONS):
        mid = 0.5 * (lo + hi)
        f_mid = exact(r, mid)
        same_as_lo = (f_mid > 0.0) == (f_lo > 0.0)
        lo = np.where(same_as_lo, mid, lo)
        f_lo = np.where(same_as_lo, f_mid, f_lo)
        hi = np.where(same_as_lo, hi, mid)
        f_hi = np.where(same_as_lo, f_hi, f_mid)
    denominator = np.where(f_lo == f_hi, 1.0, f_lo - f_hi)
    refined = np.clip(lo + (hi - lo) * (f_lo / denominator), lo, hi)
    time = np.where(bracketed, refined, np.clip(linear, t[local, k], t[local, k + 1]))
    code = np.where(rising, _RISE, _SET)
    return r, time, code, up_at_start


def _masked_rows(rows: _Rows, limit: float, mask: HorizonMask | None, highest, lowest) -> np.ndarray:
    """The rows whose events the mask can change: a mask above the limit somewhere, and a
    track that climbs above the limit and dips under the mask's highest point in its window."""
    if mask is None or mask.max_altitude <= limit:
        return np.empty(0, int)
    return np.nonzero((highest > limit) & (lowest < mask.max_altitude) & (rows.end > rows.start))[0]


def _merge_masked(row, time, code, up_at_start, masked, m_row, m_time, m_code, m_up):
    """The closed-form events with those of the ``masked`` rows replaced by the mask search's."""
    keep = ~np.isin(row, masked)
    up_at_start = up_at_start.copy()
    up_at_start[masked] = m_up
    return (np.concatenate([row[keep], m_row]), np.concatenate([time[keep], m_time]),
            np.concatenate([code[keep], m_code]), up_at_start)


def _sorted_events(row, time, code):
    order = np.lexsort((time, row))
    return row[order], time[order], code[order]


def _hours_and_firsts(n: int, row, time, code, up_at_start, start, end):
    """Hours up inside each window, and each row's first rise and first set (NaN if none),
    from flat events sorted by (row, time): time up = sum of set times - sum of rise times,
    plus the window's end if up at the end, minus its start if up at the start."""
    signed = np.where(code == _SET, time, -time)
    total = np.bincount(row, weights=signed, minlength=n) if row.size else np.zeros(n)
    toggles = np.bincount(row, minlength=n) if row.size else np.zeros(n, int)
    up_at_end = up_at_start ^ (toggles % 2 == 1)
    total = total + np.where(up_at_end, end, 0.0) - np.where(up_at_start, start, 0.0)
    hours = np.where(end > start, total, 0.0) / 3600.0
    first_rise = np.full(n, np.nan)
    first_set = np.full(n, np.nan)
    for which, out in ((_RISE, first_rise), (_SET, first_set)):
        sel = code == which
        rows_sel, first = np.unique(row[sel], return_index=True)
        out[rows_sel] = time[sel][first]
    return np.maximum(hours, 0.0), first_rise, first_set, up_at_end


def _row_events(rows: _Rows, limit: float, mask: HorizonMask | None, samples=None):
    """Every row's events against the site's effective limit: closed form where the horizon
    mask cannot matter (``_masked_rows``), the mask search elsewhere. ``samples(subset)``
    gives that search its (times, margins); by default a grid from each row's start
    (``_mask_samples``). Returns sorted flat (row, time, code), up_at_start, and the highest
    altitude in each window and its time."""
    row, time, code, up_at_start = _flat_closed_form(rows, geometric_limit(limit))
    highest, lowest, highest_at = _altitude_range(rows)
    masked = _masked_rows(rows, limit, mask, highest, lowest)
    if masked.size:
        t, f = samples(masked) if samples is not None else _mask_samples(rows, masked, mask, limit)
        found = _flat_masked(rows, masked, mask, limit, t, f)
        row, time, code, up_at_start = _merge_masked(row, time, code, up_at_start, masked, *found)
    row, time, code = _sorted_events(row, time, code)
    return row, time, code, up_at_start, highest, highest_at


def _target_events(n: int, row, time, code, up_at_start, has_window: bool) -> TargetEvents:
    """The AAVSO ``observability_times`` of each row from the flat events sorted by (row,
    time), as a ``TargetEvents`` of (N, K) rise and set tables (made into lists on demand)."""
    if not has_window:
        return TargetEvents(np.full((n, 0), np.nan), np.full((n, 0), np.nan), np.zeros(n, bool))

    def table(which: int) -> np.ndarray:
        sel = code == which
        r, t = row[sel], time[sel]
        counts = np.bincount(r, minlength=n)
        out = np.full((n, int(counts.max()) if r.size else 0), np.nan)
        if r.size:
            first = np.concatenate([[0], np.cumsum(counts)[:-1]])
            out[r, np.arange(r.size) - first[r]] = t
        return out

    no_events = np.bincount(row, minlength=n) == 0 if row.size else np.ones(n, bool)
    return TargetEvents(table(_RISE), table(_SET), up_at_start & no_events)


def _up_on_grid(n: int, grid: np.ndarray, row, time, up_at_start, start: float, end: float) -> np.ndarray:
    """(N, T) bool: each row above its effective limit at each grid time inside the window."""
    toggles = np.zeros((n, grid.size + 1), dtype=np.int8)
    if row.size:
        np.add.at(toggles, (row, np.searchsorted(grid, time, side="right")), 1)
    state = (np.cumsum(toggles, axis=1, dtype=np.int16)[:, :-1] % 2).astype(bool) ^ up_at_start[:, None]
    return state & ((grid >= start) & (grid <= end))[None, :]


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
