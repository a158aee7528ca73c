"""Times of a periodic variable's events from its elements: heliocentric and barycentric
Julian dates to UTC and back, and the ephemeris arithmetic (astroplan's periodic classes).

An epoch is given in the star's frame: HJD (UTC-based, the GCVS/VSX convention) or BJD_TDB
(the exoplanet convention) count time at the Sun or at the solar system's barycentre, not
at the observer; the difference is the light travel time across the Earth's orbit, up to
about 8.3 minutes either way. ``Time.light_travel_time`` gives it for the star and the
site. It changes by at most ~9 s per day, so for one night it is evaluated at the night's
two ends and interpolated (the error of the interpolation is far below a second), which
keeps the number of astropy calls at two per target and night.

astroplan's ``EclipsingSystem`` and ``PeriodicEvent`` do the cycle arithmetic in the
star's frame; astroplan itself ignores the light time (its documented caveat), which is
what the conversion here adds.
"""

from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from planner.sky.elements import (
    ECLIPSING,
    EXOPLANET,
    PRIMARY,
    PULSATOR,
    SECONDARY,
    TRANSIT,
    Elements,
    event_kinds,
)
from planner.sky.site import Site

DAY = 86400.0
UNIX_EPOCH_JD = 2440587.5


# -- time scales --------------------------------------------------------------------------------


@contextmanager
def _quiet():
    """Beyond the bundled IERS table astropy extrapolates and says so; a light time good to a
    millisecond does not care (see planner.sky._offline)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _location(site: Site):
    import astropy.units as u
    from astropy.coordinates import EarthLocation

    return EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.elevation * u.m)


def light_time_days(unix_utc, ra_deg, dec_deg, site: Site, time_scale: str) -> np.ndarray:
    """Light travel time (days) from the site to the Sun ("HJD") or the barycentre ("BJD")
    for stars at J2000 ``ra_deg``/``dec_deg`` at UTC unix times (arrays broadcast together);
    zero for "JD". Positive when the Earth is nearer the star than the Sun is."""
    unix_utc, ra_deg, dec_deg = np.broadcast_arrays(
        np.asarray(unix_utc, dtype=float), np.asarray(ra_deg, dtype=float), np.asarray(dec_deg, dtype=float)
    )
    if time_scale == "JD" or unix_utc.size == 0:
        return np.zeros(unix_utc.shape)
    import astropy.units as u
    from astropy.coordinates import SkyCoord
    from astropy.time import Time

    kind = "heliocentric" if time_scale == "HJD" else "barycentric"
    with _quiet():
        times = Time(unix_utc.ravel(), format="unix", scale="utc", location=_location(site))
        coords = SkyCoord(ra=ra_deg.ravel() * u.deg, dec=dec_deg.ravel() * u.deg, frame="icrs")
        ltt = times.light_travel_time(coords, kind)
    return np.asarray(ltt.to_value(u.day), dtype=float).reshape(unix_utc.shape)


def _tdb_minus_utc_days(unix_utc) -> np.ndarray:
    from astropy.time import Time

    with _quiet():
        t = Time(np.atleast_1d(np.asarray(unix_utc, dtype=float)), format="unix", scale="utc")
        tdb = t.tdb
    return np.asarray((tdb.jd1 - t.jd1) + (tdb.jd2 - t.jd2), dtype=float)


def utc_to_frame_jd(unix_utc, ra_deg, dec_deg, site: Site, time_scale: str, *, light_time=None) -> np.ndarray:
    """UTC unix times as Julian dates in the star's frame: HJD (UTC-based), BJD_TDB or JD.

    ``light_time`` (days, as ``light_time_days`` gives) may be passed when already known."""
    unix_utc = np.asarray(unix_utc, dtype=float)
    jd_utc = unix_utc / DAY + UNIX_EPOCH_JD
    if time_scale == "JD":
        return jd_utc
    ltt = light_time_days(unix_utc, ra_deg, dec_deg, site, time_scale) if light_time is None else light_time
    if time_scale == "HJD":
        return jd_utc + ltt
    return jd_utc + _tdb_minus_utc_days(unix_utc).reshape(np.shape(jd_utc)) + ltt


def frame_jd_to_utc(jd, ra_deg, dec_deg, site: Site, time_scale: str, *, light_time=None) -> np.ndarray:
    """Julian dates in the star's frame (HJD, BJD_TDB or JD) as UTC unix times.

    The light time belongs to the observer's time, which is what is being found; taking it
    at the frame date read as UTC instead is off by at most 8.3 minutes, over which the
    light time changes by under 0.05 s, so one evaluation is enough. ``light_time`` (days)
    skips it when already known."""
    jd = np.asarray(jd, dtype=float)
    naive = (jd - UNIX_EPOCH_JD) * DAY
    if time_scale == "JD":
        return naive
    if light_time is None:
        light_time = light_time_days(naive, ra_deg, dec_deg, site, time_scale)
    guess = naive - np.asarray(light_time, dtype=float) * DAY
    if time_scale == "BJD":  # TDB -> UTC (TDB - UTC changes by microseconds over minutes)
        guess = guess - _tdb_minus_utc_days(guess).reshape(np.shape(guess)) * DAY
    return guess


def light_times(ra_deg, dec_deg, time_scales: Sequence[str], site: Site, times) -> np.ndarray:
    """Light times (days, as ``light_time_days``) of N stars, each in its own time scale,
    at UTC unix ``times`` of shape (N, K): one vectorised astropy call per time scale."""
    ra = np.asarray(ra_deg, dtype=float)
    dec = np.asarray(dec_deg, dtype=float)
    times = np.asarray(times, dtype=float)
    out = np.zeros(times.shape)
    for scale in ("HJD", "BJD"):
        rows = [i for i, s in enumerate(time_scales) if s == scale]
        if rows:
            out[rows] = light_time_days(times[rows], ra[rows, None], dec[rows, None], site, scale)
    return out


# -- the ephemeris ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PredictedEvent:
    """One predicted event, in UTC unix seconds.

    ``start``/``end`` bound the event (ingress and egress of an eclipse or transit, the
    rise before a maximum); they equal ``time`` when the elements give no duration."""

    kind: str  # PRIMARY | SECONDARY | TRANSIT | MAXIMUM
    time: float
    start: float
    end: float
    cycle: float  # E: cycles since the epoch (x.5 for a secondary minimum)
    uncertainty_s: float | None  # |E| times the period's uncertainty, when it is known

    @property
    def cycles_from_epoch(self) -> float:
        return self.cycle

    @property
    def instant(self) -> bool:
        return self.end <= self.start


def _frame_scale(elements: Elements) -> str:
    """The astropy scale the star-frame dates are handed to astroplan in.

    An ephemeris is linear in the catalogue's numbers: E * P is added to the epoch's Julian
    date, which is how every published minimum, O-C and prediction is computed. A UTC
    ``Time`` would instead count the leap seconds between the epoch and tonight (20 to 37 s
    for epochs since 1962: a visible error in published O-C values), so HJD and JD numbers
    go in as a uniform scale (TT) and come out as the same numbers. BJD is TDB already."""
    return "tdb" if elements.time_scale == "BJD" else "tt"


def _system(elements: Elements, star_class: str):
    """astroplan's object for these elements (epoch in the star's frame)."""
    import astropy.units as u
    from astropy.time import Time
    from astroplan import EclipsingSystem, PeriodicEvent

    epoch = Time(elements.epoch, format="jd", scale=_frame_scale(elements))
    duration = elements.duration_days(star_class)
    kwargs = {"duration": duration * u.day} if duration else {}
    if star_class in (ECLIPSING, EXOPLANET):
        return EclipsingSystem(primary_eclipse_time=epoch, orbital_period=elements.period * u.day, **kwargs)
    return PeriodicEvent(epoch=epoch, period=elements.period * u.day, **kwargs)


def _next_frame_times(system, kind: str, after_jd: float, count: int, scale: str) -> np.ndarray:
    """Julian dates (star frame) of the next ``count`` events of ``kind`` after ``after_jd``."""
    from astropy.time import Time

    after = Time(after_jd, format="jd", scale=scale)
    if kind in (PRIMARY, TRANSIT):
        times = system.next_primary_eclipse_time(after, n_eclipses=count)
    elif kind == SECONDARY:
        times = system.next_secondary_eclipse_time(after, n_eclipses=count)
    else:  # MAXIMUM: a pulsator's epoch is a maximum; PeriodicEvent gives the phase
        import astropy.units as u

        phase = float(system.phase(after))
        period = system.period.to_value(u.day)
        times = after + (((1.0 - phase) % 1.0) + np.arange(count)) * period * u.day
    return np.atleast_1d(np.asarray(times.jd, dtype=float))


def phase_at(elements: Elements, frame_jd: float, star_class: str | None = None) -> float:
    """Phase in [0, 1) at a Julian date in the star's frame (0 = the epoch's event)."""
    from astropy.time import Time

    system = _system(elements, star_class or PULSATOR)
    return float(system.phase(Time(frame_jd, format="jd", scale=_frame_scale(elements)))) % 1.0


@dataclass(frozen=True)
class EphemerisRequest:
    """What to predict for one star."""

    elements: Elements
    star_class: str  # ECLIPSING | EXOPLANET | PULSATOR
    ra: float
    dec: float
    kinds: tuple[str, ...] = ()  # () = every kind the class has


def _window_events(request: EphemerisRequest, first_jd: float, last_jd: float) -> list[tuple[str, float]]:
    """(kind, frame JD of the middle) of every event whose window touches [first, last]."""
    elements = request.elements
    system = _system(elements, request.star_class)
    scale = _frame_scale(elements)
    duration = elements.duration_days(request.star_class) or 0.0
    kinds = request.kinds or event_kinds(request.star_class)
    # A maximum's window is the rise before it; an eclipse's is centred on the middle.
    reach_before = duration if request.star_class == PULSATOR else duration / 2.0
    reach_after = 0.0 if request.star_class == PULSATOR else duration / 2.0
    out: list[tuple[str, float]] = []
    start = first_jd - reach_after
    count = int(math.ceil((last_jd - first_jd + reach_before + reach_after) / elements.period)) + 1
    for kind in kinds:
        for mid in _next_frame_times(system, kind, start, max(count, 1), scale):
            if mid - reach_before <= last_jd and mid + reach_after >= first_jd:
                out.append((kind, float(mid)))
    return out


def _event(request: EphemerisRequest, kind: str, mid_jd: float, mid_unix: float) -> PredictedEvent:
    elements = request.elements
    cycle = (mid_jd - elements.epoch) / elements.period
    cycle = round(cycle * 2.0) / 2.0
    duration_s = (elements.duration_days(request.star_class) or 0.0) * DAY
    if request.star_class == PULSATOR:
        start, end = mid_unix - duration_s, mid_unix
    else:
        start, end = mid_unix - duration_s / 2.0, mid_unix + duration_s / 2.0
    uncertainty = None
    if elements.period_uncertainty is not None:
        uncertainty = abs(cycle) * elements.period_uncertainty * DAY
    return PredictedEvent(kind, float(mid_unix), float(start), float(end), float(cycle), uncertainty)


def predict_events(
    requests: Sequence[EphemerisRequest], site: Site, start: float, end: float, *, light_time=None
) -> list[list[PredictedEvent]]:
    """For each request, the events whose window touches [start, end] (UTC unix), in time order.

    The light time of each star is evaluated at ``start`` and ``end`` (``light_time``, an
    (N, 2) array of days, when the caller has it) and interpolated in between (see the
    module docstring)."""
    if not requests:
        return []
    if not end >= start:
        raise ValueError("end must not be before start")
    ra = np.array([r.ra for r in requests], dtype=float)
    dec = np.array([r.dec for r in requests], dtype=float)
    if light_time is None:
        light_time = light_times(
            ra, dec, [r.elements.time_scale for r in requests], site, np.array([[start, end]] * len(requests))
        )
    ltt = np.asarray(light_time, dtype=float)
    span = max(end - start, 1.0)
    out: list[list[PredictedEvent]] = []
    for i, request in enumerate(requests):
        scale = request.elements.time_scale
        first = float(utc_to_frame_jd(start, ra[i], dec[i], site, scale, light_time=ltt[i, 0]))
        last = float(utc_to_frame_jd(end, ra[i], dec[i], site, scale, light_time=ltt[i, 1]))
        events = []
        for kind, mid_jd in _window_events(request, first, last):
            # light time at the event: linear in time between the window's ends
            approx_unix = start + (mid_jd - first) / max(last - first, 1e-9) * (end - start)
            fraction = (approx_unix - start) / span
            light = ltt[i, 0] + (ltt[i, 1] - ltt[i, 0]) * fraction
            mid_unix = float(frame_jd_to_utc(mid_jd, ra[i], dec[i], site, scale, light_time=light))
            events.append(_event(request, kind, mid_jd, mid_unix))
        events.sort(key=lambda e: (e.time, e.kind))
        out.append(events)
    return out


def next_events(requests: Sequence[EphemerisRequest], site: Site, after: float) -> list[PredictedEvent | None]:
    """For each request, the first event (of its kinds) whose window ends after ``after``,
    however far ahead; the light time is evaluated at that event (one vectorised call)."""
    if not requests:
        return []
    ra = np.array([r.ra for r in requests], dtype=float)
    dec = np.array([r.dec for r in requests], dtype=float)
    # Search in the star's frame without the light time (at most 0.006 d), with a margin
    # of 0.01 d on the early side; convert the first two candidates exactly and keep the
    # first that still ends after ``after``.
    chosen: list[tuple[int, str, float]] = []
    for i, request in enumerate(requests):
        after_jd = float(utc_to_frame_jd(after, ra[i], dec[i], site, "JD"))
        found = sorted(
            _window_events(request, after_jd - 0.01, after_jd + 2.0 * request.elements.period + 0.01),
            key=lambda kind_mid: kind_mid[1],
        )
        chosen.extend((i, kind, mid) for kind, mid in found[:2])
    out: list[PredictedEvent | None] = [None] * len(requests)
    for scale in ("HJD", "BJD", "JD"):
        rows = [c for c in chosen if requests[c[0]].elements.time_scale == scale]
        if not rows:
            continue
        index = [c[0] for c in rows]
        unix = np.atleast_1d(frame_jd_to_utc(np.array([c[2] for c in rows]), ra[index], dec[index], site, scale))
        for (i, kind, mid_jd), mid_unix in zip(rows, unix):
            event = _event(requests[i], kind, mid_jd, float(mid_unix))
            if event.end >= after and (out[i] is None or event.time < out[i].time):
                out[i] = event
    return out


__all__ = [
    "EphemerisRequest",
    "PredictedEvent",
    "frame_jd_to_utc",
    "light_time_days",
    "light_times",
    "next_events",
    "phase_at",
    "predict_events",
    "utc_to_frame_jd",
]
