"""AAVSO Target Tool records: the ``Target`` dataclass, parsing of the API's JSON and "due" logic.

The parser follows the real payload (see shared/reference): nulls for unknown numbers,
"" filters, full section names, ``\\r\\n`` and ``[[Label URL]]`` links in ``other_info``.
A malformed record is skipped with a message naming the record and the field; the
good records are kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

import numpy as np

from planner.numbers import MISSING, NOT_FINITE, NumberError, finite_number
from planner.sky.elements import ELEMENT_FIELDS, Elements, ElementsError, elements_from_record

# Request codes of the API and the full names the real payload carries.
SECTION_NAMES: dict[str, str] = {
    "ac": "Alerts / Campaigns",
    "ep": "Exoplanets",
    "cv": "Cataclysmic Variables",
    "eb": "Eclipsing Variables",
    "spp": "Short Period Pulsators",
    "lpv": "Long Period Variables",
    "yso": "Young Stellar Objects",
    "het": "High Energy Targets",
    "misc": "Miscellaneous",
}
SECTION_CODES: dict[str, str] = {name.lower(): code for code, name in SECTION_NAMES.items()}
ALL_SECTION_CODES: tuple[str, ...] = tuple(SECTION_NAMES)

OBSERVABILITY_CODES = frozenset(
    {"TARGET_RISES", "TARGET_SETS", "TARGET_IS_ALWAYS_UP", "TARGET_IS_ALWAYS_DOWN"}
)

_LINK = re.compile(r"\[\[\s*(?P<body>[^\[\]]*?)\s*\]\]")
_URL = re.compile(r"(?P<url>(?:https?|ftp)://\S+)\s*$")
_BARE_URL = re.compile(r"(?<![\w/])(?:https?://[^\s\[\]<>\"]+)")


def is_due(obs_cadence: float | None, last_data_point: float | None, now: float) -> bool:
    """True when the last data point is older than the observing cadence.

    A target with a cadence but no data point at all is due (nobody has observed it); a
    target without a cadence is never due, as there is nothing to be late for.
    """
    if obs_cadence is None or obs_cadence <= 0:
        return False
    if last_data_point is None:
        return True
    return (now - last_data_point) / 86400.0 > obs_cadence


@dataclass(frozen=True)
class DueColumns:
    """``is_due`` and ``Target.overdue_days`` for many targets at once: their cadences and
    last data points as arrays, made once (``of``) and asked at any moment (the table at
    each night, the outlook at each of its nights) without a Python call per target."""

    cadence: np.ndarray  # days; NaN without one
    has_cadence: np.ndarray  # a cadence above 0: what ``is_due`` asks first
    last: np.ndarray  # unix; NaN without a data point

    @classmethod
    def of(cls, targets: Iterable[Any]) -> "DueColumns":
        """Of anything with ``obs_cadence`` and ``last_data_point`` (None where unknown)."""
        pairs = [(getattr(t, "obs_cadence", None), getattr(t, "last_data_point", None)) for t in targets]
        return cls(np.array([np.nan if c is None else c for c, _ in pairs], dtype=float),
                   np.array([not (c is None or c <= 0) for c, _ in pairs], dtype=bool),
                   np.array([np.nan if last is None else last for _, last in pairs], dtype=float))

    def _age(self, now: float) -> np.ndarray:
        return (float(now) - self.last) / 86400.0

    def due(self, now: float) -> np.ndarray:
        """Per target, ``is_due`` at ``now``."""
        with np.errstate(invalid="ignore"):
            return self.has_cadence & (np.isnan(self.last) | (self._age(now) > self.cadence))

    def overdue(self, now: float) -> np.ndarray:
        """Per target, ``Target.overdue_days`` at ``now``: NaN without a cadence or a data point."""
        return self._age(now) - self.cadence


def urgency(priority: bool, obs_cadence: float | None, last_data_point: float | None, now: float) -> float:
    """How urgent a target is, for "most urgent first" everywhere (tonight's list, the
    scheduler): an AAVSO priority counts 2; being due counts 1, plus up to 1 more the further
    past its cadence it is (a whole cadence late, or never observed, is the full 1)."""
    score = 2.0 if priority else 0.0
    if is_due(obs_cadence, last_data_point, now):
        score += 1.0
        if last_data_point is not None and obs_cadence:
            late = (now - last_data_point) / 86400.0 / obs_cadence - 1.0
            score += min(max(late, 0.0), 1.0)
        else:
            score += 1.0
    return score


class TargetParseError(ValueError):
    """A record of the AAVSO payload that cannot become a ``Target``."""


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class OtherInfo:
    """``other_info`` split into readable text (links replaced by their labels) and the links."""

    text: str
    links: tuple[Link, ...]


def parse_other_info(raw: str | None) -> OtherInfo:
    if not raw:
        return OtherInfo("", ())
    links: list[Link] = []

    def _replace(match: re.Match) -> str:
        body = match.group("body")
        url = _URL.search(body)
        if not url:
            return body
        label = body[: url.start()].strip() or url.group("url")
        links.append(Link(label, url.group("url")))
        return label

    text = _LINK.sub(_replace, raw.replace("\r\n", "\n").replace("\r", "\n"))
    seen = {link.url for link in links}
    for bare in _BARE_URL.findall(text):
        url = bare.rstrip(".,;)")
        if url not in seen:
            links.append(Link(url, url))
            seen.add(url)
    return OtherInfo(text.strip(), tuple(links))


def section_name(code_or_name: str) -> str:
    """Full section name for a request code (``"cv"``) or a name in any case."""
    key = code_or_name.strip()
    if key.lower() in SECTION_NAMES:
        return SECTION_NAMES[key.lower()]
    if key.lower() in SECTION_CODES:
        return SECTION_NAMES[SECTION_CODES[key.lower()]]
    return key


def section_code(name: str) -> str | None:
    """Request code for a full section name (or a code), None for names the API does not list."""
    key = name.strip().lower()
    if key in SECTION_NAMES:
        return key
    return SECTION_CODES.get(key)


@dataclass(frozen=True)
class Target:
    """One AAVSO Target Tool target, with every field of the API's JSON.

    Times are unix seconds (UTC). ``observability_times`` and ``solar_conjunction`` are
    what the API computed, or None when the record did not carry them (the bundled
    sample, a plain list); the local sky engine computes its own.
    """

    star_name: str
    ra: float
    dec: float
    constellation: str = ""
    var_type: str = ""
    min_mag: float | None = None
    min_mag_band: str = ""
    max_mag: float | None = None
    max_mag_band: str = ""
    period: float | None = None
    obs_cadence: float | None = None
    obs_mode: str = ""
    obs_section: tuple[str, ...] = ()
    filter: str = ""
    other_info: str = ""
    priority: bool = False
    last_data_point: float | None = None
    observability_times: tuple[tuple[str, float | None], ...] | None = None
    solar_conjunction: bool | None = None
    elements: Elements | None = None  # epoch, period, durations: what its events are computed from
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    # Text fields the API sent as null (a band, say): "" here, null again in to_api_dict().
    nulls: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.star_name

    @property
    def filters(self) -> tuple[str, ...]:
        return tuple(f for f in re.split(r"[,\s;/]+", self.filter or "") if f)

    @property
    def section_codes(self) -> tuple[str, ...]:
        return tuple(c for c in (section_code(s) for s in self.obs_section) if c)

    @property
    def info(self) -> OtherInfo:
        return parse_other_info(self.other_info)

    def days_since_last_data(self, now: float) -> float | None:
        if self.last_data_point is None:
            return None
        return (now - self.last_data_point) / 86400.0

    def is_due(self, now: float) -> bool:
        """True when the last data point is older than the observing cadence (see ``is_due``)."""
        return is_due(self.obs_cadence, self.last_data_point, now)

    def urgency(self, now: float) -> float:
        """Priority- and due-weighted urgency (see the module function ``urgency``)."""
        return urgency(self.priority, self.obs_cadence, self.last_data_point, now)

    def overdue_days(self, now: float) -> float | None:
        """Days past the cadence (negative while still fresh); None without a cadence or data."""
        age = self.days_since_last_data(now)
        if age is None or self.obs_cadence is None:
            return None
        return age - self.obs_cadence

    def to_api_dict(self) -> dict[str, Any]:
        """The record in the API's JSON shape (what ``planner targets --format json`` prints)."""
        data = asdict(self)
        data.pop("extra")
        for key in data.pop("nulls"):
            data[key] = None
        data.pop("elements")
        if self.elements is not None:
            data.update(self.elements.to_record())
        data["obs_section"] = list(self.obs_section)
        if self.observability_times is None:
            data.pop("observability_times")
        else:
            data["observability_times"] = [list(e) for e in self.observability_times]
        if self.solar_conjunction is None:
            data.pop("solar_conjunction")
        return data


# -- parsing -----------------------------------------------------------------------------


def _number(record: dict, key: str, *, required: bool = False) -> float | None:
    value = record.get(key)
    try:
        number = finite_number(value, f"field '{key}'", required=required)
    except NumberError as exc:
        if exc.reason == MISSING:
            raise TargetParseError(str(exc)) from None
        kind = "finite" if exc.reason == NOT_FINITE else "a number"
        raise TargetParseError(f"field '{key}' must be {kind}, not {_short(value)}") from None
    if number is None:
        return None
    return value if isinstance(value, int) else number  # an integer time stays an integer


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(record: dict, key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise TargetParseError(f"field '{key}' must be text, not {type(value).__name__}")


def _boolean(record: dict, key: str) -> bool | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    raise TargetParseError(f"field '{key}' must be true or false, not {value!r}")


def _sections(record: dict) -> tuple[str, ...]:
    value = record.get("obs_section")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TargetParseError("field 'obs_section' must be a list of section names")
    return tuple(section_name(v) for v in value)


def _events(record: dict) -> tuple[tuple[str, float | None], ...] | None:
    if "observability_times" not in record or record["observability_times"] is None:
        return None
    value = record["observability_times"]
    if not isinstance(value, (list, tuple)):
        raise TargetParseError("field 'observability_times' must be a list of [code, time] pairs")
    events: list[tuple[str, float | None]] = []
    for pair in value:
        if (
            not isinstance(pair, (list, tuple))
            or len(pair) != 2
            or not isinstance(pair[0], str)
            or pair[0] not in OBSERVABILITY_CODES
        ):
            raise TargetParseError(f"field 'observability_times' has a bad entry {_short(pair)}")
        code, when = pair
        if when is None:
            if code in ("TARGET_RISES", "TARGET_SETS"):
                raise TargetParseError(f"field 'observability_times': {code} needs a time")
            events.append((code, None))
            continue
        try:
            ok = not isinstance(when, bool) and isinstance(when, (int, float)) and math.isfinite(float(when))
        except OverflowError:
            ok = False
        if not ok:
            raise TargetParseError(f"field 'observability_times' has a bad time {_short(when)}")
        events.append((code, when if isinstance(when, int) else float(when)))
    return tuple(events)


_TEXT_FIELDS = ("constellation", "var_type", "min_mag_band", "max_mag_band", "obs_mode", "filter", "other_info")


def parse_target(record: Any, *, element_problems: list[str] | None = None, now: float | None = None) -> Target:
    """One API record to a ``Target``; raises ``TargetParseError`` naming the bad field.

    Elements that cannot be right (``planner.sky.elements.validate``) raise too, unless
    ``element_problems`` is a list: then the message goes there and the target is kept
    without elements (a bad epoch must not cost the observer the star)."""
    if not isinstance(record, dict):
        raise TargetParseError(f"a target must be a JSON object, not {type(record).__name__}")
    name = _text(record, "star_name").strip()
    if not name:
        raise TargetParseError("field 'star_name' is missing")
    ra = _number(record, "ra", required=True)
    dec = _number(record, "dec", required=True)
    if not 0.0 <= ra < 360.0 + 1e-9:
        raise TargetParseError(f"field 'ra' {ra} is outside [0, 360) degrees")
    if not -90.0 <= dec <= 90.0:
        raise TargetParseError(f"field 'dec' {dec} is outside [-90, 90] degrees")
    known = {f for f in Target.__dataclass_fields__ if f not in ("extra", "nulls", "elements")} | set(ELEMENT_FIELDS)
    period = _number(record, "period")
    try:
        elements = elements_from_record(record, period=period, now=now)
    except ElementsError as exc:
        if element_problems is None:
            raise TargetParseError(str(exc)) from None
        element_problems.append(f"elements ignored: {exc}")
        elements = None
    return Target(
        star_name=name,
        ra=ra % 360.0,
        dec=dec,
        constellation=_text(record, "constellation"),
        var_type=_text(record, "var_type"),
        min_mag=_number(record, "min_mag"),
        min_mag_band=_text(record, "min_mag_band"),
        max_mag=_number(record, "max_mag"),
        max_mag_band=_text(record, "max_mag_band"),
        period=period,
        obs_cadence=_number(record, "obs_cadence"),
        obs_mode=_text(record, "obs_mode"),
        obs_section=_sections(record),
        filter=_text(record, "filter"),
        other_info=_text(record, "other_info"),
        priority=bool(_boolean(record, "priority")),
        last_data_point=_number(record, "last_data_point"),
        observability_times=_events(record),
        solar_conjunction=_boolean(record, "solar_conjunction"),
        elements=elements,
        extra={k: v for k, v in record.items() if k not in known},
        nulls=frozenset(k for k in _TEXT_FIELDS if k in record and record[k] is None),
    )


@dataclass
class ParseResult:
    targets: list[Target]
    problems: list[str]  # records skipped, with the reason
    notes: list[str] = field(default_factory=list)  # records kept without something (bad elements)

    @property
    def messages(self) -> list[str]:
        """Everything the user should read: skipped records and what was ignored in kept ones."""
        return [f"skipped {p}" for p in self.problems] + list(self.notes)

    def __iter__(self):
        return iter(self.targets)

    def __len__(self) -> int:
        return len(self.targets)


def _records(payload: Any) -> list:
    if isinstance(payload, dict):
        if "targets" not in payload:
            raise TargetParseError("the JSON object has no 'targets' list")
        payload = payload["targets"]
    if not isinstance(payload, list):
        raise TargetParseError("expected a list of targets or an object with a 'targets' list")
    return payload


def parse_targets(payload: Any) -> ParseResult:
    """Parse ``{"targets": [...]}`` or a bare list; bad records become messages, good ones are kept.

    Raises ``TargetParseError`` only when the payload as a whole is not a target list.
    """
    targets: list[Target] = []
    problems: list[str] = []
    notes: list[str] = []
    for index, record in enumerate(_records(payload)):
        label = record.get("star_name") if isinstance(record, dict) else None
        who = f"target {index + 1}" + (f" ({label!r})" if isinstance(label, str) and label else "")
        element_problems: list[str] = []
        try:
            targets.append(parse_target(record, element_problems=element_problems))
        except TargetParseError as exc:
            problems.append(f"{who}: {exc}")
        notes.extend(f"{who}: {problem}" for problem in element_problems)
    return ParseResult(targets, problems, notes)


def targets_to_payload(targets: Iterable[Target]) -> dict[str, Any]:
    return {"targets": [t.to_api_dict() for t in targets]}
