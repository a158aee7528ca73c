"""Typing an entry's Start or End (a use case of the Plan dock; no Qt).

A clock time typed in a time zone (the window's: the site's or UTC) becomes the instant of
the plan's night it names: the night runs over midnight, so 01:30 is the morning after the
evening date and 22:00 that evening (the candidate nearest the middle of the night wins).
The edit goes through ``Plan.set_times`` (announced on ``Plan.events``) and pins the entry:
Schedule and re-timing then keep it where the user put it and fit the others around it.
What the new times break (outside the dark time, below the altitude limit or the horizon
mask, over another entry) is kept, as the user asked, and comes back as warnings.
``check_times`` then gives the typed blocks what Schedule would have: the target's windows
(for an entry never scheduled, so its row can say whether the target is up) and the air
mass over the block; the window runs it in the sky helper process.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, replace
from datetime import tzinfo

from planner.formatting import format_clock
from planner.plan.model import Plan, PlanEntry, PlanValueError
from planner.plan.placement import BlockAirmass

DAY = 86400.0


@dataclass(frozen=True)
class TimeEdit:
    """The edited entry and what its new times break (one sentence each, '' none)."""

    entry: PlanEntry
    warnings: tuple[str, ...]

    def summary(self, tz: tzinfo) -> str:
        e = self.entry
        text = f"{e.name} set to {format_clock(e.start, tz)}–{format_clock(e.end, tz, zone=True)}, pinned"
        if not self.warnings:
            return text + "."
        return text + "; kept as typed, but: " + "; ".join(self.warnings) + "."


def night_reference(plan: Plan, index: int | None = None) -> float:
    """The instant a typed clock time is taken nearest to: the middle of the plan's dark
    time, else the entry's own time, else midnight after the plan's evening date."""
    if plan.night_start is not None and plan.night_end is not None:
        return (plan.night_start + plan.night_end) / 2.0
    if index is not None and plan.entries[index].start is not None:
        return float(plan.entries[index].start)  # type: ignore[arg-type]
    if plan.date:
        try:
            evening = _dt.date.fromisoformat(plan.date)
        except ValueError:
            evening = None
        if evening is not None:
            midnight = _dt.datetime.combine(evening + _dt.timedelta(days=1), _dt.time(0, 0), plan.site.tz)
            return midnight.timestamp()
    raise PlanValueError("the plan has no night yet: press Schedule (or pick a date) before typing times")


def clock_on_night(hour: int, minute: int, tz: tzinfo, reference: float) -> float:
    """The unix time of ``hour:minute`` in ``tz`` on whichever date puts it nearest
    ``reference`` (so a night's times after midnight fall on the next date)."""
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise PlanValueError(f"{hour:02d}:{minute:02d} is not a time of day")
    day = _dt.datetime.fromtimestamp(reference, tz).date()
    candidates = [_dt.datetime.combine(day + _dt.timedelta(days=d), _dt.time(hour, minute), tz).timestamp()
                  for d in (-1, 0, 1)]
    return min(candidates, key=lambda t: abs(t - reference))


def parse_clock(text: str) -> tuple[int, int] | None:
    """(hour, minute) of 'HH:MM' (or 'HHMM', 'H.MM'); None for an empty cell; raises
    ``PlanValueError`` saying what is expected otherwise."""
    text = text.strip().split(" ")[0] if text.strip() else ""
    if not text:
        return None
    digits = text.replace(".", ":").replace("h", ":")
    parts = digits.split(":") if ":" in digits else ([digits[:-2], digits[-2:]] if len(digits) in (3, 4) else [])
    try:
        hour, minute = (int(p) for p in parts)
    except ValueError:
        raise PlanValueError(f"{text!r} is not a time: type it as HH:MM (e.g. 23:40)") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise PlanValueError(f"{text!r} is not a time of day: type it as HH:MM (e.g. 23:40)")
    return hour, minute


def set_entry_time(plan: Plan, index: int, which: str, clock: tuple[int, int] | None, tz: tzinfo) -> TimeEdit:
    """Set the Start (``which='start'``) or End of entry ``index`` to ``clock`` in ``tz``.
    A new Start keeps the block's length; a new End changes it (and must be after the
    Start). An empty Start (``clock`` None) clears the times and the pin: Schedule places
    the entry again. Raises ``PlanValueError`` (nothing changed) for what no program can
    run: an End not after the Start, a time with no night to put it on."""
    if which not in ("start", "end"):
        raise ValueError(f"which must be 'start' or 'end', not {which!r}")
    entry = plan.entries[index]
    if clock is None:
        if which == "end" and entry.start is not None:
            raise PlanValueError(f"{entry.name} needs an End: clear its Start to unschedule it")
        plan.set_times(index, None, pinned=False)
        return TimeEdit(plan.entries[index], ())
    t = clock_on_night(*clock, tz, night_reference(plan, index))
    if which == "start":
        start, end = t, t + entry.duration
    else:
        start = entry.start if entry.start is not None else t - entry.duration
        end = t
        if end <= start:  # type: ignore[operator]
            raise PlanValueError(f"End {format_clock(end, tz)} must be after Start {format_clock(start, tz)} "
                                 f"for {entry.name}; change the Start first to move the block earlier")
    new = plan.set_times(index, start, end, pinned=True)
    warnings = tuple(c.message for c in plan.conflicts() if c.entry_id == new.id)
    return TimeEdit(new, warnings)


@dataclass(frozen=True)
class TimesChecked:
    """``check_times``' answer for one timed entry: the times it was checked for, the
    target's windows above the limit in the dark time, and the air mass over the block."""

    start: float
    end: float
    windows: tuple[tuple[float, float], ...]
    airmass: BlockAirmass


def _check_times(plan: Plan, time: float, ids: tuple[str, ...]) -> dict[str, TimesChecked]:
    from planner.app.visibility import compute_visibility
    from planner.plan.scheduler import airmass_of, dark_interval

    timed = [e for e in plan.entries if e.id in ids and e.start is not None and e.end is not None]
    if not timed:
        return {}
    site = plan.site
    if site.target_altitude != plan.limits.min_altitude:  # the plan's limit, as Schedule uses it
        site = site.with_limits(target_altitude=plan.limits.min_altitude)
    observability = compute_visibility([e.target for e in timed], site, time)
    dark = dark_interval(observability, plan.limits.twilight)
    out = {}
    for row, entry in enumerate(timed):
        windows = observability.windows(row)
        if dark is not None:
            windows = [(max(a, dark[0]), min(b, dark[1])) for a, b in windows if min(b, dark[1]) > max(a, dark[0])]
        checked = replace(entry, windows=tuple((float(a), float(b)) for a, b in windows))
        airmass = airmass_of([checked], observability, [row])[entry.id]
        out[entry.id] = TimesChecked(entry.start, entry.end, checked.windows, airmass)  # type: ignore[arg-type]
    return out


def check_times(plan: Plan, time: float, ids, *, in_helper: bool = False) -> dict[str, TimesChecked]:
    """Windows and air mass of the entries ``ids`` (timed by hand) for the night following
    ``time``, by entry id; ``in_helper`` runs it in the sky helper process."""
    if in_helper:
        from planner.app.helper import run_in_process

        return run_in_process(_check_times, plan, float(time), tuple(ids))
    return _check_times(plan, float(time), tuple(ids))


def apply_checked(plan: Plan, checked: dict[str, TimesChecked]) -> list[str]:
    """Give each entry still at the checked times the windows found, if it had none (an
    entry Schedule never placed); the ids of those changed. Announced as edits, so the row
    redraws and its warnings follow."""
    changed = []
    for ident, result in checked.items():
        try:
            row = plan.index_of(ident)
        except KeyError:
            continue
        entry = plan.entries[row]
        if (entry.start, entry.end) == (result.start, result.end) and not entry.windows and result.windows:
            plan.update(row, windows=result.windows)
            changed.append(ident)
    return changed
