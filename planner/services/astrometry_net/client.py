"""The nova.astrometry.net client: log in, upload an image or a URL, follow the solve,
read the results (the module's docstring, ``planner.services.astrometry_net``, says how
the API is spoken)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from planner.services.astrometry_net.options import UploadOptions
from planner.services.astrometry_net.results import (
    Annotation,
    Calibration,
    JobInfo,
    JobStatus,
    SolveStatus,
    Submission,
    SubmissionStatus,
    _has,
    _int,
    _NoCalibration,
    _object,
    _status_of,
    _strings,
    parse_annotations,
    parse_calibration,
    parse_job_info,
    parse_submission_status,
)
from planner.services.astrometry_net.service import (
    MAX_UPLOAD_BYTES,
    RESULT_FILES,
    SERVICE,
    SERVICE_KEY,
    SERVICE_NAME,
    _invalid,
)
from planner.services.client import ServiceClient
from planner.services.errors import (
    BadResponseError,
    InvalidRequestError,
    NetworkError,
    NotAuthorisedError,
    NotFoundError,
    ServiceUnavailableError,
    clean_detail,
)
from planner.services.http import Reply, ServiceSession, parse_or_bad_response
from planner.services.http.redaction import register_secret

# -- client ------------------------------------------------------------------------------


class AstrometryNetClient(ServiceClient):
    """The nova.astrometry.net web API (or a local astrometry.net server with the same API)."""

    SERVICE = SERVICE

    def __init__(self, api_key: str | None, base_url: str | None = None, session: ServiceSession | None = None):
        key = self._keep_secret(api_key)
        if key is None:
            raise self._no_key()
        self._api_key = key
        self.session = self._make_session(base_url, session)
        self._session_key: str | None = None
        self._login_lock = threading.Lock()

    def check_connection(self) -> str:
        self.login()
        return "OK: nova.astrometry.net accepted the key and opened a session"

    # -- plumbing ------------------------------------------------------------------------

    @property
    def site_url(self) -> str:
        """The site root that serves result files and pages (the base URL without ``/api``)."""
        base = self.session.base_url
        return base[: -len("/api")] if base.endswith("/api") else base

    def _parse(self, fn, data, what: str = "answer", *args):
        return parse_or_bad_response(SERVICE_NAME, lambda d: fn(d, *args), data, what=what, service_key=SERVICE_KEY)

    def _checked(self, reply: Reply, what: str) -> dict:
        """The JSON object of an API call, with ``status: error`` turned into an exception."""
        data = reply.data
        if not isinstance(data, dict):
            raise BadResponseError(SERVICE_NAME, f"sent a {what} that is not a JSON object", service_key=SERVICE_KEY)
        if data.get("status") == "error":
            message = clean_detail(str(data.get("errormessage") or data.get("message") or "no reason given"))
            raise _ApiError(message)
        return data

    def login(self) -> str:
        """Log in with the API key; returns (and keeps) the session key."""
        reply = self.session.post("login", data={"request-json": json.dumps({"apikey": self._api_key})})
        try:
            data = self._checked(reply, "login answer")
        except _ApiError as exc:
            raise NotAuthorisedError(
                SERVICE_NAME, f"refused the login ({exc.message})", service_key=SERVICE_KEY
            ) from None
        session_key = data.get("session")
        if not isinstance(session_key, str) or not session_key:
            raise BadResponseError(SERVICE_NAME, "answered the login without a session key", service_key=SERVICE_KEY)
        register_secret(session_key)
        self._session_key = session_key
        return session_key

    def _session(self) -> str:
        with self._login_lock:
            if self._session_key is None:
                self.login()
            return self._session_key  # type: ignore[return-value]

    def _call(self, path: str, payload: dict[str, Any], *, file: tuple[str, bytes] | None = None) -> dict:
        """A session-authenticated POST; logs in again once if the session has expired."""
        for attempt in (1, 2):
            body = json.dumps({**payload, "session": self._session()})
            if file is None:
                reply = self.session.post(path, data={"request-json": body})
            else:
                reply = self.session.post(
                    path,
                    files={
                        "request-json": (None, body, "text/plain"),
                        "file": (file[0], file[1], "application/octet-stream"),
                    },
                )
            try:
                return self._checked(reply, "answer")
            except _ApiError as exc:
                if attempt == 1 and _is_session_problem(exc.message):
                    with self._login_lock:
                        self._session_key = None
                    continue
                raise InvalidRequestError(
                    SERVICE_NAME, f"refused the request ({exc.message})", detail=exc.message, service_key=SERVICE_KEY
                ) from None
        raise AssertionError("unreachable")

    # -- uploads -------------------------------------------------------------------------

    def upload_url(self, url: str, options: UploadOptions | None = None) -> Submission:
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _invalid(f"{url!r} is not an http(s) address of an image", "give the full address, starting with https://")
        payload = {**(options or UploadOptions()).to_request(), "url": str(url)}
        return self._submission(self._call("url_upload", payload))

    def upload_file(self, path: str | os.PathLike, options: UploadOptions | None = None) -> Submission:
        payload = (options or UploadOptions()).to_request()  # validated before the file is read
        path = Path(path)
        try:
            size = path.stat().st_size
            if size > MAX_UPLOAD_BYTES:
                raise _invalid(f"{path.name} is {size / 1e6:.0f} MB, too large to upload", "bin or crop the image first")
            if size == 0:
                raise _invalid(f"{path.name} is empty", "choose an image file")
            content = path.read_bytes()
        except FileNotFoundError:
            raise _invalid(f"the file {str(path)!r} does not exist", "check the path") from None
        except IsADirectoryError:
            raise _invalid(f"{str(path)!r} is a folder, not an image", "choose an image file") from None
        except OSError as exc:
            raise _invalid(f"cannot read {str(path)!r} ({exc.strerror or exc.__class__.__name__})", "check the file's permissions") from None
        return self._submission(self._call("upload", payload, file=(path.name, content)))

    def _submission(self, data: dict) -> Submission:
        def parse(d):
            return Submission(_int(d["subid"], "subid"), d.get("hash") if isinstance(d.get("hash"), str) else None)

        return self._parse(lambda d: parse(d), data, "submission answer")

    # -- status and results --------------------------------------------------------------

    def submission_status(self, subid: int) -> SubmissionStatus:
        reply = self.session.get(f"submissions/{int(subid)}", cache=False)
        return self._parse(parse_submission_status, reply.data, "submission status", int(subid))

    def job_status(self, job_id: int) -> JobStatus:
        reply = self.session.get(f"jobs/{int(job_id)}", cache=False)
        return JobStatus(int(job_id), self._parse(lambda d: _status_of(d), reply.data, "job status"))

    def calibration(self, job_id: int) -> Calibration:
        # "No calibration yet" comes as a 200 too: only a real calibration is kept.
        reply = self.session.get(f"jobs/{int(job_id)}/calibration/", keep=_has("ra"))
        try:
            return self._parse(parse_calibration, reply.data, "calibration")
        except _NoCalibration:
            raise self._no_calibration(job_id) from None

    def _no_calibration(self, job_id: int) -> NotFoundError:
        return NotFoundError(
            SERVICE_NAME,
            f"has no calibration for job {int(job_id)}: the job has not solved the image (yet), or it failed",
            f"wait for the job to finish, or see {self.site_url}/jobs/{int(job_id)} for what happened",
            service_key=SERVICE_KEY,
        )

    def tags(self, job_id: int) -> tuple[str, ...]:
        reply = self.session.get(f"jobs/{int(job_id)}/tags/", cache=False)  # anyone can add tags
        return self._parse(lambda d: _strings(_object(d, "tag list"), "tags"), reply.data, "tag list")

    def machine_tags(self, job_id: int) -> tuple[str, ...]:
        reply = self.session.get(f"jobs/{int(job_id)}/machine_tags/")
        return self._parse(lambda d: _strings(_object(d, "tag list"), "tags"), reply.data, "machine tag list")

    def objects_in_field(self, job_id: int) -> tuple[str, ...]:
        reply = self.session.get(f"jobs/{int(job_id)}/objects_in_field/")
        return self._parse(lambda d: _strings(_object(d, "object list"), "objects_in_field"), reply.data, "object list")

    def annotations(self, job_id: int) -> list[Annotation]:
        reply = self.session.get(f"jobs/{int(job_id)}/annotations/", keep=_has("annotations"))
        try:
            return self._parse(parse_annotations, reply.data, "annotation list")
        except _NoCalibration:
            raise self._no_calibration(job_id) from None

    def job_info(self, job_id: int) -> JobInfo:
        reply = self.session.get(f"jobs/{int(job_id)}/info/", cache=False)
        return self._parse(parse_job_info, reply.data, "job info", int(job_id))

    def result_urls(self, job_id: int) -> dict[str, str]:
        """Addresses of a solved job's result files (WCS, new FITS, annotated image, ...)."""
        job = int(job_id)
        return {name: f"{self.site_url}/{path}/{job}" for name, path in RESULT_FILES.items()}

    def status_page_url(self, subid: int) -> str:
        return f"{self.site_url}/status/{int(subid)}"

    def wcs_header(self, job_id: int, *, max_bytes: int = 2_000_000) -> bytes:
        """A solved job's WCS FITS header (``wcs_file``): what places the target on the chip."""
        return self.session.get(self.result_urls(job_id)["wcs"], expect="bytes", max_bytes=max_bytes).data

    # -- waiting -------------------------------------------------------------------------

    def wait_for_solution(
        self,
        subid: int,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = 600.0,
        cancel: threading.Event | None = None,
        max_transient_errors: int = 5,
        _started: float | None = None,
    ) -> Iterator[SolveStatus]:
        """Poll a submission until it is solved, fails, times out or ``cancel`` is set.

        Yields a ``SolveStatus`` whenever the stage changes (and once per poll while
        solving); the last one has ``done`` true. Brief network trouble is reported in
        ``message`` and polling goes on; after ``max_transient_errors`` in a row it raises.
        """
        start = time.monotonic() if _started is None else _started
        cancel = cancel or threading.Event()
        subid = int(subid)
        errors = 0
        job_id: int | None = None

        def status(stage: str, **kw) -> SolveStatus:
            return SolveStatus(stage, time.monotonic() - start, subid, kw.pop("job_id", job_id), **kw)

        while True:
            if cancel.is_set():
                yield status("cancelled", message="cancelled by the user")
                return
            try:
                if job_id is None:
                    sub = self.submission_status(subid)
                    if sub.jobs:
                        job_id = sub.jobs[0]
                    if job_id is None and sub.error_message:
                        # The server gave up on the submission itself; no job will ever come.
                        yield status("failed", message=f"nova.astrometry.net could not process it: {sub.error_message}")
                        return
                    if job_id is None:
                        yield status("queued", message="waiting for the solver to start")
                if job_id is not None:
                    job = self.job_status(job_id)
                    if job.status == "success":
                        yield status("solved", calibration=self.calibration(job_id), message="solved")
                        return
                    if job.status == "failure":
                        yield status("failed", message="the solver could not find where the image is on the sky")
                        return
                    yield status("solving", message=f"job {job_id}: {clean_detail(job.status, 60)}")
                errors = 0
            except (NetworkError, ServiceUnavailableError) as exc:
                errors += 1
                if errors >= max_transient_errors:
                    raise
                yield status("queued" if job_id is None else "solving", message=f"retrying: {exc.what}")
            elapsed = time.monotonic() - start
            if timeout is not None and elapsed >= timeout:
                yield status(
                    "failed",
                    message=f"no result after {elapsed:.0f} s; the job may still finish: see {self.status_page_url(subid)}",
                )
                return
            if cancel.wait(poll_interval):
                yield status("cancelled", message="cancelled by the user")
                return

    def solve(
        self,
        source: str | os.PathLike,
        options: UploadOptions | None = None,
        *,
        poll_interval: float = 5.0,
        timeout: float | None = 600.0,
        cancel: threading.Event | None = None,
    ) -> Iterator[SolveStatus]:
        """Upload a file or URL and follow the solve: yields ``uploading`` then the wait's steps."""
        start = time.monotonic()
        cancel = cancel or threading.Event()
        text = str(source)
        yield SolveStatus("uploading", 0.0, message=f"uploading {Path(text).name if '://' not in text else text}")
        if cancel.is_set():
            yield SolveStatus("cancelled", time.monotonic() - start, message="cancelled by the user")
            return
        if "://" in text:
            submission = self.upload_url(text, options)
        else:
            submission = self.upload_file(text, options)
        yield SolveStatus("queued", time.monotonic() - start, submission.subid, message="uploaded")
        yield from self.wait_for_solution(
            submission.subid, poll_interval=poll_interval, timeout=timeout, cancel=cancel, _started=start
        )


class _ApiError(Exception):
    """A ``{"status": "error"}`` answer (internal; becomes a ServiceError)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _is_session_problem(message: str) -> bool:
    text = message.lower()
    return "session" in text and any(w in text for w in ("no ", "invalid", "expired", "not", "unknown", "bad"))
