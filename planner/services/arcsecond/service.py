"""Arcsecond's declaration (address, cache, keys) and the facts the other parts share: the
auth header, the cloud and Arcsecond.local hosts, upload limits and accepted file types,
and the errors for a bad answer or a request refused before it is sent."""

from __future__ import annotations

import re
from typing import Callable

from planner.services.declaration import Secret, declare
from planner.services.errors import BadResponseError, InvalidRequestError


AUTH_HEADER = "X-Arcsecond-API-Authorization"
SERVICE = declare(
    key="arcsecond",
    name="Arcsecond",
    default_url="https://api.arcsecond.io",
    expire_after=10 * 60,
    freshness="10 minutes",
    secret_headers=("Authorization", AUTH_HEADER),
    secrets=(Secret("key", "API key", "PLANNER_ARCSECOND_KEY"), Secret("upload_key", "Upload key", "PLANNER_ARCSECOND_UPLOAD_KEY")),
    where_to_get_a_key="copy your API key (or upload key) from your Arcsecond profile page",
    connection_test="the observing sites your key can see",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
DEFAULT_BASE_URL = SERVICE.default_url
CLOUD_HOST = "api.arcsecond.io"
LOCAL_SUBDOMAIN = "local"  # a self-hosted server's paths: <server>/local/<resource>/
UPLOAD_TIMEOUT = (10.0, 600.0)
MAX_LIST_PAGES = 200  # a dataset's file list is followed to its end, within reason

# The API page's FITS extensions, XISF, and the compressions it accepts.
FITS_EXTENSIONS = (
    "fits", "fit", "fts", "ft", "mt", "imfits", "imfit", "uvfits", "uvfit", "pha", "rmf", "arf", "rsp", "pi",
)
XISF_EXTENSIONS = ("xisf",)
COMPRESSIONS = ("gz", "gzip", "bz2", "bzip2", "zip")
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

ProgressCallback = Callable[[int, int], None]


def _bad(what: str) -> BadResponseError:
    return BadResponseError(SERVICE_NAME, what, service_key=SERVICE_KEY)


def _invalid(what: str, action: str) -> InvalidRequestError:
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)
