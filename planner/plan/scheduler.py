"""Fill a night with observing blocks from chosen targets.

The visibility comes from the one vectorised call (``planner.app.visibility``, or the
engine's ``compute_observability`` here when none is given). Each target's usable time is
its above-the-limit windows cut to the dark interval of the chosen twilight (astronomical,
nautical, civil, or the site's own sun-altitude night), less every 5-minute step at which
one of the plan's limits, as astroplan constraints (``AltitudeConstraint``,
``AtNightConstraint``, and ``planner.sky.local_constraints``' Moon avoidance, horizon mask
and hour-angle reach, plus any the caller passes), fails: so a block passes only if every
step inside it does (``planner.sky.constraints``), and less any fixed-time block. With a
German equatorial mount in the limits, blocks are kept out of each target's flip window
(``planner.sky.mount``) or, with the "mark" policy, placed anyway with the flip marked on
the entry. Targets are then chosen greedily, most urgent first (priority, then how overdue
they are), each kept only if everything chosen still fits; the chosen blocks are then
placed as near each target's best air mass as the others allow (``planner.plan.placement``),
so they spread over the dark time instead of being packed from dusk. Blocks never overlap
and never leave a window. Whatever cannot be placed comes back with the real reason (the
night is full, it sets before a slot is free, it would cross the flip, ...).
An event's block (``PlanEntry.fixed``: a minimum, transit or maximum with its margins)
and a block whose times the user typed (``PlanEntry.pinned``) stay where they are, even
outside the dark hours or their window (``Plan.conflicts()`` says so), and the others are
fitted around them like any other fixed-time block.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

import numpy as np

from planner.catalog.target import Target
from planner.plan.model import TWILIGHT_LABELS, Plan, PlanEntry, PlanLimits, PlanTarget
from planner.plan.placement import BlockAirmass, block_airmass
from planner.plan.selection import (  # noqa: F401 - the reasons are the scheduler's API
    REASON_FIXED,
    REASON_FULL,
    REASON_NIGHT_FULL,
    REASON_NO_SLOT,
    REASON_ORDER,
    REASON_RISES_AFTER,
    Unplaced,
    _choose_and_place,
    _clip,
    _intersect,
    _longest,
)
from planner.sky.constraints import evaluate, limit_constraints
from planner.sky.engine import compute_observability
from planner.sky.mount import crosses_flip, flip_free_windows
from planner.sky.site import Site
from planner.sky.types import Observability

REASON_BELOW = "below the altitude limit all night"
REASON_TWILIGHT = "above the altitude limit only outside the dark hours"
REASON_MOON = "too close to the Moon"
REASON_CONSTRAINTS = "ruled out by the constraints for its whole time up"
REASON_FLIP = "its block would cross the meridian flip wherever it fits"
MOON_CONSTRAINTS = ("MoonSeparationConstraint", "MoonAvoidanceConstraint")
REASON_SHORT = "not above the altitude limit long enough for its block"
REASON_NO_NIGHT = "no dark time tonight"


@dataclass
class ScheduleResult:
    plan: Plan
    unplaced: list[Unplaced] = field(default_factory=list)
    airmass: dict[str, BlockAirmass] = field(default_factory=dict)  # by entry id, scheduled ones

    @property
    def placed(self) -> list[PlanEntry]:
        return self.plan.scheduled_entries


def dark_interval(observability: Observability, twilight: str) -> tuple[float, float] | None:
    """The part of the night dark enough for ``twilight``; None when the Sun never gets
    that low (e.g. no astronomical darkness in a northern summer)."""
    night, tw = observability.night, observability.night.twilight
    if twilight == "site":
        start, end = night.start, night.end
    else:
        start = getattr(tw, f"{twilight}_dusk")
        end = getattr(tw, f"{twilight}_dawn")
        if start is None or end is None:
            return None
        # The observing window opens no earlier than the night the engine computed for.
        start = max(start, night.start)
        if night.end > night.start:
            end = min(end, night.end)
    if end - start < 60.0:
        return None
    return float(start), float(end)


def schedule_entries(
    entries: Sequence[PlanEntry],
    observability: Observability,
    *,
    limits: PlanLimits | None = None,
    now: float | None = None,
    max_entries: int | None = None,
    constraints: Sequence | None = None,
    extra_constraints: Sequence = (),
    fixed: Sequence[tuple[float, float]] = (),
    keep_order: bool = False,
) -> tuple[list[PlanEntry], list[Unplaced], tuple[float, float] | None]:
    """Place ``entries`` (index i uses row i of ``observability``) in the night.

    ``constraints`` are astroplan constraints every 5-minute step of a block must meet;
    None means the plan's limits (``planner.sky.constraints.limit_constraints``), and
    ``extra_constraints`` (any astroplan constraint) are added to them. ``()`` checks none:
    the observability alone decides (synthetic skies in tests). ``fixed`` are busy
    intervals (unix start, end) no block may touch (fixed-time events), kept ``gap`` clear.
    ``keep_order`` places the entries in the given order (a user's own order, re-timed)
    instead of choosing the most urgent and their order: an entry that no longer fits in
    that order is left out with the reason.

    Returns the placed entries (new objects with start, end and windows set; in time
    order), the unplaced ones with reasons, and the dark interval used.
    """
    if len(entries) != len(observability):
        raise ValueError("one observability row is needed per entry")
    limits = limits or PlanLimits(min_altitude=observability.site.target_altitude)
    now = _time.time() if now is None else now
    dark = dark_interval(observability, limits.twilight)
    if dark is None:
        reason = f"{REASON_NO_NIGHT} ({TWILIGHT_LABELS[limits.twilight]} never begins)"
        kept = [replace(e, start=e.event.block[0], end=e.event.block[1]) if e.start is None else e
                for e in entries if e.fixed]
        return kept, [Unplaced(e, reason) for e in entries if not e.fixed], None
    site = observability.site
    if constraints is None:
        constraints = limit_constraints(site, min_altitude=limits.min_altitude, twilight=limits.twilight,
                                        moon_separation=limits.moon_separation, moon_width=limits.moon_width,
                                        mount=limits.mount)
    constraints = list(constraints) + list(extra_constraints)
    grid = evaluate(constraints, site, np.array([e.target.ra for e in entries], dtype=float),
                    np.array([e.target.dec for e in entries], dtype=float), dark[0], dark[1])
    moon_checked = next((name for name, _ in grid.verdicts if name in MOON_CONSTRAINTS), None)
    mount = limits.mount if limits.mount is not None and limits.mount.german else None

    candidates = []
    unplaced: list[Unplaced] = []
    placed: list[PlanEntry] = []
    busy: list[tuple[float, float]] = [(float(a), float(b)) for a, b in fixed]  # the caller's, then events' blocks
    for i, entry in enumerate(entries):
        all_windows = observability.windows(i)
        if entry.fixed:  # an event's block or times the user pinned: where they are, whatever else
            start, end = (entry.start, entry.end) if entry.start is not None else entry.event.block
            # its windows: above the altitude limit and the horizon mask (the engine's), what its
            # row is checked against
            windows = tuple(_clip(all_windows, *dark)) or tuple(all_windows)
            placed.append(replace(entry, start=start, end=end, duration=max(end - start, 1.0), windows=windows))
            busy.append((start, end))
            continue
        up_in_dark = _clip(all_windows, *dark)
        if not up_in_dark:
            reason = REASON_TWILIGHT if all_windows else REASON_BELOW
            unplaced.append(Unplaced(entry, reason))
            continue
        windows = _intersect(up_in_dark, grid.allowed(i)) if constraints else up_in_dark
        if mount is not None and mount.flip_policy == "avoid" and _longest(windows) >= entry.duration:
            free = flip_free_windows(windows, float(observability.transit[i]), mount.flip_seconds)
            if _longest(free) < entry.duration:
                unplaced.append(Unplaced(entry, REASON_FLIP))
                continue
            windows = free
        if _longest(windows) < entry.duration:
            if moon_checked and _longest(_intersect(up_in_dark, grid.allowed(i, only=moon_checked))) \
                    < entry.duration:
                unplaced.append(Unplaced(entry, f"{REASON_MOON} (closer than {limits.describe_moon()} "
                                                f"during its time above the limit)"))
            elif _longest(up_in_dark) >= entry.duration and not windows:
                unplaced.append(Unplaced(entry, REASON_CONSTRAINTS))
            else:
                up = _longest(windows) / 60.0
                unplaced.append(Unplaced(entry, f"{REASON_SHORT} (up {up:.0f} min, the block needs "
                                                f"{entry.duration / 60:.0f} min)"))
            continue
        windows = [w for w in windows if w[1] - w[0] >= entry.duration] or windows
        sets = windows[-1][1]
        candidates.append((-entry.target.urgency(now), sets, i, entry, tuple(windows)))

    chosen, layout, left_out = _choose_and_place(candidates, observability, dark, limits, now=now,
                                                 max_entries=max_entries, fixed=busy, keep_order=keep_order)
    unplaced.extend(left_out)
    for _, _, i, entry, windows in chosen:
        start = layout[entry.id]
        flip = None
        if mount is not None and mount.flip_policy == "mark":
            flip = crosses_flip(start, start + entry.duration, float(observability.transit[i]), mount.flip_seconds)
        # replace(): everything else the entry holds (observations, notes...) stays with it
        placed.append(replace(entry, start=start, end=start + entry.duration, windows=windows, meridian_flip=flip))
    placed.sort(key=lambda e: e.start)  # type: ignore[arg-type, return-value]
    return placed, unplaced, dark


def airmass_of(entries: Sequence[PlanEntry], observability: Observability,
               rows: Sequence[int] | None = None) -> dict[str, BlockAirmass]:
    """The air mass of every scheduled entry, by entry id: what the Plan dock and
    ``planner plan`` show per entry. Entry i's target is row ``rows[i]`` of
    ``observability`` (row i when not given)."""
    rows = list(range(len(entries))) if rows is None else list(rows)
    if len(rows) != len(entries) or any(not 0 <= r < len(observability) for r in rows):
        raise ValueError("one observability row is needed per entry")
    return {e.id: block_airmass(lambda t, r=r: observability.altitude_at(r, t), e.start, e.end, e.windows)
            for e, r in zip(entries, rows) if e.start is not None and e.end is not None}


def _observability_of(entries: Sequence[PlanEntry], site: Site, time: float) -> Observability:
    """The engine over the entries' targets (callers with a window use planner.app.visibility)."""
    ra = np.array([e.target.ra for e in entries], dtype=float)
    dec = np.array([e.target.dec for e in entries], dtype=float)
    return compute_observability(ra, dec, site, time)


def schedule(
    targets: Iterable[Target | PlanTarget | PlanEntry],
    site: Site,
    time: float,
    *,
    duration: float = 1800.0,
    limits: PlanLimits | None = None,
    max_entries: int | None = None,
    now: float | None = None,
    observability: Observability | None = None,
    filters: Sequence[str] | None = None,
    exposure: float = 60.0,
    count: int = 1,
    date: str = "",
    title: str = "",
    constraints: Sequence | None = None,
    extra_constraints: Sequence = (),
    fixed: Sequence[tuple[float, float]] = (),
) -> ScheduleResult:
    """Build a plan for the night that begins around ``time`` (pass
    ``planner.sky.night_for_date(site, date)`` for a calendar date).

    ``targets`` may be catalog ``Target`` records, ``PlanTarget`` copies, or existing
    ``PlanEntry`` items (their duration, filters and notes are kept). A target without
    explicit ``filters`` uses the filters the AAVSO asks for.
    """
    entries: list[PlanEntry] = []
    for item in targets:
        if isinstance(item, PlanEntry):
            entries.append(item)
            continue
        pt = item if isinstance(item, PlanTarget) else PlanTarget.from_target(item)
        chosen = tuple(filters) if filters is not None else pt.requested_filters
        entries.append(PlanEntry(target=pt, duration=duration, filters=chosen, exposure=exposure, count=count))
    limits = limits or PlanLimits(min_altitude=site.target_altitude)
    if limits.min_altitude != site.target_altitude:
        site = site.with_limits(target_altitude=limits.min_altitude)
    if observability is None:
        if entries:
            observability = _observability_of(entries, site, time)
    plan = Plan(site=site, limits=limits, date=date, title=title)
    if observability is None:  # no targets: still record the night
        observability = compute_observability(np.zeros(0), np.zeros(0), site, time)
    placed, unplaced, dark = schedule_entries(entries, observability, limits=limits, now=now, max_entries=max_entries,
                                              constraints=constraints, extra_constraints=extra_constraints,
                                              fixed=fixed)
    if dark is not None:
        plan.night_start, plan.night_end = dark
    else:
        plan.night_start, plan.night_end = observability.night.start, observability.night.end
    plan.entries = placed
    return ScheduleResult(plan=plan, unplaced=unplaced, airmass=_airmass_by_id(placed, entries, observability))


def _airmass_by_id(placed: Sequence[PlanEntry], entries: Sequence[PlanEntry], observability: Observability
                   ) -> dict[str, BlockAirmass]:
    """``airmass_of`` for the placed entries, whose rows are their originals' in ``entries``."""
    row = {e.id: i for i, e in enumerate(entries)}
    return airmass_of(placed, observability, [row[e.id] for e in placed])


def _night_observability(plan: Plan, entries: Sequence[PlanEntry], observability: Observability | None,
                         time: float | None) -> Observability:
    if observability is not None:
        return observability
    ref = time if time is not None else (plan.night_start - 3 * 3600.0 if plan.night_start is not None else _time.time())
    return _observability_of(entries, plan.site, ref)


def _unscheduled(e: PlanEntry) -> PlanEntry:
    return replace(e, start=None, end=None, windows=())


def reschedule(plan: Plan, observability: Observability | None = None, *, time: float | None = None,
               now: float | None = None, max_entries: int | None = None, constraints: Sequence | None = None,
               extra_constraints: Sequence = (), fixed: Sequence[tuple[float, float]] = ()) -> ScheduleResult:
    """Lay out an existing plan's entries again (the GUI's "Schedule" button). Entries the
    scheduler cannot place are kept in the plan, unscheduled, after the placed ones."""
    entries = list(plan.entries)
    observability = _night_observability(plan, entries, observability, time)
    placed, unplaced, dark = schedule_entries(entries, observability, limits=plan.limits, now=now,
                                              max_entries=max_entries, constraints=constraints,
                                              extra_constraints=extra_constraints, fixed=fixed)
    if dark is not None:
        plan.night_start, plan.night_end = dark
    plan.entries = placed + [_unscheduled(u.entry) for u in unplaced]
    plan.touch()
    return ScheduleResult(plan=plan, unplaced=unplaced, airmass=_airmass_by_id(placed, entries, observability))


def retime(plan: Plan, observability: Observability | None = None, *, time: float | None = None,
           now: float | None = None, constraints: Sequence | None = None, extra_constraints: Sequence = (),
           fixed: Sequence[tuple[float, float]] = ()) -> ScheduleResult:
    """Give an existing plan's entries new times in the plan's own order (what dragging a
    row asks): each block as near its best air mass as that order allows. The order is
    kept; an entry that no longer fits in it stays where it is in the list, unscheduled,
    with the reason. Used on a copy (the sky helper process's), as ``reschedule`` is."""
    entries = list(plan.entries)
    observability = _night_observability(plan, entries, observability, time)
    placed, unplaced, dark = schedule_entries(entries, observability, limits=plan.limits, now=now,
                                              constraints=constraints, extra_constraints=extra_constraints,
                                              fixed=fixed, keep_order=True)
    if dark is not None:
        plan.night_start, plan.night_end = dark
    by_id = {e.id: e for e in placed}
    plan.entries = [by_id.get(e.id) or _unscheduled(e) for e in entries]
    plan.touch()
    return ScheduleResult(plan=plan, unplaced=unplaced, airmass=_airmass_by_id(placed, entries, observability))
