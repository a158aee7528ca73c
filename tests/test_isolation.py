"""Tests stay independent of one another: what a test leaves in process-wide state (here
the services' rate limiters) is gone before the next one starts (tests/conftest.py)."""

from __future__ import annotations

import pytest

from planner.services.errors import RateLimitedError
from planner.services.http import POLICIES, ServiceSession, limiter_for
from tests.services.conftest import fast


# Run twice: without the reset, the second run's request never reaches the server, held
# back by the first run's 429 (the limiter remembers it for an hour, as it should in use).
@pytest.mark.parametrize("run", ["first", "second"])
def test_a_429_in_one_test_does_not_hold_aavso_back_in_the_next(httpserver, run):
    httpserver.expect_request("/targets").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "3600"})
    assert limiter_for("aavso").snapshot().remaining is None
    session = ServiceSession(fast(POLICIES["aavso"]), httpserver.url_for(""))
    with pytest.raises(RateLimitedError):
        session.get("targets")
    assert len(httpserver.log) == 1  # it reached the service: nothing held it back
    assert limiter_for("aavso").snapshot().remaining == 0  # and within this test the 429 counts
