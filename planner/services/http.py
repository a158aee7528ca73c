"""The one HTTP layer every web-service client uses: cache, retries, timeouts, rate limits, errors.

``ServiceSession`` wraps ``requests`` with urllib3 ``Retry`` (idempotent GETs only), a default
(connect, read) timeout, a per-service limiter (throttle and hourly budget, shared by every
session of the process) and a ``requests-cache`` SQLite store in the cache folder. Every
failure becomes a ``planner.services.errors.ServiceError``; when the network fails and a
cached answer exists, that answer comes back marked ``offline``. Secrets (query parameters
and headers named by the policy) never enter cache keys, the cache database, log lines or
error messages.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json as jsonlib
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from planner import __version__
from planner.services.credentials import redact_text, register_secret
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

log = logging.getLogger(__name__)

# No public home page exists yet, so the agent names the program, its version and its purpose.
USER_AGENT = f"planner/{__version__} (variable-star observing planner; python-requests)"
CACHE_FILE = "http_cache.sqlite"
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
RETRY_STATUSES = (500, 502, 503, 504)
# Always kept out of cache keys and the cache database, whatever the policy says.
ALWAYS_SECRET = ("Authorization", "Proxy-Authorization", "Cookie", "api_key", "api_secret", "apikey", "session")
_CHUNK = 64 * 1024


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


POLICIES: dict[str, ServicePolicy] = {
    "aavso": ServicePolicy(
        "aavso", "AAVSO Target Tool", expire_after=30 * 60, hourly_budget=1000, https_only=True
    ),
    "astrobin": ServicePolicy(
        "astrobin",
        "AstroBin",
        expire_after=24 * 3600,
        min_interval=1.0,
        secret_params=("api_key", "api_secret"),
    ),
    "nasa": ServicePolicy("nasa", "NASA Images", expire_after=24 * 3600),
    "astrometry": ServicePolicy(
        "astrometry",
        "nova.astrometry.net",
        expire_after=7 * 24 * 3600,  # only finished job results are cached; they never change
        min_interval=1.0,
        secret_params=("apikey", "session"),
    ),
    "arcsecond": ServicePolicy(
        "arcsecond",
        "Arcsecond",
        expire_after=10 * 60,
        secret_headers=("Authorization", "X-Arcsecond-API-Authorization"),
    ),
}


@dataclass
class RateLimitState:
    """What the service said about its budget (``X-Rate-Limit-*``), readable by the UI."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # unix time the current period ends
    updated_at: float | None = None

    def snapshot(self) -> "RateLimitState":
        return RateLimitState(self.limit, self.remaining, self.reset_at, self.updated_at)

    def to_json(self) -> dict[str, Any]:
        return {"limit": self.limit, "remaining": self.remaining, "reset_at": self.reset_at}


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


# -- redaction ---------------------------------------------------------------------------


def redact_url(url: str, secret_params: tuple[str, ...] | list[str] = ()) -> str:
    """``url`` with the values of secret query parameters (and any registered secret) blanked."""
    if not url:
        return url
    names = {n.lower() for n in (*secret_params, *ALWAYS_SECRET)}
    try:
        parts = urlsplit(url)
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            pairs = [(k, "REDACTED" if k.lower() in names else v) for k, v in pairs]
            url = urlunsplit(parts._replace(query=urlencode(pairs, safe="/:,")))
        if parts.password or parts.username:
            netloc = parts.hostname or ""
            if parts.port:
                netloc += f":{parts.port}"
            url = urlunsplit(urlsplit(url)._replace(netloc=netloc))
    except ValueError:
        pass
    return redact_text(url)


class _RedactingFilter(logging.Filter):
    """Blanks registered secrets and secret query parameters in third-party log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        cleaned = _redact_params_in_text(redact_text(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def _redact_params_in_text(text: str) -> str:
    import re

    names = "|".join(sorted({*ALWAYS_SECRET, *(p for pol in POLICIES.values() for p in pol.secret_params)}))
    return re.sub(rf"(?i)\b({names})=([^&\s\"']+)", r"\1=REDACTED", text)


_filter = _RedactingFilter()
_filtered_loggers: set[str] = set()


def _install_log_filter() -> None:
    """Attach the filter to urllib3's and requests-cache's loggers (they log full URLs)."""
    import requests_cache  # noqa: F401 - makes sure its loggers exist

    manager = logging.root.manager
    names = [n for n in list(manager.loggerDict) if n.split(".")[0] in ("urllib3", "requests_cache", "requests", "planner")]
    for name in (*names, "urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests_cache"):
        if name not in _filtered_loggers:
            logging.getLogger(name).addFilter(_filter)
            _filtered_loggers.add(name)


# -- limiter -----------------------------------------------------------------------------


class ServiceLimiter:
    """Throttle and hourly budget for one service, shared by every session in the process."""

    def __init__(self, key: str):
        self.key = key
        self.state = RateLimitState()
        self._lock = threading.Lock()
        self._last_sent = 0.0
        self._sent: deque[float] = deque()

    def acquire(self, policy: ServicePolicy, *, clock: Callable[[], float] = time.time, sleep=time.sleep) -> None:
        """Wait for the throttle, or raise ``RateLimitedError`` rather than exceed the budget."""
        with self._lock:
            now = clock()
            if policy.hourly_budget:
                self._check_budget(policy, now)
            wait = self._last_sent + policy.min_interval - now
            if wait > 0:
                sleep(wait)
            self._last_sent = clock()
            if policy.hourly_budget:
                self._sent.append(self._last_sent)
                if self.state.remaining is not None:
                    # Count our own request until the service's headers say otherwise.
                    self.state.remaining = max(0, self.state.remaining - 1)

    def _check_budget(self, policy: ServicePolicy, now: float) -> None:
        state = self.state
        while self._sent and self._sent[0] <= now - 3600:
            self._sent.popleft()
        if state.reset_at is not None and now >= state.reset_at:
            state.remaining, state.reset_at = None, None  # a new period has begun
        if state.remaining is not None and state.remaining <= 0:
            raise RateLimitedError(
                policy.name,
                f"the hourly budget of {state.limit or policy.hourly_budget} requests is used up",
                retry_at=state.reset_at,
                service_key=policy.key,
            )
        budget = min(policy.hourly_budget or 0, state.limit or policy.hourly_budget or 0)
        if state.remaining is None and budget and len(self._sent) >= budget:
            raise RateLimitedError(
                policy.name,
                f"planner has sent {len(self._sent)} requests in the last hour, the service's limit",
                retry_at=self._sent[0] + 3600,
                service_key=policy.key,
            )

    def update_from_headers(self, headers: Mapping[str, str], now: float | None = None) -> None:
        now = time.time() if now is None else now
        limit = _int_header(headers, "X-Rate-Limit-Limit")
        remaining = _int_header(headers, "X-Rate-Limit-Remaining")
        reset = _float_header(headers, "X-Rate-Limit-Reset")
        if limit is None and remaining is None and reset is None:
            return
        with self._lock:
            if limit is not None:
                self.state.limit = limit
            if remaining is not None:
                self.state.remaining = max(0, remaining)
            if reset is not None:
                self.state.reset_at = _reset_to_unix(reset, now)
            self.state.updated_at = now

    def exhausted(self, retry_at: float | None, now: float | None = None) -> None:
        """Record a 429: nothing more until ``retry_at`` (or an hour when unknown)."""
        now = time.time() if now is None else now
        with self._lock:
            self.state.remaining = 0
            self.state.reset_at = retry_at or now + 3600
            self.state.updated_at = now

    def reset(self) -> None:
        with self._lock:
            self.state = RateLimitState()
            self._last_sent = 0.0
            self._sent.clear()


_limiters: dict[str, ServiceLimiter] = {}
_limiters_lock = threading.Lock()


def limiter_for(key: str) -> ServiceLimiter:
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = _limiters[key] = ServiceLimiter(key)
        return limiter


def reset_limiters() -> None:
    """Forget every service's throttle and budget state (tests; a new day)."""
    with _limiters_lock:
        for limiter in _limiters.values():
            limiter.reset()


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = _float_header(headers, name)
    return None if value is None else int(value)


def _float_header(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _reset_to_unix(value: float, now: float) -> float:
    # The AAVSO page says "seconds left in the current period"; accept a unix time too.
    return value if value > 1e9 else now + max(0.0, value)


def retry_at_from_headers(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """When a 429'd client may try again: ``X-Rate-Limit-Reset``, else ``Retry-After``."""
    now = time.time() if now is None else now
    reset = _float_header(headers, "X-Rate-Limit-Reset")
    if reset is not None:
        return _reset_to_unix(reset, now)
    retry_after = headers.get("Retry-After")
    if retry_after:
        seconds = _float_header(headers, "Retry-After")
        if seconds is not None:
            return now + max(0.0, seconds)
        try:
            parsed = email.utils.parsedate_to_datetime(retry_after)
            return parsed.timestamp()
        except (TypeError, ValueError, IndexError):
            return None
    return None


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


# -- session -----------------------------------------------------------------------------


def cache_path() -> Path:
    from planner.config import cache_dir

    return cache_dir() / CACHE_FILE


_default_cache_path = cache_path


def _make_retry(policy: ServicePolicy) -> Retry:
    return Retry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        other=0,
        allowed_methods=frozenset({"GET", "HEAD"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=policy.backoff_factor,
        backoff_max=30.0,
        raise_on_status=False,
        respect_retry_after_header=False,  # a 503 may ask for hours; we report instead of hang
    )


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
        self.ignored = tuple(dict.fromkeys((*ALWAYS_SECRET, *policy.secret_params, *policy.secret_headers)))
        _install_log_filter()

        self._plain = _SecretKeepingSession()
        self._plain.secret_headers = tuple(policy.secret_headers)
        adapter = HTTPAdapter(max_retries=_make_retry(policy))
        self._plain.mount("http://", adapter)
        self._plain.mount("https://", adapter)
        self._plain.headers["User-Agent"] = user_agent or USER_AGENT
        self._plain.trust_env = True

        self._cache = None
        if policy.expire_after and policy.expire_after > 0:
            self._cache = self._open_cache(cache_path if cache_path is not None else _default_cache_path())

    def _open_cache(self, path: Path):
        """The requests-cache store; a cache that cannot be opened just means no cache."""
        try:
            import requests_cache

            path.parent.mkdir(parents=True, exist_ok=True)
            cached = requests_cache.CachedSession(
                str(path),
                backend="sqlite",
                expire_after=self.policy.expire_after,
                allowable_methods=("GET",),
                allowable_codes=(200,),
                # This session is the store; ServiceSession.request decides when to read it and
                # serves stale answers itself, for network failures and 5xx only (a 401 must
                # not be hidden behind yesterday's data).
                stale_if_error=True,
                ignored_parameters=self.ignored,
                match_headers=False,
            )
            return cached
        except Exception as exc:  # noqa: BLE001
            log.warning("HTTP cache unavailable (%s); continuing without it", exc.__class__.__name__)
            return None

    # -- public API --------------------------------------------------------------------

    @property
    def rate(self) -> RateLimitState:
        return self._limiter.state.snapshot()

    @property
    def cached_session(self):
        """The underlying requests-cache ``CachedSession`` (None when caching is off)."""
        return self._cache

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
    ) -> Reply:
        """Send one request; see the module docstring. ``refresh`` skips a fresh cached answer
        (the UI's Refresh) but still falls back to it, marked offline, when the network fails."""
        if expect not in ("json", "text", "bytes"):
            raise ValueError(f"expect must be json, text or bytes, not {expect!r}")
        method = method.upper()
        if isinstance(auth, tuple):
            for part in auth:
                register_secret(part if part != "api_token" else None)
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
        key = cached = None
        if use_cache:
            key, cached = self._lookup(prepared)
            if cached is not None and not cached.is_expired and not refresh:
                log.debug("%s: cache hit %s", self.policy.key, safe_url)
                return self._reply_from_cached(cached, expect, safe_url, offline=False, max_bytes=max_bytes)

        self._limiter.acquire(self.policy)
        log.debug("%s %s", method, safe_url)
        try:
            settings = self._plain.merge_environment_settings(prepared.url, {}, True, None, None)
            response = self._plain.send(
                prepared, timeout=timeout or self.policy.timeout, allow_redirects=True, **settings
            )
        except requests.exceptions.RequestException as exc:
            return self._network_failure(exc, cached, expect, safe_url, use_cache, max_bytes)

        try:
            body = self._read_body(response, max_bytes, safe_url)
        except requests.exceptions.RequestException as exc:
            return self._network_failure(exc, cached, expect, safe_url, use_cache, max_bytes)
        finally:
            response.close()

        if self.policy.hourly_budget:
            self._limiter.update_from_headers(response.headers)
        status = response.status_code
        if 200 <= status < 300:
            data = self._decode(body, response, expect, safe_url)
            if use_cache and status == 200:
                self._store(response, key)
            return Reply(
                data=data,
                status=status,
                headers=dict(response.headers),
                url=safe_url,
                from_cache=False,
                offline=False,
                fetched_at=time.time(),
            )
        if status >= 500 and cached is not None:
            log.info("%s answered HTTP %s; serving the cached answer", self.policy.name, status)
            return self._reply_from_cached(cached, expect, safe_url, offline=True, max_bytes=max_bytes)
        raise self._status_error(status, response.headers, body, safe_url)

    # -- internals -------------------------------------------------------------------------

    def _lookup(self, prepared):
        try:
            key = self._cache.cache.create_key(prepared)
            return key, self._cache.cache.get_response(key)
        except Exception as exc:  # noqa: BLE001 - a damaged cache must not stop the request
            log.warning("HTTP cache lookup failed (%s)", exc.__class__.__name__)
            return None, None

    def _store(self, response: requests.Response, key: str | None) -> None:
        from requests_cache.policy.expiration import get_expiration_datetime

        try:
            self._cache.cache.save_response(
                response, cache_key=key, expires=get_expiration_datetime(self.policy.expire_after)
            )
        except Exception as exc:  # noqa: BLE001 - a full disk loses the cache, not the answer
            log.warning("HTTP cache write failed (%s)", exc.__class__.__name__)

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
        self, exc: Exception, cached, expect: str, safe_url: str, use_cache: bool, max_bytes: int | None = None
    ) -> Reply:
        if cached is not None:
            log.info("%s unreachable (%s); serving the cached answer", self.policy.name, exc.__class__.__name__)
            return self._reply_from_cached(cached, expect, safe_url, offline=True, max_bytes=max_bytes)
        raise self._exception_error(exc, safe_url, use_cache) from None

    def _exception_error(self, exc: Exception, safe_url: str, use_cache: bool) -> ServiceError:
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
            what = "did not answer the connection in time"
        elif isinstance(exc, exc_types.Timeout) or "Read timed out" in str(exc):
            what = "did not answer in time"
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
        detail = redact_text(clean_detail(body))
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
    from planner.config import Settings, load_settings

    if service not in POLICIES:
        raise ValueError(f"unknown service {service!r}; known: {', '.join(POLICIES)}")
    if settings is None:
        try:
            settings = load_settings()
        except Exception:  # noqa: BLE001 - a broken settings file still leaves the defaults
            settings = Settings()
    return ServiceSession(POLICIES[service], settings.base_url(service), **kw)


def cache_size_bytes(path: Path | None = None) -> int:
    """Size of the HTTP cache on disk (database plus SQLite side files)."""
    path = path or cache_path()
    total = 0
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            total += candidate.stat().st_size
        except OSError:
            pass
    return total


def clear_cache(path: Path | None = None) -> None:
    """Empty the HTTP cache (Settings > Clear cache)."""
    path = path or cache_path()
    if not path.exists():
        return
    try:
        from requests_cache import SQLiteCache

        store = SQLiteCache(str(path))
        store.clear()
        store.close()
    except Exception:  # noqa: BLE001 - a damaged file is simply removed
        for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                candidate.unlink()
            except OSError:
                pass


__all__ = [
    "CACHE_FILE",
    "POLICIES",
    "USER_AGENT",
    "RateLimitState",
    "Reply",
    "ServiceLimiter",
    "ServicePolicy",
    "ServiceSession",
    "cache_path",
    "cache_size_bytes",
    "check_url",
    "clear_cache",
    "is_loopback",
    "limiter_for",
    "parse_or_bad_response",
    "redact_url",
    "reset_limiters",
    "retry_at_from_headers",
    "session_for",
]
