"""The HTTP session every web-service client uses: timeouts, retries, the cache, errors.

``ServiceSession`` wraps ``requests`` with urllib3 ``Retry`` (idempotent GETs only), a default
(connect, read) timeout, the service's limiter (``limiter``), the shared answer cache
(``cache``) and redaction (``redaction``). Every failure becomes a
``planner.services.errors.ServiceError``; when the network fails and a cached answer
exists, that answer comes back marked ``offline``. The policies, ``Reply`` and the address
rules are ``policy``'s, the retries ``retry``'s; their names are importable from here too.
"""

from __future__ import annotations

import json as jsonlib
import logging
import time
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from planner import __version__
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
    clean_detail,
    looks_like_html,
)
from planner.services.http import cache as _cache
from planner.services.http.limiter import RateLimitState, limiter_for, retry_at_from_headers
from planner.services.http.policy import DEFAULT_TIMEOUT, POLICIES, Reply, ServicePolicy, check_url, is_loopback
from planner.services.http.redaction import (
    ALWAYS_SECRET,
    install_log_filter,
    redact_text,
    redact_url,
    register_basic_auth,
    register_secret_params,
)
from planner.services.http.retry import RETRY_STATUSES, _make_retry

log = logging.getLogger(__name__)

# No public home page exists yet, so the agent names the program, its version and its purpose.
USER_AGENT = f"planner/{__version__} (variable-star observing planner; python-requests)"
_CHUNK = 64 * 1024




# -- session -----------------------------------------------------------------------------


class _SecretKeepingSession(requests.Session):
    """A ``requests.Session`` that keeps custom secret headers on their host.

    On a redirect to another host requests drops only ``Authorization``; Arcsecond sends its
    key in ``X-Arcsecond-API-Authorization``, which would otherwise follow a redirect anywhere.
    """

    secret_headers: tuple[str, ...] = ()

    def rebuild_auth(self, prepared_request, response):
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(response.request.url, prepared_request.url):
            for name in self.secret_headers:
                prepared_request.headers.pop(name, None)


class ServiceSession:
    """HTTP access to one service under its ``ServicePolicy``. Thread-safe for concurrent use."""

    def __init__(
        self,
        policy: ServicePolicy,
        base_url: str,
        *,
        cache_path: Path | None = None,
        user_agent: str | None = None,
    ):
        self.policy = policy
        self.base_url = check_url(policy, (base_url or "").rstrip("/"))
        self._limiter = limiter_for(policy.key)
        if policy.hourly_budget:
            self._limiter.keep_budget_on_disk()
        self.ignored = tuple(dict.fromkeys((*ALWAYS_SECRET, *policy.secret_params, *policy.secret_headers)))
        register_secret_params(policy.secret_params)
        install_log_filter()

        self._plain = _SecretKeepingSession()
        self._plain.secret_headers = tuple(policy.secret_headers)
        adapter = HTTPAdapter(max_retries=_make_retry(policy, lambda: self._limiter.acquire(self.policy)))
        self._plain.mount("http://", adapter)
        self._plain.mount("https://", adapter)
        self._plain.headers["User-Agent"] = user_agent or USER_AGENT
        self._plain.trust_env = True

        self._cache = None
        if policy.expire_after and policy.expire_after > 0:
            cache = _cache.ResponseCache(
                cache_path if cache_path is not None else _cache.cache_path(),
                service=policy.key,
                expire_after=policy.expire_after,
                ignored=self.ignored,
            )
            self._cache = cache if cache.available else None

    # -- public API --------------------------------------------------------------------

    @property
    def rate(self) -> RateLimitState:
        return self._limiter.snapshot()

    def forget_cached(self) -> int:
        """Forget every cached answer of this service (all credentials): its site or limits
        changed in a way the requests do not show. Returns how many were dropped."""
        return self._cache.forget(every_credential=True) if self._cache is not None else 0

    def sent_in_the_last_hour(self) -> int:
        return self._limiter.sent_in_the_last_hour()

    @property
    def cached_session(self):
        """The underlying requests-cache ``CachedSession`` (None when caching is off)."""
        return self._cache.cached_session if self._cache is not None else None

    def url_for(self, path_or_url: str) -> str:
        if "://" in path_or_url:
            return check_url(self.policy, path_or_url)
        return f"{self.base_url}/{path_or_url.lstrip('/')}"

    def redact(self, url: str) -> str:
        return redact_url(url, self.policy.secret_params)

    def get(self, path_or_url: str, **kw) -> Reply:
        return self.request("GET", path_or_url, **kw)

    def post(self, path_or_url: str, **kw) -> Reply:
        kw["cache"] = False
        return self.request("POST", path_or_url, **kw)

    def close(self) -> None:
        self._plain.close()
        if self._cache is not None:
            self._cache.close()

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        params=None,
        data=None,
        json=None,
        files=None,
        headers=None,
        auth=None,
        cache: bool = True,
        expect: str = "json",
        max_bytes: int | None = None,
        timeout=None,
        refresh: bool = False,
        keep: Callable[[Any], bool] | None = None,
    ) -> Reply:
        """Send one request; see the module docstring. ``refresh`` skips a fresh cached answer
        (the UI's Refresh) but still falls back to it, marked offline, when the network fails.
        ``keep(data)`` decides whether a 200 answer is cached (an answer that says "not yet"
        should not be)."""
        if expect not in ("json", "text", "bytes"):
            raise ValueError(f"expect must be json, text or bytes, not {expect!r}")
        method = method.upper()
        if isinstance(auth, tuple) and len(auth) == 2:
            register_basic_auth(*auth)
        url = self.url_for(path_or_url)
        try:
            prepared = self._plain.prepare_request(
                requests.Request(method, url, params=params, data=data, json=json, files=files, headers=headers, auth=auth)
            )
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, ValueError) as exc:
            raise ConfigurationError(
                self.policy.name,
                f"cannot build a request for {self.redact(url)!r} ({exc.__class__.__name__})",
                f"check the {self.policy.name} base URL in Settings",
                service_key=self.policy.key,
            ) from None
        safe_url = self.redact(prepared.url or url)

        use_cache = cache and method == "GET" and self._cache is not None
        credential = _cache.credential_of(prepared, self.policy.secret_headers, self.policy.secret_params)
        key = cached = None
        if use_cache:
            key, cached = self._cache.lookup(prepared, credential)
            if cached is not None and not cached.is_expired and not refresh:
                log.debug("%s: cache hit %s", self.policy.key, safe_url)
                return self._reply_from_cached(cached, expect, safe_url, offline=False, max_bytes=max_bytes)

        timeout = timeout or self.policy.timeout
        self._limiter.acquire(self.policy)
        log.debug("%s %s", method, safe_url)
        try:
            settings = self._plain.merge_environment_settings(prepared.url, {}, True, None, None)
            response = self._plain.send(
                prepared, timeout=timeout, allow_redirects=True, **settings
            )
        except requests.exceptions.RequestException as exc:
            return self._network_failure(exc, cached, expect, safe_url, use_cache, max_bytes, timeout)

        try:
            body = self._read_body(response, max_bytes, safe_url)
        except requests.exceptions.RequestException as exc:
            return self._network_failure(exc, cached, expect, safe_url, use_cache, max_bytes, timeout)
        finally:
            response.close()

        if self.policy.hourly_budget:
            self._limiter.update_from_headers(response.headers)
        status = response.status_code
        if 200 <= status < 300:
            data = self._decode(body, response, expect, safe_url)
            fetched_at = None
            if use_cache and status == 200 and (keep is None or keep(data)):
                fetched_at = self._cache.store(response, key)
            elif method not in ("GET", "HEAD") and credential and self._cache is not None:
                # A write (AAVSO's telescope POST moves the account's site) changes what this
                # account's cached answers would now be: forget them, not other accounts'.
                self._cache.forget(credential)
            return Reply(
                data=data,
                status=status,
                headers=dict(response.headers),
                url=safe_url,
                from_cache=False,
                offline=False,
                fetched_at=fetched_at or time.time(),
            )
        if status >= 500 and cached is not None:
            log.info("%s answered HTTP %s; serving the cached answer", self.policy.name, status)
            return self._reply_from_cached(cached, expect, safe_url, offline=True, max_bytes=max_bytes)
        raise self._status_error(status, response.headers, body, safe_url)

    # -- internals -------------------------------------------------------------------------

    def _reply_from_cached(
        self, cached, expect: str, safe_url: str, *, offline: bool, max_bytes: int | None = None
    ) -> Reply:
        if max_bytes is not None and len(cached.content) > max_bytes:
            raise self._too_large(
                f"the cached answer is larger than the {max_bytes:,} bytes allowed ({len(cached.content):,} bytes)",
                None,
                safe_url,
            )
        data = self._decode(cached.content, cached, expect, safe_url)
        created = getattr(cached, "created_at", None)
        return Reply(
            data=data,
            status=cached.status_code,
            headers=dict(cached.headers),
            url=safe_url,
            from_cache=True,
            offline=offline,
            fetched_at=created.timestamp() if created is not None else None,
        )

    def _read_body(self, response: requests.Response, max_bytes: int | None, safe_url: str) -> bytes:
        declared = response.headers.get("Content-Length")
        if max_bytes is not None and declared and declared.isdigit() and int(declared) > max_bytes:
            raise self._too_large(
                f"the answer is {int(declared):,} bytes, more than the {max_bytes:,} allowed",
                response.status_code,
                safe_url,
            )
        chunks, total = [], 0
        for chunk in response.iter_content(_CHUNK):
            total += len(chunk)
            if max_bytes is not None and total > max_bytes:
                raise self._too_large(
                    f"the answer is larger than the {max_bytes:,} bytes allowed", response.status_code, safe_url
                )
            chunks.append(chunk)
        body = b"".join(chunks)
        if declared and declared.isdigit() and not response.headers.get("Content-Encoding"):
            if len(body) < int(declared):
                raise requests.exceptions.ChunkedEncodingError("body shorter than Content-Length")
        response._content = body  # requests-cache stores what we read
        response._content_consumed = True
        return body

    def _decode(self, body: bytes, response, expect: str, safe_url: str) -> Any:
        if expect == "bytes":
            return body
        encoding = getattr(response, "encoding", None) or "utf-8"
        try:
            text = body.decode(encoding, "replace")
        except LookupError:
            text = body.decode("utf-8", "replace")
        if expect == "text":
            return text
        if not body.strip():
            if response.status_code == 204:
                return None
            raise self._bad("sent an empty answer instead of JSON", response.status_code, safe_url)
        try:
            return jsonlib.loads(text)
        except ValueError:
            what = "sent a web page instead of JSON data" if looks_like_html(text) else "sent an answer that is not valid JSON"
            raise self._bad(what, response.status_code, safe_url) from None

    def _too_large(self, what: str, status: int | None, safe_url: str) -> BadResponseError:
        """An answer over ``max_bytes``, live or cached."""
        return BadResponseError(
            self.policy.name,
            what,
            "choose a smaller size or file",
            status=status,
            service_key=self.policy.key,
            url=safe_url,
        )

    def _bad(self, what: str, status: int | None, safe_url: str) -> BadResponseError:
        return BadResponseError(self.policy.name, what, status=status, service_key=self.policy.key, url=safe_url)

    def _network_failure(
        self, exc: Exception, cached, expect: str, safe_url: str, use_cache: bool, max_bytes: int | None, timeout
    ) -> Reply:
        if cached is not None:
            log.info("%s unreachable (%s); serving the cached answer", self.policy.name, exc.__class__.__name__)
            return self._reply_from_cached(cached, expect, safe_url, offline=True, max_bytes=max_bytes)
        raise self._exception_error(exc, safe_url, use_cache, timeout) from None

    def _exception_error(self, exc: Exception, safe_url: str, use_cache: bool, timeout=None) -> ServiceError:
        name, key = self.policy.name, self.policy.key
        exc_types = requests.exceptions
        if isinstance(exc, (exc_types.ChunkedEncodingError, exc_types.ContentDecodingError)):
            return BadResponseError(name, "sent an incomplete (truncated) answer", service_key=key, url=safe_url)
        if isinstance(exc, exc_types.RetryError):
            return ServiceUnavailableError(name, "kept failing with server errors", service_key=key, url=safe_url)
        if isinstance(exc, (exc_types.InvalidURL, exc_types.MissingSchema, exc_types.InvalidSchema)):
            return ConfigurationError(
                name, "has an unusable address", f"check the {name} base URL in Settings", service_key=key
            )
        if isinstance(exc, exc_types.SSLError):
            what = "could not be reached securely (TLS/certificate error)"
        elif isinstance(exc, exc_types.ConnectTimeout):
            what = f"did not accept the connection within {_seconds(timeout, 0)}"
        elif isinstance(exc, exc_types.Timeout) or "Read timed out" in str(exc):
            # Not repeated (see _ServiceRetry): the service took the request and went silent.
            what = f"did not answer within {_seconds(timeout, 1)}"
        else:
            text = str(exc)
            if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
                what = f"could not be found (no DNS answer for {urlsplit(self.base_url).hostname})"
            elif "refused" in text.lower():
                what = "refused the connection"
            else:
                what = "could not be reached"
        if use_cache:
            return OfflineError(
                name,
                f"{what}, and there is no cached answer to show",
                "check your network connection (or the base URL in Settings) and try again",
                service_key=key,
                url=safe_url,
            )
        return NetworkError(name, what, service_key=key, url=safe_url)

    def _status_error(self, status: int, headers, body: bytes, safe_url: str) -> ServiceError:
        name, key = self.policy.name, self.policy.key
        detail = clean_detail(_explanation(body))  # redacts, then cuts
        kw = {"status": status, "service_key": key, "url": safe_url}
        suffix = f": {detail}" if detail else ""
        if status in (401, 403):
            what = "refused the API key (HTTP %d)" % status if status == 401 else "denied access (HTTP 403)"
            return NotAuthorisedError(name, what + suffix, **kw)
        if status == 404:
            return NotFoundError(name, f"has nothing at {_path_of(safe_url)} (HTTP 404)", **kw)
        if status == 410:
            return GoneError(name, "says this API is no longer in service (HTTP 410)", **kw)
        if status == 429:
            retry_at = retry_at_from_headers(headers)
            self._limiter.update_from_headers(headers)
            self._limiter.exhausted(retry_at)
            return RateLimitedError(name, "says too many requests were made (HTTP 429)", retry_at=retry_at, **kw)
        if 400 <= status < 500:
            return InvalidRequestError(name, f"rejected the request (HTTP {status}){suffix}", detail=detail, **kw)
        if status == 503:
            return ServiceUnavailableError(name, "is temporarily down (HTTP 503)", **kw)
        if status >= 500:
            return ServiceUnavailableError(name, f"had a server error (HTTP {status})", **kw)
        return BadResponseError(name, f"gave an unexpected answer (HTTP {status})", **kw)


def _explanation(body: bytes) -> bytes | str:
    """The service's own words in an error body: the text of a JSON ``{"error": ...}``
    (Tastypie, astrometry.net), ``{"detail": ...}`` (Django REST framework) and the like,
    else the body as it is."""
    try:
        data = jsonlib.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body
    if isinstance(data, dict):
        for field in ("error", "detail", "errormessage", "message", "reason"):
            if isinstance(data.get(field), str) and data[field].strip():
                return data[field]
        # {"errors": ["...", ...]} (AAVSO VSP) or {"errors": {"field": ["...", ...]}}
        errors = data.get("errors")
        if isinstance(errors, dict):
            errors = [f"{k}: {v}" if isinstance(v, str) else f"{k}: {'; '.join(map(str, v))}"
                      for k, v in errors.items() if isinstance(v, (str, list))]
        if isinstance(errors, list):
            words = [str(e).strip() for e in errors if isinstance(e, (str, int, float)) and str(e).strip()]
            if words:
                return "; ".join(words)
    return body


def _seconds(timeout, index: int) -> str:
    """The connect (0) or read (1) part of a requests timeout, for a message."""
    value = timeout[index] if isinstance(timeout, tuple) else timeout
    return f"{value:g} s" if isinstance(value, (int, float)) else "the time allowed"


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "the address asked for"


T = TypeVar("T")


def parse_or_bad_response(service_name: str, fn: Callable[[Any], T], data: Any, *, what: str = "answer", service_key: str | None = None) -> T:
    """Run parser ``fn`` on ``data``; malformed data (KeyError, TypeError, ValueError, ...)
    becomes ``BadResponseError`` naming the service, never another exception."""
    try:
        return fn(data)
    except ServiceError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError, RecursionError) as exc:
        reason = clean_detail(redact_text(str(exc)), 160)
        raise BadResponseError(
            service_name,
            f"sent a {what} in an unexpected shape" + (f" ({reason})" if reason else ""),
            service_key=service_key,
        ) from None


def session_for(service: str, settings=None, **kw) -> ServiceSession:
    """A ``ServiceSession`` for a service key with its standard policy and the configured base URL."""
    from planner.config import load_settings_or_defaults
    from planner.services.registry import base_url

    if service not in POLICIES:
        raise ValueError(f"unknown service {service!r}; known: {', '.join(POLICIES)}")
    if settings is None:
        settings = load_settings_or_defaults()
    return ServiceSession(POLICIES[service], base_url(service, settings), **kw)


__all__ = [
    "DEFAULT_TIMEOUT",
    "POLICIES",
    "RETRY_STATUSES",
    "USER_AGENT",
    "Reply",
    "ServicePolicy",
    "ServiceSession",
    "check_url",
    "is_loopback",
    "parse_or_bad_response",
    "session_for",
]
