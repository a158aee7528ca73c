"""The HTTP answer cache: one requests-cache SQLite store in the user cache folder, read and
written by ``ServiceSession`` (which decides when a cached answer may be used).

Secret query parameters and credential headers never enter a cache key or the stored
request; ``cache_size_bytes`` and ``clear_cache`` serve Settings > Clear cache.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests

from planner.config import cache_dir

# requests-cache (about 0.3 s) is imported where the cache is opened, so a process that never
# asks a service does not load it (start-up time).

log = logging.getLogger(__name__)

CACHE_FILE = "http_cache.sqlite"
SALT_FILE = "http_cache.salt"
NO_CREDENTIAL = "-"
_READ_BACK_BYTES = 1024 * 1024  # answers up to this size are read back for their stored time


def cache_path() -> Path:
    return cache_dir() / CACHE_FILE


def credential_of(prepared: requests.PreparedRequest, secret_headers, secret_params) -> str | None:
    """The credential a request carries (its secret headers and query parameters), or None."""
    parts = []
    for name in sorted({*secret_headers, "Authorization"}, key=str.lower):
        value = prepared.headers.get(name)
        if value:
            parts.append(f"header {name.lower()}: {value}")
    wanted = {n.lower() for n in secret_params}
    if wanted:
        query = urlsplit(prepared.url or "").query
        for name, value in sorted(parse_qsl(query, keep_blank_values=True)):
            if name.lower() in wanted and value:
                parts.append(f"param {name.lower()}: {value}")
    return "\n".join(parts) or None


def _salt(folder: Path) -> bytes:
    """This installation's random HMAC key for credential digests, made once (0600)."""
    path = folder / SALT_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    folder.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_bytes(32)
    tmp = folder / f".{SALT_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(fresh)
        try:
            os.link(tmp, path)  # fails if another process made it first: then use theirs
        except FileExistsError:
            pass
        except OSError:
            os.replace(tmp, path)  # a file system without hard links
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass
    try:
        data = path.read_bytes()
        return data if len(data) >= 32 else fresh
    except OSError:
        return fresh


def credential_digest(credential: str | None, folder: Path | None = None) -> str:
    """A keyed digest of a credential for cache keys (never the credential itself)."""
    if not credential:
        return NO_CREDENTIAL
    key = _salt(folder or cache_path().parent)
    return hmac.new(key, credential.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class ResponseCache:
    """The store of one service's GET answers (every service shares the one file).

    Keys are ``<service>:<credential digest>:<requests-cache key>``: an answer fetched with
    one key is never served to another, and a service's (or one credential's) answers can
    be forgotten together.
    """

    def __init__(self, path: Path, *, service: str, expire_after: float, ignored: tuple[str, ...]):
        self.path = path
        self.service = service
        self.expire_after = expire_after
        self._session = _open(path, expire_after, ignored)

    @property
    def available(self) -> bool:
        return self._session is not None

    @property
    def cached_session(self):
        """The underlying requests-cache ``CachedSession`` (None when it could not be opened)."""
        return self._session

    def prefix(self, credential: str | None) -> str:
        return f"{self.service}:{credential_digest(credential, self.path.parent)}:"

    def lookup(self, prepared: requests.PreparedRequest, credential: str | None = None):
        """(key, cached response or None); a damaged cache is a miss, never an error."""
        if self._session is None:
            return None, None
        try:
            key = self.prefix(credential) + self._session.cache.create_key(prepared)
            return key, self._session.cache.get_response(key)
        except Exception as exc:  # noqa: BLE001 - a damaged cache must not stop the request
            log.warning("HTTP cache lookup failed (%s)", exc.__class__.__name__)
            return None, None

    def store(self, response: requests.Response, key: str | None) -> float | None:
        """Keep an answer; returns the time the cache recorded for it (unix), so the live
        answer and a later offline copy of it carry the same ``fetched_at``."""
        if self._session is None or key is None:
            return None
        from requests_cache.policy.expiration import get_expiration_datetime

        try:
            self._session.cache.save_response(
                response, cache_key=key, expires=get_expiration_datetime(self.expire_after)
            )
            if len(response.content or b"") <= _READ_BACK_BYTES:
                stored = self._session.cache.responses.get(key)
                created = getattr(stored, "created_at", None)
                return created.timestamp() if created is not None else None
        except Exception as exc:  # noqa: BLE001 - a full disk loses the cache, not the answer
            log.warning("HTTP cache write failed (%s)", exc.__class__.__name__)
        return None

    def forget(self, credential: str | None = None, *, every_credential: bool = False) -> int:
        """Delete this service's answers for one credential (or all of them); how many."""
        if self._session is None:
            return 0
        prefix = f"{self.service}:" if every_credential else self.prefix(credential)
        return _delete_prefix(self._session.cache, prefix)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


def _delete_prefix(store, prefix: str) -> int:
    try:
        keys = [k for k in store.responses.keys() if str(k).startswith(prefix)]
        if keys:
            store.delete(*keys, vacuum=False)
        return len(keys)
    except Exception as exc:  # noqa: BLE001 - a damaged cache loses its entries anyway
        log.warning("HTTP cache invalidation failed (%s)", exc.__class__.__name__)
        return 0


def forget_service(service: str, path: Path | None = None) -> int:
    """Forget every cached answer of one service (its key changed, its site moved)."""
    path = path or cache_path()
    if not path.exists():
        return 0
    try:
        from requests_cache import SQLiteCache

        store = SQLiteCache(str(path))
    except Exception as exc:  # noqa: BLE001
        log.warning("HTTP cache unavailable (%s)", exc.__class__.__name__)
        return 0
    try:
        return _delete_prefix(store, f"{service}:")
    finally:
        store.close()


def _open(path: Path, expire_after: float, ignored: tuple[str, ...]):
    """The requests-cache store; a cache that cannot be opened just means no cache."""
    try:
        import requests_cache

        path.parent.mkdir(parents=True, exist_ok=True)
        return requests_cache.CachedSession(
            str(path),
            backend="sqlite",
            expire_after=expire_after,
            allowable_methods=("GET",),
            allowable_codes=(200,),
            # This session is only the store; ServiceSession.request decides when to read it
            # and serves stale answers itself, for network failures and 5xx only (a 401 must
            # not be hidden behind yesterday's data).
            stale_if_error=True,
            ignored_parameters=ignored,
            match_headers=False,
        )
    except Exception as exc:  # noqa: BLE001
        log.warning("HTTP cache unavailable (%s); continuing without it", exc.__class__.__name__)
        return None


def _files(path: Path) -> tuple[Path, ...]:
    return (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))


def cache_size_bytes(path: Path | None = None) -> int:
    """Size of the HTTP cache on disk (database plus SQLite side files)."""
    path = path or cache_path()
    total = 0
    for candidate in _files(path):
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
        for candidate in _files(path):
            try:
                candidate.unlink()
            except OSError:
                pass


__all__ = [
    "CACHE_FILE",
    "ResponseCache",
    "cache_path",
    "cache_size_bytes",
    "clear_cache",
    "credential_digest",
    "credential_of",
    "forget_service",
]
