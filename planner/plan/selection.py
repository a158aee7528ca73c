"""Which targets go into the night and when: the step of the scheduler after each target's
usable windows are known (``planner.plan.scheduler``). Candidates are chosen greedily, most
urgent first, each kept only if everything chosen still fits; the chosen set is laid out at
the best air mass (``planner.plan.placement``), a turned-away target gets a slot the layout
left free, and what is left out comes back with the real reason. Also the interval
arithmetic (clip, intersect, subtract) the scheduler uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from planner.formatting import format_clock
from planner.plan.entry import PlanEntry, PlanLimits
from planner.plan.placement import BlockCost, NightGrid
from planner.sky.site import Site
from planner.sky.types import Observability

REASON_NO_SLOT = "sets before a slot is free"
REASON_RISES_AFTER = "rises only after the free time"
REASON_NIGHT_FULL = "the night is full"
REASON_FIXED = "conflicts with a fixed block"
REASON_ORDER = "does not fit in this order"
REASON_FULL = "the plan already holds the maximum number of entries"


@dataclass(frozen=True)
class Unplaced:
    """An entry the scheduler could not place, and why."""

    entry: PlanEntry
    reason: str

    @property
    def name(self) -> str:
        return self.entry.target.name



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
