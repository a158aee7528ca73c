"""The AAVSO budget (1000 requests an hour) is kept across processes in a small file in the
data folder: a new run knows what earlier runs sent and what the service said, also after a
429, and concurrent runs together never exceed it."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from planner.services.errors import RateLimitedError
from planner.services.http import ServicePolicy, ServiceSession, limiter_for, reset_limiters

from .conftest import fast


def budget_policy(budget=1000) -> ServicePolicy:
    return fast(ServicePolicy("budgetsvc", "Budget Service", expire_after=0, hourly_budget=budget))


def rate_headers(remaining, reset=1800):
    return {"X-Rate-Limit-Limit": "1000", "X-Rate-Limit-Remaining": str(remaining), "X-Rate-Limit-Reset": str(reset)}


def test_a_new_process_knows_the_budget_is_used_up(httpserver):
    """Before: the next planner process sent again and got 429."""
    httpserver.expect_request("/t").respond_with_json({}, headers=rate_headers(0))
    session = ServiceSession(budget_policy(), httpserver.url_for(""))
    session.get("t")
    reset_limiters()  # what a new process starts with
    fresh = ServiceSession(budget_policy(), httpserver.url_for(""))
    with pytest.raises(RateLimitedError, match="budget of 1000 requests is used up"):
        fresh.get("t")
    assert len(httpserver.log) == 1
    assert fresh.rate.remaining == 0 and fresh.rate.reset_at is not None


def test_a_429_is_remembered_by_the_next_run(httpserver):
    httpserver.expect_request("/t").respond_with_data("slow down", status=429, headers={"Retry-After": "900"})
    with pytest.raises(RateLimitedError):
        ServiceSession(budget_policy(), httpserver.url_for("")).get("t")
    reset_limiters()
    with pytest.raises(RateLimitedError) as info:
        ServiceSession(budget_policy(), httpserver.url_for("")).get("t")
    assert len(httpserver.log) == 1
    assert info.value.retry_at is not None


def test_own_requests_are_counted_across_runs_without_headers(httpserver):
    httpserver.expect_request("/t").respond_with_json({})
    for _ in range(3):
        reset_limiters()
        ServiceSession(budget_policy(budget=3), httpserver.url_for("")).get("t")
    reset_limiters()
    with pytest.raises(RateLimitedError, match="sent 3 requests in the last hour"):
        ServiceSession(budget_policy(budget=3), httpserver.url_for("")).get("t")
    assert len(httpserver.log) == 3


def test_the_file_is_small_and_holds_no_secret(httpserver):
    httpserver.expect_request("/t").respond_with_json({}, headers=rate_headers(996))
    session = ServiceSession(budget_policy(), httpserver.url_for(""))
    session.get("t", auth=("CANARY-budget-key-12345", "api_token"))
    path = limiter_for("budgetsvc").budget_path()
    text = path.read_text("utf-8")
    data = json.loads(text)
    assert data["remaining"] == 996 and data["limit"] == 1000 and len(data["sent"]) == 1
    assert "CANARY" not in text and len(text) < 500
    assert path.parent == __import__("planner.config", fromlist=["data_dir"]).data_dir()


def test_a_damaged_file_starts_again(httpserver):
    httpserver.expect_request("/t").respond_with_json({})
    path = limiter_for("budgetsvc").budget_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", "utf-8")
    ServiceSession(budget_policy(), httpserver.url_for("")).get("t")
    assert len(json.loads(path.read_text("utf-8"))["sent"]) == 1


def _spend(data_dir: str, attempts: int, queue) -> None:
    os.environ["PLANNER_DATA_DIR"] = data_dir
    from planner.services.errors import RateLimitedError as Refused
    from planner.services.http import ServicePolicy as Policy, limiter_for as limiter

    policy = Policy("budgetsvc", "Budget Service", expire_after=0, hourly_budget=25)
    sent = refused = 0
    for _ in range(attempts):
        try:
            limiter("budgetsvc").acquire(policy)
            sent += 1
        except Refused:
            refused += 1
    queue.put((sent, refused))


def test_concurrent_processes_together_stay_within_the_budget(tmp_path):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_spend, args=(str(tmp_path), 12, queue)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sum(sent for sent, _ in results) == 25
    assert sum(refused for _, refused in results) == 4 * 12 - 25
