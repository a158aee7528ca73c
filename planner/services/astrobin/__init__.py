"""AstroBin API v1 client: image search, image by id, image of the day and image URLs.

Payload building (``build_search_params``) and parsing (``parse_image``, ``parse_image_page``,
``parse_iotd_page``) are pure functions; ``AstrobinClient`` joins them to the shared HTTP
session. AstroBin forbids scraping, so the client is throttled (about one request per
second) and fetches exactly one page per call. ``api_key``/``api_secret`` travel as query
parameters (as the API page requires) and are declared secret so they never reach a cache
key, a log line or an error message.

The package: ``service`` (the declaration and the API's facts), ``query`` (a search as
parameters, checked before it is sent), ``records`` (the answers' records, their parsers and
an image's CDN addresses) and ``client`` (``AstrobinClient``, the policies); every name is
importable from here.
"""

from __future__ import annotations

from planner.services.astrobin.client import AstrobinClient, make_download_policy, make_policy
from planner.services.astrobin.query import build_search_params, validate_image_id
from planner.services.astrobin.records import (
    AstrobinImage,
    ImageOfTheDay,
    ImagePage,
    ImageUrls,
    SearchQuery,
    image_urls,
    parse_image,
    parse_image_page,
    parse_iotd_page,
)
from planner.services.astrobin.service import (
    CDN_BASE,
    CDN_MIN_INTERVAL_S,
    COMPARISONS,
    DATE_FIELDS,
    DEFAULT_BASE_URL,
    DEFAULT_IMAGE_MAX_BYTES,
    MAX_LIMIT,
    MIN_INTERVAL_S,
    NUMBER_FIELDS,
    ORDERABLE,
    PARTIAL_LOOKUPS,
    SERVICE,
    SERVICE_KEY,
    SERVICE_NAME,
    SUBJECT_ALIASES,
    TEXT_FIELDS,
    UNSERVED_FIELDS,
)

__all__ = [
    "CDN_BASE",
    "CDN_MIN_INTERVAL_S",
    "COMPARISONS",
    "DATE_FIELDS",
    "DEFAULT_BASE_URL",
    "DEFAULT_IMAGE_MAX_BYTES",
    "MAX_LIMIT",
    "MIN_INTERVAL_S",
    "NUMBER_FIELDS",
    "ORDERABLE",
    "PARTIAL_LOOKUPS",
    "SERVICE",
    "SERVICE_KEY",
    "SERVICE_NAME",
    "SUBJECT_ALIASES",
    "TEXT_FIELDS",
    "UNSERVED_FIELDS",
    "make_download_policy",
    "make_policy",
    "validate_image_id",
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
