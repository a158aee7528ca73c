"""One target's night, read from the night's ``Observability`` (no astronomy of its own beyond
the meridian altitude): where it is (J2000, sexagesimal), when it can be observed (its windows
above the limit and the horizon mask, their hours), its transit and the altitude there, and
the altitude curve with the limit and the dark time for a small chart.

``target_sky`` is what the window's Details dock shows and ``planner tonight --star`` prints
(``describe_target_sky``), so the two can never tell different stories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import tzinfo

import numpy as np

from planner.formatting import dec_dms, format_clock, ra_hms
from planner.sky.engine import apparent_altitude
from planner.sky.types import (
    SUN_EXITS_ALWAYS_DOWN,
    SUN_IS_ALWAYS_DOWN,
    SUN_IS_DOWN,
    TARGET_IS_ALWAYS_UP,
    Observability,
)

_IN_PROGRESS = (SUN_IS_DOWN, SUN_EXITS_ALWAYS_DOWN, SUN_IS_ALWAYS_DOWN)  # the night had begun at its time


@dataclass(frozen=True)
class TargetSky:
    """Target ``index`` of an ``Observability``; times unix, angles degrees."""

    name: str
    ra: float  # J2000
    dec: float
    constellation: str
    windows: tuple[tuple[float, float], ...]  # above the limit (and the mask) inside the night
    hours: float
    up_all_night: bool
    max_altitude: float
    max_altitude_time: float
    transit: float  # the upper culmination nearest the night's middle
    transit_altitude: float  # apparent (refracted) altitude at that transit
    night: tuple[float, float]  # the window the events are computed in (night.start, night.end)
    dark: tuple[float | None, float | None]  # astronomical dusk and dawn (None: no full darkness)
    sun: tuple[float | None, float | None]  # sunset and sunrise bracketing the night (None: none)
    now: float | None  # the moment a night in progress was computed at (None: a night ahead)
    grid: np.ndarray  # (T,) unix
    altitude: np.ndarray  # (T,) apparent altitude on grid
    limit: np.ndarray  # (T,) the altitude it must clear (the limit or the horizon mask)

    @property
    def observable(self) -> bool:
        return bool(self.windows)

    @property
    def transit_in_night(self) -> bool:
        """Whether the transit falls between sunset and sunrise (the night's bounds without them)."""
        start = self.sun[0] if self.sun[0] is not None else self.night[0]
        end = self.sun[1] if self.sun[1] is not None else self.night[1]
        return start <= self.transit <= end


def target_sky(obs: Observability, index: int, target=None) -> TargetSky:
    """Target ``index`` of ``obs`` (``target``: its ``Target`` for the name and constellation)."""
    i = int(index)
    night = obs.night
    tw = night.twilight
    if obs.apparent_dec is not None:
        # the meridian altitude of the apparent place, refracted as the engine's grid is
        geometric = 90.0 - abs(float(obs.site.latitude) - float(obs.apparent_dec[i]))
        transit_alt = float(apparent_altitude(geometric))
    else:  # a hand-built sky without apparent places: read the grid
        transit_alt = float(obs.altitude_at(i, float(obs.transit[i])))
    events = obs.events[i]
    return TargetSky(
        name=getattr(target, "star_name", ""),
        ra=float(obs.ra[i]),
        dec=float(obs.dec[i]),
        constellation=getattr(target, "constellation", "") or "",
        windows=tuple((float(a), float(b)) for a, b in obs.windows(i)),
        hours=float(obs.hours_observable[i]),
        up_all_night=bool(events) and events[0][0] == TARGET_IS_ALWAYS_UP,
        max_altitude=float(obs.max_altitude[i]),
        max_altitude_time=float(obs.max_altitude_time[i]),
        transit=float(obs.transit[i]),
        transit_altitude=transit_alt,
        night=(float(night.start), float(night.end)),
        dark=(tw.astronomical_dusk, tw.astronomical_dawn),
        now=float(night.time) if night.status in _IN_PROGRESS else None,
        sun=(tw.sunset if tw.sunset is not None else night.sunset, tw.sunrise if tw.sunrise is not None else night.sunrise),
        grid=np.asarray(obs.grid, dtype=float),
        altitude=np.asarray(obs.altitude[i], dtype=float),
        limit=obs.effective_limit(i),
    )


def window_text(sky: TargetSky, tz: tzinfo, label: str) -> str:
    """"21:05 – 04:40 CET Europe/Amsterdam, 7.6 h", "up all night: ...", or why it is not observable."""
    if not sky.observable:
        if sky.night[1] <= sky.night[0]:
            return "no night here (the Sun does not go down far enough)"
        if sky.transit_altitude < 0:
            return "never: it never rises at this latitude"
        return f"not tonight: it stays below your limit (highest {sky.max_altitude:.0f}° in the night)"
    def start(a: float) -> str:  # a window open already when a night in progress was computed
        return format_clock(a, tz) + (" (now)" if sky.now is not None and a <= sky.now else "")

    spans = ", ".join(f"{start(a)} – {format_clock(b, tz)}" for a, b in sky.windows)
    prefix = "up all night, " if sky.up_all_night else ""
    return f"{prefix}{spans} {label}, {sky.hours:.1f} h"


def transit_text(sky: TargetSky, tz: tzinfo, label: str) -> str:
    """"00:57 CET Europe/Amsterdam at 53°" (with its date and "in daylight" when it falls outside
    the night, "below the horizon" when the culmination itself is)."""
    inside = sky.transit_in_night
    text = f"{format_clock(sky.transit, tz, date=not inside)} {label} at {sky.transit_altitude:.0f}°"
    if sky.transit_altitude < 0:
        return text + " (below the horizon)"
    if not inside:
        return text + " (in daylight)"
    return text + " (passed)" if sky.transit < sky.night[0] else text


def position_text(ra: float, dec: float, constellation: str = "") -> str:
    """"RA 21:42:42.7  Dec +43:35:10 (J2000), in Cyg"."""
    text = f"RA {ra_hms(ra, decimals=1)}  Dec {dec_dms(dec, decimals=0)} (J2000)"
    return text + (f", in {constellation}" if constellation else "")


def describe_target_sky(sky: TargetSky, tz: tzinfo, label: str) -> list[tuple[str, str]]:
    """(label, text) rows: what the Details dock shows and ``planner tonight --star`` prints."""
    rows = [("Position", position_text(sky.ra, sky.dec, sky.constellation)), ("Observable", window_text(sky, tz, label)),
            ("Transit", transit_text(sky, tz, label))]
    if sky.observable:
        rows.append(("Highest", f"{sky.max_altitude:.0f}° at {format_clock(sky.max_altitude_time, tz)}"))
    return rows


__all__ = ["TargetSky", "describe_target_sky", "position_text", "target_sky", "transit_text", "window_text"]
