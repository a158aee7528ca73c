"""Where things are in the sky of date, with ERFA: the time scales (UT1, TT), the Earth's
orientation at an epoch (bias-precession-nutation, apparent sidereal time, the Earth's
velocity for annual aberration), apparent places of stars, the Sun and the Moon, altitude
and azimuth grids, and refraction. The fast path of ``planner.sky.engine``: one apparent
place per target per night, the hour angle then advancing with sidereal time.

Refraction is for standard conditions (1013.25 hPa, 10 deg C, dry air, 0.55 um, via
``erfa.refco``); the target limit applies to the apparent altitude.
"""

from __future__ import annotations

import datetime as _dt
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import erfa
import numpy as np

from planner.sky._offline import configure_astropy_offline
from planner.sky.site import Site

DAY = 86400.0
UNIX_EPOCH_JD = 2440587.5
# Earth's rotation: sidereal degrees per UT1 second (IAU 1982/2000 ratio 1.00273781191135448).
SIDEREAL_RATE = 360.0 * 1.00273781191135448 / DAY
SIDEREAL_DAY = 360.0 / SIDEREAL_RATE
AU_M = 149_597_870_700.0
LIGHT_TIME_AU_DAYS = 499.004783836 / DAY  # light time for 1 au, in days
TT_TAI_S = 32.184

# Refraction constants for standard conditions (see the module docstring).
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
