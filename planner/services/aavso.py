"""AAVSO Target Tool API client: telescope (GET/POST), nighttime and targets as dataclasses.

Authentication is HTTP Basic with the API key as user name and ``api_token`` as password.
The service accepts only https (plain http is refused here too, except for loopback test
servers), allows 1000 requests an hour (the shared limiter keeps count from the
``X-Rate-Limit-*`` headers) and answers client errors with a plain-text explanation,
which the raised ``InvalidRequestError`` carries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from planner.catalog import Target, parse_targets
from planner.numbers import NOT_FINITE, NumberError, finite_number
from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import Secret, declare
from planner.services.errors import InvalidRequestError
from planner.services.http import RateLimitState, Reply, ServiceSession
from planner.services.origin import with_origin

SERVICE = declare(
    key="aavso",
    name="AAVSO Target Tool",
    default_url="https://targettool.aavso.org/TargetTool/api/v1",
    expire_after=30 * 60,
    freshness="30 minutes (the telescope settings are always asked afresh)",
    hourly_budget=1000,
    https_only=True,
    secrets=(Secret("key", "API key", "PLANNER_AAVSO_KEY"),),
    where_to_get_a_key="copy your API key from the Target Tool's API page once you are logged in",
    connection_test="your account's telescope settings",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
SECTIONS = ("ac", "ep", "cv", "eb", "spp", "lpv", "yso", "het", "misc", "all")
ORDERABLE = (
    "star_name", "ra", "dec", "var_type", "min_mag", "min_mag_band", "max_mag", "max_mag_band",
    "period", "obs_cadence", "obs_mode", "obs_section", "filter", "other_info", "last_data_point",
    "priority", "constellation",
)  # every output field except observability_times and solar_conjunction
NIGHT_STATUSES = frozenset(
    {"SUN_IS_UP", "SUN_IS_DOWN", "SUN_IS_ALWAYS_UP", "SUN_IS_ALWAYS_DOWN", "SUN_ENTERS_ALWAYS_DOWN", "SUN_EXITS_ALWAYS_DOWN"}
)


@dataclass(frozen=True)
class Telescope:
    """The telescope settings stored with the user's AAVSO account."""

    latitude: float
    longitude: float
    targetaltitude: float | None = None
    sunaltitude: float | None = None
    from_cache: bool = False
    offline: bool = False
    fetched_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "targetaltitude": self.targetaltitude,
            "sunaltitude": self.sunaltitude,
            **_meta_json(self),
        }


@dataclass(frozen=True)
class NighttimeReply:
    """The night following a time at a place, as the Target Tool computes it (UTC unix times)."""

    status: str
    sunset: float | None
    sunrise: float | None
    from_cache: bool = False
    offline: bool = False
    fetched_at: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "sunset": self.sunset, "sunrise": self.sunrise, **_meta_json(self)}


@dataclass
class TargetsReply:
    """Targets of the asked sections; ``problems`` lists records that could not be read."""

    targets: list[Target]
    problems: list[str] = field(default_factory=list)
    from_cache: bool = False
    offline: bool = False
    fetched_at: float | None = None
    rate: RateLimitState = field(default_factory=RateLimitState)

    def __len__(self) -> int:
        return len(self.targets)

    def __iter__(self):
        return iter(self.targets)

    def to_json(self) -> dict[str, Any]:
        return {
            "targets": [t.to_api_dict() for t in self.targets],
            "problems": list(self.problems),
            **_meta_json(self),
            "rate_limit": self.rate.to_json(),
        }


def _meta_json(obj) -> dict[str, Any]:
    return {"from_cache": obj.from_cache, "offline": obj.offline, "fetched_at": obj.fetched_at}


# -- parsing -----------------------------------------------------------------------------


def _opt_number(data: dict, key: str) -> float | None:
    return finite_number(data.get(key), f"'{key}'")


def parse_telescope(data: Any) -> Telescope:
    if not isinstance(data, dict):
        raise TypeError("the telescope answer is not a JSON object")
    lat, lon = _opt_number(data, "latitude"), _opt_number(data, "longitude")
    if lat is None or lon is None:
        raise KeyError("latitude/longitude")
    if not (-90 <= lat <= 90 and -180 <= lon <= 360):
        raise ValueError("latitude or longitude out of range")
    return Telescope(lat, lon, _opt_number(data, "targetaltitude"), _opt_number(data, "sunaltitude"))


def parse_nighttime(data: Any) -> NighttimeReply:
    if not isinstance(data, dict):
        raise TypeError("the nighttime answer is not a JSON object")
    status = data["status"]
    if status not in NIGHT_STATUSES:
        raise ValueError(f"unknown status {str(status)[:40]!r}")
    return NighttimeReply(status, _opt_number(data, "sunset"), _opt_number(data, "sunrise"))


def parse_targets_payload(data: Any):
    """The API's ``{"targets": [...]}`` to a ``ParseResult`` (raises on a wrong overall shape)."""
    if not isinstance(data, dict) or "targets" not in data:
        raise KeyError("targets")
    return parse_targets(data)


# -- validation --------------------------------------------------------------------------


def _invalid(what: str, action: str) -> InvalidRequestError:
    """A parameter refused before sending (no HTTP status)."""
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)


def _check_range(name: str, value: float | None, low: float, high: float) -> float | None:
    try:
        number = finite_number(value, name)
    except NumberError as exc:
        if exc.reason != NOT_FINITE:
            raise _invalid(f"{name} {value!r} is not a number", f"give {name} in degrees") from None
        number = math.nan  # outside every range
    if number is None:
        return None
    if not low <= number <= high:
        raise _invalid(f"{name} {value!r} is outside {low:g} to {high:g}", f"give {name} between {low:g} and {high:g} degrees")
    return number


def _check_time(value: float | None) -> int | None:
    try:
        number = finite_number(value, "time")
    except NumberError as exc:
        if exc.reason != NOT_FINITE:
            raise _invalid(f"time {value!r} is not a number", "give the time as a UTC unix timestamp") from None
        number = math.nan
    if number is None:
        return None
    if not number >= 0:
        raise _invalid(f"time {value!r} is not a valid timestamp", "give the time as a UTC unix timestamp")
    return int(number)


def _site_params(latitude=None, longitude=None, targetaltitude=None, sunaltitude=None, time=None) -> dict[str, Any]:
    params = {
        "latitude": _check_range("latitude", latitude, -90, 90),
        "longitude": _check_range("longitude", longitude, -180, 180),
        "targetaltitude": _check_range("targetaltitude", targetaltitude, -90, 90),
        "sunaltitude": _check_range("sunaltitude", sunaltitude, -90, 90),
        "time": _check_time(time),
    }
    return {k: v for k, v in params.items() if v is not None}


def _sections(sections: Iterable[str] | str) -> list[str]:
    if isinstance(sections, str):
        sections = [s for s in sections.replace(";", ",").split(",")]
    codes = [s.strip().lower() for s in sections if s and s.strip()]
    bad = [c for c in codes if c not in SECTIONS]
    if bad:
        raise _invalid(f"unknown observing section(s) {', '.join(bad)}", f"use one or more of {', '.join(SECTIONS)}")
    return list(dict.fromkeys(codes)) or ["ac"]


# -- client ------------------------------------------------------------------------------


class AavsoClient(ServiceClient):
    """The AAVSO Target Tool API v1."""

    SERVICE = SERVICE

    def __init__(self, api_key: str | None, base_url: str | None = None, session: ServiceSession | None = None):
        key = self._keep_secret(api_key)
        if key is None:
            raise self._no_key()
        self._auth = (key, "api_token")
        self.session = self._make_session(base_url, session)

    def check_connection(self) -> str:
        scope = self.get_telescope()
        limits = ""
        if scope.targetaltitude is not None:
            limits += f", target altitude {scope.targetaltitude:g}°"
        if scope.sunaltitude is not None:
            limits += f", sun altitude {scope.sunaltitude:g}°"
        return f"OK: your AAVSO telescope is at {scope.latitude:.4f}, {scope.longitude:.4f}{limits}{origin_words(scope)}"

    @property
    def rate(self) -> RateLimitState:
        return self.session.rate

    def _parse_reply(self, fn, reply: Reply, what: str):
        return self._parse(fn, reply.data, what)

    def get_telescope(self) -> Telescope:
        # Always asked afresh (a POST may have changed it); the cached copy is the offline fallback.
        reply = self.session.get("telescope", auth=self._auth, refresh=True)
        scope = self._parse_reply(parse_telescope, reply, "telescope answer")
        return _with_meta(scope, reply)

    def set_telescope(self, latitude: float, longitude: float, targetaltitude: float | None = None, sunaltitude: float | None = None) -> Telescope:
        if latitude is None or longitude is None:
            raise _invalid("latitude and longitude are both needed", "give the telescope's latitude and longitude")
        data = _site_params(latitude, longitude, targetaltitude, sunaltitude)
        reply = self.session.post("telescope", data=data, auth=self._auth)
        return _with_meta(self._parse_reply(parse_telescope, reply, "telescope answer"), reply)

    def nighttime(self, latitude=None, longitude=None, sunaltitude=None, time=None) -> NighttimeReply:
        params = _site_params(latitude, longitude, None, sunaltitude, time)
        reply = self.session.get("nighttime", params=params, auth=self._auth)
        return _with_meta(self._parse_reply(parse_nighttime, reply, "nighttime answer"), reply)

    def targets(
        self,
        sections: Iterable[str] | str = ("ac",),
        observable: bool = False,
        orderby: str | None = None,
        reverse: bool = False,
        latitude: float | None = None,
        longitude: float | None = None,
        targetaltitude: float | None = None,
        sunaltitude: float | None = None,
        time: float | None = None,
        *,
        refresh: bool = False,
    ) -> TargetsReply:
        params: dict[str, Any] = {"obs_section": _sections(sections)}  # repeated obs_section=..
        if observable:
            params["observable"] = "true"
        if orderby:
            if orderby not in ORDERABLE:
                raise _invalid(f"cannot order by {orderby!r}", f"use one of {', '.join(ORDERABLE)}")
            params["orderby"] = orderby
        if reverse:
            params["reverse"] = "true"
        params.update(_site_params(latitude, longitude, targetaltitude, sunaltitude, time))
        reply = self.session.get("targets", params=params, auth=self._auth, refresh=refresh)
        result = self._parse_reply(parse_targets_payload, reply, "target list")
        return TargetsReply(
            targets=list(result.targets),
            problems=list(result.problems),
            from_cache=reply.from_cache,
            offline=reply.offline,
            fetched_at=reply.fetched_at,
            rate=self.session.rate,
        )


def _with_meta(obj, reply: Reply):
    return with_origin(obj, reply)


__all__ = [
    "AavsoClient",
    "NighttimeReply",
    "Telescope",
    "TargetsReply",
    "parse_nighttime",
    "parse_targets_payload",
    "parse_telescope",
]
