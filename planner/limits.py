"""The ranges every layer checks against: a site's numbers and the dates the sky engine computes.

One table, read by the ``Site`` (``planner.sky.site``), the settings loader
(``planner.config``) and the commands' argument types (``planner.commands.common``). It
imports nothing heavy, so loading settings and parsing arguments stay fast (importing
``planner.sky`` costs astropy, about two seconds).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class SiteError(ValueError):
    """A site setting that cannot describe a real place or limit; the message says which and why."""


class DateRangeError(ValueError):
    """A date or time outside the span the sky engine computes correctly."""


@dataclass(frozen=True)
class Limit:
    label: str  # as a sentence starts: "Latitude"
    low: float
    high: float
    unit: str  # plural: "degrees"


# The site name planner's first versions stored as the default. It named no real choice of
# the user's, so a site (or settings file) carrying it is treated as unnamed.
LEGACY_PLACEHOLDER_NAME = "AAVSO HQ, Cambridge MA (default: set your site in Settings)"

# The numbers of a site, by their field name in ``Site`` and in the settings.
SITE_LIMITS: dict[str, Limit] = {
    "latitude": Limit("Latitude", -90.0, 90.0, "degrees"),
    "longitude": Limit("Longitude", -180.0, 180.0, "degrees"),
    # The Dead Sea shore (-430 m) to the highest observatories (about 5,600 m), with room.
    "elevation": Limit("Elevation", -500.0, 9000.0, "metres"),
    # Apparent altitude: slightly below the horizon is reachable from a mountain top.
    "target_altitude": Limit("Target altitude", -5.0, 89.0, "degrees"),
    # From astronomical twilight's end (-18) with room to a Sun just above the horizon.
    "sun_altitude": Limit("Sun altitude", -30.0, 5.0, "degrees"),
}


def check_site_number(name: str, value) -> float:
    """``value`` as a float inside the site field's range; ``SiteError`` names the field."""
    limit = SITE_LIMITS[name]
    if isinstance(value, bool):
        raise SiteError(f"{limit.label} must be a number of {limit.unit}, not {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise SiteError(f"{limit.label} must be a number of {limit.unit}, not {value!r}.") from None
    if not math.isfinite(number):
        raise SiteError(f"{limit.label} must be a finite number of {limit.unit}, not {value!r}.")
    if not limit.low <= number <= limit.high:
        raise SiteError(f"{limit.label} {number:g} {limit.unit} is outside [{limit.low:g}, {limit.high:g}] {limit.unit}.")
    return number


def check_timezone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; ``SiteError`` when there is none of that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise SiteError(f"Time zone {name!r} is not a known IANA time zone name (e.g. Europe/Berlin).") from None


# -- the span of dates ----------------------------------------------------------------------
# ERFA's Earth ephemeris (epv00, behind every Sun and Moon position) is valid from 1900 to
# 2100 and warns outside; a night's computation reaches up to two days from the moment
# asked and a local date is up to 14 hours from UTC, so the span leaves that much room.
FIRST_DATE = _dt.date(1900, 1, 3)
LAST_DATE = _dt.date(2099, 12, 29)
FIRST_TIME = _dt.datetime(1900, 1, 3, tzinfo=_dt.timezone.utc).timestamp()
LAST_TIME = _dt.datetime(2099, 12, 30, tzinfo=_dt.timezone.utc).timestamp()
SPAN_TEXT = f"{FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"

# The most nights one outlook covers (a year and a day): the settings, `planner outlook
# --nights` and the outlook use case check against it.
OUTLOOK_MAX_NIGHTS = 366


def check_time(value: float, what: str = "the time") -> float:
    """A unix time inside the sky engine's span, else ``DateRangeError`` saying the span."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise DateRangeError(f"{what} {value!r} is not a finite unix time.")
    if not FIRST_TIME <= value <= LAST_TIME:
        try:
            shown = _dt.datetime.fromtimestamp(value, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        except (OverflowError, OSError, ValueError):
            shown = f"{value:g} s"
        raise DateRangeError(
            f"{what} ({shown}) is outside {SPAN_TEXT}, the dates the sky engine computes "
            "(ERFA's Earth ephemeris covers 1900-2100)."
        )
    return float(value)


def check_date(value: _dt.date, what: str = "the date") -> _dt.date:
    """A local date inside the sky engine's span, else ``DateRangeError`` saying the span."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise DateRangeError(
            f"{what} {value.isoformat()} is outside {SPAN_TEXT}, the dates the sky engine computes "
            "(ERFA's Earth ephemeris covers 1900-2100)."
        )
    return value
