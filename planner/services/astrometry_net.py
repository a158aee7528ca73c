"""nova.astrometry.net API client: log in, upload an image or a URL, follow the solve, read results.

Every call sends its arguments as the form field ``request-json`` (a JSON string); a file
upload is multipart with a ``request-json`` text/plain part and a ``file``
application/octet-stream part, as the API page shows. Upload options are validated before
anything is sent. Login, uploads and status are never cached; finished results
(calibration, annotations, objects, machine tags) are. The session key is renewed once
when the service says it is no longer valid. ``wait_for_solution`` and ``solve`` are
generators of ``SolveStatus`` that can be cancelled with a ``threading.Event``.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from planner.services.client import ServiceClient
from planner.services.declaration import Secret, declare
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

SERVICE = declare(
    key="astrometry",
    name="nova.astrometry.net",
    default_url="https://nova.astrometry.net/api",
    # Only finished job results (calibration, annotations, objects, machine tags) are cached:
    # they never change. Logins, uploads and status never are.
    expire_after=7 * 24 * 3600,
    freshness="7 days (results of a finished job only)",
    min_interval=1.0,
    secret_params=("apikey", "session"),
    secrets=(Secret("key", "API key", "PLANNER_ASTROMETRY_KEY"),),
    where_to_get_a_key="copy your API key from your profile page on nova.astrometry.net",
    connection_test="a login with the key",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

SCALE_UNITS = ("degwidth", "arcminwidth", "arcsecperpix")
SCALE_TYPES = ("ul", "ev")
LICENCE_COMMERCIAL = ("d", "y", "n")
LICENCE_MODIFICATIONS = ("d", "y", "n", "sa")
VISIBILITY = ("y", "n")
STAGES = ("uploading", "queued", "solving", "solved", "failed", "cancelled")

# Result files on the site (not under /api), by the name planner uses for them.
RESULT_FILES = {
    "wcs": "wcs_file",
    "new_fits": "new_fits_file",
    "annotated": "annotated_display",
    "red_green": "red_green_image_display",
    "extraction": "extraction_image_display",
    "kml": "kml_file",
    "rdls": "rdls_file",
    "axy": "axy_file",
    "corr": "corr_file",
}


def _invalid(what: str, action: str) -> InvalidRequestError:
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)


# -- options -----------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadOptions:
    """Every documented upload argument; ``to_request()`` validates and returns the JSON fields.

    Leave a field None to let the service use its default.
    """

    allow_commercial_use: str | None = None  # d (default), y, n
    allow_modifications: str | None = None  # d (default), y, n, sa
    publicly_visible: str | None = None  # y, n
    scale_units: str | None = None  # degwidth, arcminwidth, arcsecperpix
    scale_type: str | None = None  # ul (lower/upper) or ev (estimate/error)
    scale_lower: float | None = None
    scale_upper: float | None = None
    scale_est: float | None = None
    scale_err: float | None = None  # percent, 0..100
    center_ra: float | None = None  # degrees, 0..360
    center_dec: float | None = None  # degrees, -90..90
    radius: float | None = None  # degrees
    downsample_factor: float | None = None  # > 1
    tweak_order: int | None = None
    use_sextractor: bool | None = None
    crpix_center: bool | None = None
    parity: int | None = None  # 0, 1 or 2 (try both)
    image_width: int | None = None  # for x,y lists only
    image_height: int | None = None
    positional_error: float | None = None  # pixels

    def to_request(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        self._choice(out, "allow_commercial_use", LICENCE_COMMERCIAL)
        self._choice(out, "allow_modifications", LICENCE_MODIFICATIONS)
        self._choice(out, "publicly_visible", VISIBILITY)
        self._choice(out, "scale_units", SCALE_UNITS)
        self._choice(out, "scale_type", SCALE_TYPES)
        self._scale(out)
        self._centre(out)
        if self.downsample_factor is not None:
            value = _finite("downsample_factor", self.downsample_factor)
            if value < 1:
                raise _invalid(f"downsample_factor {value:g} is below 1", "use 2 or 4 to bin the image, or leave it empty")
            out["downsample_factor"] = value
        if self.tweak_order is not None:
            order = _integer("tweak_order", self.tweak_order)
            if not 0 <= order <= 10:
                raise _invalid(f"tweak_order {order} is outside 0 to 10", "use the default 2, or 0 to 4")
            out["tweak_order"] = order
        for name in ("use_sextractor", "crpix_center"):
            value = getattr(self, name)
            if value is not None:
                if not isinstance(value, bool):
                    raise _invalid(f"{name} must be true or false, not {value!r}", f"give {name} as true or false")
                out[name] = value
        if self.parity is not None:
            parity = _integer("parity", self.parity)
            if parity not in (0, 1, 2):
                raise _invalid(f"parity {parity} is not 0, 1 or 2", "use 2 (try both) unless you know the parity")
            out["parity"] = parity
        if (self.image_width is None) != (self.image_height is None):
            raise _invalid("image_width and image_height go together", "give both (for an x,y list) or neither")
        for name in ("image_width", "image_height"):
            value = getattr(self, name)
            if value is not None:
                size = _integer(name, value)
                if size <= 0:
                    raise _invalid(f"{name} {size} is not positive", f"give {name} in pixels")
                out[name] = size
        if self.positional_error is not None:
            error = _finite("positional_error", self.positional_error)
            if error <= 0:
                raise _invalid(f"positional_error {error:g} is not positive", "give the expected star position error in pixels (default 1)")
            out["positional_error"] = error
        return out

    def _choice(self, out: dict, name: str, allowed: tuple[str, ...]) -> None:
        value = getattr(self, name)
        if value is None:
            return
        if value not in allowed:
            raise _invalid(f"{name} {value!r} is not one of {', '.join(allowed)}", f"use one of {', '.join(allowed)}")
        out[name] = value

    def _scale(self, out: dict) -> None:
        ul = (self.scale_lower, self.scale_upper)
        ev = (self.scale_est, self.scale_err)
        has_ul, has_ev = any(v is not None for v in ul), any(v is not None for v in ev)
        if has_ul and has_ev:
            raise _invalid("both scale bounds and a scale estimate were given", "give scale_lower/scale_upper or scale_est/scale_err, not both")
        scale_type = self.scale_type or ("ev" if has_ev else "ul" if has_ul else None)
        if has_ul:
            if scale_type != "ul":
                raise _invalid("scale_lower/scale_upper need scale_type 'ul'", "set scale_type to ul or leave it empty")
            if None in ul:
                raise _invalid("scale_lower and scale_upper go together", "give both bounds of the image scale")
            lower, upper = (_finite(n, v) for n, v in zip(("scale_lower", "scale_upper"), ul))
            if lower <= 0 or upper <= 0:
                raise _invalid("the scale bounds must be positive", "give positive scale_lower and scale_upper")
            if lower > upper:
                raise _invalid(f"scale_lower {lower:g} is above scale_upper {upper:g}", "swap the two bounds")
            out.update(scale_type="ul", scale_lower=lower, scale_upper=upper)
        elif has_ev:
            if scale_type != "ev":
                raise _invalid("scale_est/scale_err need scale_type 'ev'", "set scale_type to ev or leave it empty")
            if None in ev:
                raise _invalid("scale_est and scale_err go together", "give the scale estimate and its error in percent")
            est, err = _finite("scale_est", ev[0]), _finite("scale_err", ev[1])
            if est <= 0:
                raise _invalid(f"scale_est {est:g} is not positive", "give a positive scale estimate")
            if not 0 <= err <= 100:
                raise _invalid(f"scale_err {err:g} is outside 0 to 100 percent", "give the error in percent")
            out.update(scale_type="ev", scale_est=est, scale_err=err)
        elif self.scale_type is not None:
            raise _invalid(f"scale_type {self.scale_type!r} was given without scale values", "give the scale values too, or leave scale_type empty")
        if self.scale_units is not None and not (has_ul or has_ev):
            raise _invalid("scale_units was given without scale values", "give the scale bounds or estimate too")

    def _centre(self, out: dict) -> None:
        values = (self.center_ra, self.center_dec, self.radius)
        if all(v is None for v in values):
            return
        if any(v is None for v in values):
            raise _invalid("center_ra, center_dec and radius go together", "give all three (degrees) or none")
        ra, dec, radius = (_finite(n, v) for n, v in zip(("center_ra", "center_dec", "radius"), values))
        if not 0 <= ra <= 360:
            raise _invalid(f"center_ra {ra:g} is outside 0 to 360 degrees", "give the right ascension in degrees")
        if not -90 <= dec <= 90:
            raise _invalid(f"center_dec {dec:g} is outside -90 to 90 degrees", "give the declination in degrees")
        if not 0 < radius <= 180:
            raise _invalid(f"radius {radius:g} is outside 0 to 180 degrees", "give the search radius in degrees")
        out.update(center_ra=ra, center_dec=dec, radius=radius)

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> "UploadOptions":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise _invalid(f"unknown option(s) {', '.join(unknown)}", f"use only {', '.join(sorted(known))}")
        return cls(**{k: v for k, v in data.items() if v is not None})


def _finite(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise _invalid(f"{name} must be a number, not {value!r}", f"give {name} as a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(f"{name} must be a number, not {value!r}", f"give {name} as a number") from None
    if not math.isfinite(number):
        raise _invalid(f"{name} must be finite, not {value!r}", f"give {name} as a number")
    return number


def _integer(name: str, value: Any) -> int:
    number = _finite(name, value)
    if number != int(number):
        raise _invalid(f"{name} must be a whole number, not {value!r}", f"give {name} as a whole number")
    return int(number)


# -- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    subid: int
    hash: str | None = None


@dataclass(frozen=True)
class SubmissionStatus:
    subid: int
    jobs: tuple[int, ...]
    job_calibrations: tuple[tuple[int, int], ...]
    user_images: tuple[int, ...]
    processing_started: str | None
    processing_finished: str | None
    # Set when the server could not process the submission (not an image, a URL it could not
    # fetch, ...): such a submission never gets a job (net/api.py submission_status).
    error_message: str | None = None

    @property
    def solved(self) -> bool:
        return bool(self.job_calibrations)


@dataclass(frozen=True)
class JobStatus:
    job_id: int
    status: str  # "success", "failure", "solving", ...


@dataclass(frozen=True)
class Calibration:
    ra: float
    dec: float
    radius: float  # degrees
    pixscale: float  # arcsec per pixel
    orientation: float  # degrees east of north
    parity: float
    # The image's size on the sky (the server sends them beside the rest); with the pixel
    # scale they give its size in pixels, so the in-field verdict needs no WCS file.
    width_arcsec: float | None = None
    height_arcsec: float | None = None

    @property
    def width_px(self) -> float | None:
        return self.width_arcsec / self.pixscale if self.width_arcsec and self.pixscale > 0 else None

    @property
    def height_px(self) -> float | None:
        return self.height_arcsec / self.pixscale if self.height_arcsec and self.pixscale > 0 else None

    def to_json(self) -> dict[str, float | None]:
        return asdict(self)


@dataclass(frozen=True)
class Annotation:
    names: tuple[str, ...]
    type: str
    pixelx: float
    pixely: float
    radius: float

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["names"] = list(self.names)
        return data


@dataclass(frozen=True)
class JobInfo:
    job_id: int
    status: str
    calibration: Calibration | None
    tags: tuple[str, ...]
    machine_tags: tuple[str, ...]
    objects_in_field: tuple[str, ...]
    original_filename: str

    def to_json(self) -> dict[str, Any]:
        return {
            "job_id": self.job_id,
            "status": self.status,
            "calibration": self.calibration.to_json() if self.calibration else None,
            "tags": list(self.tags),
            "machine_tags": list(self.machine_tags),
            "objects_in_field": list(self.objects_in_field),
            "original_filename": self.original_filename,
        }


@dataclass(frozen=True)
class SolveStatus:
    """One step of a solve, as yielded by ``wait_for_solution``/``solve``."""

    stage: str  # uploading | queued | solving | solved | failed | cancelled
    elapsed: float
    subid: int | None = None
    job_id: int | None = None
    calibration: Calibration | None = None
    message: str = ""

    @property
    def done(self) -> bool:
        return self.stage in ("solved", "failed", "cancelled")

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "elapsed": round(self.elapsed, 3),
            "subid": self.subid,
            "job_id": self.job_id,
            "calibration": self.calibration.to_json() if self.calibration else None,
            "message": self.message,
        }


def _number(data: dict, key: str) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"'{key}' is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"'{key}' is not finite")
    return number


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} is not an integer")
    return value


def _strings(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"'{key}' is not a list of names")
    return tuple(value)


def _object(data: Any, what: str) -> dict:
    if not isinstance(data, dict):
        raise TypeError(f"the {what} is not a JSON object")
    return data


def _optional_size(data: dict, key: str) -> float | None:
    if data.get(key) is None:
        return None
    value = _number(data, key)
    return value if value > 0 else None


def parse_calibration(data: Any) -> Calibration:
    data = _object(data, "calibration")
    if "ra" not in data and isinstance(data.get("error"), str):
        raise _NoCalibration(data["error"])
    cal = Calibration(*(_number(data, k) for k in ("ra", "dec", "radius", "pixscale", "orientation", "parity")))
    if not (-360 <= cal.ra <= 720 and -90 <= cal.dec <= 90):
        raise ValueError("the calibration centre is not on the sky")
    return Calibration(
        cal.ra % 360.0, cal.dec, cal.radius, cal.pixscale, cal.orientation, cal.parity,
        _optional_size(data, "width_arcsec"), _optional_size(data, "height_arcsec"),
    )


def _has(key: str):
    return lambda data: isinstance(data, dict) and key in data


class _NoCalibration(Exception):
    """The server's ``{"error": "no calibration data available for job N"}``."""


def parse_annotations(data: Any) -> list[Annotation]:
    data = _object(data, "annotation list")
    if "annotations" not in data and isinstance(data.get("error"), str):
        raise _NoCalibration(data["error"])
    items = data["annotations"]
    if not isinstance(items, list):
        raise TypeError("'annotations' is not a list")
    result = []
    for item in items:
        item = _object(item, "annotation")
        kind = item.get("type", "")
        if not isinstance(kind, str):
            raise TypeError("annotation 'type' is not text")
        result.append(
            Annotation(_strings(item, "names"), kind, _number(item, "pixelx"), _number(item, "pixely"), _number(item, "radius"))
        )
    return result


def parse_submission_status(data: Any, subid: int) -> SubmissionStatus:
    data = _object(data, "submission status")
    jobs = data.get("jobs") or []
    cals = data.get("job_calibrations") or []
    images = data.get("user_images") or []
    if not all(isinstance(v, list) for v in (jobs, cals, images)):
        raise TypeError("jobs, job_calibrations or user_images is not a list")
    pairs = []
    for pair in cals:
        if not isinstance(pair, list) or len(pair) != 2:
            raise TypeError("a job calibration is not a [job, calibration] pair")
        pairs.append((_int(pair[0], "a job id"), _int(pair[1], "a calibration id")))

    def stamp(key):
        value = data.get(key)
        return None if value in (None, "None", "") else str(value)

    error = data.get("error_message")

    return SubmissionStatus(
        subid=subid,
        jobs=tuple(_int(j, "a job id") for j in jobs if j is not None),  # early answers hold [null]
        job_calibrations=tuple(pairs),
        user_images=tuple(_int(i, "a user image id") for i in images if i is not None),
        processing_started=stamp("processing_started"),
        processing_finished=stamp("processing_finished"),
        error_message=clean_detail(error, 200) if isinstance(error, str) and error.strip() else None,
    )


def parse_job_info(data: Any, job_id: int) -> JobInfo:
    data = _object(data, "job info")
    status = data["status"]
    if not isinstance(status, str):
        raise TypeError("'status' is not text")
    cal = data.get("calibration")
    name = data.get("original_filename") or ""
    if not isinstance(name, str):
        raise TypeError("'original_filename' is not text")
    return JobInfo(
        job_id=job_id,
        status=status,
        calibration=parse_calibration(cal) if cal else None,
        tags=_strings(data, "tags"),
        machine_tags=_strings(data, "machine_tags"),
        objects_in_field=_strings(data, "objects_in_field"),
        original_filename=name,
    )


def _status_of(data: Any) -> str:
    status = _object(data, "job status")["status"]
    if not isinstance(status, str):
        raise TypeError("'status' is not text")
    return status


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


__all__ = [
    "Annotation",
    "AstrometryNetClient",
    "Calibration",
    "JobInfo",
    "JobStatus",
    "SolveStatus",
    "Submission",
    "SubmissionStatus",
    "UploadOptions",
    "parse_annotations",
    "parse_calibration",
    "parse_job_info",
    "parse_submission_status",
]
