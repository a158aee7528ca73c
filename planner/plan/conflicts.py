"""What is wrong with a plan's times, checked in one place (no Qt, no astronomy).

``plan_conflicts(plan)`` is what ``Plan.conflicts()`` returns and the Plan dock marks on
its rows: an entry outside the time its target is above the altitude limit and the horizon
mask (its ``windows``, which the scheduler computed from those limits), outside the plan's
dark time, overlapping another entry, or an event's block moved off its event.
``export_warnings(plan)`` adds what only matters when the plan leaves planner: entries
with no time at all, and timed entries never checked against the sky (no windows: timed
by hand before a Schedule). The window's export dialog and ``planner export`` show the
same list (``describe``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.formatting import format_clock

if TYPE_CHECKING:  # the plan imports this module
    from planner.plan.model import Plan

# Two entries that touch (one ends the second the next starts) do not overlap; a second
# of slack absorbs float noise from JSON round trips and time arithmetic.
TOLERANCE_S = 1.0
# Every kind, in the order a list of warnings is sorted by.
KINDS = ("overlap", "night", "window", "event", "unchecked", "untimed")


@dataclass(frozen=True)
class Conflict:
    """An entry that breaks the plan's rules; ``kind`` is one of ``KINDS``: 'window' (the
    target is below its altitude limit or the horizon mask), 'night' (outside the dark
    time), 'overlap', 'event' (an event's block moved off its event), and for exports
    'unchecked' (timed, never checked against the sky) and 'untimed' (no time)."""

    entry_id: str
    index: int
    kind: str
    message: str
    short: str = ""  # a few words for a table cell ("below 20°", "overlaps SS Cyg")


def plan_conflicts(plan: "Plan") -> list[Conflict]:
    """Every timed entry that leaves its window or the dark time, overlaps another, or (an
    event's block) no longer covers its event, each with a message that says why."""
    out: list[Conflict] = []
    tol = TOLERANCE_S
    tz = plan.site.tz

    def span(a: float, b: float) -> str:
        return f"{format_clock(a, tz)}–{format_clock(b, tz, zone=True)}"

    limit = f"{plan.limits.min_altitude:g}°"
    horizon = " or behind the horizon mask" if plan.site.horizon is not None else ""
    for i, e in enumerate(plan.entries):
        if e.start is None or e.end is None:
            continue
        if e.windows and not any(a - tol <= e.start and e.end <= b + tol for a, b in e.windows):
            up = ", ".join(span(a, b) for a, b in e.windows)
            out.append(Conflict(e.id, i, "window",
                                f"{e.name} is below its altitude limit ({limit}){horizon} during part of "
                                f"{span(e.start, e.end)}; it is up {up}",
                                f"below {limit}" + ("/horizon" if horizon else "")))
        if plan.night_start is not None and plan.night_end is not None:
            if e.start < plan.night_start - tol or e.end > plan.night_end + tol:
                out.append(Conflict(e.id, i, "night",
                                    f"{e.name} runs outside the dark time ({plan.limits.twilight}, "
                                    f"{span(plan.night_start, plan.night_end)})", "outside the dark time"))
        if e.event is not None and not (e.start - tol <= e.event.start and e.event.end <= e.end + tol):
            what = e.event.label or e.event.kind
            out.append(Conflict(e.id, i, "event", f"{e.name}'s block no longer covers its {what}",
                                f"off its {what}"))
    for i, e, j, other in _overlaps(plan):
        out.append(Conflict(other.id, j, "overlap", f"{other.name} overlaps {e.name}", f"overlaps {e.name}"))
        out.append(Conflict(e.id, i, "overlap", f"{e.name} overlaps {other.name}", f"overlaps {other.name}"))
    return out


def _overlaps(plan: "Plan"):
    """(i, entry, j, other) for every pair of timed entries that overlap, ``entry`` first in time."""
    tol = TOLERANCE_S
    timed = sorted(
        ((i, e) for i, e in enumerate(plan.entries) if e.start is not None and e.end is not None and e.end > e.start),
        key=lambda p: p[1].start,
    )
    for k, (i, e) in enumerate(timed):
        for j, other in timed[k + 1 :]:
            if other.start >= e.end - tol:  # type: ignore[operator]
                break
            yield i, e, j, other


def export_warnings(plan: "Plan") -> list[Conflict]:
    """``plan_conflicts`` plus entries an exported file cannot time: no time at all, or a
    time never checked against the sky. In the plan's order, each overlap once."""
    out = [c for c in plan_conflicts(plan) if c.kind != "overlap"]
    out += [Conflict(e.id, i, "overlap", f"{e.name} and {other.name} overlap") for i, e, j, other in _overlaps(plan)]
    for i, e in enumerate(plan.entries):
        if e.status != "planned":
            continue  # observed or skipped: nothing left to run
        if e.start is None:
            out.append(Conflict(e.id, i, "untimed", f"{e.name} has no time (press Schedule, or type its Start)"))
        elif not e.windows and e.event is None:  # an event block is timed by its event
            out.append(Conflict(e.id, i, "unchecked",
                                f"{e.name} was never checked against the sky (press Schedule)"))
    out.sort(key=lambda c: (c.index, KINDS.index(c.kind)))
    return out


def describe(warnings: list[Conflict]) -> list[str]:
    """One line per warning, for a dialog or stderr."""
    return [c.message + "." for c in warnings]
