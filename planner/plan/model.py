"""The night plan: a ``Plan`` (site, night, limits, notes) holding ``PlanEntry`` items.

Plain dataclasses, no Qt. Each entry carries a ``PlanTarget``, a copy of the target's
fields an export needs, so a saved plan re-exports without the catalog. Editing never
silently "fixes" an entry: ``Plan.conflicts()`` lists every entry that leaves its
observable window, leaves the night or overlaps another, and the views mark them.
Every edit of a ``Plan`` goes through its methods and announces itself on ``Plan.events``
(``planner.plan.events``), which the plan table follows row by row.
"""

from __future__ import annotations

import math
import re
import time as _time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from planner.catalog.target import Target
from planner.catalog.target import is_due as catalog_is_due
from planner.catalog.target import urgency as catalog_urgency
from planner.plan.events import PlanEvents
from planner.sky.horizon import HorizonMask
from planner.sky.mount import Mount
from planner.sky.site import Site

STATUSES = ("planned", "observed", "skipped")
TWILIGHTS = ("astronomical", "nautical", "civil", "site")
TWILIGHT_LABELS = {
    "astronomical": "astronomical night (Sun below -18°)",
    "nautical": "nautical night (Sun below -12°)",
    "civil": "civil night (Sun below -6°)",
    "site": "the site's sun-altitude night",
}
# Two entries that touch (one ends the second the next starts) do not overlap; a second
# of slack absorbs float noise from JSON round trips and time arithmetic.
TOLERANCE_S = 1.0


class PlanValueError(ValueError):
    """A value that cannot go into a plan; the message names the field and the problem."""


def _finite(name: str, value: Any, *, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlanValueError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise PlanValueError(f"{name} must be finite, not {value!r}")
    return number


def _utc_text(t: float | None) -> str:
    try:
        return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")  # type: ignore[arg-type]
    except (OverflowError, OSError, ValueError, TypeError):
        return repr(t)


@dataclass(frozen=True)
class PlanTarget:
    """What a plan keeps of a target: enough to re-export it without the catalog."""

    name: str
    ra: float  # J2000 degrees
    dec: float  # J2000 degrees
    constellation: str = ""
    var_type: str = ""
    min_mag: float | None = None
    min_mag_band: str = ""
    max_mag: float | None = None
    max_mag_band: str = ""
    period: float | None = None  # days
    obs_cadence: float | None = None  # days
    obs_mode: str = ""
    filter: str = ""  # the AAVSO-requested filters, as given
    priority: bool = False
    last_data_point: float | None = None  # unix
    sections: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise PlanValueError("a plan target needs a name")
        ra = _finite("ra", self.ra)
        dec = _finite("dec", self.dec)
        if not 0.0 <= ra < 360.0:
            raise PlanValueError(f"ra {ra} of {self.name!r} is outside [0, 360) degrees")
        if not -90.0 <= dec <= 90.0:
            raise PlanValueError(f"dec {dec} of {self.name!r} is outside [-90, 90] degrees")
        object.__setattr__(self, "ra", ra)
        object.__setattr__(self, "dec", dec)
        for key in ("min_mag", "max_mag", "period", "obs_cadence", "last_data_point"):
            object.__setattr__(self, key, _finite(key, getattr(self, key), allow_none=True))
        object.__setattr__(self, "sections", tuple(self.sections))
        object.__setattr__(self, "priority", bool(self.priority))

    @classmethod
    def from_target(cls, target: Target) -> "PlanTarget":
        return cls(
            name=target.star_name,
            ra=target.ra,
            dec=target.dec,
            constellation=target.constellation,
            var_type=target.var_type,
            min_mag=target.min_mag,
            min_mag_band=target.min_mag_band,
            max_mag=target.max_mag,
            max_mag_band=target.max_mag_band,
            period=target.period,
            obs_cadence=target.obs_cadence,
            obs_mode=target.obs_mode,
            filter=target.filter,
            priority=target.priority,
            last_data_point=target.last_data_point,
            sections=tuple(target.obs_section),
        )

    @property
    def requested_filters(self) -> tuple[str, ...]:
        return tuple(f for f in self.filter.replace(";", ",").replace("/", ",").replace(" ", ",").split(",") if f)

    def magnitude_text(self) -> str:
        """'8.2–14.0 V' style range for tables and notes, '' when unknown."""
        if self.max_mag is None and self.min_mag is None:
            return ""
        low = "?" if self.max_mag is None else f"{self.max_mag:g}"
        high = "?" if self.min_mag is None else f"{self.min_mag:g}"
        band = self.min_mag_band or self.max_mag_band
        return f"{low}–{high}" + (f" {band}" if band else "")

    def is_due(self, now: float) -> bool:
        return catalog_is_due(self.obs_cadence, self.last_data_point, now)

    def urgency(self, now: float) -> float:
        """Priority- and due-weighted importance, as the catalog defines it for every list."""
        return catalog_urgency(self.priority, self.obs_cadence, self.last_data_point, now)

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        data["sections"] = list(self.sections)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> "PlanTarget":
        if not isinstance(data, dict):
            raise PlanValueError("a target must be a JSON object")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("name", "ra", "dec"):
            if key not in known:
                raise PlanValueError(f"a target has no '{key}'")
        for key in ("constellation", "var_type", "min_mag_band", "max_mag_band", "obs_mode", "filter"):
            if key in known and not isinstance(known[key], str):
                raise PlanValueError(f"target field '{key}' must be text")
        sections = known.get("sections", [])
        if not isinstance(sections, list) or not all(isinstance(s, str) for s in sections):
            raise PlanValueError("target field 'sections' must be a list of names")
        known["sections"] = tuple(sections)
        if "priority" in known and not isinstance(known["priority"], bool):
            raise PlanValueError("target field 'priority' must be true or false")
        return cls(**known)


# AAVSO's visual comment codes (the Visual File Format's COMMENTCODE), in its order.
COMMENT_CODES: dict[str, str] = {
    "B": "sky is bright (Moon, twilight, light pollution, aurora)",
    "U": "clouds, dust, smoke, haze",
    "W": "poor seeing",
    "L": "low in the sky, near the horizon, in trees, obstructed view",
    "D": "unusual activity (fading, flare, bizarre behaviour)",
    "Y": "outburst",
    "K": "non-AAVSO chart",
    "S": "comparison-sequence problem",
    "Z": "magnitude uncertain",
    "I": "identification of the star uncertain",
    "V": "faint star, near the observing limit, only glimpsed",
}
MAGNITUDE_TYPES = ("STD", "DIF")  # standardized, differential (AAVSO's MTYPE)
_CHART_ID_TEXT = re.compile(r"^[A-Za-z0-9]{0,24}$")


def _optional_finite(name: str, value: Any, low: float, high: float) -> float | None:
    number = _finite(name, value, allow_none=True)
    if number is not None and not low <= number <= high:
        raise PlanValueError(f"{name} {number:g} is outside {low:g} to {high:g}")
    return number


def normalise_comment_codes(codes: str) -> str:
    """AAVSO comment codes as letters in AAVSO's order (``"z b"`` -> ``"BZ"``); raises
    ``PlanValueError`` naming any letter that is not a code."""
    if not isinstance(codes, str):
        raise PlanValueError("comment codes must be text")
    letters = [c for c in codes.upper() if not c.isspace() and c not in ",;"]
    unknown = sorted({c for c in letters if c not in COMMENT_CODES})
    if unknown:
        raise PlanValueError(f"comment code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                             f"{'are' if len(unknown) > 1 else 'is'} not AAVSO's (they are {''.join(COMMENT_CODES)})")
    return "".join(c for c in COMMENT_CODES if c in letters)


@dataclass(frozen=True)
class Observation:
    """One estimate or measurement of an entry's star: when (unix UTC), the magnitude (or
    the limit it was fainter than) and its error, the band (``Vis.`` for a visual
    estimate), the comparison stars used (chart labels, with their AUIDs and chart
    magnitudes in the same order) and the check star, the chart's id, the airmass at that
    moment, AAVSO's comment codes, and notes.

    ``comparison_instrumental``/``check_instrumental`` are the measured (instrumental)
    magnitudes of the comparison and check stars, which AAVSO's Extended format asks for
    as CMAG/KMAG; ``transformed`` and ``mtype`` (STD or DIF) are its TRANS and MTYPE. The
    observing log (OAL) writes the estimate as a variable-star finding, the AAVSO reports
    as one line each."""

    time: float
    magnitude: float
    band: str = "Vis."
    fainter_than: bool = False
    uncertain: bool = False
    comparison: tuple[str, ...] = ()
    chart_id: str = ""
    notes: str = ""
    error: float | None = None
    comparison_auids: tuple[str, ...] = ()
    comparison_magnitudes: tuple[float | None, ...] = ()
    comparison_instrumental: float | None = None
    check: str = ""
    check_auid: str = ""
    check_magnitude: float | None = None
    check_instrumental: float | None = None
    airmass: float | None = None
    comment_codes: str = ""
    transformed: bool = False
    mtype: str = "STD"

    def __post_init__(self) -> None:
        object.__setattr__(self, "time", _finite("observation time", self.time))
        magnitude = _finite("magnitude", self.magnitude)
        if not -30.0 <= magnitude <= 40.0:  # type: ignore[operator]
            raise PlanValueError(f"magnitude {magnitude:g} is not a star's magnitude")
        object.__setattr__(self, "magnitude", magnitude)
        for key in ("band", "chart_id", "notes", "check", "check_auid", "comment_codes", "mtype"):
            if not isinstance(getattr(self, key), str):
                raise PlanValueError(f"observation field '{key}' must be text")
        for key in ("fainter_than", "uncertain", "transformed"):
            if not isinstance(getattr(self, key), bool):
                raise PlanValueError(f"observation field '{key}' must be true or false")
        comparison = tuple(self.comparison)
        if not all(isinstance(c, str) and c.strip() for c in comparison):
            raise PlanValueError("comparison stars must be labels (text)")
        object.__setattr__(self, "comparison", tuple(c.strip() for c in comparison))
        auids = tuple(self.comparison_auids)
        if auids and (len(auids) != len(comparison) or not all(isinstance(a, str) for a in auids)):
            raise PlanValueError("comparison_auids must give one AUID (or '') per comparison star")
        object.__setattr__(self, "comparison_auids", tuple(a.strip() for a in auids))
        mags = tuple(self.comparison_magnitudes)
        if mags and len(mags) != len(comparison):
            raise PlanValueError("comparison_magnitudes must give one magnitude (or null) per comparison star")
        object.__setattr__(self, "comparison_magnitudes", tuple(
            _optional_finite("comparison magnitude", m, -30.0, 40.0) for m in mags))
        object.__setattr__(self, "error", _optional_finite("magnitude error", self.error, 0.0, 10.0))
        for key in ("comparison_instrumental", "check_instrumental", "check_magnitude"):
            object.__setattr__(self, key, _optional_finite(key.replace("_", " "), getattr(self, key), -50.0, 50.0))
        object.__setattr__(self, "airmass", _optional_finite("airmass", self.airmass, 1.0, 40.0))
        object.__setattr__(self, "check", self.check.strip())
        object.__setattr__(self, "check_auid", self.check_auid.strip())
        object.__setattr__(self, "chart_id", self.chart_id.strip())
        object.__setattr__(self, "comment_codes", normalise_comment_codes(self.comment_codes))
        mtype = self.mtype.strip().upper() or "STD"
        if mtype not in MAGNITUDE_TYPES:
            raise PlanValueError(f"magnitude type {self.mtype!r} is not STD or DIF")
        if mtype == "DIF" and not comparison:
            raise PlanValueError("a differential magnitude (DIF) needs its comparison star")
        object.__setattr__(self, "mtype", mtype)

    @property
    def visual(self) -> bool:
        """A visual estimate (band ``Vis.``), reported in AAVSO's Visual format."""
        return self.band.strip().rstrip(".").casefold() in ("vis", "visual")

    def to_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for key in ("comparison", "comparison_auids", "comparison_magnitudes"):
            data[key] = list(data[key])
        return data

    @classmethod
    def from_dict(cls, data: Any) -> "Observation":
        if not isinstance(data, dict):
            raise PlanValueError("an observation must be a JSON object")
        for key in ("time", "magnitude"):
            if key not in data:
                raise PlanValueError(f"an observation has no '{key}'")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("comparison", "comparison_auids", "comparison_magnitudes"):
            value = known.get(key, [])
            if not isinstance(value, list):
                raise PlanValueError(f"'{key}' must be a list")
            known[key] = tuple(value)
        return cls(**known)


EVENT_KINDS = ("primary", "secondary", "transit", "maximum")


@dataclass(frozen=True)
class PlanEvent:
    """The minimum, transit or maximum an entry was added for (``planner.app.events``):
    its kind and short label, the middle (``time``) and its window (``start``/``end``),
    unix UTC, and the margins (seconds) kept before and after it. An entry with an event
    is a fixed block: the scheduler leaves it where the event is and fits the rest around."""

    kind: str
    time: float
    start: float
    end: float
    before: float = 0.0
    after: float = 0.0
    label: str = ""  # "Min I", "Transit", "Max"

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise PlanValueError(f"event kind must be one of {', '.join(EVENT_KINDS)}, not {self.kind!r}")
        for key in ("time", "start", "end", "before", "after"):
            object.__setattr__(self, key, _finite(f"event {key}", getattr(self, key)))
        if not self.start <= self.time <= self.end:
            raise PlanValueError(f"the event's middle ({_utc_text(self.time)}) is outside its window "
                                 f"({_utc_text(self.start)} to {_utc_text(self.end)})")
        if self.before < 0 or self.after < 0:
            raise PlanValueError("event margins must not be negative")
        if not isinstance(self.label, str):
            raise PlanValueError("event label must be text")

    @property
    def block(self) -> tuple[float, float]:
        """The block it needs: its window widened by the margins, out to whole minutes (a
        plan's times are read and typed to the minute)."""
        return (math.floor((self.start - self.before) / 60.0) * 60.0,
                math.ceil((self.end + self.after) / 60.0) * 60.0)

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Any) -> "PlanEvent":
        if not isinstance(data, dict):
            raise PlanValueError("'event' must be a JSON object")
        for key in ("kind", "time", "start", "end"):
            if key not in data:
                raise PlanValueError(f"the event has no '{key}'")
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


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

    @classmethod
    def for_event(cls, target: PlanTarget, event: PlanEvent, **kwargs) -> "PlanEntry":
        """A fixed block for ``event``: from its start less the margin before to its end
        plus the margin after."""
        start, end = event.block
        return cls(target=target, duration=max(end - start, 1.0), start=start, end=max(end, start + 1.0),
                   event=event, **kwargs)

    @property
    def fixed(self) -> bool:
        """Kept where it is by the scheduler (an event's block)."""
        return self.event is not None

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


@dataclass(frozen=True)
class Conflict:
    """An entry that breaks the plan's rules; ``kind`` is 'window', 'night', 'overlap' or
    'event' (an event's block moved off its event)."""

    entry_id: str
    index: int
    kind: str
    message: str


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

    def set_times(self, index: int, start: float | None, end: float | None = None) -> PlanEntry:
        """Move or resize an entry. Nothing is clamped: a block outside its window or over
        another is kept as asked and shows up in ``conflicts()``. A block that would end
        before it starts raises ``PlanValueError`` and nothing changes."""
        entry = self.entries[index]
        if start is None:
            new = replace(entry, start=None, end=None)
        else:
            end = start + entry.duration if end is None else end
            new = replace(entry, start=float(start), end=float(end), duration=max(float(end) - float(start), 1.0))
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
        (an event's block) no longer covers its event."""
        out: list[Conflict] = []
        tol = TOLERANCE_S
        for i, e in enumerate(self.entries):
            if e.start is None or e.end is None:
                continue
            if e.windows:
                if not any(a - tol <= e.start and e.end <= b + tol for a, b in e.windows):
                    out.append(
                        Conflict(e.id, i, "window", f"{e.name} is outside the time it is above the altitude limit")
                    )
            if self.night_start is not None and self.night_end is not None:
                if e.start < self.night_start - tol or e.end > self.night_end + tol:
                    out.append(Conflict(e.id, i, "night", f"{e.name} runs outside the night"))
            if e.event is not None and not (e.start - tol <= e.event.start and e.event.end <= e.end + tol):
                what = e.event.label or e.event.kind
                out.append(Conflict(e.id, i, "event", f"{e.name}'s block no longer covers its {what}"))
        timed = sorted(
            ((i, e) for i, e in enumerate(self.entries) if e.start is not None and e.end is not None and e.end > e.start),
            key=lambda p: p[1].start,
        )
        for k, (i, e) in enumerate(timed):
            for j, other in timed[k + 1 :]:
                if other.start >= e.end - tol:  # type: ignore[operator]
                    break
                out.append(Conflict(other.id, j, "overlap", f"{other.name} overlaps {e.name}"))
                out.append(Conflict(e.id, i, "overlap", f"{e.name} overlaps {other.name}"))
        return out

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
