"""Local astronomy: the site, nighttime with AAVSO semantics, vectorised visibility of many
targets, the Moon, and the cross-check against the AAVSO API. Offline by construction.

The engine (ERFA, and astropy for the Earth's rotation) loads when one of its functions is
first asked for, not when the package is: the window imports ``planner.sky.site`` and
``planner.sky.types`` before its first paint and must not wait for astropy there. Every
module that uses astropy calls ``configure_astropy_offline()`` before it does.
"""

from planner.limits import DateRangeError
from planner.sky.site import Site, SiteError, timezone_at
from planner.sky.types import (
    Night,
    Observability,
    Twilight,
)

_ENGINE = ("compute_night", "compute_observability", "night_for_date")

__all__ = [
    "DateRangeError",
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


def __getattr__(name: str):
    if name in _ENGINE:
        from planner.sky import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'planner.sky' has no attribute {name!r}")
