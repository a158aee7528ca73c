"""Reference images of a target (a use case of the window's images dock): which names to
search it by, one page of AstroBin's or NASA Images' answer as image hits, the larger image
and web page of a hit, and the facts shown beside it.

Qt-free, so every function runs in a worker thread and is tested without Qt. One
``ImageSource`` per service (``ASTROBIN``, ``NASA``); the dock's tabs hold one each and
draw what it returns. The clients are made by the caller (the dock takes factories, so
tests point them at a local server).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from planner.errors import PlannerError
from planner.services.origin import Origin

# The service modules (requests, requests-cache: ~0.2 s) are imported inside the functions
# that ask a service, so that the window shows before they load (start-up time).

SEARCH, IMAGE_OF_THE_DAY, ALBUM = "search", "iotd", "album"


def target_designations(target) -> list[str]:
    """Names to search a target by: its name, any aliases it carries, the SIMBAD-style form."""
    if target is None:
        return []
    names = [target.star_name.strip()]
    extra = getattr(target, "extra", None) or {}
    for key in ("aliases", "designations", "other_names"):
        value = extra.get(key)
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",")]
        if isinstance(value, (list, tuple)):
            names.extend(str(v).strip() for v in value if str(v).strip())
    compact = " ".join(target.star_name.split())
    names.append(compact)
    if not compact.upper().startswith("V* "):
        names.append(f"V* {compact}")
    return list(dict.fromkeys(n for n in names if n))


@dataclass(frozen=True)
class ImageHit:
    """One image of a page: what a tile shows and the service's record behind it."""

    title: str
    thumb_url: str | None
    record: Any
    subtitle: str = ""


@dataclass
class ImagePage:
    """One page of a service's answer."""

    hits: list[ImageHit]
    total: int | None
    first: int  # index of the first hit in the whole result list (0-based)
    has_next: bool
    has_previous: bool
    title: str = ""  # e.g. "Image of the day, 2024-03-01"
    offline: bool = False
    from_cache: bool = False
    fetched_at: float | None = None  # when the service gave this answer (unix), if known

    @property
    def origin(self) -> Origin:
        """Where the answer came from and when it was fetched (``Origin.when`` for people)."""
        return Origin(self.from_cache, self.offline, self.fetched_at)


@dataclass(frozen=True)
class ImageDetails:
    """What is shown beside a chosen image: a heading, (label, text) rows with the empty
    ones left out, and the description."""

    heading: str
    rows: tuple[tuple[str, str], ...]
    description: str = ""


def _details(heading: str, rows: list[tuple[str, str]], description: str | None) -> ImageDetails:
    return ImageDetails(heading, tuple((k, v) for k, v in rows if v not in (None, "")), description or "")


def error_text(service: str, exc: BaseException) -> str:
    """One line for a failed request, naming the service; a bug is not shown as a traceback."""
    if isinstance(exc, PlannerError):
        text = str(exc)
        return text if text.startswith(service) else f"{service}: {text}"
    return f"{service}: something went wrong ({exc.__class__.__name__}); try again"


class ImageSource:
    """A service's images: ``page`` (in a worker), ``large_url``, ``page_url``, ``details``."""

    name = "service"
    key = "service"

    def query_names(self, target) -> list[str]:
        return [target.star_name] if target is not None else []

    def page(self, client, mode: str, query: str, page_index: int, page_size: int, **options) -> ImagePage:
        raise NotImplementedError

    def large_url(self, client, record) -> str | None:
        raise NotImplementedError

    def page_url(self, record) -> str | None:
        raise NotImplementedError

    def details(self, record) -> ImageDetails:
        raise NotImplementedError


class AstrobinImages(ImageSource):
    """AstroBin: a search by solved subject or title, or the image of the day."""

    name = "AstroBin"
    key = "astrobin"

    def query_names(self, target) -> list[str]:
        return target_designations(target)

    def page(self, client, mode: str, query: str, page_index: int, page_size: int, *,
             field: str = "subject") -> ImagePage:
        from planner.services.astrobin import SearchQuery

        if mode == IMAGE_OF_THE_DAY:
            iotd = client.image_of_the_day()
            image = iotd.image or client.image(iotd.image_id)
            return ImagePage([self._hit(client, image)], 1, 0, False, False,
                             title=f"Image of the day{', ' + iotd.date if iotd.date else ''}",
                             offline=iotd.offline, from_cache=iotd.from_cache, fetched_at=iotd.fetched_at)
        offset = page_index * page_size
        if field == "title":
            search = SearchQuery(title=query, limit=page_size, offset=offset)
        else:
            search = SearchQuery(subject=query, limit=page_size, offset=offset)
        page = client.search(search)
        return ImagePage([self._hit(client, image) for image in page.images], page.total_count, page.offset,
                         page.next_offset is not None, page.offset > 0, offline=page.offline,
                         from_cache=page.from_cache, fetched_at=page.fetched_at)

    @staticmethod
    def _urls(client, image):
        from planner.services.astrobin import CDN_BASE, image_urls

        return image_urls(image, getattr(client, "cdn_base", None) or CDN_BASE)

    def _hit(self, client, image) -> ImageHit:
        return ImageHit(title=image.title or f"Image {image.id}", thumb_url=self._urls(client, image).thumb,
                        record=image, subtitle=f"by {image.user}" if image.user else "")

    def large_url(self, client, record) -> str | None:
        return self._urls(client, record).regular

    def page_url(self, record) -> str | None:
        return record.page_url

    def details(self, image) -> ImageDetails:
        field_text = ""
        if image.fieldw and image.fieldh:
            field_text = f"{image.fieldw:g} × {image.fieldh:g} {image.fieldunits or ''}".strip()
        centre = ""
        if image.ra is not None and image.dec is not None:
            centre = f"RA {image.ra:.4f}°, Dec {image.dec:+.4f}°"
        return _details(image.title or "Untitled", [
            ("Author", image.user or ""),
            ("Uploaded", (image.uploaded or "")[:10]),
            ("Subjects", ", ".join(image.subjects)),
            ("Telescope", ", ".join(image.imaging_telescopes)),
            ("Camera", ", ".join(image.imaging_cameras)),
            ("Field", field_text),
            ("Centre", centre),
            ("Pixel scale", f'{image.pixscale:g}"/px' if image.pixscale else ""),
            ("Size", f"{image.width} × {image.height} px" if image.width and image.height else ""),
            ("Plate-solved", "yes" if image.is_solved else ("no" if image.is_solved is False else "")),
        ], image.description)


class NasaImages(ImageSource):
    """The NASA Image and Video Library: a search for images, or an album's pages."""

    name = "NASA Images"
    key = "nasa"

    def page(self, client, mode: str, query: str, page_index: int, page_size: int, **_options) -> ImagePage:
        page = page_index + 1
        if mode == ALBUM:
            results = client.album(query, page=page)
            size = max(len(results.items), 1)
        else:
            results = client.search(query, media_type="image", page=page, page_size=page_size)
            size = page_size
        hits = [ImageHit(title=item.title or item.nasa_id, thumb_url=item.preview_url, record=item,
                         subtitle=(item.date_created or "")[:10])
                for item in results.items]
        data = ImagePage(hits, results.total_hits, page_index * size, results.next_url is not None,
                         results.previous_url is not None or page_index > 0, offline=results.offline,
                         from_cache=results.from_cache, fetched_at=results.fetched_at)
        if mode == ALBUM:
            data.title = f"Album {query!r} · page {page}"
            if results.total_hits is not None:
                data.title += f" · {results.total_hits:,} items"
        return data

    def large_url(self, client, record) -> str | None:
        try:
            return client.asset(record.nasa_id).pick("medium")
        except Exception:  # noqa: BLE001 - without the manifest the preview is the best there is
            return record.preview_url

    def page_url(self, record) -> str | None:
        return f"https://images.nasa.gov/details/{record.nasa_id}"

    def details(self, item) -> ImageDetails:
        return _details(item.title or item.nasa_id, [
            ("Photographer", item.photographer or item.secondary_creator or ""),
            ("Date", (item.date_created or "")[:10]),
            ("Centre", item.center or ""),
            ("Location", item.location or ""),
            ("Keywords", ", ".join(item.keywords)),
            ("Album", ", ".join(item.album)),
            ("NASA id", item.nasa_id or ""),
        ], item.description)


ASTROBIN = AstrobinImages()
NASA = NasaImages()
