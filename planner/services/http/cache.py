"""The HTTP answer cache: one requests-cache SQLite store in the user cache folder, read and
written by ``ServiceSession`` (which decides when a cached answer may be used).

Secret query parameters and credential headers never enter a cache key or the stored
request; ``cache_size_bytes`` and ``clear_cache`` serve Settings > Clear cache.
"""

from __future__ import annotations

import logging
from pathlib import Path

import requests

log = logging.getLogger(__name__)

CACHE_FILE = "http_cache.sqlite"


def cache_path() -> Path:
    from planner.config import cache_dir

    return cache_dir() / CACHE_FILE


class ResponseCache:
    """The store of one service's GET answers (every service shares the one file)."""

    def __init__(self, path: Path, *, expire_after: float, ignored: tuple[str, ...]):
        self.expire_after = expire_after
        self._session = _open(path, expire_after, ignored)

    @property
    def available(self) -> bool:
        return self._session is not None

    @property
    def cached_session(self):
        """The underlying requests-cache ``CachedSession`` (None when it could not be opened)."""
        return self._session

    def lookup(self, prepared: requests.PreparedRequest):
        """(key, cached response or None); a damaged cache is a miss, never an error."""
        if self._session is None:
            return None, None
        try:
            key = self._session.cache.create_key(prepared)
            return key, self._session.cache.get_response(key)
        except Exception as exc:  # noqa: BLE001 - a damaged cache must not stop the request
            log.warning("HTTP cache lookup failed (%s)", exc.__class__.__name__)
            return None, None

    def store(self, response: requests.Response, key: str | None) -> None:
        if self._session is None or key is None:
            return
        from requests_cache.policy.expiration import get_expiration_datetime

        try:
            self._session.cache.save_response(
                response, cache_key=key, expires=get_expiration_datetime(self.expire_after)
            )
        except Exception as exc:  # noqa: BLE001 - a full disk loses the cache, not the answer
            log.warning("HTTP cache write failed (%s)", exc.__class__.__name__)

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


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


__all__ = ["CACHE_FILE", "ResponseCache", "cache_path", "cache_size_bytes", "clear_cache"]
