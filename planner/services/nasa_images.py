"""NASA Image and Video Library (images-api.nasa.gov) client: search, asset manifests,
metadata and captions locations, and albums.

Answers are Collection+JSON; ``parse_collection`` turns them into ``NasaResults`` (items,
``total_hits``, next/previous page) and ``parse_manifest`` into a ``NasaAsset`` that picks
the thumb/small/medium/large/orig file a caller needs. The API takes no key. A search with
no parameter at all is refused before anything is sent (the API requires at least one).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import declare
from planner.services.errors import BadResponseError, InvalidRequestError
from planner.services.origin import Fetched, with_origin

SERVICE = declare(
    key="nasa",
    name="NASA Images",
    default_url="https://images-api.nasa.gov",
    expire_after=24 * 3600,
    freshness="1 day",
    connection_test="a search for 'Andromeda'",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
DEFAULT_BASE_URL = SERVICE.default_url
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Text parameters of GET /search, in the API page's order (page/page_size/years are checked apart).
TEXT_PARAMETERS = (
    "q",
    "center",
    "description",
    "description_508",
    "keywords",
    "location",
    "media_type",
    "nasa_id",
    "photographer",
    "secondary_creator",
    "title",
)
MEDIA_TYPES = ("image", "video", "audio")
SIZES = ("thumb", "small", "medium", "large", "orig")
_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".webp")
_SIZE_TAG = re.compile(r"~(thumb|small|medium|large|orig)\.[A-Za-z0-9]+$", re.IGNORECASE)
_YEAR = re.compile(r"^\d{4}$")
_PAGE_IN_URL = re.compile(r"[?&]page=(\d{1,6})(?:&|$)")


def _bad(what: str) -> BadResponseError:
    return BadResponseError(SERVICE_NAME, what, service_key=SERVICE_KEY)


def _invalid(what: str, action: str) -> InvalidRequestError:
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class NasaItem:
    nasa_id: str
    title: str = ""
    description: str = ""
    media_type: str = ""
    center: str = ""
    date_created: str | None = None
    keywords: tuple[str, ...] = ()
    photographer: str = ""
    secondary_creator: str = ""
    location: str = ""
    album: tuple[str, ...] = ()
    href: str | None = None  # the item's collection.json (its asset manifest)
    preview_url: str | None = None  # the "preview" link: a small image


@dataclass(frozen=True)
class NasaResults(Fetched):
    """One page of a search or an album; ``next_page``/``previous_page`` are page numbers."""

    items: tuple[NasaItem, ...]
    total_hits: int | None
    href: str | None = None
    next_url: str | None = None
    previous_url: str | None = None
    next_page: int | None = None
    previous_page: int | None = None


@dataclass(frozen=True)
class NasaAsset(Fetched):
    """An asset manifest: every file of one NASA id, and the right one for a need."""

    nasa_id: str
    urls: tuple[str, ...]

    def by_size(self) -> dict[str, str]:
        sizes: dict[str, str] = {}
        for url in self.urls:
            match = _SIZE_TAG.search(url)
            if match and url.lower().endswith(_IMAGE_EXTENSIONS):
                sizes.setdefault(match.group(1).lower(), url)
        return sizes

    def pick(self, need: str = "medium") -> str | None:
        """The best image for ``need`` (thumb, small, medium, large, orig), else the nearest size."""
        if need not in SIZES:
            raise ValueError(f"need must be one of {', '.join(SIZES)}, not {need!r}")
        sizes = self.by_size()
        wanted = SIZES.index(need)
        # Prefer the size asked for, then larger ones (scaled down look fine), then smaller.
        order = list(SIZES[wanted:]) + list(reversed(SIZES[:wanted]))
        for size in order:
            if size in sizes:
                return sizes[size]
        images = [u for u in self.urls if u.lower().endswith(_IMAGE_EXTENSIONS)]
        return images[0] if images else None

    @property
    def metadata_url(self) -> str | None:
        return next((u for u in self.urls if u.rsplit("/", 1)[-1] == "metadata.json"), None)

    @property
    def caption_urls(self) -> tuple[str, ...]:
        return tuple(u for u in self.urls if u.lower().endswith((".srt", ".vtt")))


@dataclass(frozen=True)
class NasaMetadata(Fetched):
    """An asset's ``metadata.json``: a flat record of (often EXIF/XMP-style) fields."""

    nasa_id: str
    location: str
    title: str = ""
    description: str = ""
    date_created: str | None = None
    fields: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class NasaLocation(Fetched):
    """Where an asset's metadata or captions file is (the answer of /metadata or /captions)."""

    nasa_id: str
    location: str


# --------------------------------------------------------------------------- payloads


def build_search_params(
    q: str | None = None,
    *,
    page: int | None = None,
    page_size: int | None = None,
    year_start: int | str | None = None,
    year_end: int | str | None = None,
    **terms: Any,
) -> dict[str, str]:
    """The query string of ``GET /search``; raises ``InvalidRequestError`` for an empty or bad query."""
    unknown = sorted(set(terms) - set(TEXT_PARAMETERS))
    if unknown:
        raise _invalid(
            f"{', '.join(unknown)} {'is not a search parameter' if len(unknown) == 1 else 'are not search parameters'}",
            f"use {', '.join(TEXT_PARAMETERS + ('page', 'page_size', 'year_start', 'year_end'))}",
        )
    params: dict[str, str] = {}
    terms["q"] = q
    for name in TEXT_PARAMETERS:
        value = terms.get(name)
        if value is None:
            continue
        if isinstance(value, (list, tuple, set)):  # keywords and media_type take comma-separated lists
            value = ",".join(str(v).strip() for v in value if str(v).strip())
        text = str(value).strip()
        if text:
            params[name] = str(value) if name == "nasa_id" else text  # an id goes verbatim
    if "media_type" in params:
        types = [t.strip().lower() for t in params["media_type"].split(",") if t.strip()]
        wrong = [t for t in types if t not in MEDIA_TYPES]
        if wrong:
            raise _invalid(f"media type {', '.join(wrong)} is unknown", f"use {', '.join(MEDIA_TYPES)} (comma-separated)")
        params["media_type"] = ",".join(types)
    years = {}
    for name, value in (("year_start", year_start), ("year_end", year_end)):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = str(value).strip()
        if isinstance(value, bool) or not _YEAR.match(text):
            raise _invalid(f"{name} {value!r} is not a year", "give years as YYYY, e.g. 1969")
        years[name] = int(text)
        params[name] = text
    if len(years) == 2 and years["year_start"] > years["year_end"]:
        raise _invalid(f"year_start {years['year_start']} is after year_end {years['year_end']}", "swap the two years")
    if not params:
        raise _invalid(
            "a search needs at least one parameter",
            "give search words (q) or another filter such as title, keywords, nasa_id or a year",
        )
    if page is not None:
        params["page"] = str(_page_number(page, "page", 10_000))
    if page_size is not None:
        params["page_size"] = str(_page_number(page_size, "page_size", 100))
    return params


def _page_number(value: Any, name: str, largest: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= largest:
        raise _invalid(f"{name} {value!r} is out of range", f"give a {name} from 1 to {largest}")
    return value


def _path_part(value: Any, what: str) -> str:
    """A NASA id or album name as one URL path segment. Taken verbatim: some real ids end in
    a space, and the library knows them only with it, so nothing is stripped, only quoted."""
    text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not text.strip() or text.strip() in (".", "..") or any(c in text for c in "/\\?#\r\n") or len(text) > 200:
        raise _invalid(f"{value!r} is not a valid {what}", f"give the {what} exactly as the library shows it")
    return urllib.parse.quote(text, safe="")


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


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):  # some items carry keywords as one comma-separated string
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip())


def _href(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value.strip()
    return None


def _collection(data: Any) -> Mapping[str, Any]:
    top = _obj(data, "top level")
    if "collection" not in top:
        reason = top.get("reason")
        if isinstance(reason, str) and reason.strip():
            raise _bad(f"the answer is an error: {reason.strip()[:200]}")
        raise _bad("the answer holds no collection")
    return _obj(top["collection"], "collection")


def parse_item(item: Any) -> NasaItem:
    item = _obj(item, "item")
    data_list = item.get("data", [])
    if not isinstance(data_list, list):
        raise _bad("an item's data is not a list")
    data = _obj(data_list[0], "item data") if data_list else {}
    nasa_id = _text(data, "nasa_id")  # verbatim: a trailing space is part of some real ids
    if not nasa_id.strip():
        raise _bad("an item has no nasa_id")
    links = item.get("links", [])
    preview = None
    if isinstance(links, list):
        for link in links:
            if isinstance(link, Mapping) and link.get("rel") == "preview" and _href(link.get("href")):
                if link.get("render", "image") == "image":
                    preview = _href(link.get("href"))
                    break
    return NasaItem(
        nasa_id=nasa_id,
        title=_text(data, "title"),
        description=_text(data, "description"),
        media_type=_text(data, "media_type"),
        center=_text(data, "center"),
        date_created=_text(data, "date_created") or None,
        keywords=_strings(data.get("keywords")),
        photographer=_text(data, "photographer"),
        secondary_creator=_text(data, "secondary_creator"),
        location=_text(data, "location"),
        album=_strings(data.get("album")),
        href=_href(item.get("href")),
        preview_url=preview,
    )


def _page_of(url: str | None) -> int | None:
    if not url:
        return None
    match = _PAGE_IN_URL.search(url)
    return int(match.group(1)) if match else None


def parse_collection(data: Any) -> NasaResults:
    """A search or album answer (Collection+JSON) as ``NasaResults``."""
    collection = _collection(data)
    items = collection.get("items", [])
    if not isinstance(items, list):
        raise _bad("the collection's items are not a list")
    links = collection.get("links", [])
    if links is None:
        links = []
    if not isinstance(links, list):
        raise _bad("the collection's links are not a list")
    next_url = previous_url = None
    for link in links:
        if not isinstance(link, Mapping):
            continue
        rel = str(link.get("rel", "")).lower()
        prompt = str(link.get("prompt", "")).lower()
        href = _href(link.get("href"))
        if href and (rel == "next" or prompt == "next") and next_url is None:
            next_url = href
        elif href and (rel in ("prev", "previous") or prompt in ("prev", "previous")) and previous_url is None:
            previous_url = href
    metadata = collection.get("metadata") or {}
    total = metadata.get("total_hits") if isinstance(metadata, Mapping) else None
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        total = None
    return NasaResults(
        items=tuple(parse_item(i) for i in items),
        total_hits=total,
        href=_href(collection.get("href")),
        next_url=next_url,
        previous_url=previous_url,
        next_page=_page_of(next_url),
        previous_page=_page_of(previous_url),
    )


def parse_manifest(data: Any, nasa_id: str) -> NasaAsset:
    collection = _collection(data)
    items = collection.get("items")
    if not isinstance(items, list):
        raise _bad("the asset manifest has no list of items")
    urls = []
    for item in items:
        href = _href(_obj(item, "manifest item").get("href"))
        if href:
            # The library's own manifests sometimes carry Unicode hyphens (U+2010) in names.
            urls.append(href.replace("\u2010", "-").replace(" ", "%20"))
    return NasaAsset(nasa_id=nasa_id, urls=tuple(urls))


def parse_location(data: Any) -> str:
    """The ``{"location": URL}`` answer of /metadata and /captions."""
    location = _href(_obj(data, "top level").get("location"))
    if not location:
        raise _bad("the answer has no location")
    return location


def parse_metadata(data: Any, nasa_id: str, location: str) -> NasaMetadata:
    data = _obj(data, "metadata")

    def first(*keys: str) -> str:
        for key in keys:
            value = data.get(key)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value).strip():
                return str(value).strip()
        return ""

    fields = {str(k): v for k, v in data.items() if isinstance(v, (str, int, float, bool, list)) or v is None}
    return NasaMetadata(
        nasa_id=nasa_id,
        location=location,
        title=first("AVAIL:Title", "XMP:Title", "title"),
        description=first("AVAIL:Description", "XMP:Description", "description"),
        date_created=first("AVAIL:DateCreated", "XMP:DateCreated", "date_created") or None,
        fields=MappingProxyType(fields),
    )


# --------------------------------------------------------------------------- client


def make_policy():
    return SERVICE.policy()


class NasaImagesClient(ServiceClient):
    """images-api.nasa.gov; every call fetches one page or one document. No key."""

    SERVICE = SERVICE

    def __init__(self, base_url: str | None = None, session=None):
        self.base_url = (base_url or SERVICE.default_url).rstrip("/")
        self.session = self._make_session(self.base_url, session)

    def check_connection(self) -> str:
        found = self.search("Andromeda")
        hits = found.total_hits if found.total_hits is not None else len(found.items)
        return f"OK: NASA Images has {hits} results for 'Andromeda'{origin_words(found)}"

    def search(self, q: str | None = None, **parameters: Any) -> NasaResults:
        """One page of ``/search``; parameters are those of ``build_search_params``."""
        params = build_search_params(q, **parameters)
        reply = self.session.get("search", params=params, expect="json")
        return with_origin(parse_collection(reply.data), reply)

    def asset(self, nasa_id: str) -> NasaAsset:
        reply = self.session.get(f"asset/{_path_part(nasa_id, 'NASA id')}", expect="json")
        return with_origin(parse_manifest(reply.data, str(nasa_id)), reply)

    def _location(self, kind: str, nasa_id: str) -> NasaLocation:
        reply = self.session.get(f"{kind}/{_path_part(nasa_id, 'NASA id')}", expect="json")
        return with_origin(NasaLocation(str(nasa_id), parse_location(reply.data)), reply)

    def metadata_location(self, nasa_id: str) -> str:
        return self._location("metadata", nasa_id).location

    def metadata(self, nasa_id: str) -> NasaMetadata:
        """The asset's metadata.json, fetched from the location /metadata gives."""
        where = self._location("metadata", nasa_id)
        reply = self.session.get(where.location, expect="json")
        return with_origin(parse_metadata(reply.data, str(nasa_id), where.location), where, reply)

    def captions(self, nasa_id: str) -> NasaLocation:
        """Where a video's captions file is, marked with where the answer came from."""
        return self._location("captions", nasa_id)

    def captions_location(self, nasa_id: str) -> str:
        return self.captions(nasa_id).location

    def album(self, album_name: str, page: int | None = None) -> NasaResults:
        params = {"page": str(_page_number(page, "page", 10_000))} if page is not None else None
        reply = self.session.get(f"album/{_path_part(album_name, 'album name')}", params=params, expect="json")
        return with_origin(parse_collection(reply.data), reply)

    def download(self, url: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        """The bytes of an asset file (a preview or a picked size)."""
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _invalid(f"{url!r} is not a file address", "use a URL from an asset manifest or a preview link")
        # The HTTP layer enforces max_bytes on live and cached answers alike.
        return self.session.get(url, expect="bytes", max_bytes=max_bytes).data


__all__ = [
    "NasaAsset",
    "NasaImagesClient",
    "NasaItem",
    "NasaLocation",
    "NasaMetadata",
    "NasaResults",
    "build_search_params",
    "parse_collection",
    "parse_item",
    "parse_location",
    "parse_manifest",
    "parse_metadata",
]
