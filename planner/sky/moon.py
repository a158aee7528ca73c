"""Moon avoidance that follows the Moon through the night.

The separation a target needs from the Moon is the Moon Avoidance Lorentzian of N.I.N.A.'s
Target Scheduler (``AstrometryUtils.GetMoonAvoidanceLorentzianSeparation``, after ACP's
scheduler and the Berkeley BAIT team)::

    required = distance / (1 + ((0.5 - age / P) / (width / P)) ** 2)

with ``age`` the Moon's age in days (0 at new Moon, P/2 at full), P = 29.53059 days, the
``distance`` the separation asked for at full Moon and the ``width`` the days either side
of full Moon over which it falls to half. While the Moon is below the horizon there is no
requirement at all. The age comes from the difference of the Moon's and the Sun's
ecliptic longitudes, as the Target Scheduler takes it from the Moon's position angle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

SYNODIC_MONTH_DAYS = 29.53059  # the Target Scheduler's DAYS_IN_LUNAR_CYCLE
# The Target Scheduler's defaults for a new exposure template.
DEFAULT_DISTANCE_DEG = 60.0
DEFAULT_WIDTH_DAYS = 7.0
# The Moon counts as up while the apparent altitude of its centre is above this.
MOON_DOWN_ALTITUDE = 0.0


def lorentzian_separation(age_days, distance_deg: float, width_days: float) -> np.ndarray:
    """The Moon Avoidance Lorentzian: the separation (deg) needed at Moon age ``age_days``."""
    if width_days <= 0:
        raise ValueError("the Moon avoidance width must be more than 0 days")
    age = np.asarray(age_days, dtype=float)
    x = (0.5 - age / SYNODIC_MONTH_DAYS) / (width_days / SYNODIC_MONTH_DAYS)
    return distance_deg / (1.0 + x * x)


def moon_age_days(moon_minus_sun_longitude_deg) -> np.ndarray:
    """The Moon's age (days since new Moon) from its ecliptic longitude east of the Sun's."""
    return np.mod(np.asarray(moon_minus_sun_longitude_deg, dtype=float), 360.0) * (SYNODIC_MONTH_DAYS / 360.0)


@dataclass(frozen=True)
class MoonAvoidance:
    """How far from the Moon a target must stay: the Lorentzian's ``distance`` (deg, at full
    Moon) and ``width`` (days); ``enabled`` False asks for nothing."""

    distance: float = DEFAULT_DISTANCE_DEG
    width: float = DEFAULT_WIDTH_DAYS
    enabled: bool = True

    def __post_init__(self) -> None:
        for name, value, low, high, unit in (("distance", self.distance, 0.0, 180.0, "degrees"),
                                             ("width", self.width, 0.1, 30.0, "days")):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Moon avoidance {name} must be a number of {unit}, not {value!r}.")
            if not low <= value <= high:
                raise ValueError(f"Moon avoidance {name} {value:g} {unit} is outside {low:g}-{high:g} {unit}.")
        object.__setattr__(self, "distance", float(self.distance))
        object.__setattr__(self, "width", float(self.width))
        object.__setattr__(self, "enabled", bool(self.enabled))

    def required(self, age_days, moon_altitude) -> np.ndarray:
        """The separation (deg) needed at each moment: the Lorentzian while the Moon is up,
        0 while it is down (or when avoidance is off)."""
        age = np.asarray(age_days, dtype=float)
        up = np.asarray(moon_altitude, dtype=float) > MOON_DOWN_ALTITUDE
        if not self.enabled:
            return np.zeros(np.broadcast(age, up).shape)
        return np.where(up, lorentzian_separation(age, self.distance, self.width), 0.0)

    def describe(self) -> str:
        if not self.enabled:
            return "no Moon avoidance"
        return f"{self.distance:g}° at full Moon, half that {self.width:g} days from full"

    def to_json(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "distance": self.distance, "width": self.width}

    @classmethod
    def from_json(cls, data: Any) -> "MoonAvoidance":
        """From ``to_json``'s shape; missing keys take the defaults, a bad value raises ValueError."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("Moon avoidance must be an object with enabled, distance and width.")
        known = {k: data[k] for k in ("enabled", "distance", "width") if k in data}
        if "enabled" in known and not isinstance(known["enabled"], bool):
            raise ValueError(f"Moon avoidance 'enabled' must be true or false, not {known['enabled']!r}.")
        return cls(**known)


OFF = MoonAvoidance(enabled=False)
