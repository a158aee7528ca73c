"""AstroBin's declaration (address, throttle, keys) and what the other parts share: the CDN,
the page-size limit, the fields the API serves and the errors for a bad answer or a
request refused before it is sent."""

from __future__ import annotations

import re

from planner.services.declaration import Secret, declare
from planner.services.errors import BadResponseError, InvalidRequestError


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
