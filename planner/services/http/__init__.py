"""The one HTTP layer every web-service client uses, in four parts: ``session`` (requests,
timeouts, retries, errors), ``limiter`` (throttle and hourly budget), ``redaction`` (secrets
out of every text) and ``cache`` (the SQLite answer store). Import from here."""

from planner.services.http.cache import CACHE_FILE, cache_path, cache_size_bytes, clear_cache
from planner.services.http.limiter import (
    RateLimitState,
    ServiceLimiter,
    limiter_for,
    reset_limiters,
    retry_at_from_headers,
)
from planner.services.http.redaction import redact_text, redact_url, register_secret
from planner.services.http.session import (
    DEFAULT_TIMEOUT,
    POLICIES,
    RETRY_STATUSES,
    USER_AGENT,
    Reply,
    ServicePolicy,
    ServiceSession,
    check_url,
    is_loopback,
    parse_or_bad_response,
    session_for,
)

__all__ = [
    "CACHE_FILE",
    "DEFAULT_TIMEOUT",
    "POLICIES",
    "RETRY_STATUSES",
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
    "redact_text",
    "redact_url",
    "register_secret",
    "reset_limiters",
    "retry_at_from_headers",
    "session_for",
]
