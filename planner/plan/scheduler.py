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
stays where it is, even outside the dark hours or its window (``Plan.conflicts()`` says
so), and the others are fitted around it like any other fixed-time block.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

import numpy as np

from planner.catalog.target import Target
from planner.formatting import format_clock
from planner.plan.placement import BlockAirmass, BlockCost, NightGrid, block_airmass
from planner.plan.model import Plan, PlanEntry, PlanLimits, PlanTarget, TWILIGHT_LABELS
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
REASON_NO_SLOT = "sets before a slot is free"
REASON_RISES_AFTER = "rises only after the free time"
REASON_NIGHT_FULL = "the night is full"
REASON_FIXED = "conflicts with a fixed block"
REASON_ORDER = "does not fit in this order"
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


def _subtract(windows: Sequence[tuple[float, float]], busy: Sequence[tuple[float, float]]
              ) -> list[tuple[float, float]]:
    """``windows`` less every interval of ``busy``."""
    out = [(float(a), float(b)) for a, b in windows if b > a]
    for s, e in busy:
        cut = []
        for a, b in out:
            if e <= a or s >= b:
                cut.append((a, b))
                continue
            if s > a:
                cut.append((a, s))
            if e < b:
                cut.append((e, b))
        out = cut
    return out


def _weight(entry: PlanEntry, now: float) -> float:
    """How much an hour of worse air mass counts for this entry: 1, up to 2 for the most
    urgent (priority and overdue), so the urgent target gets a contested best hour."""
    return 1.0 + min(max(entry.target.urgency(now), 0.0), 4.0) / 4.0


def _costs(night: NightGrid, candidates: Sequence[tuple], observability: Observability, now: float
           ) -> dict[str, BlockCost]:
    out = {}
    for _, _, i, entry, windows in candidates:
        out[entry.id] = night.block(entry.id, entry.duration, windows,
                                    lambda t, i=i: observability.altitude_at(i, t), _weight(entry, now))
    return out


def _layout_of(night: NightGrid, chosen: Sequence[tuple], costs: dict[str, BlockCost], gap: float
               ) -> dict[str, float] | None:
    """Start times for every chosen candidate at the best air mass found, or None when they
    do not all fit. The one-minute grid can miss a layout that fits only to the second; the
    earliest-free packing in order of setting time is then used as it is."""
    if not chosen:
        return {}
    # by setting time, so that blocks with equally good times (a flat sky) go soonest-setting first
    chosen = sorted(chosen, key=lambda c: (c[1], c[4][0][0], c[0], c[2]))
    blocks = [costs[c[3].id] for c in chosen]
    total, starts = night.place(blocks)
    if math.isfinite(total):
        return {c[3].id: float(start) for c, start in zip(chosen, starts)}  # type: ignore[arg-type]
    packed = _pack(list(chosen), gap)
    if packed is not None:
        return packed
    # _fits also accepts the blocks in order of their best times: lay them out that way then
    order = _by_best_time(chosen, costs)
    total, starts = night.place_in_order([costs[c[3].id] for c in order])
    if math.isfinite(total):
        return {c[3].id: float(start) for c, start in zip(order, starts)}  # type: ignore[arg-type]
    return None


def _best_index(cost: BlockCost) -> int:
    return -1 if cost.best is None else cost.best


def _fits(night: NightGrid, chosen: Sequence[tuple], costs: dict[str, BlockCost], gap: float) -> bool:
    """Whether the chosen candidates all fit: packed earliest-first by setting time, or at
    their best air mass in order of their best times."""
    if _pack(list(chosen), gap) is not None:
        return True
    total, _ = night.place_in_order([costs[c[3].id] for c in _by_best_time(chosen, costs)])
    return math.isfinite(total)


def _by_best_time(chosen: Sequence[tuple], costs: dict[str, BlockCost]) -> list[tuple]:
    # a block that cannot start anywhere on the grid (best None) sorts first and fails fast
    return sorted(chosen, key=lambda c: (_best_index(costs[c[3].id]), c[1], c[2]))


def _free_time(dark: tuple[float, float], busy: Sequence[tuple[float, float]], gap: float
               ) -> list[tuple[float, float]]:
    """The dark interval less every busy block and the gap kept around it."""
    return _subtract([dark], sorted((a - gap, b + gap) for a, b in busy))


def _why_no_slot(entry: PlanEntry, windows: Sequence[tuple[float, float]], raw_windows: Sequence[tuple[float, float]],
                 dark: tuple[float, float], placed: Sequence[tuple[float, float]], fixed: Sequence[tuple[float, float]],
                 gap: float, site: Site) -> str:
    """The real reason a target that is up long enough found no slot: the fixed blocks, the
    night being full, or the free time lying after it sets or before it rises."""
    need = entry.duration
    minutes = f"{need / 60:.0f} min"
    free = _free_time(dark, list(placed) + list(fixed), gap)
    if fixed and _longest(_intersect(raw_windows, _free_time(dark, placed, gap))) >= need:
        return f"{REASON_FIXED} (its {minutes} would overlap a fixed-time block)"
    slots = [f for f in free if f[1] - f[0] >= need]
    if not slots:
        return f"{REASON_NIGHT_FULL} (no free {minutes} left in the dark time)"

    def clock(t: float) -> str:
        return format_clock(t, site.tz, zone=True)

    up_from, up_to = windows[0][0], windows[-1][1]
    after = [f for f in slots if f[0] >= up_from]
    if after:
        return (f"{REASON_NO_SLOT} (it is up until {clock(up_to)}; the first free {minutes} "
                f"begin at {clock(after[0][0])})")
    return (f"{REASON_RISES_AFTER} (it is up from {clock(up_from)}; the last free {minutes} "
            f"end at {clock(slots[-1][1])})")


def _choose_and_place(candidates: list[tuple], observability: Observability, dark: tuple[float, float],
                      limits: PlanLimits, *, now: float, max_entries: int | None,
                      fixed: Sequence[tuple[float, float]], keep_order: bool
                      ) -> tuple[list[tuple], dict[str, float], list[Unplaced]]:
    """Which candidates go into the night and when (see the module docstring): the chosen
    ones, their start times by entry id, and the ones left out with the real reason."""
    gap = limits.gap
    fixed = sorted((float(a), float(b)) for a, b in fixed)
    left_out: list[Unplaced] = []
    raw = {c[3].id: c[4] for c in candidates}
    if fixed:
        kept = []
        for cand in candidates:
            entry = cand[3]
            windows = [w for w in _subtract(cand[4], [(a - gap, b + gap) for a, b in fixed])
                       if w[1] - w[0] >= entry.duration]
            if not windows:
                left_out.append(Unplaced(entry, f"{REASON_FIXED} (its time up is taken by fixed-time blocks)"))
                continue
            kept.append(cand[:4] + (tuple(windows),))
        candidates = kept
    night = NightGrid(dark[0], dark[1], gap)
    costs = _costs(night, candidates, observability, now)

    if keep_order:
        ordered = sorted(candidates, key=lambda c: c[2])
        _, starts = night.place_in_order([costs[c[3].id] for c in ordered], skip_cost=1e6)
        chosen = [c for c, start in zip(ordered, starts) if start is not None]
        layout = {c[3].id: float(start) for c, start in zip(ordered, starts) if start is not None}
        for cand, start in zip(ordered, starts):
            if start is None:
                left_out.append(Unplaced(cand[3], f"{REASON_ORDER} (Schedule chooses the order again)"))
        return chosen, layout, left_out

    # Selection: most urgent first (then soonest setting). A candidate is taken when the
    # chosen set plus it still fits into the night; then the chosen set is laid out at the
    # best air mass, and what was left out gets a slot the layout left free, if one fits.
    candidates.sort(key=lambda c: (c[0], c[1], c[2]))
    chosen: list[tuple] = []
    rejected: list[tuple] = []
    for cand in candidates:
        entry = cand[3]
        if max_entries is not None and len(chosen) >= max_entries:
            left_out.append(Unplaced(entry, f"{REASON_FULL} ({max_entries})"))
            continue
        if _fits(night, chosen + [cand], costs, gap):
            chosen.append(cand)
        else:
            rejected.append(cand)
    layout = _layout_of(night, chosen, costs, gap) or {}
    for cand in rejected:
        entry = cand[3]
        busy = [(layout[c[3].id], layout[c[3].id] + c[3].duration) for c in chosen]
        free = _free_time(dark, busy + fixed, gap)
        slot = night.block(entry.id, entry.duration, _intersect(cand[4], free),
                           lambda t, i=cand[2]: observability.altitude_at(i, t), _weight(entry, now))
        if slot.placeable and (max_entries is None or len(chosen) < max_entries):
            chosen.append(cand)
            layout[entry.id] = float(night.grid[slot.best])
            continue
        left_out.append(Unplaced(entry, _why_no_slot(entry, cand[4], raw[entry.id], dark, busy, fixed, gap,
                                                     observability.site)))
    return chosen, layout, left_out


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
        if entry.fixed:  # an event's block: where the event is, whatever else
            start, end = (entry.start, entry.end) if entry.start is not None else entry.event.block
            placed.append(replace(entry, start=start, end=end, duration=max(end - start, 1.0),
                                  windows=tuple(_clip(all_windows, *dark)) or tuple(all_windows)))
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
