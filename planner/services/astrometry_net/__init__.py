"""nova.astrometry.net API client: log in, upload an image or a URL, follow the solve, read results.

Every call sends its arguments as the form field ``request-json`` (a JSON string); a file
upload is multipart with a ``request-json`` text/plain part and a ``file``
application/octet-stream part, as the API page shows. Upload options are validated before
anything is sent. Login, uploads and status are never cached; finished results
(calibration, annotations, objects, machine tags) are. The session key is renewed once
when the service says it is no longer valid. ``wait_for_solution`` and ``solve`` are
generators of ``SolveStatus`` that can be cancelled with a ``threading.Event``.

The package: ``service`` (the declaration), ``options`` (``UploadOptions``), ``results``
(the records and their parsers), ``client`` (``AstrometryNetClient``); every name is
importable from here.
"""

from __future__ import annotations

from planner.services.astrometry_net.client import AstrometryNetClient
from planner.services.astrometry_net.options import (
    LICENCE_COMMERCIAL,
    LICENCE_MODIFICATIONS,
    SCALE_TYPES,
    SCALE_UNITS,
    VISIBILITY,
    UploadOptions,
)
from planner.services.astrometry_net.results import (
    STAGES,
    Annotation,
    Calibration,
    JobInfo,
    JobStatus,
    SolveStatus,
    Submission,
    SubmissionStatus,
    parse_annotations,
    parse_calibration,
    parse_job_info,
    parse_submission_status,
)
from planner.services.astrometry_net.service import MAX_UPLOAD_BYTES, RESULT_FILES, SERVICE, SERVICE_KEY, SERVICE_NAME

__all__ = [
    "LICENCE_COMMERCIAL",
    "LICENCE_MODIFICATIONS",
    "MAX_UPLOAD_BYTES",
    "RESULT_FILES",
    "SCALE_TYPES",
    "SCALE_UNITS",
    "SERVICE",
    "SERVICE_KEY",
    "SERVICE_NAME",
    "STAGES",
    "VISIBILITY",
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
