"""What Arcsecond answers, as records (a site, telescope, night log, data package, dataset,
data file, an upload's report) and the parsers that read its JSON into them."""

from __future__ import annotations

import datetime as _dt
import urllib.parse
import uuid as _uuid
from dataclasses import dataclass, field
from typing import Any, Mapping

from planner.numbers import finite_or_none
from planner.services.arcsecond.service import _bad, _invalid
from planner.services.origin import Fetched


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ObservingSite(Fetched):
    uuid: str
    name: str = ""
    longitude: float | None = None
    latitude: float | None = None
    height: float | None = None
    country: str = ""
    telescopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Telescope(Fetched):
    uuid: str
    name: str = ""
    observing_site: str | None = None
    mounting: str = ""
    optical_design: str = ""


@dataclass(frozen=True)
class NightLog(Fetched):
    uuid: str
    date: str | None = None
    observing_site: str | None = None
    telescope: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class DataPackage(Fetched):
    uuid: str
    name: str = ""
    status: str = ""
    dataset: str | None = None


@dataclass(frozen=True)
class Dataset(Fetched):
    uuid: str
    name: str = ""
    telescope: str | None = None
    observation: str | None = None
    calibration: str | None = None
    creation_date: str | None = None


@dataclass(frozen=True)
class DataFile(Fetched):
    id: int | None
    name: str
    size: int | None = None
    dataset: str | None = None
    status: str = ""


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
    return finite_or_none(value)


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
