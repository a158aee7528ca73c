"""The plan's limits as astroplan constraints, evaluated at every step of the night.

astroplan is the right tool here: its ``Constraint`` objects are what its users pass to
schedulers, and a plan has a handful of targets, so their cost (~0.5 s for 50 targets over
a night at 5-minute steps) is small. The vectorised engine still finds the windows above the
altitude limit to the second; these constraints then rule out every 5-minute step at which
the Moon is too close, the sky too bright or the target too low, so a block passes only if
every step inside it does (not one moment of the night, as before).

``AltitudeConstraint`` and ``AtNightConstraint`` get a margin of 0.05 deg (about 12 s of a
star's or the Sun's motion): the engine's exact window edges and astroplan's models differ
by that much there, and the engine owns those edges.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from planner.sky._offline import configure_astropy_offline
from planner.sky.site import Site
from planner.sky.types import SUN_RISE_SET_CORRECTION

STEP_S = 300.0
EDGE_MARGIN_DEG = 0.05
TWILIGHT_SUN_ALTITUDE = {"astronomical": -18.0, "nautical": -12.0, "civil": -6.0}


@lru_cache(maxsize=16)
def observer_for(site: Site):
    """An astroplan ``Observer`` at the site, with standard refraction (the engine's limits
    are apparent altitudes); made with ``EarthLocation.from_geodetic`` (offline)."""
    configure_astropy_offline()  # before astroplan and astropy load
    from astroplan import Observer
    from astropy import units as u
    from astropy.coordinates import EarthLocation

    location = EarthLocation.from_geodetic(site.longitude * u.deg, site.latitude * u.deg, site.elevation * u.m)
    return Observer(location=location, pressure=1013.25 * u.hPa, temperature=10 * u.deg_C,
                    relative_humidity=0.0, name=site.name or None)


def limit_constraints(site: Site, *, min_altitude: float, twilight: str, moon_separation: float | None,
                      moon_width: float | None = None, mount=None) -> list:
    """A plan's limits as astroplan constraints: the altitude limit, the darkness the chosen
    twilight asks for (``"site"``: the site's sun altitude) and, when set, the Moon distance
    (``moon_width`` days: the Lorentzian in the Moon's age, else flat; nothing while the
    Moon is down), the site's horizon mask and the ``mount``'s reach in hour angle
    (``planner.sky.local_constraints``)."""
    configure_astropy_offline()
    from astroplan import AltitudeConstraint, AtNightConstraint
    from astropy import units as u

    from planner.sky.local_constraints import HorizonMaskConstraint, HourAngleConstraint, MoonAvoidanceConstraint

    sun = (site.sun_altitude - SUN_RISE_SET_CORRECTION) if twilight == "site" else TWILIGHT_SUN_ALTITUDE[twilight]
    out = [
        AltitudeConstraint(min=(min_altitude - EDGE_MARGIN_DEG) * u.deg),
        AtNightConstraint(max_solar_altitude=(sun + EDGE_MARGIN_DEG) * u.deg),
    ]
    if moon_separation is not None:
        out.append(MoonAvoidanceConstraint(float(moon_separation), moon_width))
    if site.horizon is not None and site.horizon.max_altitude > min_altitude:
        out.append(HorizonMaskConstraint(site.horizon, min_altitude))
    if mount is not None and mount.limits_hour_angle:
        out.append(HourAngleConstraint(mount.east_limit_hours, mount.west_limit_hours))
    return out


@dataclass(frozen=True)
class ConstraintGrid:
    """Each constraint's verdict (N targets x T steps) on a time grid."""

    times: np.ndarray  # (T,) unix
    verdicts: tuple[tuple[str, np.ndarray], ...]  # (constraint class name, (N, T) bool)

    @property
    def ok(self) -> np.ndarray:
        out = np.ones((0, 0), bool)
        for _, verdict in self.verdicts:
            out = verdict if out.size == 0 else out & verdict
        return out

    def allowed(self, index: int, *, only: str | None = None) -> list[tuple[float, float]]:
        """Intervals of [times[0], times[-1]] containing no failing step for target ``index``
        (of the constraint class ``only``, or of all): a block inside one passes every step."""
        if not self.verdicts:
            return [(float(self.times[0]), float(self.times[-1]))] if self.times.size else []
        verdict = (dict(self.verdicts)[only] if only else self.ok)[index]
        times = self.times
        out: list[tuple[float, float]] = []
        k = 0
        while k < verdict.size:
            if not verdict[k]:
                k += 1
                continue
            j = k
            while j + 1 < verdict.size and verdict[j + 1]:
                j += 1
            # up to (not onto) the failing steps either side, or the ends of the grid
            lo = float(times[k - 1]) + 1.0 if k > 0 else float(times[0])
            hi = float(times[j + 1]) - 1.0 if j + 1 < verdict.size else float(times[-1])
            out.append((lo, hi))
            k = j + 1
        return out


def evaluate(constraints: Sequence, site: Site, ra: np.ndarray, dec: np.ndarray, start: float, end: float,
             step_s: float = STEP_S) -> ConstraintGrid:
    """Evaluate astroplan ``constraints`` for targets (ra, dec: J2000 deg) at every
    ``step_s`` from ``start`` to ``end`` (both included)."""
    n = int(math.ceil((end - start) / step_s))
    times = np.append(start + step_s * np.arange(n), end) if end > start else np.array([float(start)])
    if not constraints or len(ra) == 0:
        return ConstraintGrid(times, tuple((type(c).__name__, np.ones((len(ra), times.size), bool))
                                           for c in constraints))
    configure_astropy_offline()
    from astropy import units as u
    from astropy.coordinates import SkyCoord
    from astropy.coordinates.baseframe import NonRotationTransformationWarning
    from astropy.time import Time

    observer = observer_for(site)
    targets = SkyCoord(np.asarray(ra, float) * u.deg, np.asarray(dec, float) * u.deg)
    when = Time(times, format="unix")
    verdicts = []
    with warnings.catch_warnings():
        # the Moon's separation is measured in its own (GCRS) frame, as astroplan intends
        warnings.simplefilter("ignore", NonRotationTransformationWarning)
        for constraint in constraints:
            verdict = np.asarray(constraint(observer, targets, times=when, grid_times_targets=True), dtype=bool)
            verdicts.append((type(constraint).__name__, verdict.reshape(len(ra), times.size)))
    return ConstraintGrid(times, tuple(verdicts))
