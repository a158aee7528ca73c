"""What AstroBin answers, as records (an image, a page of them, the image of the day) and the
pure parsers that read its JSON into them, plus an image's CDN addresses."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from planner.numbers import finite_or_none
from planner.services.astrobin.service import CDN_BASE, _IMAGE_ID, _IMAGE_URI_ID, _bad
from planner.services.origin import Fetched


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class ImageUrls:
    """Where to fetch an image in each size; ``None`` when neither rule nor field gives one."""

    thumb: str | None
    regular: str | None
    full: str | None


@dataclass(frozen=True)
class AstrobinImage(Fetched):
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

    @property
    def urls(self) -> ImageUrls:
        return image_urls(self)

    @property
    def page_url(self) -> str:
        """The image's page on astrobin.com (for "open in browser")."""
        return self.link or f"https://www.astrobin.com/{self.id}/"


@dataclass(frozen=True)
class ImagePage(Fetched):
    """One page of search results; ``next_offset`` is ``None`` on the last page."""

    images: tuple[AstrobinImage, ...]
    total_count: int | None
    limit: int
    offset: int
    next_offset: int | None
    previous_offset: int | None


@dataclass(frozen=True)
class ImageOfTheDay(Fetched):
    date: str | None
    image_id: str
    image: AstrobinImage | None = None


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
    return finite_or_none(data.get(key))


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
