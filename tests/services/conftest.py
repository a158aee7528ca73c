"""Fixtures for the web-service tests: fast policies, a closed port (fresh limiters: tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from planner.services.http import POLICIES, ServicePolicy

CANARY = "CANARY-9f3b2c1d7e"


def fast(policy: ServicePolicy, **changes) -> ServicePolicy:
    """A policy with tiny timeouts and backoff so failure tests stay quick."""
    base = dict(retries=1, backoff_factor=0.001, timeout=(1.0, 1.0), min_interval=0.0)
    base.update(changes)
    return dataclasses.replace(policy, **base)


@pytest.fixture
def test_policy() -> ServicePolicy:
    return fast(ServicePolicy("testsvc", "Test Service", expire_after=3600, secret_params=("api_key",)))


@pytest.fixture
def fast_policies(monkeypatch):
    """Make the standard policies fast for clients that look them up by key."""
    for key, policy in list(POLICIES.items()):
        monkeypatch.setitem(POLICIES, key, fast(policy))
    return POLICIES


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens, so connections are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
