"""The observing site: where the telescope stands and the altitude limits it works with."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from zoneinfo import ZoneInfo

from planner.limits import LEGACY_PLACEHOLDER_NAME, SiteError, check_site_number, check_timezone
from planner.sky.horizon_mask import HorizonMask

__all__ = ["LEGACY_PLACEHOLDER_NAME", "Site", "SiteError", "timezone_at"]


@lru_cache(maxsize=256)
def timezone_at(latitude: float, longitude: float) -> str:
    """IANA time zone name at a point, 'UTC' (or an Etc/GMT zone at sea) when none is known."""

    finder = _finder()
    name = finder.timezone_at(lng=longitude, lat=latitude) or finder.timezone_at_land(
        lng=longitude, lat=latitude
    )
    if name:
        return name
    # Open ocean or the poles: a nautical zone from the longitude.
    offset = int(round(longitude / 15.0))
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


@lru_cache(maxsize=1)
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


@dataclass(frozen=True)
class Site:
    """An observing site and its limits.

    ``target_altitude`` is the lowest *apparent* altitude the telescope can observe;
    ``sun_altitude`` is the Sun's altitude that ends dusk and starts dawn (AAVSO's
    ``sunaltitude``). ``timezone`` is found from the coordinates when not given.
    ``horizon``, when given, is the local horizon: a target is then observable where its
    apparent altitude is at least the higher of the mask at its azimuth and
    ``target_altitude`` (the effective limit, ``planner.sky.horizon``).
    """

    latitude: float
    longitude: float
    elevation: float = 0.0
    target_altitude: float = 20.0
    sun_altitude: float = -5.0
    timezone: str = ""
    name: str = ""
    horizon: HorizonMask | None = None
    _tz: ZoneInfo | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        for name in ("latitude", "longitude", "elevation", "target_altitude", "sun_altitude"):
            set_(self, name, check_site_number(name, getattr(self, name)))
        name = " ".join(str(self.name or "").split())
        set_(self, "name", "" if name == LEGACY_PLACEHOLDER_NAME else name)
        tzname = self.timezone or timezone_at(self.latitude, self.longitude)
        tz = check_timezone(tzname)
        set_(self, "timezone", tzname)
        set_(self, "_tz", tz)
        if self.horizon is not None and not isinstance(self.horizon, HorizonMask):
            raise SiteError(f"The horizon must be a HorizonMask, not {type(self.horizon).__name__}.")

    @property
    def tz(self) -> ZoneInfo:
        return self._tz  # type: ignore[return-value]

    def with_limits(self, *, target_altitude: float | None = None, sun_altitude: float | None = None) -> "Site":
        changes = {}
        if target_altitude is not None:
            changes["target_altitude"] = target_altitude
        if sun_altitude is not None:
            changes["sun_altitude"] = sun_altitude
        return replace(self, **changes)

    def with_horizon(self, horizon: HorizonMask | None) -> "Site":
        """The same site with another horizon mask (None: the flat altitude limit alone)."""
        return replace(self, horizon=horizon)

    def without_horizon(self) -> "Site":
        """The site with its flat altitude limit only: what the AAVSO API knows of it."""
        return self if self.horizon is None else replace(self, horizon=None)

    @property
    def masks_horizon(self) -> bool:
        """True when a horizon mask rises above the altitude limit somewhere (it changes events)."""
        return self.horizon is not None and self.horizon.max_altitude > self.target_altitude

    @property
    def coordinates(self) -> str:
        """'52.0000°N 4.0000°E': where the site is, in one short line."""
        ns = "N" if self.latitude >= 0 else "S"
        ew = "E" if self.longitude >= 0 else "W"
        return f"{abs(self.latitude):.4f}°{ns} {abs(self.longitude):.4f}°{ew}"

    @property
    def label(self) -> str:
        """How the site is shown everywhere (window, commands, exports): its name, or its
        coordinates when the user has not named it."""
        return self.name or self.coordinates

    def describe(self) -> str:
        """The label with the coordinates and elevation, for tooltips and headers."""
        where = f"{self.coordinates}, {self.elevation:.0f} m"
        return f"{self.name} ({where})" if self.name else where
