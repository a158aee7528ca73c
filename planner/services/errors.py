"""The web-service error family: every failure of a service becomes one ``ServiceError``.

Each error names the service, says what happened and what the user can do, in one
sentence (``str(error)``). Messages never carry a secret, a raw HTML page or a full
response body: callers build them from redacted URLs and short, cleaned texts.
"""

from __future__ import annotations

import re
import time

from planner.errors import PlannerError
from planner.formatting import format_clock as _clock_in

_MAX_DETAIL = 300
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def clean_detail(text: str | bytes | None, limit: int = _MAX_DETAIL) -> str:
    """A short, single-line, tag-free version of a response body for a message.

    Every registered secret is blanked before the text is cut, so a secret across the cut
    cannot leave its first characters behind.
    """
    from planner.services.http.redaction import redact_text  # errors sits below the HTTP layer

    if text is None:
        return ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if looks_like_html(text):
        return ""
    text = _SPACE.sub(" ", _TAGS.sub(" ", redact_text(text))).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def looks_like_html(text: str | bytes | None) -> bool:
    if not text:
        return False
    if isinstance(text, bytes):
        text = text[:512].decode("utf-8", "replace")
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype", "<html", "<?xml")) or "<html" in head or "<body" in head


def format_clock(when: float) -> str:
    """HH:MM and the zone's name in the computer's local time zone (what the user's clock
    shows; the window re-states it in its own zone, ``ServiceError.describe``)."""
    return time.strftime("%H:%M %Z", time.localtime(when)).strip()


class ServiceError(PlannerError):
    """A web service could not give an answer; ``str()`` says which, what happened and what to do.

    Attributes: ``service`` (display name), ``what`` (what happened), ``action`` (what the
    user can do), ``status`` (HTTP status or None), ``service_key`` (e.g. ``"aavso"``) and
    ``url`` (already redacted, may be None).
    """

    default_action = "try again later"

    def __init__(
        self,
        service: str,
        what: str,
        action: str | None = None,
        *,
        status: int | None = None,
        service_key: str | None = None,
        url: str | None = None,
    ):
        self.service = service
        self.what = what.rstrip(" .;")
        self.action = (action or self.default_action).rstrip(" .;")
        self.status = status
        self.service_key = service_key
        self.url = url
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return f"{self.service}: {self.what}; {self.action}."

    def __str__(self) -> str:
        return self.message

    def describe(self, tz=None) -> str:
        """The message with any time in it given in ``tz`` (the window's zone) and labelled;
        the computer's own zone when None."""
        return self.message

    def __reduce__(self):  # picklable across worker processes despite keyword arguments
        return (_rebuild, (self.__class__, self.__dict__.copy()))


def _rebuild(cls, state):
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.message)
    return error


class NotAuthorisedError(ServiceError):
    """HTTP 401/403: the key is missing, wrong or lacks the right."""

    default_action = "check the API key in Settings"

    def __init__(self, service: str, what: str, action: str | None = None, **kw):
        if action is None:
            from planner.services.declaration import DECLARATIONS  # filled as clients load

            declaration = DECLARATIONS.get(kw.get("service_key") or "")
            if declaration is not None:
                action = declaration.key_hint
        super().__init__(service, what, action, **kw)


class NotFoundError(ServiceError):
    """HTTP 404: the thing asked for does not exist (or the base URL is wrong)."""

    default_action = "check the name or id, and the service's base URL in Settings"


class GoneError(ServiceError):
    """HTTP 410: the API has been retired."""

    default_action = "update planner, or check the service's base URL in Settings"


class RateLimitedError(ServiceError):
    """HTTP 429, or a request refused locally because it would exceed the service's budget."""

    def __init__(self, service: str, what: str, action: str | None = None, *, retry_at: float | None = None, **kw):
        self.retry_at = retry_at
        self._own_action = action is None
        if action is None:
            action = f"try again after {format_clock(retry_at)}" if retry_at else "wait a while and try again"
        super().__init__(service, what, action, **kw)

    def describe(self, tz=None) -> str:
        if tz is None or not self.retry_at or not getattr(self, "_own_action", False):
            return self.message
        return f"{self.service}: {self.what}; try again after {_clock_in(self.retry_at, tz, zone=True)}."


class ServiceUnavailableError(ServiceError):
    """HTTP 503 or another 5xx (including HTML error pages): the service is down or failing."""

    default_action = "the service may be down for maintenance; try again later"


class BadResponseError(ServiceError):
    """The answer could not be used: not JSON, the wrong shape, truncated or too large."""

    default_action = "try again later; if it keeps happening, the service may have changed its API"


class NetworkError(ServiceError):
    """The service could not be reached: timeout, connection refused, DNS failure."""

    default_action = "check your network connection and the service's base URL in Settings"


class OfflineError(NetworkError):
    """No network and no cached answer to fall back on (a ``NetworkError`` too)."""

    default_action = "connect to the network once to fetch and cache an answer"


class ConfigurationError(ServiceError):
    """Something the user must set is missing or unusable (key, base URL, plain http)."""

    default_action = "fix it in Settings"


class InvalidRequestError(ServiceError):
    """Another 4xx: the service rejected the query; ``detail`` is the service's own text."""

    default_action = "check the request's parameters"

    def __init__(self, service: str, what: str, action: str | None = None, *, detail: str = "", **kw):
        self.detail = detail
        super().__init__(service, what, action, **kw)


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
    "clean_detail",
    "format_clock",
    "looks_like_html",
]
