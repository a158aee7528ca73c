"""Cross-check of the local sky engine against the AAVSO Target Tool API's own answers.

Compares the local nighttime with the API's ``nighttime`` and each target's local
``observability_times`` with the API's, matched by star name, and says what differs and,
when the disagreement is wholesale, why that is most likely so. Pure: numpy only, no
catalog, services or Qt, so the inputs are plain mappings and event lists.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from planner.sky.types import (
    SUN_ENTERS_ALWAYS_DOWN,
    SUN_EXITS_ALWAYS_DOWN,
    SUN_IS_DOWN,
    SUN_IS_UP,
    TARGET_IS_ALWAYS_UP,
    TARGET_RISES,
    TARGET_SETS,
)

DEFAULT_TOLERANCE_S = 120.0

AGREE = "agree"
DIFFER = "differ"

# Kinds of disagreement of one target.
STATUS_DIFFERS = "status differs"  # e.g. ALWAYS_UP locally, rise/set events at AAVSO
EVENT_MISSING = "event missing"  # AAVSO lists an event the local engine does not have
EXTRA_EVENT = "extra event"  # the local engine has an event AAVSO does not list
TIME_DIFFERS = "time differs"  # same event on both sides, times further apart than the tolerance
KINDS = (STATUS_DIFFERS, EVENT_MISSING, EXTRA_EVENT, TIME_DIFFERS)

# Classes of an event list.
ALWAYS_UP = "always up"
NEVER_UP = "not observable"
EVENTS = "rise/set events"

LIKELY_CAUSE = (
    "the site or limits stored at AAVSO differ from the local ones: AAVSO computes with the "
    "telescope settings stored in your account when the request omits them. Push the local "
    "site to AAVSO (its 'telescope' settings) or check the local site and limits."
)

# Wholesale-disagreement thresholds.
_WHOLESALE_FRACTION = 0.5  # more than half of the compared targets differ
_MIN_COMPARED = 3  # below this, no statistics
_SYSTEMATIC_MIN_EVENTS = 3  # timing differences of one event code needed to call an offset systematic
_SYSTEMATIC_SAME_SIGN = 0.8  # share of them that must lie on the same side
# Share of paired rise/set times further apart than the tolerance that is no longer a few
# outliers: with the same site and limits the engine matches every one of the reference's
# 200 event times within seconds, while one degree of latitude moves 72 % of them by more
# than 2 minutes (in both directions, so no one-signed offset shows).
_TIMED_FRACTION = 0.25


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
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


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


# -- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDifference:
    """One disagreement of one target. Times are unix seconds; ``difference_s`` is
    local minus API (positive: the local event is later)."""

    kind: str
    code: str | None = None
    local_time: float | None = None
    api_time: float | None = None
    local_status: str = ""
    api_status: str = ""

    @property
    def difference_s(self) -> float | None:
        if self.local_time is None or self.api_time is None:
            return None
        return self.local_time - self.api_time

    def describe(self, tz: tzinfo | None = None) -> str:
        """One line for people; times in ``tz`` (UTC when None)."""
        if self.kind == STATUS_DIFFERS:
            return f"status differs: local {self.local_status}, AAVSO {self.api_status}"
        code = _code_word(self.code)
        if self.kind == EVENT_MISSING:
            return f"event missing: AAVSO {code} at {_fmt_time(self.api_time, tz)}, not found locally"
        if self.kind == EXTRA_EVENT:
            return f"extra event: local {code} at {_fmt_time(self.local_time, tz)}, not listed by AAVSO"
        return (
            f"time differs: {code} local {_fmt_time(self.local_time, tz)}, "
            f"AAVSO {_fmt_time(self.api_time, tz)} ({self.difference_s:+.0f} s)"
        )

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "code": self.code,
            "local_time": _json_time(self.local_time),
            "api_time": _json_time(self.api_time),
            "difference_s": None if self.difference_s is None else round(self.difference_s, 1),
            "local_status": self.local_status or None,
            "api_status": self.api_status or None,
        }


@dataclass(frozen=True)
class TargetComparison:
    """Local and API events of one target and what differs between them."""

    name: str
    local_events: tuple[Event, ...]
    api_events: tuple[Event, ...]
    differences: tuple[EventDifference, ...] = ()
    # Every rise/set paired between the two sides, agreeing or not: (code, local, api).
    matched: tuple[tuple[str, float, float], ...] = ()

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def status(self) -> str:
        return AGREE if self.agrees else DIFFER

    @property
    def kind(self) -> str | None:
        return self.differences[0].kind if self.differences else None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "local": [[c, _json_time(t)] for c, t in self.local_events],
            "api": [[c, _json_time(t)] for c, t in self.api_events],
            "differences": [d.to_json() for d in self.differences],
        }


@dataclass(frozen=True)
class NightComparison:
    """The local nighttime against the API's. ``local``/``api`` are normalised mappings
    (``normalise_nighttime``); ``api`` is None when the API's nighttime was not available."""

    local: dict
    api: dict | None
    tolerance_s: float
    problems: tuple[str, ...] = ()

    @property
    def compared(self) -> bool:
        return self.api is not None

    @property
    def agrees(self) -> bool:
        return self.compared and not self.problems

    @property
    def sunset_difference_s(self) -> float | None:
        return self._diff("sunset")

    @property
    def sunrise_difference_s(self) -> float | None:
        return self._diff("sunrise")

    def _diff(self, key: str) -> float | None:
        if self.api is None or self.local.get(key) is None or self.api.get(key) is None:
            return None
        return self.local[key] - self.api[key]

    def describe(self, tz: tzinfo | None = None) -> str:
        local = _describe_night(self.local, tz)
        if self.api is None:
            return f"nighttime: local {local}; AAVSO nighttime not available, not compared"
        verdict = "agrees" if self.agrees else "differs: " + "; ".join(self.problems)
        return f"nighttime {verdict} (local {local}; AAVSO {_describe_night(self.api, tz)})"

    def to_json(self) -> dict:
        return {
            "compared": self.compared,
            "agrees": self.agrees if self.compared else None,
            "local": {k: _json_time(v) if k != "status" else v for k, v in self.local.items()},
            "api": None if self.api is None else {k: _json_time(v) if k != "status" else v for k, v in self.api.items()},
            "sunset_difference_s": _round(self.sunset_difference_s),
            "sunrise_difference_s": _round(self.sunrise_difference_s),
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class CrossCheckReport:
    """Everything the cross-check found: per-target results, the nighttime comparison,
    targets present on one side only, and the wholesale-disagreement diagnosis."""

    targets: tuple[TargetComparison, ...]
    nighttime: NightComparison | None
    only_local: tuple[str, ...] = ()
    only_api: tuple[str, ...] = ()
    tolerance_s: float = DEFAULT_TOLERANCE_S
    time: float | None = None
    site: dict = field(default_factory=dict)
    wholesale: bool = False
    reasons: tuple[str, ...] = ()
    likely_cause: str | None = None
    suggest_push_site: bool = False

    @property
    def agree_count(self) -> int:
        return sum(1 for t in self.targets if t.agrees)

    @property
    def differ_count(self) -> int:
        return sum(1 for t in self.targets if not t.agrees)

    @property
    def compared_count(self) -> int:
        return len(self.targets)

    @property
    def differing(self) -> tuple[TargetComparison, ...]:
        return tuple(t for t in self.targets if not t.agrees)

    @property
    def differing_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.targets if not t.agrees)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "agree": self.agree_count,
            "differ": self.differ_count,
            "only_local": len(self.only_local),
            "only_api": len(self.only_api),
        }

    @property
    def all_agree(self) -> bool:
        night_ok = self.nighttime is None or not self.nighttime.compared or self.nighttime.agrees
        return self.differ_count == 0 and night_ok

    def differences(self) -> list[tuple[str, EventDifference]]:
        """Every disagreement as (star name, difference), in target order."""
        return [(t.name, d) for t in self.targets for d in t.differences]

    def summary(self) -> str:
        text = f"cross-check: {self.agree_count} agree, {self.differ_count} differ"
        extra = []
        if self.nighttime is not None and self.nighttime.compared and not self.nighttime.agrees:
            extra.append("nighttime differs")
        if self.only_local:
            extra.append(f"{len(self.only_local)} only local")
        if self.only_api:
            extra.append(f"{len(self.only_api)} only at AAVSO")
        return text + (f" ({', '.join(extra)})" if extra else "")

    def to_json(self) -> dict:
        return {
            "summary": self.summary(),
            "time": _json_time(self.time),
            "site": dict(self.site),
            "tolerance_s": self.tolerance_s,
            "counts": self.counts,
            "nighttime": None if self.nighttime is None else self.nighttime.to_json(),
            "wholesale": self.wholesale,
            "reasons": list(self.reasons),
            "likely_cause": self.likely_cause,
            "suggest_push_site": self.suggest_push_site,
            "differing": [t.to_json() for t in self.differing],
            "differing_names": sorted(self.differing_names),
            "only_local": list(self.only_local),
            "only_api": list(self.only_api),
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2, sort_keys=False)

    def to_text(self, tz: tzinfo | None = None) -> str:
        """A report for people; times in ``tz`` (UTC when None)."""
        lines = [self.summary()]
        if self.site:
            lines.append("site: " + ", ".join(f"{k} {v}" for k, v in self.site.items()))
        if self.time is not None:
            lines.append(f"time: {_fmt_time(self.time, tz)}; tolerance {self.tolerance_s:g} s")
        if self.nighttime is not None:
            lines.append(self.nighttime.describe(tz))
        if self.wholesale:
            lines.append("")
            lines.append("The answers disagree wholesale: " + "; ".join(self.reasons) + ".")
            if self.likely_cause:
                lines.append("Likely cause: " + self.likely_cause)
        if self.differing:
            lines.append("")
            lines.append("Disagreements (difference = local - AAVSO):")
            for target in self.differing:
                for diff in target.differences:
                    lines.append(f"  {target.name}: {diff.describe(tz)}")
        if self.only_api:
            lines.append("")
            lines.append("Only at AAVSO (no local result): " + ", ".join(self.only_api))
        if self.only_local:
            lines.append("")
            lines.append("Only local (no AAVSO times): " + ", ".join(self.only_local))
        return "\n".join(lines)


# -- comparing ----------------------------------------------------------------------------


def compare_events(
    name: str,
    local: Iterable[Sequence] | None,
    api: Iterable[Sequence] | None,
    *,
    window: tuple[float | None, float | None] = (None, None),
    api_window: tuple[float | None, float | None] | None = None,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
) -> TargetComparison:
    """Compare one target's local and API ``observability_times``.

    ``window`` is the night's observing window [start, end]: an event within the tolerance
    of either end that only one side lists is a rounding at the edge, not a disagreement
    (a star that rises 30 s before dawn is "not observable" to the other side), and a
    list of events is compared with ALWAYS_UP through the visibility windows they imply.
    ``api_window`` is the API's own window when its nighttime is known and differs: an
    event at its edge is explained by the nighttime difference, reported on its own.
    """
    local_ev = normalise_events(local)
    api_ev = normalise_events(api)
    tol = float(tolerance_s)
    start, end = window
    local_class, api_class = event_class(local_ev), event_class(api_ev)

    def at_edge(t: float) -> bool:
        return _near_edge(t, start, end, tol) or (api_window is not None and _near_edge(t, *api_window, tol))

    matched: list[tuple[str, float, float]] = []
    lone: list[EventDifference] = []
    for code in (TARGET_RISES, TARGET_SETS):
        mine = sorted(t for c, t in local_ev if c == code and t is not None)
        theirs = sorted(t for c, t in api_ev if c == code and t is not None)
        pairs, lone_local, lone_api = _match(mine, theirs)
        matched.extend((code, lt, at) for lt, at in pairs)
        lone.extend(EventDifference(EXTRA_EVENT, code, local_time=lt) for lt in lone_local if not at_edge(lt))
        lone.extend(EventDifference(EVENT_MISSING, code, api_time=at) for at in lone_api if not at_edge(at))
    matched.sort(key=lambda m: m[2])

    def result(*differences: EventDifference) -> TargetComparison:
        return TargetComparison(name, local_ev, api_ev, tuple(differences), tuple(matched))

    if start is not None and end is not None:
        known = api_window is not None and None not in api_window
        api_start, api_end = api_window if known else (start, end)
        # With both nights known, compare inside the part both sides call night (the
        # nighttime comparison reports the rest); otherwise an API event outside the
        # local night is a disagreement of its own.
        lo, hi = (max(start, api_start), min(end, api_end)) if known else (-math.inf, math.inf)
        if _windows_agree(
            _clip(windows_from_events(local_ev, start, end), lo, hi),
            _clip(windows_from_events(api_ev, api_start, api_end), lo, hi),
            tol,
        ):
            return result()
    elif local_class == api_class and local_class != EVENTS:
        return result()

    if local_class != api_class:
        return result(
            EventDifference(STATUS_DIFFERS, local_status=_describe_class(local_ev), api_status=_describe_class(api_ev))
        )

    differences = [EventDifference(TIME_DIFFERS, code, lt, at) for code, lt, at in matched if abs(lt - at) > tol]
    differences.extend(lone)
    if not differences and start is not None and end is not None:
        # Every event matched within tolerance, yet the windows differ: the order of
        # rises and sets is not the same (e.g. rises-sets against sets-rises).
        differences.append(
            EventDifference(STATUS_DIFFERS, local_status=_describe_class(local_ev), api_status=_describe_class(api_ev))
        )
    differences.sort(key=lambda d: d.local_time if d.local_time is not None else (d.api_time or 0.0))
    return result(*differences)


def _match(mine: list[float], theirs: list[float]):
    """Pair two short sorted time lists nearest-first; return pairs and the leftovers."""
    candidates = sorted(
        ((abs(a - b), i, j) for i, a in enumerate(mine) for j, b in enumerate(theirs)), key=lambda x: x[0]
    )
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_i or j in used_j:
            continue
        used_i.add(i)
        used_j.add(j)
        pairs.append((mine[i], theirs[j]))
    lone_mine = [a for i, a in enumerate(mine) if i not in used_i]
    lone_theirs = [b for j, b in enumerate(theirs) if j not in used_j]
    return pairs, lone_mine, lone_theirs


def _near_edge(t: float, start: float | None, end: float | None, tol: float) -> bool:
    return (start is not None and abs(t - start) <= tol) or (end is not None and abs(t - end) <= tol)


def compare_nighttime(
    local: Any, api: Any, *, time: float | None = None, tolerance_s: float = DEFAULT_TOLERANCE_S
) -> NightComparison:
    """Compare the local nighttime (a ``Night`` or mapping) with the API's (mapping or the
    services client's reply; None when not available). Different status codes whose
    observing windows agree within the tolerance (the Sun crossing the limit at the very
    moment asked about) are not a disagreement."""
    loc = normalise_nighttime(local)
    if loc is None:
        raise ValueError("the local nighttime is required")
    if time is None:
        time = _number_or_none(_get(local, "time"))
    theirs = normalise_nighttime(api)
    tol = float(tolerance_s)
    if theirs is None:
        return NightComparison(loc, None, tol)
    problems: list[str] = []
    if loc["status"] != theirs["status"]:
        ls, le = _window_of(loc, time)
        as_, ae = _window_of(theirs, time)
        same_window = all(
            x is not None and y is not None and abs(x - y) <= tol for x, y in ((ls, as_), (le, ae))
        )
        if not same_window:
            problems.append(f"status local {loc['status']}, AAVSO {theirs['status']}")
        return NightComparison(loc, theirs, tol, tuple(problems))
    for key in ("sunset", "sunrise"):
        mine, other = loc[key], theirs[key]
        if mine is None and other is None:
            continue
        if mine is None or other is None:
            side = "AAVSO" if mine is None else "local"
            problems.append(f"{key} only listed {'by AAVSO' if side == 'AAVSO' else 'locally'}")
            continue
        if abs(mine - other) > tol:
            problems.append(f"{key} local {_fmt_time(mine)}, AAVSO {_fmt_time(other)} ({mine - other:+.0f} s)")
    return NightComparison(loc, theirs, tol, tuple(problems))


def _named_events(source: Any) -> list[tuple[str, Any]]:
    """(name, events) pairs from a mapping name -> events, or from records (``Target``s or
    API dicts) with ``star_name`` and ``observability_times``. Records whose
    ``observability_times`` is None carry no API answer and are left out."""
    if isinstance(source, Mapping):
        return [(str(k), v) for k, v in source.items()]
    out = []
    for record in source:
        if isinstance(record, tuple) and len(record) == 2 and isinstance(record[0], str):
            out.append(record)
            continue
        name = _get(record, "star_name") or _get(record, "name")
        if not name:
            raise ValueError(f"a target record has no star name: {record!r:.80}")
        out.append((str(name), _get(record, "observability_times")))
    return out


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Name -> events keeping order; a repeated name gets ' #2', ' #3' so nothing is lost."""
    out: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for name, events in pairs:
        key = name.strip()
        seen[key] = seen.get(key, 0) + 1
        out[key if seen[key] == 1 else f"{key} #{seen[key]}"] = events
    return out


def crosscheck(
    local_night: Any,
    api_nighttime: Any,
    local_targets: Any,
    api_targets: Any,
    *,
    time: float | None = None,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    site: Mapping | None = None,
) -> CrossCheckReport:
    """Cross-check local results against the API's.

    ``local_night``: the local ``Night`` (or a mapping with status/sunset/sunrise and,
    for the observing window, start/end). ``api_nighttime``: the API's nighttime or None.
    ``local_targets``/``api_targets``: a mapping star name -> observability_times, or
    records with ``star_name`` and ``observability_times`` (API dicts, ``Target``s); an API
    record whose observability_times is None has no API answer and counts as local-only.
    ``site`` describes the settings used (shown in the report).
    """
    tol = float(tolerance_s)
    if not (math.isfinite(tol) and tol >= 0):
        raise ValueError(f"the tolerance must be a number of seconds >= 0, not {tolerance_s!r}")
    if time is None:
        time = _number_or_none(_get(local_night, "time"))
    window = (_number_or_none(_get(local_night, "start")), _number_or_none(_get(local_night, "end")))
    if window[0] is None or window[1] is None:
        loc = normalise_nighttime(local_night)
        window = _window_of(loc, time) if loc else (None, None)

    local = _unique(_named_events(local_targets))
    api_all = _unique(_named_events(api_targets))
    api = {k: v for k, v in api_all.items() if v is not None}
    local = {k: v for k, v in local.items() if v is not None}

    api_night = normalise_nighttime(api_nighttime)
    api_window = _window_of(api_night, time) if api_night else None
    results = tuple(
        compare_events(name, events, api[name], window=window, api_window=api_window, tolerance_s=tol)
        for name, events in local.items()
        if name in api
    )
    only_local = tuple(name for name in local if name not in api)
    only_api = tuple(name for name in api if name not in local)
    night = None if local_night is None else compare_nighttime(local_night, api_nighttime, time=time, tolerance_s=tol)
    wholesale, reasons = diagnose(results, night, tol)
    return CrossCheckReport(
        targets=results,
        nighttime=night,
        only_local=only_local,
        only_api=only_api,
        tolerance_s=tol,
        time=time,
        site=dict(site or {}),
        wholesale=wholesale,
        reasons=tuple(reasons),
        likely_cause=LIKELY_CAUSE if wholesale else None,
        suggest_push_site=wholesale,
    )


def crosscheck_observability(
    observability: Any,
    names: Sequence[str],
    api_targets: Any,
    api_nighttime: Any = None,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    site: Mapping | None = None,
) -> CrossCheckReport:
    """Cross-check an ``Observability`` (targets named by ``names``, in its order) against
    the API's targets and nighttime."""
    if len(names) != len(observability.events):
        raise ValueError(f"{len(names)} names for {len(observability.events)} computed targets")
    local = list(zip(names, observability.events))
    if site is None:
        s = observability.site
        site = {
            "latitude": s.latitude,
            "longitude": s.longitude,
            "target_altitude": s.target_altitude,
            "sun_altitude": s.sun_altitude,
        }
    return crosscheck(
        observability.night,
        api_nighttime,
        local,
        api_targets,
        time=observability.night.time,
        tolerance_s=tolerance_s,
        site=site,
    )


# -- the wholesale diagnosis --------------------------------------------------------------


def systematic_offsets(results: Sequence[TargetComparison], tolerance_s: float) -> dict[str, float]:
    """Event codes whose paired times (all of them, agreeing or not) are shifted one way by
    more than the tolerance in the median: code -> median difference (s, local - API).
    A few outliers leave the median alone; a changed site or limit moves it. A different longitude shifts every
    event the same way; a different altitude limit moves rises one way and sets the other;
    a different latitude shifts them by declination-dependent but one-signed amounts."""
    by_code: dict[str, list[float]] = {}
    for result in results:
        for code, local_t, api_t in result.matched:
            by_code.setdefault(code, []).append(local_t - api_t)
    offsets: dict[str, float] = {}
    for code, values in by_code.items():
        arr = np.asarray(values, dtype=float)
        if arr.size < _SYSTEMATIC_MIN_EVENTS:
            continue
        same_sign = max(float(np.mean(arr > 0)), float(np.mean(arr < 0)))
        median = float(np.median(arr))
        if same_sign >= _SYSTEMATIC_SAME_SIGN and abs(median) > tolerance_s:
            offsets[code] = median
    return offsets


def diagnose(results: Sequence[TargetComparison], night: NightComparison | None, tolerance_s: float):
    """(wholesale?, reasons): the API's answers disagree as a whole when most targets
    differ, the nighttime differs, many rise/set times differ, or the timing differences
    are systematic."""
    reasons: list[str] = []
    n = len(results)
    differ = sum(1 for r in results if not r.agrees)
    if n >= _MIN_COMPARED and differ / n > _WHOLESALE_FRACTION:
        reasons.append(f"{differ} of {n} targets differ")
    if night is not None and night.compared and not night.agrees:
        reasons.append("the nighttime differs (" + "; ".join(night.problems) + ")")
    gaps = np.array([abs(lt - at) for r in results for _, lt, at in r.matched], dtype=float)
    beyond = int(np.sum(gaps > tolerance_s))
    if beyond >= _SYSTEMATIC_MIN_EVENTS and beyond / gaps.size > _TIMED_FRACTION:
        reasons.append(f"{beyond} of {gaps.size} rise/set times differ by more than {tolerance_s:g} s")
    offsets = systematic_offsets(results, tolerance_s)
    if offsets and differ >= _SYSTEMATIC_MIN_EVENTS:
        parts = [
            f"{_code_word(code)} {abs(v) / 60:.1f} min {'later' if v > 0 else 'earlier'} locally"
            for code, v in sorted(offsets.items())
        ]
        reasons.append("systematic offset: " + ", ".join(parts))
    return bool(reasons), reasons


# -- formatting ---------------------------------------------------------------------------


def _code_word(code: str | None) -> str:
    return {TARGET_RISES: "rise", TARGET_SETS: "set"}.get(code or "", code or "event")


def _fmt_time(t: float | None, tz: tzinfo | None = None) -> str:
    if t is None:
        return "—"
    when = datetime.fromtimestamp(t, tz or timezone.utc)
    if tz is None:
        return when.strftime("%Y-%m-%d %H:%M:%SZ")
    return when.strftime("%Y-%m-%d %H:%M:%S %Z")


def format_time(t: float | None, tz: tzinfo | None = None) -> str:
    """A unix time as text in ``tz`` (UTC when None); '—' for None."""
    return _fmt_time(t, tz)


def _json_time(t: float | None):
    if t is None:
        return None
    return int(round(t)) if abs(t - round(t)) < 1e-6 else round(t, 3)


def _round(v: float | None):
    return None if v is None else round(v, 1)


def _describe_night(night: dict, tz: tzinfo | None = None) -> str:
    parts = [night["status"]]
    if night.get("sunset") is not None:
        parts.append(f"sunset {_fmt_time(night['sunset'], tz)}")
    if night.get("sunrise") is not None:
        parts.append(f"sunrise {_fmt_time(night['sunrise'], tz)}")
    return ", ".join(parts)


def crosscheck_records(
    records: Sequence[Any],
    site: Any,
    time: float,
    api_nighttime: Any = None,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    compute=None,
) -> CrossCheckReport:
    """Compute locally and cross-check in one call: ``records`` are the API's targets
    (``Target``s or API dicts with star_name, ra, dec, observability_times), ``site`` a
    ``planner.sky.Site`` with the limits the API was asked for, ``time`` the moment the API
    computed for. Records without observability_times are left out. ``compute(ra, dec,
    site, time)`` is the sky engine's ``compute_observability`` unless the caller runs it
    elsewhere (the window passes one that uses the sky helper process). The use case
    ``planner.app.crosscheck.compare_with_aavso``, which both ``planner crosscheck`` and
    the window's Cross-check run, calls this."""
    from planner.sky.engine import compute_night, compute_observability

    with_times = [r for r in records if _get(r, "observability_times") is not None]
    site_info = {
        "latitude": site.latitude,
        "longitude": site.longitude,
        "target_altitude": site.target_altitude,
        "sun_altitude": site.sun_altitude,
    }
    if not with_times:
        return crosscheck(
            compute_night(site, time), api_nighttime, {}, with_times, time=time, tolerance_s=tolerance_s, site=site_info
        )
    try:
        ra = np.array([float(_get(r, "ra")) for r in with_times], dtype=float)
        dec = np.array([float(_get(r, "dec")) for r in with_times], dtype=float)
    except (TypeError, ValueError):
        raise ValueError("every target needs numeric ra and dec to be computed locally") from None
    names = [str(_get(r, "star_name") or _get(r, "name")) for r in with_times]
    obs = (compute or compute_observability)(ra, dec, site, time)
    return crosscheck_observability(obs, names, with_times, api_nighttime, tolerance_s=tolerance_s, site=site_info)
