"""What nova.astrometry.net answers, as records (a submission, a job, its calibration,
annotations and facts, a step of a solve) and the parsers that read its JSON into them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from planner.numbers import finite_number
from planner.services.errors import clean_detail

STAGES = ("uploading", "queued", "solving", "solved", "failed", "cancelled")


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
    """A field that must be a JSON number (not text, not null)."""
    return finite_number(data[key], f"'{key}'", required=True, text=False)


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
