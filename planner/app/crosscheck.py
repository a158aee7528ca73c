"""The cross-check against the AAVSO Target Tool, one path for the window and ``planner
crosscheck``: the API's answers (targets with ``observability_times``, and its nighttime
for the same moment) compared with the local sky engine for the same site and limits.

Where the answers come from differs (the window's list fetched from AAVSO, the command's
live request or saved file); what is compared and how is ``compare_with_aavso``, which
both call. Also the remedy the report may suggest: ``push_site`` stores the local site as
the AAVSO account's telescope.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

from planner.app.helper import run_in_process
from planner.config import Settings
from planner.errors import PlannerError
from planner.sky.crosscheck import CrossCheckReport, crosscheck_records
from planner.sky.engine import compute_observability
from planner.sky.site import Site

log = logging.getLogger(__name__)

# The AAVSO client (requests, requests-cache) is imported inside the functions that ask the
# service, so the window shows before it loads (start-up time).


def _in_helper(ra, dec, site, time):
    return run_in_process(compute_observability, ra, dec, site, time)


def compare_with_aavso(
    records: Sequence[Any],
    site: Site,
    when: float,
    nighttime: Any = None,
    *,
    tolerance_s: float,
    in_helper: bool = False,
    fetched_for: dict | None = None,
) -> CrossCheckReport:
    """The local engine against the API's answers ``records`` (targets with
    ``observability_times``) and ``nighttime`` (or None), for ``site`` at the moment ``when``
    the API computed for. ``fetched_for``: the site and limits the answers were asked for,
    when known (``TargetList.fetched_for``, or the live request's): a list fetched for
    another site is then named as the cause instead of the AAVSO account. ``in_helper``
    runs the sky computation in the helper process."""
    return crosscheck_records(records, site, float(when), nighttime, tolerance_s=float(tolerance_s),
                              compute=_in_helper if in_helper else None, fetched_for=fetched_for)


def fetch_nighttime(client, site: Site, when: float) -> tuple[Any | None, str | None]:
    """The API's nighttime for exactly this site and moment, or (None, why not): without it
    the targets are still compared."""
    try:
        return client.nighttime(latitude=site.latitude, longitude=site.longitude,
                                sunaltitude=site.sun_altitude, time=int(when)), None
    except PlannerError as exc:  # a ServiceError, or no key in the keyring
        return None, f"nighttime not compared: {exc}"


def crosscheck_answered(targets: Sequence[Any], fetched_at: float, site: Site, settings: Settings, *,
                        tolerance_s: float, with_key: bool, fetched_for: dict | None = None) -> CrossCheckReport:
    """The window's Cross-check (a worker body): the list's own API answers at the moment
    AAVSO gave them (for the site and limits ``fetched_for``), with the API's nighttime for
    that moment when a key is set."""
    nighttime = None
    if with_key:
        from planner.services.aavso import (
            AavsoClient,  # start-up time: loads requests-cache
        )

        nighttime, problem = fetch_nighttime(AavsoClient.from_settings(settings), site, fetched_at)
        if problem:
            log.info("%s", problem)
    answered = [t for t in targets if t.observability_times is not None]
    return compare_with_aavso(answered, site, fetched_at, nighttime, tolerance_s=tolerance_s, in_helper=True,
                              fetched_for=fetched_for)


def push_site(settings: Settings, site: Site):
    """Store the site and its limits as the AAVSO account's telescope (a worker body)."""
    from planner.services.aavso import (
        AavsoClient,  # start-up time: loads requests-cache
    )

    return AavsoClient.from_settings(settings).set_telescope(
        site.latitude, site.longitude, site.target_altitude, site.sun_altitude)
