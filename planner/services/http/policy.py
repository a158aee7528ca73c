"""What planner knows of each web service before a request is made: its ``ServicePolicy``
(cache life, throttle, budget, secrets, timeouts, https), the registry of them
(``POLICIES``, filled by each client module's declaration), the decoded ``Reply`` every
call returns, and the address rules (``check_url``: http(s), https only off this computer).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit

from planner.services.errors import ConfigurationError
from planner.services.http.redaction import redact_url

DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)


@dataclass(frozen=True)
class ServicePolicy:
    """How planner treats one web service: cache life, throttle, budget, secrets, timeouts."""

    key: str  # "aavso" | "astrobin" | "nasa" | "astrometry" | "arcsecond"
    name: str  # display name
    expire_after: float  # cache seconds for GET responses (0: never cache)
    min_interval: float = 0.0  # seconds between two requests that reach the network
    hourly_budget: int | None = None
    secret_params: tuple[str, ...] = ()
    secret_headers: tuple[str, ...] = ("Authorization",)
    https_only: bool = False
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    retries: int = 3  # for GETs on connection errors and 500/502/503/504
    backoff_factor: float = 0.5  # urllib3 backoff; tests set it tiny


class _Policies(dict):
    """Every service's policy, by key, as each client module declares it
    (``planner.services.declaration.declare``); reading it loads the declarations first.
    Tests replace entries to make the services fast."""

    _loading = False

    def _load(self) -> None:
        if not _Policies._loading:
            _Policies._loading = True
            import planner.services.registry  # noqa: F401 - each module declares its service

    def __getitem__(self, key):
        self._load()
        return super().__getitem__(key)

    def __iter__(self):
        self._load()
        return super().__iter__()

    def __len__(self):
        self._load()
        return super().__len__()

    def __contains__(self, key):
        self._load()
        return super().__contains__(key)

    def get(self, key, default=None):
        self._load()
        return super().get(key, default)

    def keys(self):
        self._load()
        return super().keys()

    def values(self):
        self._load()
        return super().values()

    def items(self):
        self._load()
        return super().items()


POLICIES: dict[str, ServicePolicy] = _Policies()


@dataclass
class Reply:
    """One answer of a service, already decoded as asked (``expect``)."""

    data: Any
    status: int
    headers: Mapping[str, str]
    url: str  # redacted
    from_cache: bool = False
    offline: bool = False  # a stale cached answer served because the network failed
    fetched_at: float | None = None  # unix time the answer was fetched from the service

    def meta(self) -> dict[str, Any]:
        return {"from_cache": self.from_cache, "offline": self.offline, "fetched_at": self.fetched_at}


# -- URLs --------------------------------------------------------------------------------


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(policy: ServicePolicy, url: str) -> str:
    """Validate an absolute URL for ``policy``; raises ``ConfigurationError``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(
            policy.name,
            f"the address {redact_url(url, policy.secret_params)!r} is not a usable http(s) URL",
            f"set the {policy.name} base URL in Settings or PLANNER_{policy.key.upper()}_URL",
            service_key=policy.key,
        )
    if policy.https_only and parts.scheme == "http" and not is_loopback(host):
        raise ConfigurationError(
            policy.name,
            f"refuses plain http to {host}: this service accepts only https",
            f"use an https:// base URL in Settings or PLANNER_{policy.key.upper()}_URL",
            service_key=policy.key,
        )
    return url
