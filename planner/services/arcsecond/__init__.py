"""Arcsecond REST client: observing sites, telescopes, night logs, data packages, datasets
and data-file uploads (FITS/XISF, compressed or not), on the cloud or an Arcsecond.local server.

Every request carries ``X-Arcsecond-API-Authorization: Key <key>`` (declared secret to the
HTTP layer). Either key serves any call, as in Arcsecond's own client: the upload key goes
first for uploads, the API key first for the rest, so an upload key alone can upload. ``upload_files`` is resumable: it lists the dataset's files first and
skips any file already there with the same name and size, so re-running it after a failure
sends only what is missing.

The package: ``service`` (the declaration and the service's shared facts), ``checks`` (ids,
upload files and the base address, checked before anything is sent), ``records`` (the
answers' records and their parsers), ``upload`` (the streamed multipart body) and
``client`` (``ArcsecondClient``); every name is importable from here.
"""

from __future__ import annotations

from planner.services.arcsecond.checks import accepted_upload_name, check_upload_files, service_base_url, validate_uuid
from planner.services.arcsecond.client import ArcsecondClient, make_policy
from planner.services.arcsecond.records import (
    DataFile,
    DataPackage,
    Dataset,
    NightLog,
    ObservingSite,
    Telescope,
    UploadReport,
    _results,
    parse_datafile,
    parse_datapackage,
    parse_dataset,
    parse_nightlog,
    parse_site,
    parse_telescope,
)
from planner.services.arcsecond.service import (
    AUTH_HEADER,
    CLOUD_HOST,
    COMPRESSIONS,
    DEFAULT_BASE_URL,
    FITS_EXTENSIONS,
    LOCAL_SUBDOMAIN,
    MAX_LIST_PAGES,
    SERVICE,
    SERVICE_KEY,
    SERVICE_NAME,
    UPLOAD_TIMEOUT,
    XISF_EXTENSIONS,
    ProgressCallback,
)
from planner.services.arcsecond.upload import MultipartFileBody

__all__ = [
    "AUTH_HEADER",
    "CLOUD_HOST",
    "COMPRESSIONS",
    "DEFAULT_BASE_URL",
    "FITS_EXTENSIONS",
    "LOCAL_SUBDOMAIN",
    "MAX_LIST_PAGES",
    "SERVICE",
    "SERVICE_KEY",
    "SERVICE_NAME",
    "UPLOAD_TIMEOUT",
    "XISF_EXTENSIONS",
    "ProgressCallback",
    "_results",
    "make_policy",
    "ArcsecondClient",
    "DataFile",
    "DataPackage",
    "Dataset",
    "MultipartFileBody",
    "NightLog",
    "ObservingSite",
    "Telescope",
    "UploadReport",
    "accepted_upload_name",
    "check_upload_files",
    "parse_datafile",
    "parse_datapackage",
    "parse_dataset",
    "parse_nightlog",
    "parse_site",
    "parse_telescope",
    "service_base_url",
    "validate_uuid",
]
