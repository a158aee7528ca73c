"""Tonight's minima, transits and maxima of a target list: the one use case the window, its
chart and table, the plan and ``planner events`` call (and the outlook over the nights
ahead, once per night).

``events_for_night(targets, site, when)`` takes any night (the one following unix
``when``, as the sky engine does): for each target it finds its elements, what kind of
events they predict, the events whose window touches the night, whether each can be
watched (full, partial, none, with the altitude at mid-event), the next event from the
reference moment on (however far ahead), the phase at that moment, and, when there is
nothing, why. ``fill_from_vsx`` looks elements up in AAVSO VSX for the targets that need
them and have none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

from planner.sky.elements import (
    ECLIPSING,
    EXOPLANET,
    LONG_PERIOD,
    PULSATOR,
    SECONDARY,
    Elements,
    event_kinds,
    star_class,
)
from planner.sky import compute_night
import numpy as np

from planner.sky.ephemeris import (
    EphemerisRequest,
    PredictedEvent,
    light_times,
    next_events,
    phase_at,
    predict_events,
    utc_to_frame_jd,
)
from planner.sky.events import FULL, PARTIAL, classify
from planner.config import MAX_MARGIN_MIN, event_margins  # noqa: F401 - Settings > Events' rule, re-exported
from planner.sky.site import Site
from planner.sky.types import Night

KIND_LABELS = {"primary": "Min I", "secondary": "Min II", "transit": "Transit", "maximum": "Max"}
KIND_WORDS = {"primary": "primary minimum", "secondary": "secondary minimum", "transit": "transit",
              "maximum": "maximum"}
CLASS_WORDS = {ECLIPSING: "eclipsing binary", EXOPLANET: "exoplanet host", PULSATOR: "pulsating star",
               LONG_PERIOD: "long-period variable"}


@dataclass(frozen=True)
class NightEvent:
    """One event of one target in the night, with whether it can be watched."""

    target_index: int
    star_name: str
    kind: str
    time: float  # unix UTC, the middle (a maximum: the maximum itself)
    start: float
    end: float
    altitude: float  # apparent altitude at ``time`` (deg)
    observable: str  # FULL | PARTIAL | NONE
    cycles_from_epoch: float
    uncertainty_s: float | None
    elements: Elements
    visible_hours: float = 0.0

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def assumes_circular_orbit(self) -> bool:
        """A secondary minimum is put at phase 0.5, which holds for a circular orbit only."""
        return self.kind == SECONDARY

    def to_json(self) -> dict[str, Any]:
        """One entry of ``planner events --format json`` (times: unix seconds UTC)."""
        return {
            "star_name": self.star_name,
            "kind": self.kind,
            "time": int(round(self.time)),
            "start": int(round(self.start)),
            "end": int(round(self.end)),
            "altitude": round(self.altitude, 1),
            "observable": self.observable,
            "cycles_from_epoch": self.cycles_from_epoch,
            "uncertainty_s": None if self.uncertainty_s is None else round(self.uncertainty_s, 1),
            "assumes_circular_orbit": self.assumes_circular_orbit,
            "elements": self.elements.to_json(),
        }


@dataclass(frozen=True)
class TargetEvents:
    """What the night holds for one target (row i of the list)."""

    star_class: str | None
    elements: Elements | None
    events: tuple[NightEvent, ...] = ()
    next_event: PredictedEvent | None = None  # from the reference moment on, maybe after tonight
    next_event_tonight: NightEvent | None = None
    phase: float | None = None  # at the reference moment
    reason: str = ""  # why there are no events (empty when there are)

    @property
    def has_event_tonight(self) -> bool:
        """An event tonight that can be watched, at least in part."""
        return any(e.observable in (FULL, PARTIAL) for e in self.events)


@dataclass
class NightEvents:
    """The events of a target list for one night (``targets[i]`` is target i of the list)."""

    site: Site
    night: Night
    reference: float  # the moment "next event" and "phase now" are taken at
    targets: list[TargetEvents] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.targets)

    def events(self, kinds: Sequence[str] | None = None) -> list[NightEvent]:
        """Every event of the night in time order (of ``kinds`` only, when given)."""
        wanted = set(kinds) if kinds else None
        out = [e for t in self.targets for e in t.events if wanted is None or e.kind in wanted]
        return sorted(out, key=lambda e: (e.time, e.star_name, e.kind))

    def clock(self, unix: float, tz) -> str:
        """A time of this night's events for the window: ``HH:MM`` inside the night, with
        the day before it outside ("2 Dec 16:52": a maximum after dawn, a rise begun
        yesterday)."""
        import datetime as _dt

        from planner.formatting import format_clock

        if self.night.start <= unix <= max(self.night.end, self.night.start):
            return format_clock(unix, tz)
        day = _dt.datetime.fromtimestamp(unix, tz)
        return f"{day.day} {day:%b} {format_clock(unix, tz)}"

    def chart_events(self) -> tuple[tuple[int, float, float, float, str], ...]:
        """The events as the chart draws them (``planner.plot.night.EventMark``): (target
        index, start, middle, end, short label), the ones that cannot be watched left out."""
        return tuple((e.target_index, e.start, e.time, e.end, e.label) for e in self.events()
                     if e.observable in (FULL, PARTIAL))

    def has_event_mask(self) -> list[bool]:
        return [t.has_event_tonight for t in self.targets]

    def night_json(self) -> dict[str, Any]:
        import datetime as _dt

        night, site = self.night, self.site
        evening = night.sunset if night.sunset is not None else night.start
        return {
            "date": _dt.datetime.fromtimestamp(evening, site.tz).date().isoformat(),
            "status": night.status,
            "start": int(round(night.start)),
            "end": int(round(night.end)),
            "sunset": None if night.sunset is None else int(round(night.sunset)),
            "sunrise": None if night.sunrise is None else int(round(night.sunrise)),
            "latitude": site.latitude,
            "longitude": site.longitude,
            "elevation": site.elevation,
            "target_altitude": site.target_altitude,
            "sun_altitude": site.sun_altitude,
        }

    def to_json(self, kinds: Sequence[str] | None = None) -> dict[str, Any]:
        """``{"night": {...}, "events": [...]}`` as ``planner events --format json`` prints it."""
        return {"night": self.night_json(), "events": [e.to_json() for e in self.events(kinds)]}


def _no_events_reason(target, cls: str | None, elements: Elements | None) -> str:
    if cls is None:
        shown = target.var_type or "no type"
        return f"its type ({shown}) has no periodic events to predict"
    if elements is None:
        return (f"no elements: a {CLASS_WORDS[cls]} needs an epoch and a period (from the target file, "
                "the bundled sample or AAVSO VSX)")
    if cls == LONG_PERIOD:
        return "long-period variable: only its phase is shown, as its cycles wander from one to the next"
    return ""


def events_for_night(
    targets: Sequence[Any],
    site: Site,
    when: float,
    *,
    reference: float | None = None,
    kinds: Sequence[str] | None = None,
) -> NightEvents:
    """The events of ``targets`` in the night following unix ``when`` at ``site``.

    ``reference`` is the moment "next event" and the phase are taken at: the window passes
    now for tonight; by default it is ``when`` during the night and the night's start
    before it (a chosen date is computed from its noon, whose phase means nothing).
    ``kinds`` limits the event kinds (``planner events --kind``)."""
    night = compute_night(site, float(when))
    if reference is None:
        reference = float(when) if night.start <= when <= max(night.end, night.start) else night.start
    reference = float(reference)
    wanted = tuple(kinds) if kinds else None
    rows: list[TargetEvents] = []
    requests: list[EphemerisRequest] = []
    request_rows: list[int] = []
    for index, target in enumerate(targets):
        elements = getattr(target, "elements", None)
        cls = star_class(getattr(target, "var_type", "") or "", getattr(target, "obs_section", ()) or ())
        rows.append(TargetEvents(cls, elements, reason=_no_events_reason(target, cls, elements)))
        if elements is None or cls not in (ECLIPSING, EXOPLANET, PULSATOR):
            continue
        own = event_kinds(cls, getattr(target, "var_type", "") or "")
        chosen = tuple(k for k in own if wanted is None or k in wanted)
        if not chosen:
            continue
        requests.append(EphemerisRequest(elements, cls, float(target.ra), float(target.dec), chosen))
        request_rows.append(index)

    # One batch of light times for every star with elements: at the night's ends and at the
    # reference moment (the astropy call is the slow part; see planner.sky.ephemeris).
    with_elements = [i for i, row in enumerate(rows) if row.elements is not None]
    ltt = light_times(
        [targets[i].ra for i in with_elements],
        [targets[i].dec for i in with_elements],
        [rows[i].elements.time_scale for i in with_elements],
        site,
        np.array([[night.start, night.end, reference]] * len(with_elements)).reshape(-1, 3),
    )
    ltt_of = {index: ltt[k] for k, index in enumerate(with_elements)}
    has_night = night.end > night.start
    if has_night and requests:
        tonight = predict_events(
            requests, site, night.start, night.end,
            light_time=np.array([ltt_of[i][:2] for i in request_rows]),
        )
    else:
        tonight = [[] for _ in requests]
    upcoming = next_events(requests, site, reference)

    windows, ra, dec, owners = [], [], [], []
    for r, (request, events) in enumerate(zip(requests, tonight)):
        for event in events:
            windows.append((event.start, event.time, event.end))
            ra.append(request.ra)
            dec.append(request.dec)
            owners.append((r, event))
    verdicts = classify(windows, ra, dec, site, night)
    per_request: list[list[NightEvent]] = [[] for _ in requests]
    for (r, event), verdict in zip(owners, verdicts):
        index = request_rows[r]
        per_request[r].append(
            NightEvent(
                target_index=index,
                star_name=targets[index].star_name,
                kind=event.kind,
                time=event.time,
                start=event.start,
                end=event.end,
                altitude=verdict.altitude,
                observable=verdict.observable,
                cycles_from_epoch=event.cycle,
                uncertainty_s=event.uncertainty_s,
                elements=requests[r].elements,
                visible_hours=verdict.visible_hours,
            )
        )
    for r, index in enumerate(request_rows):
        events = tuple(per_request[r])
        following = [e for e in events if e.end >= reference]
        reason = rows[index].reason
        if not events and not reason:
            reason = "no event falls in this night" if has_night else "there is no night at this site and date"
        rows[index] = replace(
            rows[index],
            events=events,
            next_event=upcoming[r],
            next_event_tonight=following[0] if following else None,
            reason=reason if not events else "",
        )

    # the phase at the reference moment, for every target with elements (long-period ones too)
    for index, target in enumerate(targets):
        row = rows[index]
        if row.elements is None:
            continue
        try:
            frame = float(utc_to_frame_jd(reference, target.ra, target.dec, site, row.elements.time_scale,
                                          light_time=ltt_of[index][2]))
            phase = phase_at(row.elements, frame, row.star_class)
        except (ValueError, ArithmeticError):
            phase = None
        rows[index] = replace(row, phase=None if phase is None or not math.isfinite(phase) else phase)
    return NightEvents(site=site, night=night, reference=reference, targets=rows)


# -- elements from VSX -----------------------------------------------------------------------------


def needs_elements(target, *, for_phase: bool = False) -> bool:
    """A target whose type has events (or, ``for_phase``, a phase) but that has no elements."""
    if getattr(target, "elements", None) is not None:
        return False
    cls = star_class(target.var_type or "", target.obs_section or ())
    wanted = (ECLIPSING, EXOPLANET, PULSATOR, LONG_PERIOD) if for_phase else (ECLIPSING, EXOPLANET, PULSATOR)
    return cls in wanted


@dataclass
class VsxFill:
    """``fill_from_vsx``'s answer: the targets (with elements where VSX had them) and notes."""

    targets: list[Any]
    found: list[str] = field(default_factory=list)  # star names that got elements
    notes: list[str] = field(default_factory=list)  # stars VSX does not know, or knows without elements
    error: Any = None  # the ServiceError that stopped the lookups (network down...), if any
    offline: bool = False  # some answers came from the cache because VSX could not be reached


def fill_from_vsx(
    targets: Sequence[Any],
    client,
    *,
    for_phase: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> VsxFill:
    """Look up in VSX the targets that need elements (``needs_elements``) and give them
    what VSX has. Answers are cached for weeks by the HTTP layer, so a second call asks
    the network nothing. The first failure of the service itself (network, 5xx, a
    malformed answer) stops the lookups: the rest keep their missing elements and the
    error is returned, never raised."""
    from planner.services.errors import NotFoundError, ServiceError

    out = list(targets)
    result = VsxFill(out)
    todo = [i for i, t in enumerate(out) if needs_elements(t, for_phase=for_phase)]
    for done, index in enumerate(todo):
        if cancelled is not None and cancelled():
            break
        target = out[index]
        try:
            record = client.object(target.star_name)
        except NotFoundError:
            record = None
        except ServiceError as exc:
            result.error = exc
            break
        if progress is not None:
            progress(done + 1, len(todo))
        if record is None:
            result.notes.append(f"VSX does not know {target.star_name!r}")
            continue
        result.offline = result.offline or bool(getattr(record, "offline", False))
        elements, problem = record.elements_or_problem()
        if elements is None:
            result.notes.append(f"{target.star_name}: {problem}")
            continue
        out[index] = replace(target, elements=elements)
        result.found.append(target.star_name)
    return result


def plan_entry_for(event: NightEvent, target: Any, settings=None, **entry_kwargs):
    """The plan's fixed block for ``event`` of ``target``: from the event's start less the
    margin before to its end plus the margin after (Settings > Events), the target's
    requested filters unless ``filters`` is given. The scheduler keeps it where it is."""
    from planner.plan.model import PlanEntry, PlanEvent, PlanTarget

    before, after = event_margins(settings)
    plan_event = PlanEvent(kind=event.kind, time=event.time, start=min(event.start, event.time),
                           end=max(event.end, event.time), before=before, after=after, label=event.label)
    plan_target = target if isinstance(target, PlanTarget) else PlanTarget.from_target(target)
    entry_kwargs.setdefault("filters", plan_target.requested_filters)
    return PlanEntry.for_event(plan_target, plan_event, **entry_kwargs)


def event_for_block(target_events: TargetEvents | None) -> NightEvent | None:
    """The event of the night worth a plan block: the first that can be watched whole,
    else the first that can be watched in part; None when nothing can be watched."""
    if target_events is None:
        return None
    for wanted in (FULL, PARTIAL):
        for event in target_events.events:
            if event.observable == wanted:
                return event
    return None


@dataclass(frozen=True)
class EventBlocks:
    """``event_blocks``' answer: the fixed blocks made, and one line per target left out."""

    entries: tuple[Any, ...]  # planner.plan.model.PlanEntry
    skipped: tuple[str, ...]


def event_blocks(events: NightEvents | None, indices: Sequence[int], targets: Sequence[Any],
                 settings=None, **entry_kwargs) -> EventBlocks:
    """Plan blocks for the events of the targets at ``indices`` (rows of ``targets``, the
    list ``events`` was computed for): each target's event worth a block (``event_for_block``)
    with the margins from Settings > Events; a target with none is skipped with the reason
    (no elements, no event tonight, none that can be watched). The window's "Add events to
    plan" and anything else that adds events to a plan call this."""
    entries: list[Any] = []
    skipped: list[str] = []
    for index in indices:
        target = targets[index]
        name = getattr(target, "star_name", str(target))
        target_events = events.targets[index] if events is not None and index < len(events.targets) else None
        if target_events is None:
            skipped.append(f"{name}: tonight's events are not computed yet")
            continue
        event = event_for_block(target_events)
        if event is None:
            if target_events.reason:
                skipped.append(f"{name}: {target_events.reason}")
            elif target_events.events:
                skipped.append(f"{name}: none of tonight's events can be watched (below the limit or in daylight)")
            else:
                skipped.append(f"{name}: no event tonight")
            continue
        entries.append(plan_entry_for(event, target, settings, **entry_kwargs))
    return EventBlocks(tuple(entries), tuple(skipped))


def vsx_elements_for(targets: Sequence[Any], settings=None, *, cancelled=None) -> tuple[dict[str, Elements], str]:
    """The window's worker body: VSX's elements for the targets that need them (phase
    included), by star name, and one sentence when VSX could not answer (else "")."""
    from planner.services.vsx import VsxClient

    result = fill_from_vsx(targets, VsxClient.from_settings(settings), for_phase=True, cancelled=cancelled)
    found = {t.star_name: t.elements for t in result.targets if t.star_name in set(result.found)}
    note = ""
    if result.error is not None:
        missing = sum(1 for t in result.targets if needs_elements(t, for_phase=True))
        note = f"{result.error} {missing} target(s) have no elements for their events or phase."
    elif result.offline:
        note = "AAVSO VSX could not be reached: its elements come from the last answers saved."
    return found, note


def events_for_night_in_helper(targets: Sequence[Any], site: Site, when: float, *,
                               reference: float | None = None) -> NightEvents | None:
    """``events_for_night`` in the sky helper process (``planner.app.helper``), so the window's
    GUI thread never competes with astropy; None for no targets."""
    from planner.app.helper import run_in_process

    if not targets:
        return None
    return run_in_process(_events_job, list(targets), site, float(when), reference)


def _events_job(targets, site, when, reference):  # module-level: pickled to the helper process
    return events_for_night(targets, site, when, reference=reference)


__all__ = [
    "CLASS_WORDS",
    "EventBlocks",
    "KIND_LABELS",
    "KIND_WORDS",
    "NightEvent",
    "NightEvents",
    "TargetEvents",
    "VsxFill",
    "event_blocks",
    "event_for_block",
    "events_for_night",
    "event_margins",
    "events_for_night_in_helper",
    "fill_from_vsx",
    "needs_elements",
    "plan_entry_for",
    "vsx_elements_for",
]
