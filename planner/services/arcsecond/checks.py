"""Checks made before anything is sent to Arcsecond: ids, the files an upload accepts, and
the base address for the cloud, an observatory's portal or an Arcsecond.local server."""

from __future__ import annotations

import os
import urllib.parse
import uuid as _uuid
from pathlib import Path
from typing import Any, Iterable

from planner.services.arcsecond.service import (
    CLOUD_HOST,
    COMPRESSIONS,
    DEFAULT_BASE_URL,
    FITS_EXTENSIONS,
    LOCAL_SUBDOMAIN,
    SERVICE_KEY,
    SERVICE_NAME,
    XISF_EXTENSIONS,
    _SUBDOMAIN,
    _invalid,
)
from planner.services.errors import ConfigurationError


# --------------------------------------------------------------------------- validation


def validate_uuid(value: Any, what: str = "id") -> str:
    """The canonical lower-case form of a UUID, or ``InvalidRequestError`` before anything is sent."""
    try:
        return str(_uuid.UUID(str(value).strip()))
    except (ValueError, AttributeError, TypeError):
        raise _invalid(
            f"{value!r} is not a valid {what} (Arcsecond identifies it by a UUID)",
            "copy the UUID from Arcsecond, e.g. 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
        ) from None


def _pk(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise _invalid(f"{value!r} is not a data-file id", "data files are identified by a whole number")
    return int(value)


def accepted_upload_name(name: str) -> bool:
    """True for names Arcsecond accepts: a FITS/XISF extension, optionally plus a compression."""
    parts = name.lower().rsplit(".", 2)
    if len(parts) < 2:
        return False
    if parts[-1] in FITS_EXTENSIONS + XISF_EXTENSIONS:
        return True
    return len(parts) == 3 and parts[-1] in COMPRESSIONS and parts[-2] in FITS_EXTENSIONS + XISF_EXTENSIONS


def check_upload_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """The files as paths, or one ``InvalidRequestError`` naming every file that cannot be sent."""
    files, problems = [], []
    for raw in paths:
        path = Path(raw)
        if not accepted_upload_name(path.name):
            problems.append(f"{path.name} is not a FITS or XISF file")
        elif not path.is_file():
            problems.append(f"{path} does not exist or is not a file")
        elif not os.access(path, os.R_OK):
            problems.append(f"{path} cannot be read")
        else:
            files.append(path)
    if problems:
        raise _invalid(
            "; ".join(problems),
            "upload files ending in .fits .fit .fts .xisf (or those plus .gz .bz2 .zip); nothing was uploaded",
        )
    if not files:
        raise _invalid("no files were given", "name one or more FITS or XISF files to upload")
    names = [p.name for p in files]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _invalid(
            f"several files are named {', '.join(dupes)}",
            "a dataset holds each file name once; rename them or upload them to different datasets",
        )
    return files


def service_base_url(base_url: str, observatory: str | None = None) -> str:
    """The base every path hangs from: the cloud with the observatory's subdomain, or a
    self-hosted Arcsecond.local server under ``/local`` (the subdomain Arcsecond's own
    client always uses for it), whether or not the user wrote ``/local`` in its URL."""
    base = (base_url or DEFAULT_BASE_URL).strip().rstrip("/")
    parsed = urllib.parse.urlsplit(base)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise ConfigurationError(
            SERVICE_NAME,
            f"the base URL {base!r} is not an http(s) address",
            "set the Arcsecond base URL in Settings (https://api.arcsecond.io or your Arcsecond.local server)",
            service_key=SERVICE_KEY,
        )
    if parsed.hostname != CLOUD_HOST:
        return base if parsed.path.rstrip("/").rsplit("/", 1)[-1] == LOCAL_SUBDOMAIN else f"{base}/{LOCAL_SUBDOMAIN}"
    if observatory:
        sub = observatory.strip().lower()
        if not _SUBDOMAIN.match(sub):
            raise ConfigurationError(
                SERVICE_NAME,
                f"the observatory {observatory!r} is not a valid subdomain",
                "use the observatory's subdomain as Arcsecond shows it (letters, digits and dashes)",
                service_key=SERVICE_KEY,
            )
        base = f"{base}/{sub}"
    return base
