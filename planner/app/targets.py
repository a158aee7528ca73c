"""Loading the target list (a use case of the window and the commands): the last AAVSO list
saved on this computer, the bundled sample, or a live refresh from the AAVSO Target Tool
when a key is set.

Qt-free, so every function can run in a worker thread. The last list is kept in the data
folder (not the HTTP cache: clearing the cache must not leave a field laptop without
targets) as a versioned JSON file written atomically.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import timezone, tzinfo
from pathlib import Path
from typing import Any, Sequence

from planner.catalog import Target, load_sample, parse_targets, targets_to_payload
from planner.config import Settings, atomic_write_text, data_dir
from planner.files import parse_json
from planner.formatting import format_clock
from planner.sky.site import Site

# The service clients (requests, requests-cache, keyring: ~0.2 s) are imported inside the
# functions that call them, so that the window shows before they load (start-up time).

LAST_LIST_FILE = "aavso-targets-last.json"
LAST_LIST_FORMAT = "planner-aavso-targets"
LAST_LIST_VERSION = 1

LIVE, CACHED, SAMPLE, OFFLINE, FILE = "live", "cached", "sample", "offline", "file"


@dataclass
class TargetList:
    """A list of targets and where it came from (for the status bar)."""

    targets: list[Target]
    origin: str  # LIVE | CACHED | SAMPLE | OFFLINE | FILE
    fetched_at: float | None = None  # when AAVSO answered (unix), for live/cached/offline
    problems: list[str] = field(default_factory=list)  # skipped records, unreadable cache...
    path: Path | None = None
    # The site and limits AAVSO was asked for (latitude, longitude, target_altitude,
    # sun_altitude): its observability_times answer for those. None when not known.
    fetched_for: dict | None = None

    def fetched_for_other_site(self, site: Site) -> bool:
        """Whether AAVSO's answers in this list were asked for another site or other limits
        than ``site``: then they are stale, and a refresh asks again."""
        return bool(self.fetched_for) and site_request(site) != self.fetched_for

    def describe(self, tz: tzinfo = timezone.utc, *, refresh_failed: bool = False) -> str:
        """Short text for the status bar: "AAVSO live (2026-02-21 21:23 CET)", "AAVSO cached
        at ...", "bundled sample"...; times in ``tz`` with its label. After a failed refresh
        (``refresh_failed``) an AAVSO list is what was cached at its fetch time, and says so."""
        when = format_clock(self.fetched_at, tz, date=True, zone=True, missing="")
        if refresh_failed:
            if self.origin in (LIVE, CACHED, OFFLINE):
                return f"AAVSO cached at {when} (refresh failed)" if when else "AAVSO cached list (refresh failed)"
            return f"{self.describe(tz)} (refresh failed)"
        if self.origin == LIVE:
            return f"AAVSO live ({when})" if when else "AAVSO live"
        if self.origin == CACHED:
            return f"AAVSO cached at {when}" if when else "AAVSO cached list"
        if self.origin == OFFLINE:
            return f"offline: AAVSO list cached at {when}" if when else "offline"
        if self.origin == FILE:
            return f"file {self.path.name}" if self.path else "file"
        return "bundled sample"


def site_request(site: Site) -> dict:
    """The site and limits a target request carries (what ``TargetList.fetched_for`` holds),
    rounded as the API's parameters are compared (0.1" in position, 0.01° in the limits)."""
    return {"latitude": round(float(site.latitude), 5), "longitude": round(float(site.longitude), 5),
            "target_altitude": round(float(site.target_altitude), 2), "sun_altitude": round(float(site.sun_altitude), 2)}


def read_site_request(value) -> dict | None:
    """A saved list's ``meta.site`` as ``site_request`` gives it; None unless it has all four numbers."""
    if not isinstance(value, dict):
        return None
    out = {}
    for key in ("latitude", "longitude", "target_altitude", "sun_altitude"):
        number = value.get(key)
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return None
        out[key] = float(number)
    return out


def last_list_path() -> Path:
    return data_dir() / LAST_LIST_FILE


def save_last_list(targets: Sequence[Target], fetched_at: float, *, sections: Sequence[str] = (),
                   fetched_for: dict | None = None) -> Path:
    """Keep a fetched AAVSO list for the next start (atomic, versioned), with the site and
    limits it was asked for."""
    payload: dict[str, Any] = targets_to_payload(targets)
    meta: dict[str, Any] = {"fetched_utc": float(fetched_at), "sections": list(sections)}
    if fetched_for is not None:
        meta["site"] = dict(fetched_for)
    payload.update(format=LAST_LIST_FORMAT, version=LAST_LIST_VERSION, meta=meta)
    path = last_list_path()
    atomic_write_text(path, json.dumps(payload, ensure_ascii=False))
    return path


class LastListError(ValueError):
    """The saved AAVSO list exists but cannot be used; the message says why and what happens."""


def load_last_list(path: Path | None = None) -> TargetList | None:
    """The saved AAVSO list, None when there is none; raises ``LastListError`` when it is unusable."""
    path = path or last_list_path()
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LastListError(f"the saved AAVSO list {path} cannot be read ({exc.__class__.__name__})") from None
    payload = parse_json(text, f"the saved AAVSO list {path}", error=LastListError, hint="it is damaged")
    if not isinstance(payload, dict) or payload.get("format") != LAST_LIST_FORMAT:
        raise LastListError(f"{path} is not a target list saved by planner")
    version = payload.get("version")
    if not isinstance(version, int) or version > LAST_LIST_VERSION:
        raise LastListError(f"the saved AAVSO list {path} was written by a newer planner (version {version})")
    try:
        parsed = parse_targets(payload)
    except ValueError as exc:
        raise LastListError(f"the saved AAVSO list {path} is damaged ({exc})") from None
    meta = payload.get("meta") if isinstance(payload.get("meta"), dict) else {}
    fetched = meta.get("fetched_utc")
    fetched = float(fetched) if isinstance(fetched, (int, float)) and not isinstance(fetched, bool) else None
    return TargetList(parsed.targets, CACHED, fetched, parsed.messages, path,
                      fetched_for=read_site_request(meta.get("site")))


def load_startup_list() -> TargetList:
    """What the window shows at once: the last AAVSO list, else the bundled sample."""
    problems: list[str] = []
    try:
        cached = load_last_list()
    except LastListError as exc:
        cached = None
        problems.append(f"{exc}; showing the bundled sample instead. A refresh from AAVSO replaces it.")
    if cached is not None and cached.targets:
        return cached
    sample = load_sample()
    return TargetList(sample.targets, SAMPLE, None, problems + sample.messages)


def aavso_key() -> str | None:
    """The AAVSO API key from the environment or the keyring, None when not set."""
    from planner.services.credentials import get_secret

    try:
        return get_secret("aavso")
    except Exception:  # noqa: BLE001 - a broken keyring is "no key", never a crash
        return None


def rate_budget():
    """The AAVSO rate-limit state the HTTP layer last saw (``RateLimitState``), or None."""
    from planner.services.http import limiter_for

    try:
        limiter = limiter_for("aavso")
        limiter.keep_budget_on_disk()  # what every planner process sent, not only this one
        return limiter.snapshot()
    except Exception:  # noqa: BLE001
        return None


def describe_budget(state) -> str:
    """"AAVSO 997/1000 left" or "" when nothing is known yet."""
    if state is None or state.remaining is None:
        return ""
    limit = f"/{state.limit}" if state.limit is not None else ""
    text = f"AAVSO requests: {state.remaining}{limit} left"
    if state.reset_at is not None:
        minutes = max(0, int(round((state.reset_at - time.time()) / 60)))
        text += f" (resets in {minutes} min)"
    return text


def fetch_live(settings: Settings, site: Site, *, sections: Sequence[str] = ("all",),
               when: float | None = None) -> TargetList:
    """Ask the AAVSO Target Tool for the current list and keep it for the next start.

    The request carries ``site`` and its limits (the validated site the window shows, not
    the raw settings), so that the API's ``observability_times`` answer the same question
    as the local sky engine (what the cross-check compares); ``settings`` give the service's
    address. Runs in a worker. Raises the client's ``ServiceError`` (a ``PlannerError``)
    when the service cannot answer; a stale cached answer served because the network is
    down comes back with origin ``OFFLINE``.
    """
    from planner.services.aavso import AavsoClient

    client = AavsoClient.from_settings(settings)
    reply = client.targets(
        sections=list(sections), latitude=site.latitude, longitude=site.longitude,
        targetaltitude=site.target_altitude, sunaltitude=site.sun_altitude,
        time=when if when is not None else time.time(), refresh=True,
    )
    fetched = reply.fetched_at or time.time()
    origin = OFFLINE if reply.offline else LIVE
    problems = list(reply.problems)
    asked = site_request(site)  # an offline copy is the cached answer to this same request
    if reply.targets and not reply.offline:
        try:
            save_last_list(reply.targets, fetched, sections=sections, fetched_for=asked)
        except OSError as exc:
            problems.append(f"the fetched list could not be kept for the next start ({exc})")
    return TargetList(list(reply.targets), origin, fetched, problems, fetched_for=asked)
