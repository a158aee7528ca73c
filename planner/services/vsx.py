"""AAVSO International Variable Star Index (VSX) client: one star's record by name, for its
elements (epoch, period, eclipse and rise durations).

The service: ``GET https://vsx.aavso.org/index.php?view=api.object&ident=NAME&format=json``,
no key. A known star answers ``{"VSXObject": {...}}`` with every value a string: decimal
degrees in ``RA2000``/``Declination2000``, days in ``Period``, a Julian date in ``Epoch``
(heliocentric, as the GCVS gives it), magnitudes with their band and VSX's marks
(``"2.09 V"``, ``"<15.2 CV"``, ``"(0.04) V"`` for an amplitude, ``"3.30:"`` for an uncertain
value), and ``EclipseDuration``/``RiseDuration`` in per cent of the period. Fields VSX does
not know are left out. An unknown star answers ``{"VSXObject": []}`` (HTTP 200), not 404.
(Seen in public clients and recorded answers: N.I.N.A.'s ExoPlanets plugin model, VStar's
VSX plugins, scripts that saved live answers.)

Answers are cached for four weeks (elements change rarely) and requests are spaced a
second apart: VSX is a volunteer-run service and planner asks it only for the stars of a
list that need elements.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import declare
from planner.services.errors import BadResponseError, InvalidRequestError
from planner.services.origin import with_origin
from planner.sky.elements import Elements, ElementsError, validate

# A volunteer-run service asked only for the stars that need elements: a second between
# requests, and answers kept four weeks (a star's elements change rarely).
SERVICE = declare(
    key="vsx",
    name="AAVSO VSX",
    default_url="https://vsx.aavso.org",
    expire_after=28 * 24 * 3600,
    freshness="4 weeks",
    min_interval=1.0,
    connection_test="the record of Algol (bet Per)",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
DEFAULT_BASE_URL = SERVICE.default_url
SCRIPT = "index.php"
MAX_BYTES = 256 * 1024  # one star's record is about 1 kB
MAX_NAME = 100

_MAG = re.compile(
    r"^\s*(?P<limit>[<>])?\s*(?P<open>\()?\s*(?P<value>[-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*(?P<close>\))?"
    r"\s*(?P<uncertain>:)?\s*(?P<band>[A-Za-z][A-Za-z0-9'._-]*)?\s*(?P<uncertain2>:)?\s*$"
)
_NUMBER = re.compile(r"^\s*[(]?\s*(?P<value>[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*[)]?\s*(?P<mark>[:?])?\s*$")


def _bad(what: str) -> BadResponseError:
    return BadResponseError(SERVICE_NAME, what, service_key=SERVICE_KEY)


@dataclass(frozen=True)
class Magnitude:
    """A VSX magnitude: ``value`` in ``band``; ``limit`` is the "<" or ">" VSX writes before a
    value that is only a limit (before a minimum, "<" means "fainter than"); ``amplitude``
    when the value is in parentheses (VSX's way of giving an amplitude instead of a minimum)."""

    value: float
    band: str = ""
    limit: str = ""  # "<", ">" or ""
    amplitude: bool = False
    uncertain: bool = False
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "band": self.band, "limit": self.limit or None,
                "amplitude": self.amplitude, "uncertain": self.uncertain, "text": self.text}


def parse_magnitude(text: Any) -> Magnitude | None:
    """``"2.09 V"``, ``"<15.2 CV"``, ``"(0.04) V"``, ``"3.30:"``; None for empty or unreadable text."""
    if not isinstance(text, str) or not text.strip():
        return None
    match = _MAG.match(text)
    if not match:
        return None
    value = float(match.group("value"))
    if not math.isfinite(value):
        return None
    return Magnitude(
        value=value,
        band=match.group("band") or "",
        limit=match.group("limit") or "",
        amplitude=bool(match.group("open") and match.group("close")),
        uncertain=bool(match.group("uncertain") or match.group("uncertain2")),
        text=text.strip(),
    )


def parse_number(text: Any) -> tuple[float | None, bool]:
    """A VSX number written as a string ("2.867328", "0.1277:", "(9.6)"): (value, uncertain);
    (None, False) for empty or unreadable text. Real JSON numbers are taken as they are."""
    if isinstance(text, bool) or text is None:
        return None, False
    if isinstance(text, (int, float)):
        return (float(text), False) if math.isfinite(float(text)) else (None, False)
    if not isinstance(text, str) or not text.strip():
        return None, False
    match = _NUMBER.match(text)
    if not match:
        return None, False
    value = float(match.group("value"))
    return (value, bool(match.group("mark"))) if math.isfinite(value) else (None, False)


@dataclass(frozen=True)
class VsxRecord:
    """One star as VSX describes it (the answer's ``VSXObject``), parsed."""

    name: str
    auid: str = ""
    oid: str = ""
    ra: float | None = None  # J2000 degrees
    dec: float | None = None
    constellation: str = ""
    var_type: str = ""
    period: float | None = None  # days
    epoch: float | None = None  # HJD
    max_mag: Magnitude | None = None
    min_mag: Magnitude | None = None
    eclipse_duration: float | None = None  # per cent of the period
    rise_duration: float | None = None  # per cent of the period
    spectral_type: str = ""
    category: str = ""
    uncertain: tuple[str, ...] = ()  # fields VSX marks as uncertain (":")
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    from_cache: bool = False
    offline: bool = False
    fetched_at: float | None = None

    def elements_or_problem(self) -> tuple[Elements | None, str]:
        """(elements, "") when VSX gives an epoch and a period that can be right, else
        (None, what is missing or wrong)."""
        if self.epoch is None and self.period is None:
            return None, "VSX gives no epoch and no period"
        if self.epoch is None:
            return None, "VSX gives a period but no epoch"
        if self.period is None:
            return None, "VSX gives an epoch but no period"
        marks = f" (VSX marks {', '.join(self.uncertain)} as uncertain)" if self.uncertain else ""
        try:
            elements = validate(Elements(
                epoch=self.epoch,
                period=self.period,
                time_scale="HJD",
                eclipse_duration=self.eclipse_duration,
                rise_duration=self.rise_duration,
                source="AAVSO VSX" + marks,
            ))
        except ElementsError as exc:
            return None, f"VSX's elements cannot be used: {exc}"
        return elements, ""

    def to_json(self) -> dict[str, Any]:
        """What ``planner vsx NAME`` prints: the parsed record, its elements, VSX's own fields."""
        elements, problem = self.elements_or_problem()
        return {
            "name": self.name,
            "auid": self.auid or None,
            "oid": self.oid or None,
            "ra": self.ra,
            "dec": self.dec,
            "constellation": self.constellation or None,
            "var_type": self.var_type or None,
            "period": self.period,
            "epoch": self.epoch,
            "max_mag": self.max_mag.to_json() if self.max_mag else None,
            "min_mag": self.min_mag.to_json() if self.min_mag else None,
            "eclipse_duration": self.eclipse_duration,
            "rise_duration": self.rise_duration,
            "spectral_type": self.spectral_type or None,
            "category": self.category or None,
            "uncertain": list(self.uncertain),
            "elements": elements.to_json() if elements else None,
            "elements_problem": problem or None,
            "vsx": dict(self.raw),
        }


def _text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    raise ValueError(f"field {key!r} is not text")


def parse_object(data: Any) -> VsxRecord | None:
    """The answer of ``view=api.object&format=json``: a ``VsxRecord``, or None for an unknown
    star. Raises ``BadResponseError`` for any other shape."""
    if not isinstance(data, dict) or "VSXObject" not in data:
        raise _bad("sent an answer without a 'VSXObject'")
    obj = data["VSXObject"]
    if isinstance(obj, list):
        if not obj:
            return None
        if len(obj) == 1 and isinstance(obj[0], dict):  # tolerated: a one-item list
            obj = obj[0]
        else:
            raise _bad("sent several objects for one name")
    if not isinstance(obj, dict):
        raise _bad("sent a 'VSXObject' that is not an object")
    try:
        name = _text(obj, "Name")
        if not name:
            raise _bad("sent an object without a name")
        uncertain: list[str] = []

        def number(key: str) -> float | None:
            value, doubtful = parse_number(obj.get(key))
            if value is not None and doubtful:
                uncertain.append(key)
            return value

        ra, dec = number("RA2000"), number("Declination2000")
        if ra is not None and not 0.0 <= ra < 360.0 + 1e-9:
            ra = None
        if dec is not None and not -90.0 <= dec <= 90.0:
            dec = None
        period = number("Period")
        if period is not None and period <= 0:
            period = None
        epoch = number("Epoch")
        record = VsxRecord(
            name=name,
            auid=_text(obj, "AUID"),
            oid=_text(obj, "OID"),
            ra=ra,
            dec=dec,
            constellation=_text(obj, "Constellation"),
            var_type=_text(obj, "VariabilityType"),
            period=period,
            epoch=epoch,
            max_mag=parse_magnitude(obj.get("MaxMag")),
            min_mag=parse_magnitude(obj.get("MinMag")),
            eclipse_duration=number("EclipseDuration"),
            rise_duration=number("RiseDuration"),
            spectral_type=_text(obj, "SpectralType"),
            category=_text(obj, "Category"),
            uncertain=tuple(uncertain),
            raw={k: v for k, v in obj.items() if isinstance(k, str)},
        )
    except ValueError as exc:
        raise _bad(f"sent an object in an unexpected shape ({exc})") from None
    return record


def check_name(name: Any) -> str:
    """A star name fit to send: stripped, not empty, of sane length and characters."""
    text = str(name or "").strip()
    if not text:
        raise InvalidRequestError(SERVICE_NAME, "needs a star name", "give a name such as 'bet Per'",
                                  service_key=SERVICE_KEY)
    if len(text) > MAX_NAME or any(ord(c) < 32 for c in text):
        raise InvalidRequestError(SERVICE_NAME, f"cannot look up {text[:40]!r}",
                                  "give a star name of ordinary characters", service_key=SERVICE_KEY)
    return text


def make_policy():
    """The HTTP policy in force for VSX (tests may replace it in ``POLICIES``)."""
    return SERVICE.policy()


class VsxClient(ServiceClient):
    """vsx.aavso.org; one request per star, cached for four weeks. No key."""

    SERVICE = SERVICE

    def __init__(self, base_url: str | None = None, session=None):
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.session = self._make_session(self.base_url, session)

    def check_connection(self) -> str:
        """Settings > Test connection: Algol's record."""
        record = self.object("bet Per")
        if record is None:
            return f"{SERVICE_NAME} answered, but does not know Algol: is this VSX's address?"
        period = "" if record.period is None else f", period {record.period:g} d"
        return f"{SERVICE_NAME} answered: {record.name} ({record.var_type or 'no type'}{period}){origin_words(record)}"

    def object(self, name: str, *, refresh: bool = False) -> VsxRecord | None:
        """The star called ``name`` (any name VSX resolves: "bet Per", "Algol", "HD 209458"),
        or None when VSX does not know it. Raises a ``ServiceError`` when VSX cannot answer."""
        from planner.services.http import parse_or_bad_response

        ident = check_name(name)
        reply = self.session.get(
            SCRIPT,
            params={"view": "api.object", "ident": ident, "format": "json"},
            expect="json",
            max_bytes=MAX_BYTES,
            refresh=refresh,
        )
        record = parse_or_bad_response(SERVICE_NAME, parse_object, reply.data, what="star record",
                                       service_key=SERVICE_KEY)
        if record is None:
            return None
        return with_origin(record, reply)


__all__ = [
    "DEFAULT_BASE_URL",
    "Magnitude",
    "SERVICE_KEY",
    "SERVICE_NAME",
    "VsxClient",
    "VsxRecord",
    "check_name",
    "parse_magnitude",
    "parse_number",
    "parse_object",
]
