"""The retries of a GET (urllib3 ``Retry``: connection errors and 500/502/503/504, with
backoff), each one waiting its turn at the service's limiter first."""

from __future__ import annotations

from typing import Callable

from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from planner.services.http.policy import ServicePolicy

RETRY_STATUSES = (500, 502, 503, 504)


class _ServiceRetry(Retry):
    """urllib3 ``Retry`` as the services need it.

    A read timeout is final: the server accepted the request and did not answer, and asking
    again only multiplies the wait (four read timeouts were two minutes). Connection errors
    and 5xx answers are retried as before. Every retry first passes the service's limiter,
    so it keeps the throttle (AstroBin and astrometry.net allow about one request a second)
    and counts against the hourly budget like any other request.
    """

    def __init__(self, *args, before_retry: Callable[[], None] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_retry = before_retry

    def new(self, **kw):
        retry = super().new(**kw)
        retry.before_retry = self.before_retry
        return retry

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, ReadTimeoutError):
            raise MaxRetryError(_pool, url, error) from error
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def sleep(self, response=None) -> None:
        super().sleep(response)
        if self.before_retry is not None:
            self.before_retry()


def _make_retry(policy: ServicePolicy, before_retry: Callable[[], None] | None = None) -> Retry:
    return _ServiceRetry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        other=0,
        allowed_methods=frozenset({"GET", "HEAD"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=policy.backoff_factor,
        backoff_max=30.0,
        raise_on_status=False,
        respect_retry_after_header=False,  # a 503 may ask for hours; we report instead of hang
        before_retry=before_retry,
    )
