"""The nights ahead, once, for the window's Outlook dock and ``planner outlook``: per target
and night the hours observable (against the horizon mask too), the highest altitude, the
Moon's separation and illumination, and whether the target is due by its cadence then.

Each night is named by its *night of* date: the local date of its evening at the site, in
the site's time zone whatever the computer's (``planner.app.tonight``); the first night by
default is tonight's. A night is computed whole, from its evening (local noon of the date
is the moment asked for), so tonight's row in the outlook counts the hours from sunset even
when the night has begun.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

import numpy as np

from planner.app.helper import run_in_process
from planner.app.tonight import tonight
from planner.app.visibility import positions
from planner.catalog.target import DueColumns
from planner.limits import OUTLOOK_MAX_NIGHTS
from planner.sky import night_for_date
from planner.sky.outlook import compute_outlook
from planner.sky.site import Site
from planner.sky.types import Night

DEFAULT_NIGHTS = 30
MAX_NIGHTS = OUTLOOK_MAX_NIGHTS


class OutlookError(ValueError):
    """An outlook that cannot be asked for (no nights, too many)."""


@dataclass(frozen=True)
class OutlookNight:
    """One night of the outlook."""

    date: _dt.date  # the night of: its evening's local date at the site
    night: Night
    moon_illumination: float  # 0..1 at the night's middle
    moon_age: float  # days since new Moon at the night's middle


@dataclass
class Outlook:
    """N targets over D nights; the arrays are (N, D), row i is ``targets[i]``."""

    site: Site
    targets: list
    nights: list[OutlookNight]
    hours: np.ndarray
    max_altitude: np.ndarray
    moon_separation: np.ndarray
    due: np.ndarray  # bool: due by its cadence at the start of that night
    # events[i][k]: target i's events in night k (planner.app.events.NightEvent, target_index = i)
    events: list[list[tuple]] = field(default_factory=list)

    def events_of(self, row: int, night: int) -> tuple:
        """Target ``row``'s events in night ``night`` (empty without elements)."""
        return self.events[row][night] if self.events else ()

    @property
    def dates(self) -> list[_dt.date]:
        return [n.date for n in self.nights]

    def night_index(self, date: _dt.date) -> int | None:
        return next((k for k, n in enumerate(self.nights) if n.date == date), None)

    def to_json(self) -> dict[str, Any]:
        """``{"site": {...}, "nights": [{"date", "sunset", "sunrise", "targets": [{"star_name",
        "hours", "max_altitude", "moon_separation", "moon_illumination", "due", "events": [{"kind", "label", "time",
        "time_utc", "altitude", "observable"}]}]}]}``;
        times are unix seconds (as the AAVSO API gives them), None where the Sun does not
        cross the site's sun altitude that night."""
        site = self.site
        out_nights = []
        for k, night in enumerate(self.nights):
            illumination = round(float(night.moon_illumination), 3)
            out_nights.append({
                "date": night.date.isoformat(),
                "sunset": _unix(night.night.sunset),
                "sunrise": _unix(night.night.sunrise),
                "targets": [
                    {
                        "star_name": target_name(t),
                        "hours": round(float(self.hours[i, k]), 2),
                        "max_altitude": _round(self.max_altitude[i, k], 1),
                        "moon_separation": _round(self.moon_separation[i, k], 1),
                        "moon_illumination": illumination,
                        "due": bool(self.due[i, k]),
                        "events": [event_json(e) for e in self.events_of(i, k)],
                    }
                    for i, t in enumerate(self.targets)
                ],
            })
        return {
            "site": {
                "name": site.name,
                "latitude": site.latitude,
                "longitude": site.longitude,
                "elevation": site.elevation,
                "timezone": site.timezone,
                "target_altitude": site.target_altitude,
                "sun_altitude": site.sun_altitude,
                "horizon": None if site.horizon is None else (site.horizon.source or "set"),
            },
            "nights": out_nights,
        }


def event_json(event) -> dict[str, Any]:
    """One event of a target-night in ``planner outlook``'s JSON: its kind, the time of its
    middle (a maximum: the maximum) in unix seconds and ISO UTC, the altitude then and its
    visibility class (full, partial, none: as ``planner events`` classes it)."""
    return {
        "kind": event.kind,
        "label": event.label,
        "time": int(round(event.time)),
        "time_utc": _dt.datetime.fromtimestamp(round(event.time), _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "altitude": round(float(event.altitude), 1),
        "observable": event.observable,
    }


def target_name(target: Any) -> str:
    """A ``Target``'s star_name, a ``PlanTarget``'s name."""
    return str(getattr(target, "star_name", None) or getattr(target, "name", ""))


def _unix(t: float | None) -> int | None:
    return None if t is None else int(round(t))


def _round(value, digits: int) -> float | None:
    value = float(value)
    return None if math.isnan(value) else round(value, digits)


def outlook_dates(site: Site, first: _dt.date | None, nights: int, now: float) -> list[_dt.date]:
    """The night-of dates of the outlook: ``nights`` evenings from ``first`` (None: tonight's)."""
    if isinstance(nights, bool) or not isinstance(nights, int) or not 1 <= nights <= MAX_NIGHTS:
        raise OutlookError(f"The outlook covers 1 to {MAX_NIGHTS} nights, not {nights!r}.")
    start = first if first is not None else tonight(site, now).date
    return [start + _dt.timedelta(days=k) for k in range(nights)]


def outlook(targets: Sequence[Any], site: Site, dates: Sequence[_dt.date]) -> Outlook:
    """The outlook of ``targets`` (anything with ra/dec; cadence and last data for "due")
    at ``site`` (its horizon mask included) for the nights of ``dates``."""
    targets = list(targets)
    times = [night_for_date(site, d) for d in dates]
    ra, dec = positions(targets)
    sky = compute_outlook(ra, dec, site, times)
    nights = [OutlookNight(d, night, float(sky.moon_illumination[k]), float(sky.moon_age[k]))
              for k, (d, night) in enumerate(zip(dates, sky.nights))]
    due = np.zeros((len(targets), len(dates)), dtype=bool)
    columns = DueColumns.of(targets)
    for k, night in enumerate(sky.nights):
        due[:, k] = columns.due(night.start)
    events = outlook_events(targets, site, dates)
    return Outlook(site, targets, nights, sky.hours, sky.max_altitude, sky.moon_separation, due, events)


def outlook_events(targets: Sequence[Any], site: Site, dates: Sequence[_dt.date]) -> list[list[tuple]]:
    """``events[i][k]``: target i's events in the night of ``dates[k]``, each night through
    ``events_for_night`` (the same call ``planner events --date`` makes), asked for the
    targets with elements only (the others have no events to predict)."""
    from planner.app.events import events_for_night

    targets = list(targets)
    out: list[list[tuple]] = [[() for _ in dates] for _ in targets]
    rows = [i for i, t in enumerate(targets) if getattr(t, "elements", None) is not None]
    if not rows:
        return out
    chosen = [targets[i] for i in rows]
    for k, date in enumerate(dates):
        night = events_for_night(chosen, site, night_for_date(site, date))
        for j, row in enumerate(night.targets):
            out[rows[j]][k] = tuple(replace(e, target_index=rows[j]) for e in row.events)
    return out


def outlook_in_helper(targets: Sequence[Any], site: Site, dates: Sequence[_dt.date]) -> Outlook:
    """``outlook`` in the sky helper process (the window's Outlook dock)."""
    return run_in_process(outlook, list(targets), site, list(dates))
