"""The records a plan is made of, below its entries: ``PlanTarget`` (the copy of a target's
catalog fields an export needs), ``Observation`` (an estimate made of an entry's star, with
AAVSO's comment codes) and ``PlanEvent`` (the minimum, transit or maximum a fixed block is
for), with ``PlanValueError`` and the number checks every plan record uses. Plain frozen
dataclasses, no Qt; ``planner.plan.model`` re-exports them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from planner.catalog.target import Target
from planner.catalog.target import is_due as catalog_is_due
from planner.catalog.target import urgency as catalog_urgency


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
