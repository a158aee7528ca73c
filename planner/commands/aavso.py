"""``planner aavso targets|nighttime|telescope``: the AAVSO Target Tool API, JSON on stdout."""

from __future__ import annotations

import argparse

from planner.commands._output import emit
from planner.commands.common import CommandError, time_argument

_SERVICE = "AAVSO Target Tool"


def _site_options(parser: argparse.ArgumentParser, *, target_alt: bool = True, time: bool = True) -> None:
    group = parser.add_argument_group("site (default: the settings stored with your AAVSO account)")
    group.add_argument("--lat", "--latitude", dest="latitude", type=float, metavar="DEG", help="latitude, north positive")
    group.add_argument("--lon", "--longitude", dest="longitude", type=float, metavar="DEG", help="longitude, east positive")
    if target_alt:
        group.add_argument("--target-alt", dest="targetaltitude", type=float, metavar="DEG", help="lowest usable altitude")
    group.add_argument("--sun-alt", dest="sunaltitude", type=float, metavar="DEG", help="Sun altitude at dusk and dawn")
    if time:
        group.add_argument("--time", type=time_argument, metavar="WHEN", help="unix time or ISO date/time (UTC); default now")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "aavso",
        help="AAVSO Target Tool: targets, nighttime, telescope settings (JSON out)",
        description=(
            "Ask the AAVSO Target Tool API. Needs your API key: `planner keys set aavso` or "
            "PLANNER_AAVSO_KEY. The base URL can be changed with PLANNER_AAVSO_URL."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    targets = actions.add_parser("targets", help="targets of one or more observing sections")
    targets.add_argument(
        "--section", "-s", dest="sections", action="append", metavar="CODE",
        help="ac, ep, cv, eb, spp, lpv, yso, het, misc or all; repeat or comma-separate (default ac)",
    )
    targets.add_argument("--observable", action="store_true", help="only targets observable in the coming night")
    targets.add_argument("--orderby", metavar="FIELD", help="order by an output field, e.g. star_name or obs_cadence")
    targets.add_argument("--reverse", action="store_true", help="reverse the order")
    targets.add_argument("--refresh", action="store_true", help="ask the service even when a cached answer is fresh")
    _site_options(targets)
    targets.set_defaults(func=run_targets)

    night = actions.add_parser("nighttime", help="the night following a time at a place")
    _site_options(night, target_alt=False)
    night.set_defaults(func=run_nighttime)

    scope = actions.add_parser("telescope", help="show (or with --set, change) your account's telescope settings")
    scope.add_argument("--set", action="store_true", help="store --lat/--lon (and --target-alt/--sun-alt) with your account")
    _site_options(scope, time=False)
    scope.set_defaults(func=run_telescope)


def _client():
    from planner.services.aavso import AavsoClient

    return AavsoClient.from_settings()


def run_targets(args) -> int:
    sections = []
    for item in args.sections or ["ac"]:
        sections.extend(s for s in item.split(",") if s.strip())
    reply = _client().targets(
        sections=sections, observable=args.observable, orderby=args.orderby, reverse=args.reverse,
        latitude=args.latitude, longitude=args.longitude, targetaltitude=args.targetaltitude,
        sunaltitude=args.sunaltitude, time=args.time, refresh=args.refresh,
    )
    emit(reply.to_json(), reply, service=_SERVICE, command="aavso")
    return 0


def run_nighttime(args) -> int:
    night = _client().nighttime(latitude=args.latitude, longitude=args.longitude, sunaltitude=args.sunaltitude, time=args.time)
    emit(night.to_json(), night, service=_SERVICE, command="aavso")
    return 0


def run_telescope(args) -> int:
    client = _client()
    if args.set:
        if args.latitude is None or args.longitude is None:
            raise CommandError("telescope --set needs --lat and --lon")
        scope = client.set_telescope(args.latitude, args.longitude, args.targetaltitude, args.sunaltitude)
    else:
        if any(v is not None for v in (args.latitude, args.longitude, args.targetaltitude, args.sunaltitude)):
            raise CommandError("add --set to change the telescope settings; without it they are only shown")
        scope = client.get_telescope()
    emit(scope.to_json(), scope, service=_SERVICE, command="aavso")
    return 0
