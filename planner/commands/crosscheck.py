"""``planner crosscheck``: compare the local sky engine with the AAVSO Target Tool's own
nighttime and observability times for the same site, limits and moment, and print the report.

Live (through the AAVSO client, which serves cached answers when offline) or from a saved
API answer (``--api-file``). Disagreements are a result, not an error: the exit code is 0
whenever the comparison could be made.
"""

from __future__ import annotations

import json
import math
import sys
import time as _time
from datetime import datetime, timezone
from pathlib import Path

from planner.commands.common import (
    CommandError,
    add_number_argument,
    add_site_arguments,
    add_time_argument,
    number,
    site_from_args,
)

HELP = "compare local visibility with the AAVSO Target Tool's own answers"

_MAX_FILE_BYTES = 64 * 1024 * 1024


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "crosscheck",
        help=HELP,
        description=(
            "Compare the local nighttime and each target's rise/set times with the AAVSO "
            "Target Tool API's, for the same site, limits and time. Site and limits come "
            "from Settings unless given here; the AAVSO answers are fetched (or taken from "
            "the cache when offline) unless --api-file names a saved answer. "
            "Exit status 0 when the comparison was made, whatever it found."
        ),
    )
    add_site_arguments(parser, title="site and limits (default: your settings, see `planner site show`)",
                       elevation=False)
    add_time_argument(
        parser,
        help=(
            "moment of interest: unix seconds or ISO 8601 (UTC unless it carries an offset); "
            "default: the saved answer's meta.fetched_utc with --api-file, else now"
        ),
    )
    add_number_argument(
        parser, "--tolerance", type=number(0, 86400, unit="seconds"), metavar="S",
        help="seconds two times may differ and still agree (default: Settings, 120)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    parser.add_argument(
        "--site-time", action="store_true", help="show times in the site's time zone instead of UTC (text format)"
    )
    parser.add_argument(
        "--api-file",
        type=Path,
        metavar="FILE",
        help='a saved AAVSO /targets answer ({"targets": [...]}) with observability_times; works offline',
    )
    parser.add_argument(
        "--nighttime-file",
        type=Path,
        metavar="FILE",
        help='a saved AAVSO /nighttime answer ({"status", "sunset", "sunrise"}) to compare with --api-file',
    )
    parser.add_argument(
        "--section",
        action="append",
        metavar="CODE",
        help="observing section to fetch (ac, ep, cv, eb, spp, lpv, yso, het, misc, all); repeatable; default ac",
    )
    parser.set_defaults(func=run)


# -- inputs -----------------------------------------------------------------------------------


def _read_json(path: Path, what: str):
    from planner.files import read_json

    return read_json(path, what, error=CommandError, max_bytes=_MAX_FILE_BYTES,
                     hint="save the API's JSON answer as it came")


def _site(args):
    from planner.config import load_settings

    site = site_from_args(args)
    tolerance = args.tolerance if args.tolerance is not None else load_settings().crosscheck_tolerance_s
    return site, float(tolerance)


def _load_api_file(args):
    """(targets, nighttime or None, time or None, the site and limits asked for or None,
    warnings) from --api-file/--nighttime-file."""
    from planner.app.targets import read_site_request
    from planner.catalog import TargetParseError, parse_targets

    payload = _read_json(args.api_file, "API file")
    try:
        parsed = parse_targets(payload)
    except TargetParseError as exc:
        raise CommandError(f"API file {args.api_file}: {exc}") from None
    warnings = [f"API file {args.api_file}: skipped {p}" for p in parsed.problems]
    if not any(t.observability_times is not None for t in parsed.targets):
        raise CommandError(
            f"API file {args.api_file} has no target with observability_times; "
            "save the Target Tool API's /targets answer as it came"
        )
    fetched = None
    nighttime = None
    fetched_for = None
    if isinstance(payload, dict):
        meta = payload.get("meta")
        if isinstance(meta, dict):
            value = meta.get("fetched_utc")
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                fetched = float(value)
            fetched_for = read_site_request(meta.get("site"))  # planner's own saved list says what it asked
        if isinstance(payload.get("nighttime"), dict):
            nighttime = payload["nighttime"]
    if args.nighttime_file is not None:
        nighttime = _read_json(args.nighttime_file, "nighttime file")
        if not isinstance(nighttime, dict) or not isinstance(nighttime.get("status"), str):
            raise CommandError(
                f'nighttime file {args.nighttime_file} must hold the /nighttime answer, {{"status": ..., "sunrise": ...}}'
            )
    return parsed.targets, nighttime, fetched, fetched_for, warnings


def _fetch_live(site, when: float | None, sections, warnings: list[str]):
    """(targets, nighttime or None, time, source) from the AAVSO API for exactly this site
    and these limits. Without ``when`` the API computes for "now" and the answer's fetch
    time is the moment compared, which is what lets a cached answer (offline, or within
    the cache's lifetime) be cross-checked later. The nighttime is then asked for that
    exact moment; if it cannot be had, the targets are compared without it."""
    from planner.app.crosscheck import fetch_nighttime  # start-up time, as every handler import here
    from planner.services.aavso import AavsoClient
    from planner.services.errors import ConfigurationError

    try:
        client = AavsoClient.from_settings()
    except ConfigurationError as exc:
        raise CommandError(
            f"{str(exc).rstrip('.')}. Without a key, compare with a saved answer instead: "
            "--api-file FILE (the Target Tool's /targets answer) and optionally --nighttime-file FILE."
        ) from None
    limits = dict(
        latitude=site.latitude,
        longitude=site.longitude,
        targetaltitude=site.target_altitude,
        sunaltitude=site.sun_altitude,
    )
    reply = client.targets(sections=sections or ("ac",), time=None if when is None else int(when), **limits)
    warnings.extend(f"AAVSO target list: skipped {p}" for p in reply.problems)
    if when is None:
        when = reply.fetched_at if reply.fetched_at is not None else _time.time()
    when = float(int(when))
    nighttime, problem = fetch_nighttime(client, site, when)
    if problem:
        warnings.append(problem)
    return reply.targets, nighttime, when, _source_of(reply)


def _source_of(reply) -> str:
    stamp = ""
    if reply.fetched_at is not None:
        stamp = " fetched " + datetime.fromtimestamp(reply.fetched_at, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
    if reply.offline:
        return f"AAVSO Target Tool API, cached answer{stamp} (offline)"
    if reply.from_cache:
        return f"AAVSO Target Tool API, cached answer{stamp}"
    return f"AAVSO Target Tool API{stamp}"


# -- the command ------------------------------------------------------------------------------


def run(args) -> int:
    from planner.app.crosscheck import compare_with_aavso
    from planner.app.targets import site_request

    site, tolerance = _site(args)
    if args.nighttime_file is not None and args.api_file is None:
        raise CommandError("--nighttime-file goes with --api-file; without it the nighttime is fetched")
    warnings: list[str] = []
    when = args.time
    if args.api_file is not None:
        targets, nighttime, fetched, fetched_for, warnings = _load_api_file(args)
        if when is None:
            if fetched is None:
                raise CommandError(
                    f"API file {args.api_file} has no meta.fetched_utc; pass --time with the moment "
                    "the answer was asked for"
                )
            when = fetched
        source = f"saved answer {args.api_file}"
    else:
        targets, nighttime, when, source = _fetch_live(site, when, args.section, warnings)
        fetched_for = site_request(site)  # the request carried this site and these limits

    report = compare_with_aavso(targets, site, when, nighttime, tolerance_s=tolerance, fetched_for=fetched_for)

    for line in warnings:
        print(f"planner crosscheck: warning: {line}", file=sys.stderr)
    if args.format == "json":
        data = report.to_json()
        data["source"] = source
        print(json.dumps(data, indent=2))
    else:
        print(report.to_text(site.tz if args.site_time else None))
        print(f"AAVSO answers: {source}")
    return 0
