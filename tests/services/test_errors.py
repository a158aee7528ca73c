"""The service error family: messages name the service, what happened and what to do."""

from __future__ import annotations

import pickle
import time

import pytest

from planner.errors import PlannerError
from planner.services import errors as E


def test_family():
    for cls in (
        E.NotAuthorisedError, E.NotFoundError, E.GoneError, E.RateLimitedError, E.ServiceUnavailableError,
        E.BadResponseError, E.NetworkError, E.OfflineError, E.ConfigurationError, E.InvalidRequestError,
    ):
        assert issubclass(cls, E.ServiceError) and issubclass(cls, PlannerError)
    assert issubclass(E.OfflineError, E.NetworkError)


def test_message_is_one_sentence():
    error = E.ServiceUnavailableError("AAVSO Target Tool", "is temporarily down (HTTP 503)")
    assert str(error) == "AAVSO Target Tool: is temporarily down (HTTP 503); the service may be down for maintenance; try again later."
    assert "\n" not in str(error)
    assert error.service == "AAVSO Target Tool" and error.what and error.action


def test_not_authorised_names_the_key():
    import planner.services.aavso  # noqa: F401 - its declaration holds the hint (as when its client raises)

    error = E.NotAuthorisedError("AAVSO Target Tool", "refused the API key (HTTP 401)", service_key="aavso")
    assert "AAVSO Target Tool API key in Settings" in str(error) and "PLANNER_AAVSO_KEY" in str(error)


def test_rate_limited_says_when():
    when = time.mktime((2026, 2, 21, 21, 14, 0, 0, 0, -1))
    error = E.RateLimitedError("AAVSO Target Tool", "says too many requests were made", retry_at=when)
    assert error.retry_at == when
    # the computer's clock, with the zone named (a user may read it beside a window in another zone)
    assert str(error).endswith(f"try again after 21:14 {time.strftime('%Z', time.localtime(when))}.")
    assert "wait a while" in str(E.RateLimitedError("X", "busy"))


def test_the_window_reads_the_retry_time_in_its_own_zone_with_its_label():
    from datetime import timezone
    from zoneinfo import ZoneInfo

    when = 1771704840.0  # 2026-02-21 20:14 UTC
    error = E.RateLimitedError("AAVSO Target Tool", "says too many requests were made (HTTP 429)", retry_at=when)
    assert error.describe(ZoneInfo("Europe/Amsterdam")).endswith("try again after 21:14 CET.")
    assert error.describe(timezone.utc).endswith("try again after 20:14 UTC.")
    assert error.describe(None) == str(error)
    # an action given by the caller is kept as it is
    assert E.RateLimitedError("X", "busy", "call later", retry_at=when).describe(timezone.utc) == "X: busy; call later."
    # it survives the trip from a worker process
    import pickle

    assert pickle.loads(pickle.dumps(error)).describe(timezone.utc).endswith("20:14 UTC.")


def test_invalid_request_detail():
    error = E.InvalidRequestError("AAVSO Target Tool", "rejected the request (HTTP 400): bad", detail="bad")
    assert error.detail == "bad"


def test_pickle_round_trip():
    error = E.RateLimitedError("X", "busy", retry_at=123.0, status=429, service_key="x")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is E.RateLimitedError and str(copy) == str(error) and copy.retry_at == 123.0


@pytest.mark.parametrize(
    "body, expected",
    [
        ("<!DOCTYPE html><html><body>Internal error</body></html>", ""),
        ("  Invalid\n  parameter  ", "Invalid parameter"),
        (b"bytes text", "bytes text"),
        (None, ""),
    ],
)
def test_clean_detail(body, expected):
    assert E.clean_detail(body) == expected


def test_clean_detail_truncates():
    assert len(E.clean_detail("a" * 1000)) <= 300
