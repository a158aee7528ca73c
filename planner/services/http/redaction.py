"""Secrets out of every text planner shows or writes: the registry of secret values, URL and
text redaction, and the log filter on the HTTP libraries' loggers.

Every secret the program handles (keys from the keyring or the environment, keys given to
a client, session keys a service hands out) is registered here; ``redact_text`` blanks each
of them wherever it occurs. A text is always redacted before it is shortened, so a key cut
in half cannot leak its first characters.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

# Always kept out of cache keys, the cache database, URLs in messages and log lines.
ALWAYS_SECRET = ("Authorization", "Proxy-Authorization", "Cookie", "api_key", "api_secret", "apikey", "session")
REDACTED = "***"
# Basic-auth passwords that are documented constants, not secrets (AAVSO: key as user name,
# "api_token" as password); blanking them would blank an ordinary word.
PUBLIC_PASSWORDS = ("api_token", "", None)

_lock = threading.Lock()
_known: set[str] = set()
_secret_params: set[str] = set(ALWAYS_SECRET)
_MIN_SECRET_LEN = 4  # shorter values would blank ordinary words


def register_secret(value: str | None) -> None:
    """Remember a secret value so that it is blanked in logs and messages, as typed and in the
    forms a server may echo it in: URL-encoded (query strings, form bodies)."""
    if isinstance(value, str) and len(value.strip()) >= _MIN_SECRET_LEN:
        value = value.strip()
        forms = {value, quote(value, safe=""), quote(value), quote_plus(value)}
        with _lock:
            _known.update(forms)


def register_basic_auth(user: str | None, password: str | None) -> None:
    """Register an HTTP Basic credential: its parts and the base64 value of the header."""
    register_secret(user)
    if password not in PUBLIC_PASSWORDS:
        register_secret(password)
    if user:
        token = base64.b64encode(f"{user}:{password or ''}".encode("utf-8")).decode("ascii")
        register_secret(token)


def register_secret_params(names) -> None:
    """Query-parameter names whose values are secret (a service's policy declares them)."""
    with _lock:
        _secret_params.update(n for n in names if n)


def known_secrets() -> frozenset[str]:
    with _lock:
        return frozenset(_known)


def redact_text(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    if not text:
        return text
    for secret in sorted(known_secrets(), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


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


def redact_params_in_text(text: str) -> str:
    """Blank ``name=value`` pairs of secret query parameters inside free text (log lines)."""
    with _lock:
        names = "|".join(sorted(re.escape(n) for n in _secret_params))
    return re.sub(rf"(?i)\b({names})=([^&\s\"']+)", r"\1=REDACTED", text)


class _RedactingFilter(logging.Filter):
    """Blanks registered secrets and secret query parameters in third-party log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        cleaned = redact_params_in_text(redact_text(message))
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_filter = _RedactingFilter()
_filtered_loggers: set[str] = set()


def install_log_filter() -> None:
    """Attach the filter to urllib3's and requests-cache's loggers (they log full URLs)."""
    import requests_cache  # noqa: F401 - makes sure its loggers exist

    manager = logging.root.manager
    names = [n for n in list(manager.loggerDict) if n.split(".")[0] in ("urllib3", "requests_cache", "requests", "planner")]
    for name in (*names, "urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests_cache"):
        if name not in _filtered_loggers:
            logging.getLogger(name).addFilter(_filter)
            _filtered_loggers.add(name)


__all__ = [
    "ALWAYS_SECRET",
    "install_log_filter",
    "known_secrets",
    "redact_params_in_text",
    "redact_text",
    "redact_url",
    "register_basic_auth",
    "register_secret",
    "register_secret_params",
]
