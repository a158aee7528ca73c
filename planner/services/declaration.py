"""The one declaration of a web service's facts (in the spirit of astroquery's per-service
``Conf``): display name, default address and its environment variable, freshness policy,
throttle and budget, secrets with their environment variables and where to get them, and
what to do about a refused key. Each client module declares its service once
(``SERVICE = declare(...)``); the HTTP layer, credentials, errors, Settings, ``planner
keys`` and the docs read it through ``planner.services.registry``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from planner.services.http.session import DEFAULT_TIMEOUT, POLICIES, ServicePolicy


@dataclass(frozen=True)
class Secret:
    """One secret a service takes; ``name`` is the keyring user-name suffix and ``--name``."""

    name: str  # "key", "secret", "upload_key"
    label: str  # as Settings shows it: "API key"
    env_var: str  # PLANNER_AAVSO_KEY, ...


@dataclass(frozen=True)
class ServiceDeclaration:
    key: str  # "aavso" | "astrobin" | "nasa" | "astrometry" | "arcsecond"
    name: str  # display name
    default_url: str
    freshness: str  # how long a cached answer counts as fresh, in words (docs, Settings)
    expire_after: float  # the same in seconds (0: never cached)
    secrets: tuple[Secret, ...] = ()
    where_to_get_a_key: str = ""  # for the "no key is set" message
    min_interval: float = 0.0
    hourly_budget: int | None = None
    https_only: bool = False
    secret_params: tuple[str, ...] = ()
    secret_headers: tuple[str, ...] = ("Authorization",)
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    connection_test: str = ""  # what Settings > Test connection asks, in words
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def url_env(self) -> str:
        return f"PLANNER_{self.key.upper()}_URL"

    @property
    def needs_key(self) -> bool:
        return bool(self.secrets)

    def secret(self, name: str) -> Secret:
        for secret in self.secrets:
            if secret.name == name:
                return secret
        valid = ", ".join(s.name for s in self.secrets) or "none"
        raise KeyError(f"{self.key} has no secret called {name!r} (it has: {valid})")

    @property
    def key_hint(self) -> str:
        """What to do about a missing or refused key, the window way and the CLI way."""
        if not self.secrets:
            return f"the {self.name} API needs no key; check the {self.name} address in Settings"
        labels = " and ".join(s.label for s in self.secrets)
        names = " / ".join(s.env_var for s in self.secrets)
        return f"check your {self.name} {labels} in Settings (or {names})"

    def missing_key_action(self) -> str:
        where = f"{self.where_to_get_a_key}, then " if self.where_to_get_a_key else ""
        names = " / ".join(s.env_var for s in self.secrets)
        return f"{where}type it in Settings > Services, or set it with `planner keys set {self.key}` or {names}"

    def base_url(self, stored: str | None = None) -> str:
        """The address to use: ``PLANNER_<SERVICE>_URL``, then ``stored`` (Settings), then the
        default. Every caller resolves it here, the window's connection test included."""
        env = os.environ.get(self.url_env, "").strip()
        return (env or (stored or "").strip() or self.default_url).rstrip("/")

    def base_url_from_environment(self) -> str | None:
        return os.environ.get(self.url_env, "").strip().rstrip("/") or None

    def policy(self) -> ServicePolicy:
        """The HTTP policy in force (tests may replace it in ``POLICIES``)."""
        return POLICIES[self.key]

    def _declared_policy(self) -> ServicePolicy:
        return ServicePolicy(
            self.key,
            self.name,
            expire_after=self.expire_after,
            min_interval=self.min_interval,
            hourly_budget=self.hourly_budget,
            secret_params=self.secret_params,
            secret_headers=self.secret_headers,
            https_only=self.https_only,
            timeout=self.timeout,
        )


DECLARATIONS: dict[str, ServiceDeclaration] = {}


def declare(**facts: Any) -> ServiceDeclaration:
    """Declare a service once, at the top of its client module."""
    declaration = ServiceDeclaration(**facts)
    DECLARATIONS[declaration.key] = declaration
    POLICIES.setdefault(declaration.key, declaration._declared_policy())
    return declaration


def with_policy(declaration: ServiceDeclaration, **changes: Any) -> ServicePolicy:
    """The service's policy in force with some fields changed (AstroBin's CDN throttle)."""
    return replace(declaration.policy(), **changes)


__all__ = ["DECLARATIONS", "Secret", "ServiceDeclaration", "declare", "with_policy"]
