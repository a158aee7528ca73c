"""Nighttime with the AAVSO Target Tool's semantics: the Sun's crossings of the site's
sun altitude and of the twilight altitudes, found on a 10-minute track of the Sun and
refined by secant steps, and the night following a moment (``compute_night``), many
nights at once (``compute_nights``) and the moment that gives a date's night
(``night_for_date``). The Sun's ``sun_altitude`` is applied to its centre with the
0.833 deg rise/set correction; the window is [time, sunrise] when the Sun is down at
``time``, else [sunset, sunrise].
"""

from __future__ import annotations

import datetime as _dt
import math
from functools import lru_cache

import numpy as np

from planner.limits import check_date, check_time
from planner.sky.frames import (
    DAY,
    _altitude,
    _frame,
    _lst_deg,
    _sun_geometric_altitude,
    _sun_place,
    prime_time_scales,
)
from planner.sky.site import Site
from planner.sky.types import (
    ASTRONOMICAL,
    CIVIL,
    NAUTICAL,
    SUN_ENTERS_ALWAYS_DOWN,
    SUN_EXITS_ALWAYS_DOWN,
    SUN_IS_ALWAYS_DOWN,
    SUN_IS_ALWAYS_UP,
    SUN_IS_DOWN,
    SUN_IS_UP,
    SUN_RISE_SET_CORRECTION,
    Night,
    Twilight,
)

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
