"""Arcsecond REST client: observing sites, telescopes, night logs, data packages, datasets
and data-file uploads (FITS/XISF, compressed or not), on the cloud or an Arcsecond.local server.

Every request carries ``X-Arcsecond-API-Authorization: Key <key>`` (declared secret to the
HTTP layer). Either key serves any call, as in Arcsecond's own client: the upload key goes
first for uploads, the API key first for the rest, so an upload key alone can upload. ``upload_files`` is resumable: it lists the dataset's files first and
skips any file already there with the same name and size, so re-running it after a failure
sends only what is missing.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import re
import urllib.parse
import uuid as _uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import Secret, declare
from planner.services.errors import (
    BadResponseError,
    ConfigurationError,
    InvalidRequestError,
    ServiceError,
)
from planner.services.origin import FetchedList, Origin, with_origin

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


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ObservingSite:
    uuid: str
    name: str = ""
    longitude: float | None = None
    latitude: float | None = None
    height: float | None = None
    country: str = ""
    telescopes: tuple[str, ...] = ()
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Telescope:
    uuid: str
    name: str = ""
    observing_site: str | None = None
    mounting: str = ""
    optical_design: str = ""
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class NightLog:
    uuid: str
    date: str | None = None
    observing_site: str | None = None
    telescope: str | None = None
    notes: str = ""
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DataPackage:
    uuid: str
    name: str = ""
    status: str = ""
    dataset: str | None = None
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Dataset:
    uuid: str
    name: str = ""
    telescope: str | None = None
    observation: str | None = None
    calibration: str | None = None
    creation_date: str | None = None
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class DataFile:
    id: int | None
    name: str
    size: int | None = None
    dataset: str | None = None
    status: str = ""
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass
class UploadReport:
    """What ``upload_files`` did; ``remaining`` were not tried because an upload failed."""

    dataset: str
    uploaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.remaining

    def to_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "uploaded": self.uploaded,
            "skipped": self.skipped,
            "failed": [{"file": f, "error": e} for f, e in self.failed],
            "remaining": self.remaining,
            "ok": self.ok,
        }


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


# --------------------------------------------------------------------------- parsing


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(f"the answer's {what} is not a JSON object")
    return value


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return str(value)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _ref(value: Any) -> str | None:
    """A reference to another resource: a UUID, an object with one, or a URL ending in one."""
    if isinstance(value, Mapping):
        value = value.get("uuid")
    if isinstance(value, str) and value.strip():
        candidate = value.strip().rstrip("/").rsplit("/", 1)[-1]
        try:
            return str(_uuid.UUID(candidate))
        except ValueError:
            return None
    return None


def _own_uuid(data: Mapping[str, Any], what: str) -> str:
    value = data.get("uuid")
    if isinstance(value, str):
        try:
            return str(_uuid.UUID(value))
        except ValueError:
            pass
    raise _bad(f"a {what} in the answer has no valid UUID")


def _results(data: Any) -> tuple[list, str | None]:
    """A list answer: a plain JSON list, or a paginated ``{"results": [...], "next": ...}``."""
    if isinstance(data, list):
        return data, None
    data = _obj(data, "top level")
    results = data.get("results")
    if not isinstance(results, list):
        raise _bad("the answer holds no list of results")
    next_url = data.get("next")
    return results, next_url if isinstance(next_url, str) and next_url.startswith(("http://", "https://")) else None


def parse_site(data: Any) -> ObservingSite:
    data = _obj(data, "observing site")
    coords = data.get("coordinates")
    coords = coords if isinstance(coords, Mapping) else data
    telescopes = data.get("telescopes")
    refs = tuple(r for r in (_ref(t) for t in telescopes) if r) if isinstance(telescopes, list) else ()
    latitude = _number(coords.get("latitude"))
    longitude = _number(coords.get("longitude"))
    return ObservingSite(
        uuid=_own_uuid(data, "observing site"),
        name=_text(data, "name"),
        longitude=longitude if longitude is not None and -360 <= longitude <= 360 else None,
        latitude=latitude if latitude is not None and -90 <= latitude <= 90 else None,
        height=_number(coords.get("height", coords.get("elevation"))),
        country=_text(data, "country"),
        telescopes=refs,
    )


def parse_telescope(data: Any) -> Telescope:
    data = _obj(data, "telescope")
    return Telescope(
        uuid=_own_uuid(data, "telescope"),
        name=_text(data, "name"),
        observing_site=_ref(data.get("observing_site")),
        mounting=_text(data, "mounting"),
        optical_design=_text(data, "optical_design"),
    )


def _iso_date(value: Any) -> str:
    """A night log's date as ``YYYY-MM-DD`` (a ``date`` or such a string), refused otherwise."""
    text = value.isoformat() if isinstance(value, _dt.date) else value
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except (TypeError, ValueError):
        raise _invalid(f"{value!r} is not a date", "give the night's date as YYYY-MM-DD") from None


def parse_nightlog(data: Any) -> NightLog:
    data = _obj(data, "night log")
    return NightLog(
        uuid=_own_uuid(data, "night log"),
        date=_text(data, "date") or None,
        observing_site=_ref(data.get("observing_site")),
        telescope=_ref(data.get("telescope")),
        notes=_text(data, "notes"),
    )


def parse_datapackage(data: Any) -> DataPackage:
    data = _obj(data, "data package")
    return DataPackage(
        uuid=_own_uuid(data, "data package"),
        name=_text(data, "name"),
        status=_text(data, "status"),
        dataset=_ref(data.get("dataset")),
    )


def parse_dataset(data: Any) -> Dataset:
    data = _obj(data, "dataset")
    return Dataset(
        uuid=_own_uuid(data, "dataset"),
        name=_text(data, "name"),
        telescope=_ref(data.get("telescope")),
        observation=_ref(data.get("observation")),
        calibration=_ref(data.get("calibration")),
        creation_date=_text(data, "creation_date") or None,
    )


def parse_datafile(data: Any) -> DataFile:
    data = _obj(data, "data file")
    name = _text(data, "file_name") or _text(data, "filename") or _text(data, "name")
    if not name:
        file_url = _text(data, "file")
        name = urllib.parse.unquote(urllib.parse.urlsplit(file_url).path.rsplit("/", 1)[-1]) if file_url else ""
    if not name:
        raise _bad("a data file in the answer has no name")
    ident = data.get("pk", data.get("id"))
    size = _number(data.get("size", data.get("file_size")))
    return DataFile(
        id=int(ident) if isinstance(ident, int) and not isinstance(ident, bool) else None,
        name=name,
        size=int(size) if size is not None and 0 <= size < 2**62 else None,
        dataset=_ref(data.get("dataset")),
        status=_text(data, "status"),
    )


# --------------------------------------------------------------------------- upload body


class MultipartFileBody:
    """A ``multipart/form-data`` body that streams one file from disk and reports progress.

    The HTTP layer sends it in blocks (``read(n)``); each block of the file's bytes calls
    ``progress(sent, total)``. An unsized ``read()`` (used to hash request bodies) reads
    everything without reporting, and ``seek(0)`` starts over.
    """

    def __init__(self, path: Path, fields: Mapping[str, str], progress: ProgressCallback | None = None):
        self.boundary = f"planner-{_uuid.uuid4().hex}"
        self.path = path
        self.file_size = path.stat().st_size
        self.progress = progress
        head = []
        for name, value in fields.items():
            head.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            )
        filename = path.name.replace('"', "_").replace("\r", "_").replace("\n", "_")
        head.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        self._head = "".join(head).encode("utf-8")
        self._tail = f"\r\n--{self.boundary}--\r\n".encode("ascii")
        self._length = len(self._head) + self.file_size + len(self._tail)
        self._pos = 0
        self._handle = open(path, "rb")  # noqa: SIM115 - closed by close()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return self._length

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def read(self, size: int | None = -1) -> bytes:
        sized = size is not None and size >= 0
        want = (self._length - self._pos) if not sized else min(size, self._length - self._pos)
        out = bytearray()
        while want > 0:
            head_end = len(self._head)
            file_end = head_end + self.file_size
            if self._pos < head_end:
                chunk = self._head[self._pos : self._pos + want]
            elif self._pos < file_end:
                self._handle.seek(self._pos - head_end)
                chunk = self._handle.read(min(want, file_end - self._pos))
                if not chunk:
                    raise OSError(f"{self.path} became shorter while it was being uploaded")
            else:
                offset = self._pos - file_end
                chunk = self._tail[offset : offset + want]
            out += chunk
            self._pos += len(chunk)
            want -= len(chunk)
        if sized and self.progress is not None and out:
            sent = min(max(self._pos - len(self._head), 0), self.file_size)
            self.progress(sent, self.file_size)
        return bytes(out)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._handle.close()


# --------------------------------------------------------------------------- client


def make_policy():
    return SERVICE.policy()


class ArcsecondClient(ServiceClient):
    """One Arcsecond server (cloud observatory or Arcsecond.local) and the user's keys."""

    SERVICE = SERVICE

    def __init__(
        self,
        api_key: str | None = None,
        upload_key: str | None = None,
        base_url: str | None = None,
        session=None,
        *,
        observatory: str | None = None,
    ):
        self._api_key = self._keep_secret(api_key)
        self._upload_key = self._keep_secret(upload_key)
        self.base_url = service_base_url(base_url or SERVICE.default_url, observatory)
        self.session = self._make_session(self.base_url, session)

    @classmethod
    def settings_options(cls, settings) -> dict[str, Any]:
        return {"observatory": getattr(settings, "arcsecond_observatory", "") or None}

    def check_connection(self) -> str:
        sites = self.sites()
        return f"OK: Arcsecond lists {len(sites)} observing site{'s' if len(sites) != 1 else ''} for your key{origin_words(sites)}"

    # -- plumbing

    def _headers(self, *, upload: bool = False) -> dict[str, str]:
        """The auth header. As Arcsecond's own client does, either key serves any call; the
        upload key goes first for uploads (and the listing that resumes them), the API key
        first for everything else."""
        first, second = (self._upload_key, self._api_key) if upload else (self._api_key, self._upload_key)
        key = first or second
        if not key:
            raise self._no_key("no API key or upload key is set")
        return {AUTH_HEADER: f"Key {key}"}

    def _get(self, path: str, *, params=None, cache: bool = True, upload: bool = False):
        return self.session.get(self._url(path), params=params, headers=self._headers(upload=upload), cache=cache, expect="json")

    def _url(self, path: str) -> str:
        """Every path under this client's base (cloud subdomain or ``/local``), whatever base
        an injected session was made with."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def _one(self, path: str, parse):
        """One record, marked with where its answer came from."""
        reply = self._get(path)
        return with_origin(parse(reply.data), reply)

    def _list(
        self, path: str, parse, *, params=None, cache: bool = True, all_pages: bool = False, upload: bool = False
    ) -> list:
        reply = self._get(path, params=params, cache=cache, upload=upload)
        replies = [reply]
        results, next_url = _results(reply.data)
        items = [parse(item) for item in results]
        pages = 1
        while all_pages and next_url and pages < MAX_LIST_PAGES:
            reply = self.session.get(
                self._same_server(next_url), headers=self._headers(upload=upload), cache=cache, expect="json"
            )
            replies.append(reply)
            results, next_url = _results(reply.data)
            items.extend(parse(item) for item in results)
            pages += 1
        return FetchedList(items, Origin.combine(replies))

    def _same_server(self, url: str) -> str:
        """A "next" link moved onto the configured server: the key is only ever sent there
        (servers behind proxies also tend to name themselves wrongly in these links)."""
        base = urllib.parse.urlsplit(self.base_url)
        link = urllib.parse.urlsplit(url)
        return urllib.parse.urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    # -- resources

    def sites(self) -> FetchedList:
        return self._list("observingsites/", parse_site)

    def site(self, site_uuid: str) -> ObservingSite:
        return self._one(f"observingsites/{validate_uuid(site_uuid, 'observing-site id')}/", parse_site)

    def telescopes(self) -> FetchedList:
        return self._list("telescopes/", parse_telescope)

    def telescope(self, telescope_uuid: str) -> Telescope:
        return self._one(f"telescopes/{validate_uuid(telescope_uuid, 'telescope id')}/", parse_telescope)

    def nightlogs(self, *, date: str | None = None, fresh: bool = False) -> FetchedList:
        """Night logs, optionally of one date (``YYYY-MM-DD``); ``fresh`` skips the cache, as a
        writer must: a list cached minutes ago does not hold the log created since."""
        params = {"date": _iso_date(date)} if date is not None else None
        return self._list("nightlogs/", parse_nightlog, params=params, cache=not fresh)

    def create_nightlog(
        self, date: str, *, observing_site: str | None = None, telescope: str | None = None
    ) -> NightLog:
        payload: dict[str, Any] = {"date": _iso_date(date)}
        if observing_site is not None:
            payload["observing_site"] = validate_uuid(observing_site, "observing-site id")
        if telescope is not None:
            payload["telescope"] = validate_uuid(telescope, "telescope id")
        reply = self.session.post(self._url("nightlogs/"), json=payload, headers=self._headers(), expect="json")
        return parse_nightlog(reply.data)

    def update_nightlog(self, nightlog_uuid: str, **fields: Any) -> NightLog:
        """PATCH a night log, e.g. ``notes=...``."""
        return parse_nightlog(self._patch("nightlogs", validate_uuid(nightlog_uuid, "night-log id"), fields))

    def nightlog(self, nightlog_uuid: str) -> NightLog:
        return self._one(f"nightlogs/{validate_uuid(nightlog_uuid, 'night-log id')}/", parse_nightlog)

    def datapackages(self) -> FetchedList:
        return self._list("datapackages/", parse_datapackage)

    def datapackage(self, package_uuid: str) -> DataPackage:
        return self._one(f"datapackages/{validate_uuid(package_uuid, 'data-package id')}/", parse_datapackage)

    def update_datapackage(self, package_uuid: str, **fields: Any) -> DataPackage:
        """PATCH a data package (the API's one documented partial update), e.g. ``name=...``."""
        return parse_datapackage(self._patch("datapackages", validate_uuid(package_uuid, "data-package id"), fields))

    def _patch(self, collection: str, uuid: str, fields: dict[str, Any]) -> Any:
        bad = [k for k, v in fields.items() if not isinstance(v, (str, int, float, bool)) and v is not None]
        if not fields or bad:
            raise _invalid(
                "nothing to update" if not fields else f"{', '.join(bad)} must be plain values",
                "give the fields to change as text, numbers or booleans",
            )
        reply = self.session.request(
            "PATCH", self._url(f"{collection}/{uuid}/"), json=dict(fields), headers=self._headers(), cache=False, expect="json"
        )
        return reply.data

    def datasets(self) -> FetchedList:
        return self._list("datasets/", parse_dataset)

    def dataset(self, dataset_uuid: str) -> Dataset:
        return self._one(f"datasets/{validate_uuid(dataset_uuid, 'dataset id')}/", parse_dataset)

    def create_dataset(self, name: str, *, telescope: str | None = None) -> Dataset:
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise _invalid("a dataset needs a name of 1 to 200 characters", "give the dataset a short name")
        payload: dict[str, Any] = {"name": name}
        if telescope is not None:
            payload["telescope"] = validate_uuid(telescope, "telescope id")
        reply = self.session.post(self._url("datasets/"), json=payload, headers=self._headers(), expect="json")
        return parse_dataset(reply.data)

    def datafiles(self, dataset_uuid: str, *, fresh: bool = False, upload: bool = False) -> FetchedList:
        """Every file in a dataset (all pages: this is the user's own data, not a search);
        ``upload`` asks with the upload key first, as the upload it prepares will."""
        dataset_uuid = validate_uuid(dataset_uuid, "dataset id")
        return self._list(
            "datafiles/", parse_datafile, params={"dataset": dataset_uuid}, cache=not fresh, all_pages=True, upload=upload
        )

    def datafile(self, pk: int | str) -> DataFile:
        return self._one(f"datafiles/{_pk(pk)}/", parse_datafile)

    # -- uploads

    def upload_file(
        self, dataset_uuid: str, path: str | os.PathLike, progress: ProgressCallback | None = None
    ) -> DataFile | None:
        """Send one FITS/XISF file to a dataset; ``progress(sent, total)`` follows the bytes."""
        dataset_uuid = validate_uuid(dataset_uuid, "dataset id")
        (path,) = check_upload_files([path])
        headers = self._headers(upload=True)
        body = MultipartFileBody(path, {"dataset": dataset_uuid}, progress)
        try:
            headers["Content-Type"] = body.content_type
            reply = self.session.post(
                self._url("datafiles/"), data=body, headers=headers, expect="json", timeout=UPLOAD_TIMEOUT
            )
        finally:
            body.close()
        if progress is not None:
            progress(body.file_size, body.file_size)
        try:
            return parse_datafile(reply.data)
        except BadResponseError:
            return None  # the file is there; a terse answer is not a failed upload

    def upload_files(
        self,
        dataset_uuid: str,
        paths: Iterable[str | os.PathLike],
        progress: Callable[[str, int, int], None] | None = None,
    ) -> UploadReport:
        """Upload the files the dataset does not hold yet (same name and size), stopping at the
        first failure; running it again later sends only the rest."""
        dataset_uuid = validate_uuid(dataset_uuid, "dataset id")
        files = check_upload_files(paths)
        present = {(f.name, f.size) for f in self.datafiles(dataset_uuid, fresh=True, upload=True)}
        present_names = {name for name, size in present if size is None}
        report = UploadReport(dataset=dataset_uuid)
        for index, path in enumerate(files):
            size = path.stat().st_size
            if (path.name, size) in present or path.name in present_names:
                report.skipped.append(str(path))
                continue
            callback = (lambda sent, total, _name=path.name: progress(_name, sent, total)) if progress else None
            try:
                self.upload_file(dataset_uuid, path, callback)
            except ServiceError as exc:
                report.failed.append((str(path), str(exc)))
                report.remaining.extend(str(p) for p in files[index + 1 :])
                break
            except OSError as exc:
                report.failed.append((str(path), f"cannot read the file ({exc.strerror or exc})"))
                report.remaining.extend(str(p) for p in files[index + 1 :])
                break
            report.uploaded.append(str(path))
        return report


__all__ = [
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
