"""One definition of "tonight" for the window and every command.

Tonight is the night in progress (the Sun is below the site's sun altitude now) or, by
day, the coming one, in the site's time zone whatever the computer's. Its date is the
local date of the evening it began (or begins) on. A chosen date means the night starting
on that date's evening, computed from local noon so its whole length is shown.

Which night it is is decided with the engine's quick Earth rotation (UT1 taken as UTC, see
``compute_night(precise=False)``): no IERS table and no astropy, so the window knows its
night in milliseconds before its first paint, and the commands decide the same way. The
choice can differ from the precise Sun only within a second of sunrise.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from planner.sky.engine import compute_night, night_for_date
from planner.sky.site import Site
from planner.sky.types import SUN_EXITS_ALWAYS_DOWN, SUN_IS_ALWAYS_DOWN, SUN_IS_DOWN


@dataclass(frozen=True)
class Tonight:
    """Which night "tonight" is at a moment."""

    date: _dt.date  # local date of its evening
    in_progress: bool  # the Sun is down now: the night has begun
    time: float  # the moment to compute it for (now)

    def describe(self) -> str:
        """"tonight, in progress" or "tonight": what a header says."""
        return "tonight, in progress" if self.in_progress else "tonight"


# Per site, the last answer and the span of moments it holds for: (from, until, date, in
# progress). The window asks "which night is tonight" about ten times per new visibility,
# each time at a new "now" (a miss of the night memo: 0.8 ms each on the GUI thread); the
# answer only changes at the next sunset or sunrise.
_answers: dict[Site, tuple[float, float, _dt.date, bool]] = {}


def tonight(site: Site, now: float) -> Tonight:
    """The night in progress at ``now``, or the coming one."""
    now = float(now)
    known = _answers.get(site)
    if known is not None and known[0] <= now < known[1]:
        return Tonight(known[2], known[3], now)
    night = compute_night(site, now, precise=False)
    in_progress = night.status in (SUN_IS_DOWN, SUN_EXITS_ALWAYS_DOWN, SUN_IS_ALWAYS_DOWN)
    if in_progress:
        evening = night.sunset if night.sunset is not None else night.start
    else:
        evening = night.sunset if night.sunset is not None else now
    date = _dt.datetime.fromtimestamp(evening, site.tz).date()
    if in_progress and night.sunset is None:  # polar night: no sunset to date it by
        date = (_dt.datetime.fromtimestamp(now, site.tz) - _dt.timedelta(hours=12)).date()
    # Holds until the night ends (in progress) or begins (by day), where a sunset dates it;
    # a date taken from "now" itself (polar day and night) is not kept.
    until = night.end if in_progress else night.start
    if night.sunset is not None and until > now:
        _answers[site] = (now, until, date, in_progress)
    return Tonight(date, in_progress, now)


def night_time(site: Site, date: _dt.date | None, now: float) -> float:
    """The ``time`` the sky engine computes a night for: ``now`` for tonight (``date`` None or
    tonight's date), else local noon of ``date`` at the site."""
    if date is None or date == tonight(site, now).date:
        return float(now)
    return float(night_for_date(site, date))
