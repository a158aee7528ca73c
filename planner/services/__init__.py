"""Clients of the web services planner uses (AAVSO Target Tool, AstroBin, NASA Images,
nova.astrometry.net, Arcsecond) on one shared HTTP layer (``planner.services.http``).

No Qt here. Every failure is a ``planner.services.errors.ServiceError``.
"""

from planner.services.errors import (
    BadResponseError,
    ConfigurationError,
    GoneError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    OfflineError,
    RateLimitedError,
    ServiceError,
    ServiceUnavailableError,
)

__all__ = [
    "BadResponseError",
    "ConfigurationError",
    "GoneError",
    "InvalidRequestError",
    "NetworkError",
    "NotAuthorisedError",
    "NotFoundError",
    "OfflineError",
    "RateLimitedError",
    "ServiceError",
    "ServiceUnavailableError",
]
