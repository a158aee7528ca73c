"""What the five clients share, so that they mirror each other: one constructor shape
(the declared secrets in order, then ``base_url=None``, then ``session=None``), one
``from_settings``, one way to raise errors naming the service, one connection test."""

from __future__ import annotations

from typing import Any, Callable, ClassVar, TypeVar

from planner.config import load_settings_or_defaults
from planner.services.credentials import get_secret
from planner.services.declaration import ServiceDeclaration
from planner.services.errors import BadResponseError, ConfigurationError, InvalidRequestError
from planner.services.http.redaction import register_secret
from planner.services.http.session import ServiceSession, parse_or_bad_response

T = TypeVar("T")


class ServiceClient:
    """Base of every client; ``SERVICE`` is the module's declaration."""

    SERVICE: ClassVar[ServiceDeclaration]
    session: ServiceSession

    @classmethod
    def _make_session(cls, base_url: str | None, session: ServiceSession | None) -> ServiceSession:
        """The injected session, or one under the service's policy at ``base_url``."""
        if session is not None:
            return session
        return ServiceSession(cls.SERVICE.policy(), base_url or cls.SERVICE.default_url)

    @staticmethod
    def _keep_secret(value: Any) -> str | None:
        """A secret as given (stripped; None when empty), registered for redaction."""
        text = str(value).strip() if value is not None else ""
        if not text:
            return None
        register_secret(text)
        return text

    @classmethod
    def settings_options(cls, settings) -> dict[str, Any]:
        """Constructor options a service takes from the settings (Arcsecond's observatory)."""
        return {}

    @classmethod
    def from_settings(cls, settings=None, **kwargs: Any):
        """A client with the stored secrets (environment or keyring) and the resolved address."""
        from planner.services.registry import base_url  # the registry imports every client: a cycle

        settings = settings if settings is not None else load_settings_or_defaults()
        secrets = [get_secret(cls.SERVICE.key, s.name) for s in cls.SERVICE.secrets]
        options = cls.settings_options(settings)
        # An option given as None (a command's unset --observatory) leaves the settings' value.
        options.update({k: v for k, v in kwargs.items() if v is not None or k not in options})
        return cls(*secrets, base_url=base_url(cls.SERVICE.key, settings), **options)

    def __repr__(self) -> str:  # never a key
        base = self.__dict__.get("base_url") or self.session.base_url
        return f"{type(self).__name__}(base_url={base!r})"

    # -- errors naming the service -------------------------------------------------------

    @classmethod
    def _bad(cls, what: str) -> BadResponseError:
        return BadResponseError(cls.SERVICE.name, what, service_key=cls.SERVICE.key)

    @classmethod
    def _invalid(cls, what: str, action: str) -> InvalidRequestError:
        return InvalidRequestError(cls.SERVICE.name, what, action, service_key=cls.SERVICE.key)

    @classmethod
    def _no_key(cls, what: str = "no API key is set") -> ConfigurationError:
        return ConfigurationError(cls.SERVICE.name, what, cls.SERVICE.missing_key_action(), service_key=cls.SERVICE.key)

    @classmethod
    def _parse(cls, fn: Callable[[Any], T], data: Any, what: str = "answer") -> T:
        return parse_or_bad_response(cls.SERVICE.name, fn, data, what=what, service_key=cls.SERVICE.key)

    def check_connection(self) -> str:
        """Ask the service one small question; its answer in words (Settings > Test connection)."""
        raise NotImplementedError


def origin_words(answer) -> str:
    """" (offline: last saved answer)" or " (from the cache)" after a connection test's answer."""
    if getattr(answer, "offline", False):
        return " (offline: last saved answer)"
    if getattr(answer, "from_cache", False):
        return " (from the cache)"
    return ""


__all__ = ["ServiceClient", "origin_words"]
