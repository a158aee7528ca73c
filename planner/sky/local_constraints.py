"""The observer's own limits as astroplan constraints, beside the plan's standard ones
(``planner.sky.constraints``): the horizon mask, Moon avoidance that follows the Moon
(the Target Scheduler's Lorentzian, nothing while the Moon is down) and the mount's reach
in hour angle. The scheduler evaluates them at every 5-minute step of a block, as it does
astroplan's own.
"""

from __future__ import annotations

import numpy as np

from planner.sky._offline import configure_astropy_offline

configure_astropy_offline()  # before astroplan loads astropy

from astroplan import Constraint  # noqa: E402
from astroplan.constraints import get_skycoord  # noqa: E402

from planner.sky.constraints import EDGE_MARGIN_DEG  # noqa: E402
from planner.sky.horizon import HorizonMask  # noqa: E402
from planner.sky.moon import MOON_DOWN_ALTITUDE, MoonAvoidance, moon_age_days  # noqa: E402


class HorizonMaskConstraint(Constraint):
    """The target's apparent altitude at least max(mask at its azimuth, ``min_altitude``)
    (less the edge margin the altitude constraint gets: the engine owns the window edges)."""

    def __init__(self, mask: HorizonMask, min_altitude: float = -90.0):
        self.mask = mask
        self.min_altitude = float(min_altitude)

    def compute_constraint(self, times, observer, targets):
        altaz = observer.altaz(times, get_skycoord(targets))
        limit = np.maximum(self.mask.altitude_at(altaz.az.deg), self.min_altitude)
        return altaz.alt.deg >= limit - EDGE_MARGIN_DEG


class MoonAvoidanceConstraint(Constraint):
    """At least ``distance`` degrees from the Moon while it is above the horizon; with a
    ``width`` (days) the distance is the Lorentzian's at full Moon and the separation asked
    follows the Moon's age (``planner.sky.moon``). Nothing is asked while the Moon is down."""

    def __init__(self, distance: float, width: float | None = None):
        self.distance = float(distance)
        self.width = None if width is None else float(width)
        self.avoidance = MoonAvoidance(self.distance, self.width if self.width is not None else 7.0)

    def compute_constraint(self, times, observer, targets):
        from astropy.coordinates import GeocentricTrueEcliptic, get_body, get_sun

        moon = get_body("moon", times, location=observer.location)
        # the Moon's own (GCRS) frame, as astroplan's MoonSeparationConstraint measures it
        separation = moon.separation(get_skycoord(targets)).deg
        moon_alt = observer.moon_altaz(times).alt.deg
        if self.width is None:
            required = np.where(moon_alt > MOON_DOWN_ALTITUDE, self.distance, 0.0)
        else:
            ecliptic = GeocentricTrueEcliptic(equinox=times)
            elongation = moon.transform_to(ecliptic).lon.deg - get_sun(times).transform_to(ecliptic).lon.deg
            required = self.avoidance.required(moon_age_days(elongation), moon_alt)
        return separation >= required


class HourAngleConstraint(Constraint):
    """The target's hour angle between ``east`` and ``west`` hours (negative: east of the
    meridian): the part of the sky the mount reaches."""

    def __init__(self, east: float = -12.0, west: float = 12.0):
        self.east = float(east)
        self.west = float(west)

    def compute_constraint(self, times, observer, targets):
        ha = observer.target_hour_angle(times, get_skycoord(targets)).hour
        ha = (np.asarray(ha) + 12.0) % 24.0 - 12.0
        return (ha >= self.east) & (ha <= self.west)
