"""How times, coordinates and the Moon's phase read, once for the window, the commands and
the exports.

Clock times are rounded to the nearest minute everywhere (19:59:40 is 20:00): the window
and the CLI used to disagree (one rounded, one truncated: 16:13 against 16:12). No Qt, no
astropy: the bottom layer, beside ``planner.errors``.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone, tzinfo

MISSING = "-"


def round_to_minute(unix: float) -> float:
    return round(float(unix) / 60.0) * 60.0


def format_clock(unix: float | None, tz: tzinfo = timezone.utc, *, date: bool = False, zone: bool = False,
                 missing: str = MISSING) -> str:
    """``HH:MM`` (``YYYY-MM-DD HH:MM`` with ``date``, the zone's abbreviation after it with
    ``zone``) of a unix time in ``tz``, rounded to the nearest minute; ``missing`` for None/NaN."""
    if unix is None or (isinstance(unix, float) and math.isnan(unix)):
        return missing
    when = datetime.fromtimestamp(round_to_minute(unix), tz)
    text = when.strftime("%Y-%m-%d %H:%M" if date else "%H:%M")
    return f"{text} {when.strftime('%Z')}".rstrip() if zone else text


def _sexagesimal(value: float, decimals: int) -> tuple[int, int, float]:
    """(units, minutes, seconds) of a non-negative value, rounded so seconds never read 60."""
    scale = 10**decimals
    total = round(value * 3600 * scale)
    units, rest = divmod(total, 3600 * scale)
    minutes, seconds = divmod(rest, 60 * scale)
    return int(units), int(minutes), seconds / scale


def ra_hms(ra_deg: float, sep: tuple[str, str, str] = (":", ":", ""), decimals: int = 2) -> str:
    """Right ascension in hours, e.g. ``05:35:17.30``."""
    h, m, s = _sexagesimal((ra_deg % 360.0) / 15.0, decimals)
    h %= 24
    width = 3 + decimals if decimals else 2
    return f"{h:02d}{sep[0]}{m:02d}{sep[1]}{s:0{width}.{decimals}f}{sep[2]}"


def dec_dms(dec_deg: float, sep: tuple[str, str, str] = (":", ":", ""), decimals: int = 1) -> str:
    """Declination with sign, e.g. ``-05:23:28.0``."""
    sign = "-" if dec_deg < 0 else "+"
    d, m, s = _sexagesimal(abs(dec_deg), decimals)
    width = 3 + decimals if decimals else 2
    return f"{sign}{d:02d}{sep[0]}{m:02d}{sep[1]}{s:0{width}.{decimals}f}{sep[2]}"


def moon_phase_name(illumination: float, waxing: bool) -> str:
    """Common name of the phase from the illuminated fraction (0..1) and its trend."""
    k = float(illumination)
    if k < 0.03:
        return "New Moon"
    if k > 0.97:
        return "Full Moon"
    if 0.47 <= k <= 0.53:
        return "First quarter" if waxing else "Last quarter"
    trend = "Waxing" if waxing else "Waning"
    return f"{trend} {'crescent' if k < 0.5 else 'gibbous'}"


def parse_decimal(text: str) -> float | str | None:
    """A number as a person types it into a field: None when the field is empty, a float
    (a decimal comma accepted: ``11,6``), or the text itself when it is not a number, so
    the caller can say so naming the field."""
    raw = (text or "").strip()
    if not raw:
        return None
    candidate = raw.replace(",", ".") if raw.count(",") == 1 and "." not in raw else raw
    try:
        return float(candidate)
    except ValueError:
        return raw
