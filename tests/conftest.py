"""Shared test set-up: Qt offscreen, settings/cache/data folders in a temporary place,
an in-memory keyring, fresh rate limiters, and no real network."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

import keyring  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so tests never touch the OS keyring."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        from keyring.errors import PasswordDeleteError

        if (service, username) not in self.store:
            raise PasswordDeleteError(username)
        del self.store[(service, username)]


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    """Every test gets its own config, cache and data folders and an empty keyring."""
    for name in ("config", "cache", "data"):
        folder = tmp_path / f"planner-{name}"
        folder.mkdir()
        monkeypatch.setenv(f"PLANNER_{name.upper()}_DIR", str(folder))
    for var in list(os.environ):
        if var.startswith("PLANNER_") and var.endswith(("_KEY", "_SECRET", "_URL")):
            monkeypatch.delenv(var, raising=False)
    from planner.services import credentials

    credentials._session_secrets.clear()  # keys kept in memory when no keyring works
    # VSX needs no key, so nothing else would stop a test from reaching the real service:
    # point it at the discard port (connections refused) unless a test gives a local server.
    monkeypatch.setenv("PLANNER_VSX_URL", "http://127.0.0.1:9")
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def _reset_rate_limits() -> None:
    # Only when the HTTP layer is loaded: without it there is no limiter to reset, and
    # importing it here would load requests for every test.
    limiter = sys.modules.get("planner.services.http.limiter")
    if limiter is not None:
        limiter.reset_limiters()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with no throttle and no budget state: a 429 (or a used-up budget) in
    one test must not hold AAVSO or any other service back in the tests after it."""
    _reset_rate_limits()
    yield
    _reset_rate_limits()


@pytest.fixture(autouse=True)
def no_frozen_memory(monkeypatch):
    """The window freezes its start-up's objects once it is up (``planner.app.warmup``); in
    the suite, one process opens hundreds of windows, so nothing is frozen here (a test
    that checks the freeze, or a benchmark, turns it on)."""
    from planner.app import warmup

    monkeypatch.setattr(warmup, "FREEZE", False)


@pytest.fixture
def memory_keyring(isolated_environment):
    return isolated_environment
