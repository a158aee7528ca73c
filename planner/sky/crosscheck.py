"""Cross-check of the local sky engine against the AAVSO Target Tool API's own answers.

Compares the local nighttime with the API's ``nighttime`` and each target's local
``observability_times`` with the API's, matched by star name, and says what differs and,
when the disagreement is wholesale, why that is most likely so. Pure: numpy only, no
catalog, services or Qt, so the inputs are plain mappings and event lists.

Four modules: ``crosscheck_events`` makes the inputs comparable, this one compares them,
``crosscheck_diagnosis`` says why a wholesale disagreement is most likely so, and
``crosscheck_report`` holds the results and their text. The names of all four are
importable from here.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from planner.sky.crosscheck_events import (
    ALWAYS_UP,
    EVENTS,
    NEVER_UP,
    Event,
    _clip,
    _describe_class,
    _get,
    _number_or_none,
    _window_of,
    _windows_agree,
    event_class,
    normalise_events,
    normalise_nighttime,
    windows_from_events,
)
from planner.sky.crosscheck_report import (
    AGREE,
    DEFAULT_TOLERANCE_S,
    DIFFER,
    EVENT_MISSING,
    EXTRA_EVENT,
    KINDS,
    STATUS_DIFFERS,
    TIME_DIFFERS,
    CrossCheckReport,
    EventDifference,
    NightComparison,
    TargetComparison,
    _fmt_time,
    format_time,
)
from planner.sky.crosscheck_diagnosis import (
    LIKELY_CAUSE,
    LIKELY_CAUSE_OTHER_SITE,
    LIKELY_CAUSE_SAME_SITE,
    SITE_KEYS,
    _likely_cause,
    diagnose,
    flat_limit_note,
    site_changes,
    systematic_offsets,
)
from planner.sky.types import TARGET_RISES, TARGET_SETS

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
    fetched_for: Mapping | None = None,
) -> CrossCheckReport:
    """Cross-check local results against the API's.

    ``local_night``: the local ``Night`` (or a mapping with status/sunset/sunrise and,
    for the observing window, start/end). ``api_nighttime``: the API's nighttime or None.
    ``local_targets``/``api_targets``: a mapping star name -> observability_times, or
    records with ``star_name`` and ``observability_times`` (API dicts, ``Target``s); an API
    record whose observability_times is None has no API answer and counts as local-only.
    ``site`` describes the settings used (shown in the report); ``fetched_for`` the site
    and limits the API's answers were asked for, when known (a saved file may not say):
    the diagnosis reads it before it blames the AAVSO account's telescope settings.
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
    changes = site_changes(fetched_for, site)
    likely_cause, push = _likely_cause(wholesale, fetched_for, changes)
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
        likely_cause=likely_cause,
        suggest_push_site=push,
        fetched_for=None if fetched_for is None else {k: _get(fetched_for, k) for k in SITE_KEYS},
        site_changes=changes,
    )


def crosscheck_observability(
    observability: Any,
    names: Sequence[str],
    api_targets: Any,
    api_nighttime: Any = None,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    site: Mapping | None = None,
    fetched_for: Mapping | None = None,
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
        fetched_for=fetched_for,
    )


def crosscheck_records(
    records: Sequence[Any],
    site: Any,
    time: float,
    api_nighttime: Any = None,
    *,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    compute=None,
    fetched_for: Mapping | None = None,
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

    if getattr(site, "horizon", None) is not None:
        report = crosscheck_records(records, site.without_horizon(), time, api_nighttime, tolerance_s=tolerance_s,
                                    compute=compute)
        return replace(report, notes=report.notes + (flat_limit_note(site),))
    with_times = [r for r in records if _get(r, "observability_times") is not None]
    site_info = {
        "latitude": site.latitude,
        "longitude": site.longitude,
        "target_altitude": site.target_altitude,
        "sun_altitude": site.sun_altitude,
    }
    if not with_times:
        return crosscheck(
            compute_night(site, time), api_nighttime, {}, with_times, time=time, tolerance_s=tolerance_s, site=site_info,
            fetched_for=fetched_for,
        )
    try:
        ra = np.array([float(_get(r, "ra")) for r in with_times], dtype=float)
        dec = np.array([float(_get(r, "dec")) for r in with_times], dtype=float)
    except (TypeError, ValueError):
        raise ValueError("every target needs numeric ra and dec to be computed locally") from None
    names = [str(_get(r, "star_name") or _get(r, "name")) for r in with_times]
    obs = (compute or compute_observability)(ra, dec, site, time)
    return crosscheck_observability(obs, names, with_times, api_nighttime, tolerance_s=tolerance_s, site=site_info,
                                    fetched_for=fetched_for)


# The cross-check's names, wherever they are defined, importable from here.
__all__ = [
    "AGREE", "ALWAYS_UP", "DEFAULT_TOLERANCE_S", "DIFFER", "EVENTS", "EVENT_MISSING", "EXTRA_EVENT", "KINDS",
    "LIKELY_CAUSE", "LIKELY_CAUSE_OTHER_SITE", "LIKELY_CAUSE_SAME_SITE", "NEVER_UP", "SITE_KEYS", "STATUS_DIFFERS",
    "TIME_DIFFERS", "CrossCheckReport", "Event", "EventDifference",
    "NightComparison", "TargetComparison", "compare_events", "compare_nighttime", "crosscheck",
    "crosscheck_observability", "crosscheck_records", "diagnose", "event_class", "format_time", "normalise_events",
    "normalise_nighttime", "site_changes", "systematic_offsets", "windows_from_events",
]
