"""A plan's entries and limits: ``PlanEntry`` (one block of the night: a target, when, how
long, what to take, whether the user pinned its times) and ``PlanLimits`` (the constraints
the plan is scheduled with). Plain dataclasses, no Qt; ``planner.plan.model`` re-exports them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from planner.plan.records import (
    _CHART_ID_TEXT,
    Observation,
    PlanEvent,
    PlanTarget,
    PlanValueError,
    _finite,
    _utc_text,
)
from planner.sky.mount import Mount

STATUSES = ("planned", "observed", "skipped")
TWILIGHTS = ("astronomical", "nautical", "civil", "site")
TWILIGHT_LABELS = {
    "astronomical": "astronomical night (Sun below -18°)",
    "nautical": "nautical night (Sun below -12°)",
    "civil": "civil night (Sun below -6°)",
    "site": "the site's sun-altitude night",
}


@dataclass
class PlanEntry:
    """One block of the night: a target, when (``start``/``end`` unix UTC, None until
    scheduled), how long it wants (``duration`` seconds), and what to take.

    ``windows`` are the intervals (unix) when the target is observable in the plan's
    night; the scheduler fills them in and ``Plan.conflicts()`` checks edits against them.
    ``event``: the minimum, transit or maximum the block is for; such a block is fixed in
    time (``fixed``) and the scheduler fits the others around it.
    """

    target: PlanTarget
    duration: float = 1800.0
    start: float | None = None
    end: float | None = None
    filters: tuple[str, ...] = ()
    exposure: float = 60.0  # seconds per frame
    count: int = 1  # frames per filter
    notes: str = ""
    status: str = "planned"
    windows: tuple[tuple[float, float], ...] = ()
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    observations: tuple[Observation, ...] = ()
    chart_id: str = ""  # the AAVSO chart prepared for this entry (planner.app.charts)
    # When the block runs through the mount's flip window: the meridian crossing (unix) at
    # which the German equatorial mount must flip, marked for the chart and the exports.
    meridian_flip: float | None = None
    event: PlanEvent | None = None
    # Times the user typed (the Plan dock's Start/End): Schedule and re-timing keep the
    # block where it is and fit the others around it, as they do an event's block.
    pinned: bool = False

    def __post_init__(self) -> None:
        self.duration = _finite("duration", self.duration)  # type: ignore[assignment]
        if self.duration <= 0:
            raise PlanValueError(f"duration of {self.target.name!r} must be positive")
        self.start = _finite("start", self.start, allow_none=True)
        self.end = _finite("end", self.end, allow_none=True)
        if (self.start is None) != (self.end is None):
            raise PlanValueError(f"{self.target.name!r} needs both a start and an end, or neither")
        if self.start is not None and self.end <= self.start:  # type: ignore[operator]
            # No program can run such a block (an iCalendar event ending before it starts is
            # invalid, RFC 5545 3.6.1), so it is refused rather than kept as a conflict.
            raise PlanValueError(
                f"{self.target.name!r} ends before it starts (end {_utc_text(self.end)} is not after "
                f"start {_utc_text(self.start)})"
            )
        self.exposure = _finite("exposure", self.exposure)  # type: ignore[assignment]
        if self.exposure <= 0:
            raise PlanValueError(f"exposure of {self.target.name!r} must be positive")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise PlanValueError(f"count of {self.target.name!r} must be a whole number of at least 1")
        if isinstance(self.filters, str):
            self.filters = tuple(f.strip() for f in self.filters.split(",") if f.strip())
        self.filters = tuple(str(f) for f in self.filters)
        if any(not f or "," in f for f in self.filters):
            raise PlanValueError(f"filters of {self.target.name!r} must be names without commas")
        if self.status not in STATUSES:
            raise PlanValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if not isinstance(self.notes, str):
            raise PlanValueError("notes must be text")
        windows = []
        for pair in self.windows:
            a, b = pair
            windows.append((_finite("window start", a), _finite("window end", b)))
        self.windows = tuple(windows)  # type: ignore[assignment]
        self.observations = tuple(self.observations)
        if not all(isinstance(o, Observation) for o in self.observations):
            raise PlanValueError("observations must be Observation records")
        if not isinstance(self.chart_id, str) or not _CHART_ID_TEXT.match(self.chart_id.strip()):
            raise PlanValueError(f"chart id {self.chart_id!r} of {self.target.name!r} must be letters and digits")
        self.chart_id = self.chart_id.strip()
        self.meridian_flip = _finite("meridian_flip", self.meridian_flip, allow_none=True)
        if self.event is not None and not isinstance(self.event, PlanEvent):
            raise PlanValueError("event must be a PlanEvent record")
        if not isinstance(self.pinned, bool):
            raise PlanValueError("'pinned' must be true or false")

    @classmethod
    def for_event(cls, target: PlanTarget, event: PlanEvent, **kwargs) -> "PlanEntry":
        """A fixed block for ``event``: from its start less the margin before to its end
        plus the margin after."""
        start, end = event.block
        return cls(target=target, duration=max(end - start, 1.0), start=start, end=max(end, start + 1.0),
                   event=event, **kwargs)

    @property
    def fixed(self) -> bool:
        """Kept where it is by the scheduler: an event's block, or times the user pinned."""
        return self.event is not None or (self.pinned and self.start is not None)

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def scheduled(self) -> bool:
        return self.start is not None

    def label(self) -> str:
        """The chart's name for the block: the target's, with the event it is for."""
        return self.target.name + (f" {self.event.label}" if self.event is not None and self.event.label else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target.to_dict(),
            "duration": self.duration,
            "start": self.start,
            "end": self.end,
            "filters": list(self.filters),
            "exposure": self.exposure,
            "count": self.count,
            "notes": self.notes,
            "status": self.status,
            "windows": [list(w) for w in self.windows],
            "observations": [o.to_dict() for o in self.observations],
            "chart_id": self.chart_id,
            **({"meridian_flip": self.meridian_flip} if self.meridian_flip is not None else {}),
            **({"event": self.event.to_dict()} if self.event is not None else {}),
            **({"pinned": True} if self.pinned else {}),  # optional: older planners ignore it
        }

    @classmethod
    def from_dict(cls, data: Any) -> "PlanEntry":
        if not isinstance(data, dict):
            raise PlanValueError("an entry must be a JSON object")
        if "target" not in data:
            raise PlanValueError("an entry has no 'target'")
        filters = data.get("filters", [])
        if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
            raise PlanValueError("'filters' must be a list of filter names")
        windows = data.get("windows", [])
        if not isinstance(windows, list) or not all(isinstance(w, list) and len(w) == 2 for w in windows):
            raise PlanValueError("'windows' must be a list of [start, end] pairs")
        ident = data.get("id") or uuid.uuid4().hex
        if not isinstance(ident, str):
            raise PlanValueError("'id' must be text")
        observations = data.get("observations", [])
        if not isinstance(observations, list):
            raise PlanValueError("'observations' must be a list")
        return cls(
            target=PlanTarget.from_dict(data["target"]),
            duration=data.get("duration", 1800.0),
            start=data.get("start"),
            end=data.get("end"),
            filters=tuple(filters),
            exposure=data.get("exposure", 60.0),
            count=data.get("count", 1),
            notes=data.get("notes", ""),
            status=data.get("status", "planned"),
            windows=tuple(tuple(w) for w in windows),
            id=ident,
            observations=tuple(Observation.from_dict(o) for o in observations),
            chart_id=data.get("chart_id", ""),
            meridian_flip=data.get("meridian_flip"),
            event=PlanEvent.from_dict(data["event"]) if data.get("event") is not None else None,
            pinned=data.get("pinned", False),
        )


@dataclass
class PlanLimits:
    """The constraints the plan was made with."""

    min_altitude: float = 20.0  # degrees, apparent
    twilight: str = "astronomical"
    moon_separation: float | None = None  # degrees; None = no Moon constraint
    gap: float = 0.0  # seconds kept free between entries (slew, centring)
    # With a width (days) ``moon_separation`` is the Lorentzian's distance at full Moon and
    # the separation asked follows the Moon's age (planner.sky.moon); None: a flat distance.
    moon_width: float | None = None
    mount: Mount | None = None  # the meridian flip and hour-angle reach (planner.sky.mount)

    def __post_init__(self) -> None:
        self.min_altitude = _finite("min_altitude", self.min_altitude)  # type: ignore[assignment]
        if self.twilight not in TWILIGHTS:
            raise PlanValueError(f"twilight must be one of {', '.join(TWILIGHTS)}, not {self.twilight!r}")
        self.moon_separation = _finite("moon_separation", self.moon_separation, allow_none=True)
        self.gap = _finite("gap", self.gap)  # type: ignore[assignment]
        if self.gap < 0:
            raise PlanValueError("gap must not be negative")
        self.moon_width = _finite("moon_width", self.moon_width, allow_none=True)
        if self.moon_width is not None and self.moon_width <= 0:
            raise PlanValueError("moon_width must be a positive number of days")
        if isinstance(self.mount, dict):
            try:
                self.mount = Mount.from_json(self.mount)
            except ValueError as exc:
                raise PlanValueError(f"'mount': {exc}") from None
        if self.mount is not None and not isinstance(self.mount, Mount):
            raise PlanValueError("'mount' must be a mount description")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "min_altitude": self.min_altitude,
            "twilight": self.twilight,
            "moon_separation": self.moon_separation,
            "gap": self.gap,
        }
        if self.moon_width is not None:
            data["moon_width"] = self.moon_width
        if self.mount is not None:
            data["mount"] = self.mount.to_json()
        return data

    @classmethod
    def from_dict(cls, data: Any) -> "PlanLimits":
        if not isinstance(data, dict):
            raise PlanValueError("'limits' must be a JSON object")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})

    def describe_moon(self) -> str:
        """"no Moon limit", "30° from the Moon" or "60° from the full Moon, half 7 days from full"."""
        if self.moon_separation is None:
            return "no Moon limit"
        if self.moon_width is None:
            return f"{self.moon_separation:g}° from the Moon"
        return f"{self.moon_separation:g}° from the full Moon, half that {self.moon_width:g} days from full"
