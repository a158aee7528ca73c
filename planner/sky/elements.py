"""Ephemeris elements of a periodic variable (epoch, its time scale, period, durations) and
which kind of event a variability type has.

The conventions are GCVS's and VSX's: the epoch is the Julian date of a primary minimum
for eclipsing binaries and transiting exoplanets, of a maximum for pulsating stars; the
eclipse duration (D) and the rise duration (M - m) are per cent of the period. Elements
come from a target file's own fields, from the bundled sample, or from AAVSO VSX; a set
that cannot be right (a period of zero, a duration over half the period, an epoch further
in the future than one period) is refused with a message naming the field.
"""

from __future__ import annotations

import math
import re
import time as _time
from dataclasses import dataclass
from typing import Any, Iterable

from planner.numbers import NOT_FINITE, NumberError, finite_number

UNIX_EPOCH_JD = 2440587.5

# Time scales an epoch may be given in. HJD is heliocentric and UTC-based (the GCVS and VSX
# convention), BJD barycentric in TDB (BJD_TDB, the modern exoplanet convention, Eastman
# et al. 2010), JD a plain geocentric Julian date in UTC.
TIME_SCALES: tuple[str, ...] = ("HJD", "BJD", "JD")
_SCALE_ALIASES = {
    "HJD": "HJD",
    "HJD_UTC": "HJD",
    "BJD": "BJD",
    "BJD_TDB": "BJD",
    "JD": "JD",
    "JD_UTC": "JD",
    "GJD": "JD",
}

# What a star's elements predict.
ECLIPSING = "eclipsing"  # primary and secondary minima with ingress/egress
EXOPLANET = "exoplanet"  # transits with ingress/egress
PULSATOR = "pulsator"  # maxima of short-period pulsators with the rise before them
LONG_PERIOD = "long-period"  # phase only: their cycles wander from one to the next
STAR_CLASSES = (ECLIPSING, EXOPLANET, PULSATOR, LONG_PERIOD)

# Event kinds (the --kind values of ``planner events`` and the JSON ``kind``).
PRIMARY = "primary"
SECONDARY = "secondary"
TRANSIT = "transit"
MAXIMUM = "maximum"
EVENT_KINDS: tuple[str, ...] = (PRIMARY, SECONDARY, MAXIMUM, TRANSIT)

MAX_DURATION_PERCENT = 50.0

# Element fields a target record may carry (next to its ``period``).
ELEMENT_FIELDS: tuple[str, ...] = (
    "epoch",
    "time_scale",
    "eclipse_duration",
    "rise_duration",
    "period_uncertainty",
    "elements_source",
)

_PULSATOR_PREFIXES = ("RR", "DCEP", "CEP", "CW", "DSCT", "SXPHE", "BCEP", "ACEP", "BLBOO", "BLAP")
_LONG_PERIOD_TYPES = {"M", "SR", "SRA", "SRB", "SRC", "SRD", "SRS", "L", "LB", "LC", "RV", "RVA", "RVB"}


class ElementsError(ValueError):
    """Elements that cannot be used; ``field`` names the offending field."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Elements:
    """A linear ephemeris: events at ``epoch + E * period`` (E integer; +0.5 for secondaries)."""

    epoch: float  # Julian date in ``time_scale``
    period: float  # days
    time_scale: str = "HJD"
    eclipse_duration: float | None = None  # per cent of the period (D)
    rise_duration: float | None = None  # per cent of the period (M - m)
    period_uncertainty: float | None = None  # days
    source: str = ""  # where they come from, for people: "target file", "VSX", a citation

    @property
    def epoch_unix(self) -> float:
        """The epoch as unix seconds, ignoring the time scale (for ages and plausibility)."""
        return (self.epoch - UNIX_EPOCH_JD) * 86400.0

    def duration_days(self, star_class: str | None) -> float | None:
        """The event window in days: the eclipse for eclipsing stars and transits, the rise
        for pulsators; None when the elements do not give it."""
        percent = self.rise_duration if star_class == PULSATOR else self.eclipse_duration
        return None if percent is None else percent / 100.0 * self.period

    def to_json(self) -> dict[str, Any]:
        """The JSON of ``planner events`` (``elements``)."""
        return {
            "epoch": self.epoch,
            "time_scale": self.time_scale,
            "period": self.period,
            "eclipse_duration": self.eclipse_duration,
            "rise_duration": self.rise_duration,
            "period_uncertainty": self.period_uncertainty,
            "source": self.source,
        }

    def to_record(self) -> dict[str, Any]:
        """The fields a target record carries for these elements (``period`` included)."""
        out: dict[str, Any] = {"period": self.period, "epoch": self.epoch, "time_scale": self.time_scale}
        if self.eclipse_duration is not None:
            out["eclipse_duration"] = self.eclipse_duration
        if self.rise_duration is not None:
            out["rise_duration"] = self.rise_duration
        if self.period_uncertainty is not None:
            out["period_uncertainty"] = self.period_uncertainty
        if self.source:
            out["elements_source"] = self.source
        return out


def time_scale_name(text: Any) -> str:
    """"HJD", "BJD" or "JD" for what a file or a service writes; raises ``ElementsError``."""
    if not isinstance(text, str) or not text.strip():
        raise ElementsError("time_scale", f"field 'time_scale' must be one of {', '.join(TIME_SCALES)}")
    key = text.strip().upper().replace("-", "_").replace(" ", "_")
    if key not in _SCALE_ALIASES:
        raise ElementsError(
            "time_scale",
            f"field 'time_scale' {text!r} is not one of {', '.join(TIME_SCALES)} (HJD: heliocentric, "
            "BJD: barycentric TDB, JD: geocentric)",
        )
    return _SCALE_ALIASES[key]


def validate(elements: Elements, *, now: float | None = None) -> Elements:
    """``elements`` if they can be right; raises ``ElementsError`` naming the field if not."""
    now = _time.time() if now is None else float(now)
    period = elements.period
    if not isinstance(period, (int, float)) or not math.isfinite(period) or period <= 0:
        raise ElementsError("period", f"field 'period' must be a positive number of days, not {period!r}")
    epoch = elements.epoch
    if not isinstance(epoch, (int, float)) or not math.isfinite(epoch):
        raise ElementsError("epoch", f"field 'epoch' must be a Julian date, not {epoch!r}")
    if epoch < 2_000_000.0 or epoch > 3_000_000.0:
        hint = " (a reduced date? add 2400000)" if 0 < epoch < 100_000 else ""
        raise ElementsError("epoch", f"field 'epoch' {epoch:g} is not a Julian date{hint}")
    now_jd = now / 86400.0 + UNIX_EPOCH_JD
    if epoch > now_jd + period:
        raise ElementsError(
            "epoch",
            f"field 'epoch' {epoch:.5f} is more than one period ({period:g} d) in the future; "
            "an epoch is an observed event",
        )
    time_scale_name(elements.time_scale)
    for name in ("eclipse_duration", "rise_duration"):
        value = getattr(elements, name)
        if value is None:
            continue
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise ElementsError(name, f"field '{name}' must be a positive per cent of the period, not {value!r}")
        if value > MAX_DURATION_PERCENT:
            raise ElementsError(
                name,
                f"field '{name}' is {value:g} % of the period; more than {MAX_DURATION_PERCENT:g} % "
                "cannot be right (it is given in per cent of the period, as in the GCVS and VSX)",
            )
    if elements.period_uncertainty is not None:
        value = elements.period_uncertainty
        if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise ElementsError("period_uncertainty", f"field 'period_uncertainty' must be days >= 0, not {value!r}")
    return elements


def _type_components(var_type: str) -> list[str]:
    """"EA/GS+SRC" -> ["EA/GS", "SRC"]; uncertainty marks and parentheses dropped."""
    text = re.sub(r"\([^)]*\)", "", (var_type or "").upper())
    return [part.strip(" :|") for part in text.split("+") if part.strip(" :|")]


def _is_eclipsing(component: str) -> bool:
    family = component.split("/")[0].rstrip(":")
    return family == "E" or family[:2] in ("EA", "EB", "EW") or component.startswith("E/")


def _is_pulsator(component: str) -> bool:
    family = component.split("/")[0].rstrip(":")
    return family.startswith(_PULSATOR_PREFIXES)


def _is_long_period(component: str) -> bool:
    return component.split("/")[0].rstrip(":") in _LONG_PERIOD_TYPES


def star_class(var_type: str, sections: Iterable[str] = ()) -> str | None:
    """Which events a variability type has (``ECLIPSING``, ``EXOPLANET``, ``PULSATOR``,
    ``LONG_PERIOD``), or None (an irregular or eruptive type: no ephemeris).

    Compound types count by their most clock-bound part: "UGSS+E" (an eclipsing dwarf
    nova) is eclipsing, "M+ZAND" long-period; a star in the Target Tool's Exoplanets
    section, or of VSX type EP, is a transit host."""
    components = _type_components(var_type)
    if any(c.split("/")[0].startswith("EP") for c in components) or any(
        s.strip().lower() == "exoplanets" for s in sections
    ):
        return EXOPLANET
    if any(_is_eclipsing(c) for c in components):
        return ECLIPSING
    if any(_is_pulsator(c) for c in components):
        return PULSATOR
    if any(_is_long_period(c) for c in components):
        return LONG_PERIOD
    return None


def event_kinds(cls: str | None, var_type: str = "") -> tuple[str, ...]:
    """The event kinds a star class has (a long-period star has none: phase only).

    Secondary minima belong to binaries of two stars that both shine (EA, EB, EW); an
    eclipsing cataclysmic or X-ray binary (a bare "+E" in its type: "UGSS+E", "XPR+E") has
    primary eclipses only. Without a type, an eclipsing star gets both."""
    if cls == ECLIPSING and var_type:
        components = _type_components(var_type)
        two_stars = any(
            c.split("/")[0].rstrip(":")[:2] in ("EA", "EB", "EW") or c.startswith("E/") for c in components
        )
        return (PRIMARY, SECONDARY) if two_stars else (PRIMARY,)
    return {
        ECLIPSING: (PRIMARY, SECONDARY),
        EXOPLANET: (TRANSIT,),
        PULSATOR: (MAXIMUM,),
    }.get(cls or "", ())


def _field_number(record: dict, key: str) -> float | None:
    value = record.get(key)
    try:
        return finite_number(value, f"field '{key}'")
    except NumberError as exc:
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        kind = "finite" if exc.reason == NOT_FINITE else "a number"
        raise ElementsError(key, f"field '{key}' must be {kind}, not {shown}") from None


def elements_from_record(record: dict, *, period: float | None, source: str = "target file",
                         now: float | None = None) -> Elements | None:
    """The elements a target record carries (``epoch`` and the fields beside it), validated;
    None when it has no ``epoch``. Raises ``ElementsError`` naming the field."""
    epoch = _field_number(record, "epoch")
    if epoch is None:
        for key in ("eclipse_duration", "rise_duration", "period_uncertainty"):
            if record.get(key) not in (None, ""):
                raise ElementsError("epoch", f"field '{key}' is given without an 'epoch'")
        return None
    if period is None:
        raise ElementsError("period", "field 'period' is needed with 'epoch'")
    scale = record.get("time_scale")
    given_source = record.get("elements_source")
    if given_source is not None and not isinstance(given_source, str):
        raise ElementsError("elements_source", "field 'elements_source' must be text")
    elements = Elements(
        epoch=epoch,
        period=period,
        time_scale="HJD" if scale in (None, "") else time_scale_name(scale),
        eclipse_duration=_field_number(record, "eclipse_duration"),
        rise_duration=_field_number(record, "rise_duration"),
        period_uncertainty=_field_number(record, "period_uncertainty"),
        source=(given_source or "").strip() or source,
    )
    return validate(elements, now=now)


__all__ = [
    "ECLIPSING",
    "ELEMENT_FIELDS",
    "EVENT_KINDS",
    "EXOPLANET",
    "LONG_PERIOD",
    "MAXIMUM",
    "MAX_DURATION_PERCENT",
    "PRIMARY",
    "PULSATOR",
    "SECONDARY",
    "STAR_CLASSES",
    "TIME_SCALES",
    "TRANSIT",
    "Elements",
    "ElementsError",
    "elements_from_record",
    "event_kinds",
    "star_class",
    "time_scale_name",
    "validate",
]
