"""The night plan: a ``Plan`` (site, night, limits, notes) holding ``PlanEntry`` items.

Plain dataclasses, no Qt. Each entry carries a ``PlanTarget``, a copy of the target's
fields an export needs, so a saved plan re-exports without the catalog. Editing never
silently "fixes" an entry: ``Plan.conflicts()`` (``planner.plan.conflicts``) lists every
entry that leaves its observable window, leaves the night or overlaps another, and the
views mark them. Every edit of a ``Plan`` goes through its methods and announces itself on
``Plan.events`` (``planner.plan.events``), which the plan table follows row by row.

The records live in ``planner.plan.records`` (target copy, observation, event) and
``planner.plan.entry`` (entry, limits); this module re-exports them, so
``from planner.plan.model import PlanEntry`` keeps working.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from planner.catalog.target import Target
from planner.plan.conflicts import TOLERANCE_S, Conflict, plan_conflicts
from planner.plan.entry import STATUSES, TWILIGHT_LABELS, TWILIGHTS, PlanEntry, PlanLimits
from planner.plan.events import PlanEvents
from planner.plan.records import (
    COMMENT_CODES,
    EVENT_KINDS,
    MAGNITUDE_TYPES,
    Observation,
    PlanEvent,
    PlanTarget,
    PlanValueError,
    _finite,
    normalise_comment_codes,
)
from planner.sky.horizon import HorizonMask
from planner.sky.site import Site

__all__ = [
    "COMMENT_CODES", "EVENT_KINDS", "MAGNITUDE_TYPES", "STATUSES", "TOLERANCE_S", "TWILIGHTS", "TWILIGHT_LABELS",
    "Conflict", "Observation", "Plan", "PlanEntry", "PlanEvent", "PlanLimits", "PlanTarget", "PlanValueError",
    "normalise_comment_codes", "site_from_dict", "site_to_dict",
]


SITE_FIELDS = ("latitude", "longitude", "elevation", "target_altitude", "sun_altitude", "timezone", "name")


def site_to_dict(site: Site) -> dict[str, Any]:
    data = {k: getattr(site, k) for k in SITE_FIELDS}
    if site.horizon is not None:  # optional: a plan made against a horizon mask keeps it
        data["horizon"] = site.horizon.to_json()
    return data


def site_from_dict(data: Any) -> Site:
    if not isinstance(data, dict):
        raise PlanValueError("'site' must be a JSON object")
    horizon = None
    if data.get("horizon") is not None:
        try:
            horizon = HorizonMask.from_json(data["horizon"], "the plan's horizon")
        except ValueError as exc:  # HorizonError
            raise PlanValueError(f"'site': {exc}") from None
    try:
        return Site(**{k: data[k] for k in SITE_FIELDS if k in data}, horizon=horizon)
    except TypeError as exc:
        raise PlanValueError(f"'site' is incomplete: {exc}") from None
    except ValueError as exc:  # SiteError
        raise PlanValueError(f"'site': {exc}") from None


@dataclass
class Plan:
    """A night's plan at one site."""

    site: Site
    night_start: float | None = None  # unix: the dark interval the plan fills
    night_end: float | None = None
    date: str = ""  # local calendar date of the evening, ISO (for titles and file names)
    limits: PlanLimits = field(default_factory=PlanLimits)
    entries: list[PlanEntry] = field(default_factory=list)
    title: str = ""
    notes: str = ""
    created: float = field(default_factory=lambda: float(round(_time.time(), 3)))
    modified: float = field(default_factory=lambda: float(round(_time.time(), 3)))

    def __post_init__(self) -> None:
        self.night_start = _finite("night_start", self.night_start, allow_none=True)
        self.night_end = _finite("night_end", self.night_end, allow_none=True)
        self.created = _finite("created", self.created)  # type: ignore[assignment]
        self.modified = _finite("modified", self.modified)  # type: ignore[assignment]
        if not isinstance(self.notes, str) or not isinstance(self.title, str) or not isinstance(self.date, str):
            raise PlanValueError("title, date and notes must be text")

    # -- editing -------------------------------------------------------------------------
    # Each edit announces itself on ``events`` (planner.plan.events); views follow them. A
    # plan somebody listens to is edited only through these methods, never by assigning to
    # ``entries``; the scheduler and the exporters work on copies.

    @property
    def events(self) -> PlanEvents:
        """The plan's change notifications, made on first use. Not part of the plan's data:
        pickling (to the sky helper process) and ``copy.deepcopy`` leave them behind, so a
        copy starts with no listeners."""
        events = self.__dict__.get("_events")
        if events is None:
            events = self.__dict__["_events"] = PlanEvents()
        return events

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_events", None)
        return state

    def touch(self) -> None:
        self.modified = float(round(_time.time(), 3))

    def index_of(self, entry_id: str) -> int:
        for i, entry in enumerate(self.entries):
            if entry.id == entry_id:
                return i
        raise KeyError(entry_id)

    def add(self, entry: PlanEntry, index: int | None = None) -> PlanEntry:
        self.insert(len(self.entries) if index is None else index, [entry])
        return entry

    def insert(self, index: int, entries: Sequence[PlanEntry]) -> list[PlanEntry]:
        """Insert ``entries`` (in their order) so the first is at ``index`` (clamped to the
        list, like ``list.insert``). An id the plan already has, or twice among them, is
        refused before anything changes."""
        entries = list(entries)
        taken = {e.id for e in self.entries}
        for entry in entries:
            if entry.id in taken:
                raise PlanValueError(f"the plan already has an entry with id {entry.id!r} ({entry.name})")
            taken.add(entry.id)
        if not entries:
            return entries
        n = len(self.entries)
        index = max(0, min(index + n if index < 0 else index, n))
        self.events.inserting.emit(index, len(entries))
        self.entries[index:index] = entries
        self.touch()
        self.events.inserted.emit(index, tuple(entries))
        return entries

    def add_targets(self, targets: Iterable[Target | PlanTarget], **entry_kwargs) -> list[PlanEntry]:
        entries = [PlanEntry(target=t if isinstance(t, PlanTarget) else PlanTarget.from_target(t), **entry_kwargs)
                   for t in targets]
        return self.insert(len(self.entries), entries)

    def remove(self, index: int) -> PlanEntry:
        index = range(len(self.entries))[index]  # IndexError before anything is announced
        self.events.removing.emit(index)
        entry = self.entries.pop(index)
        self.touch()
        self.events.removed.emit(index, entry)
        return entry

    def move(self, source: int, destination: int) -> None:
        """Move the entry at ``source`` so it ends up at index ``destination``."""
        rows = range(len(self.entries))
        source, destination = rows[source], rows[destination]
        if source == destination:
            return
        self.events.moving.emit(source, destination)
        entry = self.entries.pop(source)
        self.entries.insert(destination, entry)
        self.touch()
        self.events.moved.emit(source, destination, entry)

    def move_before(self, rows: Iterable[int], destination: int) -> None:
        """Move the entries at ``rows`` (kept in their order) so they sit just before the
        entry now at ``destination`` (``len(entries)``: at the end) -- what dragging rows
        in a table asks. Rows outside the plan are ignored."""
        entries = self.entries
        rows = sorted({r for r in rows if 0 <= r < len(entries)})
        if not rows:
            return
        moving = [entries[r].id for r in rows]
        dragged = set(moving)
        anchor = next((e.id for e in entries[max(destination, 0):] if e.id not in dragged), None)
        for ident in moving:
            source = self.index_of(ident)
            before = self.index_of(anchor) if anchor is not None else len(self.entries)
            self.move(source, before if before < source else before - 1)

    def set_times(self, index: int, start: float | None, end: float | None = None, *,
                  pinned: bool | None = None) -> PlanEntry:
        """Move or resize an entry (and, given ``pinned``, pin or release it: a pinned entry
        keeps its times when the plan is scheduled). Nothing is clamped: a block outside its
        window or over another is kept as asked and shows up in ``conflicts()``. A block
        that would end before it starts raises ``PlanValueError`` and nothing changes."""
        entry = self.entries[index]
        pin = {} if pinned is None else {"pinned": bool(pinned)}
        if start is None:
            new = replace(entry, start=None, end=None, **pin)
        else:
            end = start + entry.duration if end is None else end
            new = replace(entry, start=float(start), end=float(end), duration=max(float(end) - float(start), 1.0),
                          **pin)
        return self._replace_entry(index, new)

    def update(self, index: int, **changes) -> PlanEntry:
        """Replace fields of one entry (validated); a new duration resizes a scheduled block."""
        entry = self.entries[index]
        if "duration" in changes and entry.start is not None and "end" not in changes:
            changes["end"] = entry.start + float(changes["duration"])
        return self._replace_entry(index, replace(entry, **changes))

    def _replace_entry(self, index: int, new: PlanEntry) -> PlanEntry:
        index = range(len(self.entries))[index]
        self.entries[index] = new
        self.touch()
        self.events.changed.emit(index, new)
        return new

    def set_limits(self, **changes) -> PlanLimits:
        """Change the limits the plan is scheduled with (validated, as ``PlanLimits`` is)."""
        limits = replace(self.limits, **changes)
        if limits != self.limits:
            self.limits = limits
            self.touch()
            self.events.details_changed.emit()
        return limits

    def apply_schedule(self, scheduled: "Plan") -> None:
        """Take the layout a scheduled copy of this plan was given (the scheduler's answer,
        from the sky helper process): its order, its entries' times and windows, its site,
        night, date and limits. Each step is announced (moves, then changes), so a view
        keeps its rows and selection. Raises ``PlanValueError``, changing nothing, when
        ``scheduled`` does not hold exactly this plan's entries."""
        order = [e.id for e in scheduled.entries]
        if sorted(order) != sorted(e.id for e in self.entries):
            raise PlanValueError("the scheduled plan does not hold this plan's entries")
        for position, new in enumerate(scheduled.entries):
            self.move(self.index_of(new.id), position)
            if self.entries[position] != new:
                self._replace_entry(position, new)
        self.site, self.date, self.limits = scheduled.site, scheduled.date, replace(scheduled.limits)
        self.night_start, self.night_end = scheduled.night_start, scheduled.night_end
        self.touch()
        self.events.details_changed.emit()

    # -- reading -------------------------------------------------------------------------

    @property
    def scheduled_entries(self) -> list[PlanEntry]:
        return sorted((e for e in self.entries if e.start is not None), key=lambda e: e.start)

    def blocks(self) -> list[tuple[float, float, str]]:
        """(start, end, label) of every scheduled entry, in time order (for the chart)."""
        return [(e.start, e.end, e.label()) for e in self.scheduled_entries]  # type: ignore[misc]

    def flips(self) -> list[tuple[float, str]]:
        """(time, label) of every meridian flip marked inside a scheduled block (for the chart)."""
        return [(e.meridian_flip, e.label()) for e in self.scheduled_entries if e.meridian_flip is not None]

    def conflicts(self) -> list[Conflict]:
        """Every scheduled entry that leaves its window or the night, overlaps another, or
        (an event's block) no longer covers its event (``planner.plan.conflicts``)."""
        return plan_conflicts(self)

    def conflicting_ids(self) -> set[str]:
        return {c.entry_id for c in self.conflicts()}

    # -- serialisation (the file format lives in planner.plan.store) ----------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "date": self.date,
            "site": site_to_dict(self.site),
            "night": {"start": self.night_start, "end": self.night_end},
            "limits": self.limits.to_dict(),
            "notes": self.notes,
            "created": self.created,
            "modified": self.modified,
            "entries": [e.to_dict() for e in self.entries],
        }

    @classmethod
    def from_dict(cls, data: Any) -> "Plan":
        if not isinstance(data, dict):
            raise PlanValueError("the plan must be a JSON object")
        if "site" not in data:
            raise PlanValueError("the plan has no 'site'")
        night = data.get("night") or {}
        if not isinstance(night, dict):
            raise PlanValueError("'night' must be a JSON object")
        entries = data.get("entries", [])
        if not isinstance(entries, list):
            raise PlanValueError("'entries' must be a list")
        parsed = []
        first_with_id: dict[str, int] = {}
        for n, raw in enumerate(entries, 1):
            try:
                entry = PlanEntry.from_dict(raw)
            except (PlanValueError, TypeError, ValueError) as exc:
                raise PlanValueError(f"entry {n}: {exc}") from None
            if entry.id in first_with_id:
                # Exports key on the id (an iCalendar UID, the plan dock's rows): two entries
                # sharing one cannot both be trusted.
                m = first_with_id[entry.id]
                raise PlanValueError(
                    f"entry {n} ({entry.name}) has the same id {entry.id!r} as entry {m} ({parsed[m - 1].name})"
                )
            first_with_id[entry.id] = n
            parsed.append(entry)
        now = float(round(_time.time(), 3))
        return cls(
            site=site_from_dict(data["site"]),
            night_start=night.get("start"),
            night_end=night.get("end"),
            date=data.get("date", ""),
            limits=PlanLimits.from_dict(data.get("limits", {})),
            entries=parsed,
            title=data.get("title", ""),
            notes=data.get("notes", ""),
            created=data.get("created", now),
            modified=data.get("modified", now),
        )
