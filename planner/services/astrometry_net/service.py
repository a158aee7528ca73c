"""nova.astrometry.net's declaration (address, cache, limits, key) and the facts of the
service the other parts share: the upload size limit, the result files on the site, and
the error for a request refused before it is sent."""

from __future__ import annotations

from planner.services.declaration import Secret, declare
from planner.services.errors import InvalidRequestError

SERVICE = declare(
    key="astrometry",
    name="nova.astrometry.net",
    default_url="https://nova.astrometry.net/api",
    # Only finished job results (calibration, annotations, objects, machine tags) are cached:
    # they never change. Logins, uploads and status never are.
    expire_after=7 * 24 * 3600,
    freshness="7 days (results of a finished job only)",
    min_interval=1.0,
    secret_params=("apikey", "session"),
    secrets=(Secret("key", "API key", "PLANNER_ASTROMETRY_KEY"),),
    where_to_get_a_key="copy your API key from your profile page on nova.astrometry.net",
    connection_test="a login with the key",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
MAX_UPLOAD_BYTES = 200 * 1024 * 1024

# Result files on the site (not under /api), by the name planner uses for them.
RESULT_FILES = {
    "wcs": "wcs_file",
    "new_fits": "new_fits_file",
    "annotated": "annotated_display",
    "red_green": "red_green_image_display",
    "extraction": "extraction_image_display",
    "kml": "kml_file",
    "rdls": "rdls_file",
    "axy": "axy_file",
    "corr": "corr_file",
}


def _invalid(what: str, action: str) -> InvalidRequestError:
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)
