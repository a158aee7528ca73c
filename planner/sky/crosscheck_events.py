"""The cross-check's inputs made comparable: an event list (the local engine's or the AAVSO
API's ``observability_times``) as ``(code, time)`` pairs, its class (always up, not
observable, rise/set events), the observing windows it describes inside a night, and the
API's ``nighttime`` as a plain mapping. Pure (no numpy, catalog, services or Qt); compared
by ``planner.sky.crosscheck``.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Mapping, Sequence

from planner.numbers import finite_or_none
from planner.sky.types import (
    SUN_ENTERS_ALWAYS_DOWN,
    SUN_EXITS_ALWAYS_DOWN,
    SUN_IS_DOWN,
    SUN_IS_UP,
    TARGET_IS_ALWAYS_UP,
    TARGET_RISES,
    TARGET_SETS,
)

# Classes of an event list.
ALWAYS_UP = "always up"
NEVER_UP = "not observable"
EVENTS = "rise/set events"

Event = tuple[str, "float | None"]


# -- normalising inputs -------------------------------------------------------------------


def normalise_events(events: Iterable[Sequence] | None) -> tuple[Event, ...]:
    """An ``observability_times`` list (API JSON, ``Observability.events[i]`` or a
    ``Target``'s tuple) as a tuple of ``(code, float or None)``; raises ``ValueError`` for
    entries that are not ``[code, time]`` pairs."""
    if events is None:
        return ()
    out: list[Event] = []
    for entry in events:
        try:
            code, when = entry
        except (TypeError, ValueError):
            raise ValueError(f"observability_times entry {entry!r} is not a [code, time] pair") from None
        code = str(code)
        if when is None:
            out.append((code, None))
            continue
        try:
            value = float(when)
        except (TypeError, ValueError):
            raise ValueError(f"observability_times entry {entry!r} has a bad time") from None
        out.append((code, value if math.isfinite(value) else None))
    return tuple(out)


def event_class(events: Sequence[Event]) -> str:
    """``ALWAYS_UP``, ``NEVER_UP`` (``[]`` or TARGET_IS_ALWAYS_DOWN) or ``EVENTS``."""
    codes = [code for code, _ in events]
    if TARGET_IS_ALWAYS_UP in codes:
        return ALWAYS_UP
    if any(code in (TARGET_RISES, TARGET_SETS) for code in codes):
        return EVENTS
    return NEVER_UP


def windows_from_events(events: Sequence[Event], start: float, end: float) -> list[tuple[float, float]]:
    """Intervals (start, end) when the target is above the limit inside [start, end]."""
    kind = event_class(events)
    if kind == ALWAYS_UP:
        return [(start, end)] if end > start else []
    if kind == NEVER_UP:
        return []
    timed = [(code, t) for code, t in events if code in (TARGET_RISES, TARGET_SETS) and t is not None]
    timed.sort(key=lambda e: e[1])
    out: list[tuple[float, float]] = []
    up_since: float | None = start if timed and timed[0][0] == TARGET_SETS else None
    for code, when in timed:
        if code == TARGET_RISES:
            up_since = when
        elif up_since is not None:
            out.append((up_since, when))
            up_since = None
    if up_since is not None:
        out.append((up_since, max(end, up_since)))
    return out


def _clip(windows, lo: float, hi: float) -> list[tuple[float, float]]:
    return [(max(a, lo), min(b, hi)) for a, b in windows if min(b, hi) > max(a, lo)]


def _windows_agree(a, b, tolerance: float) -> bool:
    a = [w for w in a if w[1] - w[0] > tolerance]
    b = [w for w in b if w[1] - w[0] > tolerance]
    if len(a) != len(b):
        return False
    return all(abs(x[0] - y[0]) <= tolerance and abs(x[1] - y[1]) <= tolerance for x, y in zip(a, b))


def _describe_class(events: Sequence[Event]) -> str:
    kind = event_class(events)
    if kind != EVENTS:
        return kind
    return " then ".join("rises" if c == TARGET_RISES else "sets" for c, _ in events if c in (TARGET_RISES, TARGET_SETS))


def _get(obj: Any, key: str, default=None):
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _number_or_none(value) -> float | None:
    return finite_or_none(value)


# Which times each nighttime status lists (the API page's "Status codes").
_LISTS_SUNSET = (SUN_IS_UP, SUN_ENTERS_ALWAYS_DOWN)
_LISTS_SUNRISE = (SUN_IS_UP, SUN_IS_DOWN, SUN_EXITS_ALWAYS_DOWN)


def normalise_nighttime(night: Any) -> dict | None:
    """A ``Night``, the services client's nighttime reply or a plain mapping
    ``{"status", "sunset", "sunrise"}`` as ``{"status", "sunset", "sunrise"}`` with only the
    times that status lists (others None). None when ``night`` is None."""
    if night is None:
        return None
    status = _get(night, "status")
    if not status:
        raise ValueError("the nighttime has no 'status'")
    status = str(status)
    sunset = _number_or_none(_get(night, "sunset"))
    sunrise = _number_or_none(_get(night, "sunrise"))
    return {
        "status": status,
        "sunset": sunset if status in _LISTS_SUNSET else None,
        "sunrise": sunrise if status in _LISTS_SUNRISE else None,
    }


def _window_of(night: dict, time: float | None) -> tuple[float | None, float | None]:
    """[start, end] of the observing window a nighttime describes: [time, sunrise] with the
    Sun down, [sunset, sunrise] with it up."""
    if night["status"] == SUN_IS_UP:
        return night["sunset"], night["sunrise"]
    if night["status"] in (SUN_IS_DOWN, SUN_EXITS_ALWAYS_DOWN):
        return time, night["sunrise"]
    if night["status"] == SUN_ENTERS_ALWAYS_DOWN:
        return night["sunset"], None
    return None, None
