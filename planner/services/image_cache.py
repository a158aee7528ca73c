"""Reference images on disk and how they are fetched: a size-bounded LRU file cache and a
thread-safe downloader that checks every image before it is kept.

Images never change at a given address (AstroBin's CDN and NASA's asset store name files by
content), so the cache is read first and a cached image needs no network: a target browsed
at home is still illustrated at a dark site. The cache lives in ``cache_dir()/images`` and is
trimmed to ``Settings.image_cache_mb`` by evicting the least recently *used* files (a read
refreshes a file's time). The downloader streams with a size limit, a cancel flag and a
truncation check, and keeps only data Pillow fully decodes. No Qt here (the panels decode
for display themselves).

Images bypass the shared ``ServiceSession``: its SQLite cache would hold every thumbnail a
second time, and AstroBin's one-request-per-second API throttle is meant for the API, not
for its CDN. The downloader has its own connection pool, timeouts and urllib3 retries.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from planner.config import Settings, atomic_write_bytes, cache_dir, load_settings
from planner.errors import PlannerError
from planner.services.errors import looks_like_html
from planner.services.http import USER_AGENT
from planner.services.images_util import image_format

THUMB_MAX_BYTES = 4 * 1024 * 1024
IMAGE_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_CACHE_MB = 500
TIMEOUT = (5.0, 20.0)
_CHUNK = 64 * 1024
_SUFFIX = ".img"

__all__ = [
    "IMAGE_MAX_BYTES",
    "THUMB_MAX_BYTES",
    "FetchResult",
    "ImageCache",
    "ImageFetchError",
    "ImageFetcher",
    "FetchCancelled",
]


class ImageFetchError(PlannerError):
    """An image that could not be shown. ``kind``: network, http, too_large, truncated, not_image."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


class FetchCancelled(Exception):
    """The download was cancelled (the selection changed); nothing to show or report."""


class ImageCache:
    """Image bytes by URL in a folder, bounded to ``max_bytes`` with least-recently-used eviction."""

    def __init__(self, folder: str | os.PathLike | None = None, max_bytes: int | None = None):
        if folder is None:
            folder = cache_dir() / "images"
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes if max_bytes is not None else DEFAULT_CACHE_MB * 1024 * 1024)
        self._lock = threading.Lock()
        # the folder's size as of the last scan plus what was written since (None: scan at
        # the next write); a scan stats every file, so it runs only when the cache may be full
        self._size_estimate: int | None = None
        self.scans = 0
        self.hits = 0
        self.misses = 0

    @classmethod
    def from_settings(cls, settings=None) -> "ImageCache":
        if settings is None:
            try:
                settings = load_settings()
            except Exception:  # noqa: BLE001 - a broken settings file still leaves the defaults
                settings = Settings()
        megabytes = getattr(settings, "image_cache_mb", DEFAULT_CACHE_MB) or DEFAULT_CACHE_MB
        return cls(max_bytes=max(1, int(megabytes)) * 1024 * 1024)

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()

    def path_for(self, url: str) -> Path:
        key = self.key(url)
        return self.folder / key[:2] / f"{key}{_SUFFIX}"

    def get(self, url: str) -> bytes | None:
        path = self.path_for(url)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        if not data:
            self.misses += 1
            return None
        try:
            os.utime(path)  # mark as recently used (atime is unreliable on noatime mounts)
        except OSError:
            pass
        self.hits += 1
        return data

    def __contains__(self, url: str) -> bool:
        return self.path_for(url).is_file()

    def put(self, url: str, data: bytes) -> None:
        """Keep ``data``; a full disk or a read-only folder loses the cache entry, never the image."""
        if not data or len(data) > self.max_bytes:
            return
        try:
            atomic_write_bytes(self.path_for(url), data)
        except OSError:
            return
        with self._lock:
            if self._size_estimate is not None:
                self._size_estimate += len(data)  # a rewritten entry counts twice: a scan comes sooner
                if self._size_estimate <= self.max_bytes:
                    return
        self.evict()

    def _files(self) -> list[tuple[float, int, Path]]:
        entries = []
        if not self.folder.is_dir():
            return entries
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for path in sub.glob(f"*{_SUFFIX}"):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                entries.append((stat.st_mtime, stat.st_size, path))
        return entries

    def size_bytes(self) -> int:
        return sum(size for _, size, _ in self._files())

    def evict(self) -> int:
        """Remove least recently used files until the cache fits; returns how many went.
        ``put`` asks for it when the first write or the size it keeps track of says the
        cache may be over its bound: it used to scan the folder at every write (a stat of
        every file, eight thumbnail threads at once contending for the GIL)."""
        with self._lock:
            self.scans += 1
            entries = sorted(self._files())
            total = sum(size for _, size, _ in entries)
            removed = 0
            for _, size, path in entries:
                if total <= self.max_bytes:
                    break
                try:
                    path.unlink()
                except OSError:
                    continue
                total -= size
                removed += 1
            self._size_estimate = total
            return removed

    def clear(self) -> None:
        with self._lock:
            self._size_estimate = None
            for _, _, path in self._files():
                try:
                    path.unlink()
                except OSError:
                    pass


@dataclass(frozen=True)
class FetchResult:
    data: bytes
    format: str  # Pillow's format name, e.g. "JPEG"
    from_cache: bool


def _human(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.1f} MB"
    return f"{n / 1024:.0f} kB" if n >= 1024 else f"{n} bytes"


class ImageFetcher:
    """Downloads images (thread-safe, pooled connections), checks them, keeps them in a cache."""

    def __init__(self, cache: ImageCache | None = None, *, pool_size: int = 8, timeout=TIMEOUT, retries: int = 2):
        self.cache = cache if cache is not None else ImageCache.from_settings()
        self.timeout = timeout
        self._session = requests.Session()
        retry = Retry(
            total=retries,
            connect=retries,
            read=0,  # a read error mid-body is a truncated image, reported as such
            status=retries,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=(500, 502, 503, 504),
            backoff_factor=0.2,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.headers["User-Agent"] = USER_AGENT

    def close(self) -> None:
        self._session.close()

    def cached(self, url: str) -> FetchResult | None:
        data = self.cache.get(url)
        if data is None:
            return None
        fmt = image_format(data)
        if fmt is None:  # damaged on disk: forget it and fetch again
            try:
                self.cache.path_for(url).unlink()
            except OSError:
                pass
            return None
        return FetchResult(data, fmt, True)

    def fetch(self, url: str, *, max_bytes: int = THUMB_MAX_BYTES, cancel: threading.Event | None = None) -> FetchResult:
        """The checked image at ``url``: from the cache when there, else downloaded and cached.

        Raises ``ImageFetchError`` (with a message for the user) or ``FetchCancelled``.
        """
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ImageFetchError("not_image", f"{url!r} is not an image address")
        hit = self.cached(url)
        if hit is not None:
            return hit
        if cancel is not None and cancel.is_set():
            raise FetchCancelled()
        data = self._download(url, max_bytes, cancel)
        fmt = image_format(data)
        if fmt is None:
            what = "a web page" if looks_like_html(data) else f"{_human(len(data))} of data"
            raise ImageFetchError("not_image", f"{_short(url)} is not an image that can be shown (the server sent {what})")
        self.cache.put(url, data)
        return FetchResult(data, fmt, False)

    def _download(self, url: str, max_bytes: int, cancel: threading.Event | None) -> bytes:
        try:
            response = self._session.get(url, stream=True, timeout=self.timeout)
        except requests.exceptions.RequestException as exc:
            raise ImageFetchError("network", f"could not download {_short(url)} ({_reason(exc)}); check the network") from None
        with response:
            if response.status_code != 200:
                raise ImageFetchError("http", f"the image server answered HTTP {response.status_code} for {_short(url)}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ImageFetchError(
                    "too_large", f"the image is {_human(int(declared))}, more than the {_human(max_bytes)} allowed"
                )
            chunks, total = [], 0
            try:
                for chunk in response.iter_content(_CHUNK):
                    if cancel is not None and cancel.is_set():
                        raise FetchCancelled()
                    total += len(chunk)
                    if total > max_bytes:
                        raise ImageFetchError("too_large", f"the image is larger than the {_human(max_bytes)} allowed")
                    chunks.append(chunk)
            except requests.exceptions.RequestException:
                raise ImageFetchError("truncated", f"the download of {_short(url)} broke off (truncated image)") from None
            data = b"".join(chunks)
            if declared.isdigit() and len(data) < int(declared) and not response.headers.get("Content-Encoding"):
                raise ImageFetchError(
                    "truncated", f"the image arrived truncated ({_human(len(data))} of {_human(int(declared))})"
                )
            return data


def _short(url: str) -> str:
    tail = url.rsplit("/", 1)[-1] or url
    return tail if len(tail) <= 60 else tail[:57] + "..."


def _reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "timed out" in text or isinstance(exc, requests.exceptions.Timeout):
        return "no answer in time"
    if "refused" in text:
        return "connection refused"
    return "not reachable"

