"""Settings section "site": where the telescope is, the altitude limits of the night, its
time zone and the cross-check's tolerance (Settings > Site, ``planner site``).

The numbers' ranges are ``planner.limits.SITE_LIMITS`` (the same table ``planner.sky.Site``
and the commands' argument types check against), so a latitude is judged the same way in
the settings file, the dialog and on the command line.
"""

from __future__ import annotations

from typing import Any, Callable

from planner.config.section import Section, Setting, SettingsError, ranged, shown, text
from planner.limits import LEGACY_PLACEHOLDER_NAME, SITE_LIMITS, check_site_number, check_timezone

# The fields that say where the site is. A bad latitude or longitude sends them all back
# to the default site: the latitude of one place with the longitude of another is nowhere.
PLACE_FIELDS = ("latitude", "longitude", "elevation", "timezone", "site_name")
PLACE_TRIGGERS = ("latitude", "longitude")
FIX_HINT = "fix it with `planner site set` or in Settings"


def _site_number(name: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SettingsError(f"{shown(value)} is not a number of {SITE_LIMITS[name].unit}")
        return check_site_number(name, value)

    return check


def _site_name(value: Any) -> str:
    name = text(value)
    return "" if " ".join(name.split()) == LEGACY_PLACEHOLDER_NAME else name  # the old default named nothing


def _timezone(value: Any) -> str:
    zone = text(value).strip()
    if zone:
        check_timezone(zone)
    return zone


def _number_setting(name: str, default: float, unit: str, hint: str) -> Setting:
    limit = SITE_LIMITS[name]
    return Setting(name, default, label=limit.label, unit=unit, hint=hint, low=limit.low, high=limit.high,
                   check=_site_number(name))


SITE = Section("site", "Site", (
    Setting("site_name", "", label="Site name", check=_site_name, fallback=("", "no name"),
            hint="Unnamed: shown by its coordinates (e.g. Backyard, Leiden)"),
    _number_setting("latitude", 42.3736, "°", "Degrees, north positive: 52.1, 52:06:00 or 52°06' N"),
    _number_setting("longitude", -71.1097, "°", "Degrees, east positive: 4.3, -71:06:35 or 71 06 35 W"),
    _number_setting("elevation", 10.0, "m", "Metres above sea level"),
    _number_setting("target_altitude", 20.0, "°", "Lowest altitude your telescope can observe (apparent, degrees)"),
    _number_setting("sun_altitude", -5.0, "°", "The Sun's altitude that ends dusk and starts dawn (AAVSO's sunaltitude)"),
    # empty: found from the coordinates
    Setting("timezone", "", label="Time zone", check=_timezone,
            fallback=("", "the time zone found from the coordinates")),
    Setting("crosscheck_tolerance_s", 120.0, label="Cross-check tolerance", unit="s", low=0.0, high=3600.0,
            check=ranged(0.0, 3600.0, "seconds"),
            hint="Event times that differ from the AAVSO API's by more than this are flagged"),
), shown_in="site")
