"""Throttle and hourly budget per service: one ``ServiceLimiter`` per service key, shared by
every session of the process, fed by the service's ``X-Rate-Limit-*`` headers and 429s.

A service with an hourly budget (AAVSO: 1000 requests an hour) keeps it in a small file in
the data folder, ``rate-budget-<service>.json``: what the service last said (limit,
remaining, reset time) and when planner sent its requests in the last hour. Every process
reads and updates it under a file lock (``filelock``), so the window and any number of
commands together stay within the budget, and a 429 is remembered by the next run.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from planner.config import atomic_write_text, data_dir
from planner.numbers import finite_or_none
from planner.services.errors import RateLimitedError

# filelock is imported only when a budget is kept on disk (the AAVSO one), not by every
# process that loads the HTTP layer (start-up time).

log = logging.getLogger(__name__)

BUDGET_FILE = "rate-budget-{key}.json"
BUDGET_VERSION = 1
LOCK_TIMEOUT_S = 5.0  # another planner holds the lock only for a read and a write


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


class ServiceLimiter:
    """Throttle and hourly budget for one service, shared by every session in the process."""

    def __init__(self, key: str):
        self.key = key
        self.state = RateLimitState()
        self._lock = threading.Lock()
        self._last_sent = 0.0
        self._sent: deque[float] = deque()
        self._persistent = False  # set by the first acquire() under a policy with a budget

    # -- the budget file -------------------------------------------------------------------

    def keep_budget_on_disk(self) -> None:
        """Share this service's budget with every planner process through the budget file."""
        self._persistent = True

    def budget_path(self) -> Path:
        return data_dir() / BUDGET_FILE.format(key=self.key)

    @contextlib.contextmanager
    def _shared(self):
        """Hold the budget file's lock, with the file's state loaded; saved on a clean exit.
        Without a usable file (locked too long, unwritable folder) the process's own
        count still applies."""
        if not self._persistent:
            yield
            return
        from filelock import FileLock, Timeout

        path = self.budget_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
            lock.acquire()
        except (Timeout, OSError) as exc:
            log.warning("rate budget file unavailable (%s); counting in this process only", exc.__class__.__name__)
            yield
            return
        try:
            self._load(path)
            yield
            self._save(path)
        finally:
            lock.release()

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("rate budget file unreadable (%s); starting it again", exc.__class__.__name__)
            return
        if not isinstance(data, dict) or data.get("version") != BUDGET_VERSION:
            return

        def number(name, kind):
            value = data.get(name)
            return kind(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        self.state = RateLimitState(number("limit", int), number("remaining", int), number("reset_at", float),
                                    number("updated_at", float))
        sent = data.get("sent")
        if isinstance(sent, list):
            self._sent = deque(sorted(float(t) for t in sent if isinstance(t, (int, float)) and not isinstance(t, bool)))

    def _save(self, path: Path) -> None:
        now = time.time()
        while self._sent and self._sent[0] <= now - 3600:
            self._sent.popleft()
        data = {"version": BUDGET_VERSION, **self.state.to_json(), "updated_at": self.state.updated_at,
                "sent": [round(t, 3) for t in self._sent]}
        try:
            atomic_write_text(path, json.dumps(data))
        except OSError as exc:
            log.warning("rate budget file not written (%s)", exc.__class__.__name__)

    # -- limiting --------------------------------------------------------------------------

    def acquire(self, policy, *, clock: Callable[[], float] = time.time, sleep=time.sleep) -> None:
        """Wait for the throttle, or raise ``RateLimitedError`` rather than exceed the budget."""
        if policy.hourly_budget:
            self.keep_budget_on_disk()
        with self._lock, self._shared():
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

    def _check_budget(self, policy, now: float) -> None:
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
        with self._lock, self._shared():
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
        with self._lock, self._shared():
            self.state.remaining = 0
            self.state.reset_at = retry_at or now + 3600
            self.state.updated_at = now

    def sent_in_the_last_hour(self, now: float | None = None) -> int:
        """Requests this limiter let through in the last hour (budgeted services count them)."""
        now = time.time() if now is None else now
        with self._lock, self._shared():
            return sum(1 for sent in self._sent if sent > now - 3600)

    def reset(self) -> None:
        """Forget this process's state (what a new process starts with); the file stays."""
        with self._lock:
            self.state = RateLimitState()
            self._last_sent = 0.0
            self._sent.clear()
            self._persistent = False

    def snapshot(self) -> RateLimitState:
        """The budget as every planner process knows it (the file, when there is one)."""
        with self._lock, self._shared():
            return self.state.snapshot()


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
    return None if raw is None else finite_or_none(str(raw))


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


__all__ = [
    "RateLimitState",
    "ServiceLimiter",
    "limiter_for",
    "reset_limiters",
    "retry_at_from_headers",
]
