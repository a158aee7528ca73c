"""AstroBin API v1 client: image search, image by id, image of the day and image URLs.

Payload building (``build_search_params``) and parsing (``parse_image``, ``parse_image_page``,
``parse_iotd_page``) are pure functions; ``AstrobinClient`` joins them to the shared HTTP
session. AstroBin forbids scraping, so the client is throttled (about one request per
second) and fetches exactly one page per call. ``api_key``/``api_secret`` travel as query
parameters (as the API page requires) and are declared secret so they never reach a cache
key, a log line or an error message.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import Secret, declare, with_policy
from planner.services.errors import BadResponseError, InvalidRequestError, NotFoundError
from planner.services.http import ServiceSession
from planner.services.origin import with_origin

MIN_INTERVAL_S = 1.0
SERVICE = declare(
    key="astrobin",
    name="AstroBin",
    default_url="https://www.astrobin.com/api/v1",
    expire_after=24 * 3600,
    freshness="1 day",
    # AstroBin forbids scraping: about one request a second, one page per call.
    min_interval=MIN_INTERVAL_S,
    secret_params=("api_key", "api_secret"),
    secrets=(Secret("key", "API key", "PLANNER_ASTROBIN_KEY"), Secret("secret", "API secret", "PLANNER_ASTROBIN_SECRET")),
    where_to_get_a_key="request a free key and secret at astrobin.com/api/request-key/",
    connection_test="today's image of the day",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
DEFAULT_BASE_URL = SERVICE.default_url
# The API page: "append them to http://cdn.astrobin.com/images/"; the CDN serves https too.
CDN_BASE = "https://cdn.astrobin.com/images/"
CDN_MIN_INTERVAL_S = 0.2
MAX_LIMIT = 25  # the server's max_limit: it silently answers 25 when asked for more
DEFAULT_IMAGE_MAX_BYTES = 20 * 1024 * 1024

# What AstroBin's server (astrobin/api.py, ImageResource) filters and sorts on. Its API page
# also shows subject=, fieldw/fieldh and order_by=-rating_score, which the server ignores
# (unknown filters are dropped without an error, so the results would be unfiltered) or
# refuses; planner refuses them before sending and says why.
TEXT_FIELDS = ("title", "description", "subjects")
SUBJECT_ALIASES = ("subject",)  # the API page's spelling; sent beside "subjects", harmless
DATE_FIELDS = ("uploaded", "published")
NUMBER_FIELDS = ("w", "h")  # image size in pixels
ORDERABLE = ("uploaded", "published", "title")
UNSERVED_FIELDS = ("fieldw", "fieldh", "fieldunits")
PARTIAL_LOOKUPS = ("icontains", "contains", "startswith", "endswith", "istartswith", "iendswith")
COMPARISONS = ("lt", "lte", "gt", "gte")
_ORDER_BY = re.compile(r"^-?[a-z][a-z0-9_]*$")
_IMAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_IMAGE_URI_ID = re.compile(r"/image/([A-Za-z0-9_-]{1,64})/?(?:[?#].*)?$")


def _bad(what: str) -> BadResponseError:
    return BadResponseError(SERVICE_NAME, what, service_key=SERVICE_KEY)


def _invalid(what: str, action: str) -> InvalidRequestError:
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ImageUrls:
    """Where to fetch an image in each size; ``None`` when neither rule nor field gives one."""

    thumb: str | None
    regular: str | None
    full: str | None


@dataclass(frozen=True)
class AstrobinImage:
    id: str
    title: str = ""
    user: str = ""
    description: str = ""
    subjects: tuple[str, ...] = ()
    uploaded: str | None = None
    published: str | None = None
    is_solved: bool | None = None
    ra: float | None = None
    dec: float | None = None
    pixscale: float | None = None
    fieldw: float | None = None
    fieldh: float | None = None
    fieldunits: str | None = None
    width: int | None = None
    height: int | None = None
    filename: str | None = None
    original_ext: str | None = None
    url_thumb: str | None = None
    url_regular: str | None = None
    url_hd: str | None = None
    url_real: str | None = None
    url_gallery: str | None = None
    link: str | None = None
    resource_uri: str | None = None
    imaging_telescopes: tuple[str, ...] = ()
    imaging_cameras: tuple[str, ...] = ()
    likes: int | None = None
    views: int | None = None
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)

    @property
    def urls(self) -> ImageUrls:
        return image_urls(self)

    @property
    def page_url(self) -> str:
        """The image's page on astrobin.com (for "open in browser")."""
        return self.link or f"https://www.astrobin.com/{self.id}/"


@dataclass(frozen=True)
class ImagePage:
    """One page of search results; ``next_offset`` is ``None`` on the last page."""

    images: tuple[AstrobinImage, ...]
    total_count: int | None
    limit: int
    offset: int
    next_offset: int | None
    previous_offset: int | None
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ImageOfTheDay:
    date: str | None
    image_id: str
    image: AstrobinImage | None = None
    from_cache: bool = field(default=False, compare=False)
    offline: bool = field(default=False, compare=False)
    fetched_at: float | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SearchQuery:
    """A search as the server applies it; ``lookups`` adds other ``field__lookup`` filters."""

    subject: str | None = None
    user: str | None = None
    title: str | None = None  # title__icontains
    description: str | None = None  # description__icontains
    lookups: Mapping[str, Any] = field(default_factory=dict)
    uploaded_after: _dt.datetime | _dt.date | str | None = None  # uploaded__gte
    uploaded_before: _dt.datetime | _dt.date | str | None = None  # uploaded__lt
    is_solved: bool | None = None
    # On the API page, but the server ignores them: refused with the reason (see UNSERVED_FIELDS).
    min_field_width: float | None = None
    min_field_height: float | None = None
    field_units: str | None = None
    order_by: str | None = None
    limit: int = 20
    offset: int = 0


# --------------------------------------------------------------------------- payloads


def _format_date(value: Any, name: str) -> str:
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date):
        return f"{value.isoformat()} 00:00:00"
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
            try:
                return _dt.datetime.strptime(text, fmt).strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
    raise _invalid(f"{name} {value!r} is not a date", "give dates as YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'")


def _positive_number(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _invalid(f"{name} {value!r} is not a number", f"give {name} as a positive number") from None
    if not number > 0 or number != number or number == float("inf"):
        raise _invalid(f"{name} must be a positive number, not {value!r}", f"give {name} as a positive number")
    return number


def _unserved_field_size() -> InvalidRequestError:
    return _invalid(
        "AstroBin's server does not filter on field size (it ignores fieldw/fieldh and would "
        "return images of any size)",
        "leave the minimum field size out; the field of each image is shown with its details",
    )


def _lookup_param(key: str, value: Any) -> list[tuple[str, str]]:
    """Validate one ``field__lookup`` filter against what the server filters on."""
    name, _, lookup = key.partition("__")
    if name in SUBJECT_ALIASES + ("subjects",) and lookup in ("",) + PARTIAL_LOOKUPS:
        text = str(value).strip()
        if not text:
            raise _invalid(f"the {key} filter is empty", "give it some text or leave it out")
        # The server matches subjects by containment whatever the lookup says.
        return [("subjects", text), ("subject", text)]
    if name in TEXT_FIELDS and lookup in ("",) + PARTIAL_LOOKUPS:
        text = str(value).strip()
        if not text:
            raise _invalid(f"the {key} filter is empty", "give it some text or leave it out")
        return [(key, text)]
    if key == "user":
        return [(key, str(value).strip())]
    if name in DATE_FIELDS and lookup in COMPARISONS:
        return [(key, _format_date(value, key))]
    if name in NUMBER_FIELDS and lookup in ("",) + COMPARISONS:
        return [(key, _format_number(_positive_number(value, key)))]
    if name in UNSERVED_FIELDS:
        raise _unserved_field_size()
    allowed = ", ".join(
        [f"{f}[__{'|'.join(PARTIAL_LOOKUPS)}]" for f in TEXT_FIELDS]
        + ["user (exact user name)", f"uploaded|published__{'|'.join(COMPARISONS)}", f"w|h[__{'|'.join(COMPARISONS)}] (pixels)"]
    )
    raise _invalid(f"{key!r} is not a filter AstroBin's server applies", f"use one of {allowed}")


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def build_search_params(query: SearchQuery) -> dict[str, str]:
    """The query-string parameters for ``image/`` (without the key, secret and format)."""
    params: dict[str, str] = {}
    if query.subject is not None and str(query.subject).strip():
        params.update(_lookup_param("subjects", query.subject))
    for key, value in (
        ("user", query.user),
        ("title__icontains", query.title),
        ("description__icontains", query.description),
    ):
        if value is not None and str(value).strip():
            params[key] = str(value).strip()
    for key, value in dict(query.lookups or {}).items():
        if value is None:
            continue
        params.update(_lookup_param(str(key), value))
    if query.uploaded_after is not None:
        params["uploaded__gte"] = _format_date(query.uploaded_after, "uploaded_after")
    if query.uploaded_before is not None:
        params["uploaded__lt"] = _format_date(query.uploaded_before, "uploaded_before")
    if query.is_solved is not None:
        params["is_solved"] = "True" if query.is_solved else "False"
    if query.min_field_width is not None or query.min_field_height is not None or query.field_units is not None:
        raise _unserved_field_size()
    if query.order_by is not None:
        field_name = query.order_by[1:] if query.order_by.startswith("-") else query.order_by
        if not _ORDER_BY.match(query.order_by):
            raise _invalid(
                f"order_by {query.order_by!r} is not a field name",
                "give uploaded, published or title (a leading '-' sorts descending)",
            )
        if field_name not in ORDERABLE:
            raise _invalid(
                f"AstroBin's server does not sort by {field_name} (its API page's example, but the "
                "server refuses it)",
                "sort by uploaded, published or title, e.g. --order-by -uploaded (newest first)",
            )
        params["order_by"] = query.order_by
    params.update(_paging(query.limit, query.offset))
    return params


def _paging(limit: Any, offset: Any) -> dict[str, str]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise _invalid(f"limit {limit!r} is out of range", f"ask for 1 to {MAX_LIMIT} images per page")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise _invalid(f"offset {offset!r} is out of range", "give an offset of 0 or more")
    return {"limit": str(limit), "offset": str(offset)}


def validate_image_id(image_id: Any) -> str:
    text = str(image_id).strip() if image_id is not None else ""
    if not _IMAGE_ID.match(text):
        raise _invalid(f"{image_id!r} is not an AstroBin image id", "give the id from the image's address, e.g. 1234 or a3bc4d")
    return text


# --------------------------------------------------------------------------- parsing


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(f"the answer's {what} is not a JSON object")
    return value


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return str(value)
    return str(value)


def _number(data: Mapping[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _integer(data: Mapping[str, Any], key: str) -> int | None:
    number = _number(data, key)
    if number is None or abs(number) > 2**53:
        return None
    return int(number)


def _boolean(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _names(value: Any) -> tuple[str, ...]:
    """A list of names; entries may be strings, numbers or objects with a name."""
    if not isinstance(value, list):
        return ()
    names = []
    for entry in value:
        if isinstance(entry, Mapping):
            entry = entry.get("name") or entry.get("title")
        if isinstance(entry, (str, int, float)) and not isinstance(entry, bool) and str(entry).strip():
            names.append(str(entry).strip())
    return tuple(names)


def _url(data: Mapping[str, Any], key: str) -> str | None:
    text = _text(data, key)
    if text and text.startswith(("http://", "https://", "/")):
        return text
    return None


def parse_image(data: Any) -> AstrobinImage:
    """One image object of the API (``image/<id>/`` or an entry of ``objects``)."""
    data = _obj(data, "image")
    image_id = _text(data, "id") or _text(data, "hash")
    if not image_id:
        uri = _text(data, "resource_uri") or ""
        match = _IMAGE_URI_ID.search(uri)
        image_id = match.group(1) if match else None
    if not image_id or not _IMAGE_ID.match(image_id):
        raise _bad("an image in the answer has no usable id")
    ra = _number(data, "ra")
    dec = _number(data, "dec")
    return AstrobinImage(
        id=image_id,
        title=_text(data, "title") or "",
        user=_text(data, "user") or "",
        description=_text(data, "description") or "",
        subjects=_names(data.get("subjects")),
        uploaded=_text(data, "uploaded"),
        published=_text(data, "published"),
        is_solved=_boolean(data, "is_solved"),
        ra=ra if ra is not None and 0 <= ra <= 360 else None,
        dec=dec if dec is not None and -90 <= dec <= 90 else None,
        pixscale=_number(data, "pixscale"),
        fieldw=_number(data, "fieldw"),
        fieldh=_number(data, "fieldh"),
        fieldunits=_text(data, "fieldunits"),
        width=_integer(data, "w"),
        height=_integer(data, "h"),
        filename=_text(data, "filename"),
        original_ext=_text(data, "original_ext"),
        url_thumb=_url(data, "url_thumb"),
        url_regular=_url(data, "url_regular"),
        url_hd=_url(data, "url_hd"),
        url_real=_url(data, "url_real"),
        url_gallery=_url(data, "url_gallery"),
        link=_url(data, "link"),
        resource_uri=_text(data, "resource_uri"),
        imaging_telescopes=_names(data.get("imaging_telescopes")),
        imaging_cameras=_names(data.get("imaging_cameras")),
        likes=_integer(data, "likes"),
        views=_integer(data, "views"),
    )


def _offset_of(uri: Any) -> int | None:
    if not isinstance(uri, str) or not uri:
        return None
    match = re.search(r"[?&]offset=(\d{1,9})(?:&|$)", uri)
    return int(match.group(1)) if match else None


def _objects(data: Any) -> tuple[Mapping[str, Any], list]:
    data = _obj(data, "top level")
    meta = data.get("meta", {})
    meta = _obj(meta if meta is not None else {}, "meta")
    objects = data.get("objects")
    if not isinstance(objects, list):
        raise _bad("the answer has no list of objects")
    return meta, objects


def parse_image_page(data: Any, *, limit: int = 20, offset: int = 0) -> ImagePage:
    """A Tastypie list answer: ``{"meta": {...}, "objects": [image, ...]}``."""
    meta, objects = _objects(data)
    images = tuple(parse_image(item) for item in objects)
    total = _integer(meta, "total_count")
    page_limit = _integer(meta, "limit") or limit
    page_offset = _integer(meta, "offset")
    page_offset = offset if page_offset is None or page_offset < 0 else page_offset
    next_offset = _offset_of(meta.get("next")) if meta.get("next") else None
    if meta.get("next") and next_offset is None:
        next_offset = page_offset + max(len(images), 1)
    previous_offset = _offset_of(meta.get("previous")) if meta.get("previous") else None
    if meta.get("previous") and previous_offset is None:
        previous_offset = max(page_offset - page_limit, 0)
    if not meta.get("next") and total is not None and page_offset + len(images) < total and images:
        next_offset = page_offset + len(images)
    return ImagePage(
        images=images,
        total_count=total if total is None or total >= 0 else None,
        limit=page_limit,
        offset=page_offset,
        next_offset=next_offset,
        previous_offset=previous_offset,
    )


def parse_iotd_page(data: Any) -> list[tuple[str | None, str]]:
    """``imageoftheday/`` entries as (date, image id), resolving each ``image`` reference."""
    _meta, objects = _objects(data)
    entries = []
    for item in objects:
        item = _obj(item, "image-of-the-day entry")
        ref = item.get("image")
        if isinstance(ref, Mapping):  # some versions embed the image
            image_id = parse_image(ref).id
        elif isinstance(ref, (str, int)) and not isinstance(ref, bool):
            text = str(ref)
            match = _IMAGE_URI_ID.search(text)
            image_id = match.group(1) if match else text.strip()
            if not _IMAGE_ID.match(image_id):
                raise _bad("the image of the day refers to no usable image")
        else:
            raise _bad("the image of the day refers to no image")
        entries.append((_text(item, "date"), image_id))
    return entries


def image_urls(image: AstrobinImage, cdn_base: str = CDN_BASE) -> ImageUrls:
    """URLs by the API page's rules (filename + original_ext on the CDN; ``_resized``;
    ``_thumb.png``), preferring the newer ``url_thumb``/``url_regular``/``url_hd`` fields."""
    full = resized = thumb = None
    if image.filename:
        ext = image.original_ext or ""
        if ext and not ext.startswith("."):
            ext = "." + ext
        base = cdn_base if cdn_base.endswith("/") else cdn_base + "/"
        full = f"{base}{image.filename}{ext}"
        resized = f"{base}{image.filename}_resized{ext}"
        thumb = f"{base}{image.filename}_thumb.png"
    return ImageUrls(
        thumb=image.url_thumb or thumb or image.url_regular,
        regular=image.url_regular or resized or image.url_hd or full,
        full=image.url_hd or image.url_real or full or image.url_regular,
    )


# --------------------------------------------------------------------------- client


def make_policy(min_interval: float = MIN_INTERVAL_S):
    """The AstroBin policy in force with its throttle adjustable."""
    return with_policy(SERVICE, min_interval=min_interval)


class AstrobinClient(ServiceClient):
    """Read-only AstroBin API v1; one page per call, about one request per second."""

    SERVICE = SERVICE

    def __init__(
        self,
        api_key: str | None,
        api_secret: str | None,
        base_url: str | None = None,
        session=None,
        *,
        min_interval: float = MIN_INTERVAL_S,
        cdn_base: str = CDN_BASE,
        download_session=None,
    ):
        self._key, self._secret = self._keep_secret(api_key), self._keep_secret(api_secret)
        if self._key is None or self._secret is None:
            raise self._no_key("no API key and secret are set")
        self.base_url = (base_url or SERVICE.default_url).rstrip("/")
        self.cdn_base = cdn_base
        self._download_session = download_session
        if session is None:
            session = ServiceSession(make_policy(min_interval), self.base_url)
        elif download_session is None:
            self._download_session = session  # an injected session serves everything
        self.session = session

    def check_connection(self) -> str:
        iotd = self.image_of_the_day(resolve=False)
        return f"OK: AstroBin's image of the day ({iotd.date}) is {iotd.image_id}{origin_words(iotd)}"

    def _get(self, path: str, params: dict[str, str] | None = None):
        full = dict(params or {})
        full.update({"api_key": self._key, "api_secret": self._secret, "format": "json"})
        return self.session.get(path, params=full, expect="json")

    def search(self, query: SearchQuery | None = None, **filters) -> ImagePage:
        """One page of ``image/`` results; keyword filters are the ``SearchQuery`` fields."""
        if query is None:
            query = SearchQuery(**filters)
        elif filters:
            raise TypeError("give either a SearchQuery or keyword filters, not both")
        params = build_search_params(query)
        reply = self._get("image/", params)
        page = parse_image_page(reply.data, limit=query.limit, offset=query.offset)
        return with_origin(page, reply)

    def image(self, image_id: str | int) -> AstrobinImage:
        reply = self._get(f"image/{validate_image_id(image_id)}/")
        return with_origin(parse_image(reply.data), reply)

    def image_of_the_day(self, days_ago: int = 0, *, resolve: bool = True) -> ImageOfTheDay:
        """Today's image of the day (``days_ago=1``: yesterday's), with its image resolved."""
        reply = self._get("imageoftheday/", _paging(1, days_ago))
        entries = parse_iotd_page(reply.data)
        if not entries:
            raise NotFoundError(SERVICE_NAME, "there is no image of the day for that date", "try another day", service_key=SERVICE_KEY)
        date, image_id = entries[0]
        image = self.image(image_id) if resolve else None
        return with_origin(ImageOfTheDay(date=date, image_id=image_id, image=image), reply, *([image] if image else []))

    def _downloads(self):
        if self._download_session is None:
            self._download_session = ServiceSession(make_download_policy(), self.cdn_base)
        return self._download_session

    def download_image(self, url: str, max_bytes: int = DEFAULT_IMAGE_MAX_BYTES) -> bytes:
        """The bytes at an image URL (thumbnails for the UI); no key is sent with it."""
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _invalid(f"{url!r} is not an image address", "use an http(s) URL from an AstroBin image")
        # The HTTP layer enforces max_bytes on live and cached answers alike.
        return self._downloads().get(url, expect="bytes", max_bytes=max_bytes).data


def make_download_policy():
    """Image files come from AstroBin's CDN, not the API: a gentler throttle of their own, so
    a page of thumbnails does not queue behind the API's one request per second."""
    return replace(make_policy(CDN_MIN_INTERVAL_S), key=f"{SERVICE_KEY}-cdn", secret_params=())


__all__ = [
    "AstrobinClient",
    "AstrobinImage",
    "ImageOfTheDay",
    "ImagePage",
    "ImageUrls",
    "SearchQuery",
    "build_search_params",
    "image_urls",
    "parse_image",
    "parse_image_page",
    "parse_iotd_page",
]
