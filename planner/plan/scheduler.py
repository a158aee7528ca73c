"""Fill a night with observing blocks from chosen targets.

The visibility comes from the one vectorised call (``planner.app.visibility``, or the
engine's ``compute_observability`` here when none is given). Each target's usable time is
its above-the-limit windows cut to the dark interval of the chosen twilight (astronomical,
nautical, civil, or the site's own sun-altitude night), less every 5-minute step at which
one of the plan's limits, as astroplan constraints (``AltitudeConstraint``,
``AtNightConstraint``, ``MoonSeparationConstraint``, plus any the caller passes), fails:
so a block passes only if every step inside it does (``planner.sky.constraints``). Targets
are then placed greedily, most urgent first (priority, then how overdue they are), and
among equally urgent ones the soonest-setting first, each in the earliest free slot of
its window, so blocks never overlap and never leave a window. Whatever cannot be placed
comes back with the reason.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from planner.catalog.target import Target
from planner.plan.model import Plan, PlanEntry, PlanLimits, PlanTarget, TWILIGHT_LABELS
from planner.sky.constraints import evaluate, limit_constraints
from planner.sky.engine import compute_observability
from planner.sky.site import Site
from planner.sky.types import Observability

REASON_BELOW = "below the altitude limit all night"
REASON_TWILIGHT = "above the altitude limit only outside the dark hours"
REASON_MOON = "too close to the Moon"
REASON_CONSTRAINTS = "ruled out by the constraints for its whole time up"
REASON_SHORT = "not above the altitude limit long enough for its block"
REASON_NO_SLOT = "sets before a slot is free"
REASON_FULL = "the plan already holds the maximum number of entries"
REASON_NO_NIGHT = "no dark time tonight"


@dataclass(frozen=True)
class Unplaced:
    """An entry the scheduler could not place, and why."""

    entry: PlanEntry
    reason: str

    @property
    def name(self) -> str:
        return self.entry.target.name


@dataclass
class ScheduleResult:
    plan: Plan
    unplaced: list[Unplaced] = field(default_factory=list)

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


def _clip(windows: Iterable[tuple[float, float]], start: float, end: float) -> list[tuple[float, float]]:
    out = []
    for a, b in windows:
        a, b = max(a, start), min(b, end)
        if b > a:
            out.append((float(a), float(b)))
    return out


def _free_slot(
    windows: Sequence[tuple[float, float]], busy: Sequence[tuple[float, float]], duration: float, gap: float
) -> float | None:
    """Earliest start inside one of ``windows`` where ``duration`` fits and stays ``gap``
    seconds clear of every busy block (``busy`` is sorted by start)."""
    for a, b in windows:
        t = a
        for s, e in busy:
            if e + gap <= t:
                continue  # that block is over before t
            if t + duration + gap <= s:
                break  # fits before that block
            t = max(t, e + gap)
        if t + duration <= b:
            return t
    return None


def _pack(chosen: list[tuple], gap: float) -> dict[str, float] | None:
    """Start times for every chosen candidate, or None when they do not all fit. Placed in
    order of setting time (then rising time), each at the earliest free moment."""
    busy: list[tuple[float, float]] = []
    starts: dict[str, float] = {}
    for _, sets, _, entry, windows in sorted(chosen, key=lambda c: (c[1], c[4][0][0], c[0], c[2])):
        start = _free_slot(windows, busy, entry.duration, gap)
        if start is None:
            return None
        starts[entry.id] = start
        busy.append((start, start + entry.duration))
        busy.sort()
    return starts


def _intersect(a: Sequence[tuple[float, float]], b: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    out = []
    for x0, x1 in a:
        for y0, y1 in b:
            lo, hi = max(x0, y0), min(x1, y1)
            if hi > lo:
                out.append((float(lo), float(hi)))
    return sorted(out)


def _longest(windows: Sequence[tuple[float, float]]) -> float:
    return max((b - a for a, b in windows), default=0.0)


def schedule_entries(
    entries: Sequence[PlanEntry],
    observability: Observability,
    *,
    limits: PlanLimits | None = None,
    now: float | None = None,
    max_entries: int | None = None,
    constraints: Sequence | None = None,
    extra_constraints: Sequence = (),
) -> tuple[list[PlanEntry], list[Unplaced], tuple[float, float] | None]:
    """Place ``entries`` (index i uses row i of ``observability``) in the night.

    ``constraints`` are astroplan constraints every 5-minute step of a block must meet;
    None means the plan's limits (``planner.sky.constraints.limit_constraints``), and
    ``extra_constraints`` (any astroplan constraint) are added to them. ``()`` checks none:
    the observability alone decides (synthetic skies in tests).

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
        return [], [Unplaced(e, reason) for e in entries], None
    site = observability.site
    if constraints is None:
        constraints = limit_constraints(site, min_altitude=limits.min_altitude, twilight=limits.twilight,
                                        moon_separation=limits.moon_separation)
    constraints = list(constraints) + list(extra_constraints)
    grid = evaluate(constraints, site, np.array([e.target.ra for e in entries], dtype=float),
                    np.array([e.target.dec for e in entries], dtype=float), dark[0], dark[1])
    moon_checked = any(name == "MoonSeparationConstraint" for name, _ in grid.verdicts)

    candidates = []
    unplaced: list[Unplaced] = []
    for i, entry in enumerate(entries):
        all_windows = observability.windows(i)
        up_in_dark = _clip(all_windows, *dark)
        if not up_in_dark:
            reason = REASON_TWILIGHT if all_windows else REASON_BELOW
            unplaced.append(Unplaced(entry, reason))
            continue
        windows = _intersect(up_in_dark, grid.allowed(i)) if constraints else up_in_dark
        if _longest(windows) < entry.duration:
            if moon_checked and _longest(_intersect(up_in_dark, grid.allowed(i, only="MoonSeparationConstraint"))) \
                    < entry.duration:
                unplaced.append(Unplaced(entry, f"{REASON_MOON} (closer than {limits.moon_separation:g}° "
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

    # Selection: most urgent first (then soonest setting). A candidate is taken when the
    # chosen set plus it still packs into the night; the packing itself runs in order of
    # setting time, so early-setting stars go first and the all-night ones fill in later.
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    chosen: list[tuple] = []
    layout: dict[str, float] = {}
    for cand in candidates:
        entry = cand[3]
        if max_entries is not None and len(chosen) >= max_entries:
            unplaced.append(Unplaced(entry, f"{REASON_FULL} ({max_entries})"))
            continue
        trial = _pack(chosen + [cand], limits.gap)
        if trial is None:
            unplaced.append(Unplaced(entry, REASON_NO_SLOT))
            continue
        chosen.append(cand)
        layout = trial
    placed: list[PlanEntry] = []
    for _, _, _, entry, windows in chosen:
        start = layout[entry.id]
        placed.append(
            PlanEntry(
                target=entry.target,
                duration=entry.duration,
                start=start,
                end=start + entry.duration,
                filters=entry.filters,
                exposure=entry.exposure,
                count=entry.count,
                notes=entry.notes,
                status=entry.status,
                windows=windows,
                id=entry.id,
            )
        )
    placed.sort(key=lambda e: e.start)  # type: ignore[arg-type, return-value]
    return placed, unplaced, dark


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
                                              constraints=constraints, extra_constraints=extra_constraints)
    if dark is not None:
        plan.night_start, plan.night_end = dark
    else:
        plan.night_start, plan.night_end = observability.night.start, observability.night.end
    plan.entries = placed
    return ScheduleResult(plan=plan, unplaced=unplaced)


def reschedule(plan: Plan, observability: Observability | None = None, *, time: float | None = None,
               now: float | None = None, max_entries: int | None = None, constraints: Sequence | None = None,
               extra_constraints: Sequence = ()) -> ScheduleResult:
    """Lay out an existing plan's entries again (the GUI's "Schedule" button). Entries the
    scheduler cannot place are kept in the plan, unscheduled, after the placed ones."""
    entries = list(plan.entries)
    if observability is None:
        ref = time if time is not None else (plan.night_start - 3 * 3600.0 if plan.night_start is not None else _time.time())
        observability = _observability_of(entries, plan.site, ref)
    placed, unplaced, dark = schedule_entries(entries, observability, limits=plan.limits, now=now,
                                              max_entries=max_entries, constraints=constraints,
                                              extra_constraints=extra_constraints)
    if dark is not None:
        plan.night_start, plan.night_end = dark
    left = []
    for u in unplaced:
        e = u.entry
        left.append(PlanEntry(target=e.target, duration=e.duration, filters=e.filters, exposure=e.exposure,
                              count=e.count, notes=e.notes, status=e.status, windows=(), id=e.id))
    plan.entries = placed + left
    plan.touch()
    return ScheduleResult(plan=plan, unplaced=unplaced)
