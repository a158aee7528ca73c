"""Local astronomy: the site, nighttime with AAVSO semantics, vectorised visibility of many
targets, the Moon, and the cross-check against the AAVSO API. Offline by construction."""

from planner.sky._offline import configure_astropy_offline

configure_astropy_offline()

from planner.sky.site import Site, SiteError, timezone_at  # noqa: E402
from planner.sky.types import (  # noqa: E402
    Night,
    Observability,
    Twilight,
)
from planner.sky.engine import compute_night, compute_observability, night_for_date  # noqa: E402

__all__ = [
    "Night",
    "Observability",
    "Site",
    "SiteError",
    "Twilight",
    "compute_night",
    "compute_observability",
    "night_for_date",
    "timezone_at",
]
