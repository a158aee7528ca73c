"""Result types of the sky engine: the night, twilight and per-target observability.

Plain dataclasses over numpy arrays; times are unix seconds (UTC floats), angles degrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from planner.sky.site import Site

# Nighttime status codes of the AAVSO API.
#
# The API page's prose for the two ALWAYS codes is swapped relative to their names
# (it says SUN_IS_ALWAYS_UP is "24 hour darkness"). We follow the names, which is what a
# reader of the JSON expects: SUN_IS_ALWAYS_UP = midnight sun, SUN_IS_ALWAYS_DOWN = polar night.
SUN_IS_UP = "SUN_IS_UP"  # Sun up now: next sunset and the following sunrise
SUN_IS_DOWN = "SUN_IS_DOWN"  # Sun down now: next sunrise
SUN_IS_ALWAYS_UP = "SUN_IS_ALWAYS_UP"  # Sun never gets below the sun altitude in the next 24 h
SUN_IS_ALWAYS_DOWN = "SUN_IS_ALWAYS_DOWN"  # polar night: no sunrise within the next 24 h
SUN_ENTERS_ALWAYS_DOWN = "SUN_ENTERS_ALWAYS_DOWN"  # Sun sets now into >24 h of darkness: sunset listed
SUN_EXITS_ALWAYS_DOWN = "SUN_EXITS_ALWAYS_DOWN"  # Sun rises after >24 h of darkness: sunrise listed

TARGET_RISES = "TARGET_RISES"
TARGET_SETS = "TARGET_SETS"
TARGET_IS_ALWAYS_UP = "TARGET_IS_ALWAYS_UP"
TARGET_IS_ALWAYS_DOWN = "TARGET_IS_ALWAYS_DOWN"

# Sun altitudes (geometric, of the centre) that define twilight.
CIVIL = -6.0
NAUTICAL = -12.0
ASTRONOMICAL = -18.0
# Standard rise/set correction: 34' refraction at the horizon plus 16' solar semi-diameter.
# AAVSO's ``sunaltitude`` is applied with it (shared/reference/README.md).
SUN_RISE_SET_CORRECTION = 0.833
# A target closer to the Sun than this is flagged ``solar_conjunction``. 30 deg reproduces the
# real server: in the reference response the 12 flagged targets lie 2-27.5 deg from the Sun
# and the nearest unflagged one 30.9 deg.
SOLAR_CONJUNCTION_DEG = 30.0


@dataclass(frozen=True)
class Twilight:
    """Evening (dusk) and morning (dawn) crossings bracketing one night; None where the Sun
    does not reach that altitude (e.g. no astronomical darkness in a northern summer)."""

    sunset: float | None = None
    civil_dusk: float | None = None
    nautical_dusk: float | None = None
    astronomical_dusk: float | None = None
    astronomical_dawn: float | None = None
    nautical_dawn: float | None = None
    civil_dawn: float | None = None
    sunrise: float | None = None

    @property
    def astronomical_darkness_hours(self) -> float:
        if self.astronomical_dusk is None or self.astronomical_dawn is None:
            return 0.0
        return max(0.0, (self.astronomical_dawn - self.astronomical_dusk) / 3600.0)


@dataclass(frozen=True)
class Night:
    """The nighttime period in the AAVSO sense, for a site and a moment.

    ``sunset``/``sunrise`` are the moments the Sun crosses ``site.sun_altitude`` (with the
    standard 0.833 deg correction); ``start``/``end`` bound the observing window the
    targets' events are computed in: [time, sunrise] when the Sun is down at ``time``,
    else [sunset, sunrise]. ``start == end`` when there is no night (midnight sun).
    """

    status: str
    time: float
    sunset: float | None
    sunrise: float | None
    start: float
    end: float
    twilight: Twilight = field(default_factory=Twilight)

    @property
    def hours(self) -> float:
        return max(0.0, (self.end - self.start) / 3600.0)

    def to_api(self) -> dict:
        """The API's ``nighttime`` JSON: status plus the times that status lists."""
        out: dict = {"status": self.status}
        if self.sunset is not None and self.status in (SUN_IS_UP, SUN_ENTERS_ALWAYS_DOWN):
            out["sunset"] = int(round(self.sunset))
        if self.sunrise is not None and self.status in (SUN_IS_UP, SUN_IS_DOWN, SUN_EXITS_ALWAYS_DOWN):
            out["sunrise"] = int(round(self.sunrise))
        return out


@dataclass
class Observability:
    """Visibility of N targets for one site and night.

    Arrays are indexed by target (N) and grid time (T). ``altitude`` is the apparent
    (refracted) altitude on ``grid``, a 5-minute grid running from an hour before the
    evening crossing to an hour after sunrise, for charts.
    """

    site: Site
    night: Night
    ra: np.ndarray  # (N,) J2000 degrees, as given
    dec: np.ndarray  # (N,)
    events: Sequence[list[tuple[str, float | None]]]  # AAVSO observability_times per target (TargetEvents)
    rise: np.ndarray  # (N,) first TARGET_RISES in the window, NaN if none
    set: np.ndarray  # (N,) first TARGET_SETS in the window, NaN if none
    observable: np.ndarray  # (N,) bool: above the limit at some moment in the window
    hours_observable: np.ndarray  # (N,) hours above the limit inside the window
    max_altitude: np.ndarray  # (N,) highest apparent altitude inside the window (deg)
    max_altitude_time: np.ndarray  # (N,) when that happens (unix)
    transit: np.ndarray  # (N,) meridian transit nearest the window middle (unix)
    solar_conjunction: np.ndarray  # (N,) bool: within SOLAR_CONJUNCTION_DEG of the Sun
    sun_separation: np.ndarray  # (N,) deg, at the window middle
    moon_separation: np.ndarray  # (N,) deg, at the window middle
    grid: np.ndarray  # (T,) unix
    altitude: np.ndarray  # (N, T) apparent altitude (deg)
    sun_altitude: np.ndarray  # (T,) geometric altitude of the Sun's centre (deg)
    moon_altitude: np.ndarray  # (T,) apparent topocentric altitude of the Moon (deg)
    moon_illumination: float  # 0..1 at the window middle
    moon_phase_angle: float  # deg, 0 = full, 180 = new
    moon_waxing: bool
    # What follows lets the window ask for one target's horizon and Moon without computing
    # astronomy itself; the engine always fills it, hand-built test skies may leave it out.
    apparent_ra: np.ndarray | None = None  # (N,) apparent RA of date (deg)
    apparent_dec: np.ndarray | None = None  # (N,)
    lst_grid: np.ndarray | None = None  # (T,) local apparent sidereal time on ``grid`` (deg)
    moon_direction: np.ndarray | None = None  # (T, 3) topocentric unit vectors of the Moon
    moon_required: np.ndarray | None = None  # (T,) separation needed from the Moon (deg), 0 while it is down
    moon_age: float | None = None  # days since new Moon at the window middle
    moon_min_separation: np.ndarray | None = None  # (N,) closest approach while observable and the Moon up; NaN if never
    moon_clear: np.ndarray | None = None  # (N,) bool: far enough from the Moon at every grid step it is observable
    moon_avoidance: Any = None  # the planner.sky.moon.MoonAvoidance the night was judged with

    def __len__(self) -> int:
        return len(self.ra)

    @property
    def horizon(self):
        """The site's horizon mask (``planner.sky.horizon.HorizonMask``) or None."""
        return self.site.horizon

    def azimuth(self, index: int) -> np.ndarray:
        """Azimuth (deg, N through E) of target ``index`` at each ``grid`` time."""
        if self.apparent_ra is None or self.lst_grid is None or self.apparent_dec is None:
            raise ValueError("this observability carries no apparent places")
        lat = np.radians(self.site.latitude)
        dec = np.radians(self.apparent_dec[index])
        h = np.radians(self.lst_grid - self.apparent_ra[index])
        return np.degrees(np.arctan2(-np.cos(dec) * np.sin(h),
                                     np.sin(dec) * np.cos(lat) - np.cos(dec) * np.cos(h) * np.sin(lat))) % 360.0

    def effective_limit(self, index: int) -> np.ndarray:
        """The apparent altitude target ``index`` must clear at each ``grid`` time: the
        higher of the horizon mask at its azimuth and the site's altitude limit."""
        limit = np.full(self.grid.shape, float(self.site.target_altitude))
        mask = self.site.horizon
        if mask is None or self.apparent_ra is None:
            return limit
        return np.maximum(mask.altitude_at(self.azimuth(index)), limit)

    def moon_separation_on_grid(self, index: int) -> np.ndarray:
        """Angular distance (deg) of target ``index`` from the Moon at each ``grid`` time."""
        if self.moon_direction is None or self.apparent_ra is None or self.apparent_dec is None:
            return np.full(self.grid.shape, float(self.moon_separation[index]))
        ra, dec = np.radians(self.apparent_ra[index]), np.radians(self.apparent_dec[index])
        star = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)])
        return np.degrees(np.arccos(np.clip(self.moon_direction.astype(float) @ star, -1.0, 1.0)))

    def moon_too_close(self, index: int) -> np.ndarray:
        """(T,) bool: target ``index`` nearer the (risen) Moon than the avoidance asks at each grid time."""
        if self.moon_required is None:
            return np.zeros(self.grid.shape, bool)
        return (self.moon_required > 0) & (self.moon_separation_on_grid(index) < self.moon_required)

    def observability_times(self, index: int) -> list[list]:
        """One target's events as JSON-ready ``[[code, unix int or None], ...]``."""
        return [[code, None if t is None else int(round(t))] for code, t in self.events[index]]

    def windows(self, index: int) -> list[tuple[float, float]]:
        """The intervals (unix start, end) when target ``index`` is above the limit in the window."""
        return _windows_from_events(self.events[index], self.night.start, self.night.end)

    def altitude_at(self, index: int, when: np.ndarray | float) -> np.ndarray:
        """Apparent altitude of one target at arbitrary times (interpolated on the grid)."""
        return np.interp(np.asarray(when, dtype=float), self.grid, self.altitude[index])


class TargetEvents(Sequence):
    """Every target's ``observability_times`` (AAVSO's shape: ``[(TARGET_RISES, t), ...]``,
    ``[(TARGET_IS_ALWAYS_UP, None)]`` or ``[]``), made on demand from arrays.

    The engine finds the rises and sets of all targets with array arithmetic; building 2,000
    Python lists of tuples from them cost more than all of that arithmetic, and pickling
    them to the window more again. ``rises``/``sets`` are (N, K) unix times with NaN where
    there is none; ``always_up`` (N,) marks a target above the limit the whole window.
    Reads like a list of lists (index, slice, iterate, compare with a list).
    """

    __slots__ = ("rises", "sets", "always_up")

    def __init__(self, rises: np.ndarray, sets: np.ndarray, always_up: np.ndarray) -> None:
        self.rises = np.asarray(rises, dtype=float)
        self.sets = np.asarray(sets, dtype=float)
        self.always_up = np.asarray(always_up, dtype=bool)

    def __len__(self) -> int:
        return len(self.always_up)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        rises, sets = self.rises[index], self.sets[index]
        merged = sorted([(float(t), TARGET_RISES) for t in rises if t == t]
                        + [(float(t), TARGET_SETS) for t in sets if t == t])
        if merged:
            return [(code, t) for t, code in merged]
        return [(TARGET_IS_ALWAYS_UP, None)] if self.always_up[index] else []

    def __eq__(self, other) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str) or len(other) != len(self):
            return NotImplemented if not isinstance(other, Sequence) else False
        return all(a == list(b) for a, b in zip(self, other))

    __hash__ = None  # mutable arrays inside

    def __repr__(self) -> str:
        return f"TargetEvents({len(self)} targets)"


def _windows_from_events(events, start: float, end: float) -> list[tuple[float, float]]:
    if not events:
        return []
    if events[0][0] == TARGET_IS_ALWAYS_UP:
        return [(start, end)] if end > start else []
    if events[0][0] == TARGET_IS_ALWAYS_DOWN:
        return []
    out: list[tuple[float, float]] = []
    up_since = start if events[0][0] == TARGET_SETS else None
    for code, when in events:
        if code == TARGET_RISES:
            up_since = when
        elif code == TARGET_SETS:
            out.append((start if up_since is None else up_since, when))
            up_since = None
    if up_since is not None:
        out.append((up_since, end))
    return out
