"""Where an answer came from: live, from the cache while fresh, or from the cache because the
service failed (offline). Every client result carries it the same way (``from_cache``,
``offline``, ``fetched_at``), and this module turns it into JSON, a command's stderr note
and the window's text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from typing import Any, Iterable

ORIGIN_KEYS = ("from_cache", "offline", "fetched_at")


@dataclass(frozen=True)
class Origin:
    """``offline``: the service failed and this is the last answer it gave, fetched at
    ``fetched_at`` (unix time). ``from_cache`` without ``offline``: a fresh cached answer."""

    from_cache: bool = False
    offline: bool = False
    fetched_at: float | None = None

    @classmethod
    def combine(cls, parts: Iterable[Any]) -> Origin:
        """The origin of an answer made of several replies: offline or cached if any part
        was, as old as its oldest part."""
        origins = [origin_of(p) for p in parts]
        origins = [o for o in origins if o is not None]
        if not origins:
            return cls()
        times = [o.fetched_at for o in origins if o.fetched_at is not None]
        return cls(
            from_cache=any(o.from_cache for o in origins),
            offline=any(o.offline for o in origins),
            fetched_at=min(times) if times else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {"from_cache": self.from_cache, "offline": self.offline, "fetched_at": self.fetched_at}

    def when(self, tz: tzinfo | None = None) -> str:
        """``fetched_at`` as the user reads it: local date and time with the zone's name."""
        if self.fetched_at is None:
            return "an unknown time"
        moment = datetime.fromtimestamp(self.fetched_at, tz or timezone.utc)
        if tz is None:
            moment = moment.astimezone()  # the computer's zone
        return moment.strftime("%Y-%m-%d %H:%M %Z").strip()

    def describe(self, tz: tzinfo | None = None) -> str:
        """A short label for the window: "" when live, else where the answer came from."""
        if self.offline:
            return f"offline: saved answer from {self.when(tz)}"
        if self.from_cache:
            return f"from the cache, fetched {self.when(tz)}"
        return ""

    def note(self, service_name: str, tz: tzinfo | None = None) -> str | None:
        """The one stderr line a command prints for an offline answer (None otherwise)."""
        if not self.offline:
            return None
        return f"{service_name} could not be reached: showing the answer saved at {self.when(tz)}"


LIVE = Origin()


@dataclass(frozen=True)
class Fetched:
    """The base of every client record that knows where it came from: the three origin
    fields, keyword-only (so a record's own fields keep their order and their defaults) and
    left out of equality (the same site fetched twice is the same site)."""

    from_cache: bool = field(default=False, compare=False, kw_only=True)
    offline: bool = field(default=False, compare=False, kw_only=True)
    fetched_at: float | None = field(default=None, compare=False, kw_only=True)

    @property
    def origin(self) -> Origin:
        return Origin(self.from_cache, self.offline, self.fetched_at)


def origin_of(result: Any) -> Origin | None:
    """The origin of a client result (an ``Origin``, a reply or a result with the three fields)."""
    if result is None:
        return None
    if isinstance(result, Origin):
        return result
    origin = getattr(result, "origin", None)
    if isinstance(origin, Origin):
        return origin
    if all(hasattr(result, k) for k in ORIGIN_KEYS):
        return Origin(bool(result.from_cache), bool(result.offline), result.fetched_at)
    return None


def with_origin(result, *replies):
    """``result`` (a dataclass with the three fields) marked with its replies' origin."""
    origin = Origin.combine(replies)
    return dataclasses.replace(result, **{k: getattr(origin, k) for k in ORIGIN_KEYS})


class FetchedList(list):
    """A list answer (Arcsecond sites, night logs, ...) that knows where it came from."""

    def __init__(self, items: Iterable[Any] = (), origin: Origin = LIVE):
        super().__init__(items)
        self.origin = origin

    @property
    def from_cache(self) -> bool:
        return self.origin.from_cache

    @property
    def offline(self) -> bool:
        return self.origin.offline

    @property
    def fetched_at(self) -> float | None:
        return self.origin.fetched_at


def record_json(record: Any) -> dict[str, Any]:
    """A result record as JSON without its origin fields (a command prints those once, at the top)."""
    data = dataclasses.asdict(record)
    for key in ORIGIN_KEYS:
        data.pop(key, None)
    return data


__all__ = ["LIVE", "ORIGIN_KEYS", "Fetched", "FetchedList", "Origin", "origin_of", "record_json", "with_origin"]
