"""The AstroBin client (the package's docstring, ``planner.services.astrobin``, says how the
API is spoken)."""

from __future__ import annotations

from dataclasses import replace

from planner.services.astrobin.query import _paging, build_search_params, validate_image_id
from planner.services.astrobin.records import (
    AstrobinImage,
    ImageOfTheDay,
    ImagePage,
    SearchQuery,
    parse_image,
    parse_image_page,
    parse_iotd_page,
)
from planner.services.astrobin.service import (
    CDN_BASE,
    CDN_MIN_INTERVAL_S,
    DEFAULT_IMAGE_MAX_BYTES,
    MIN_INTERVAL_S,
    SERVICE,
    SERVICE_KEY,
    SERVICE_NAME,
    _invalid,
)
from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import with_policy
from planner.services.errors import NotFoundError
from planner.services.http import ServiceSession
from planner.services.origin import with_origin


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
