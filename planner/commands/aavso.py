"""``planner aavso targets|nighttime|telescope``: the AAVSO Target Tool API, JSON on stdout."""

from __future__ import annotations

import argparse

from planner.commands._output import emit
from planner.commands.common import CommandError, add_site_arguments, add_time_argument, check_place_pair

_SERVICE = "AAVSO Target Tool"


def _site_options(parser: argparse.ArgumentParser, *, target_alt: bool = True, time: bool = True) -> None:
    add_site_arguments(parser, title="site (default: the settings stored with your AAVSO account)",
                       elevation=False, target=target_alt)
    if time:
        add_time_argument(parser, help="unix time or ISO date/time (UTC unless it has an offset); default now")


def _site_params(args) -> dict:
    """The API's names for the site options given (``--lat`` needs ``--lon``)."""
    check_place_pair(args)
    return dict(latitude=args.lat, longitude=args.lon, targetaltitude=getattr(args, "target_altitude", None),
                sunaltitude=args.sun_altitude)


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
    site = _site_params(args)
    reply = _client().targets(
        sections=sections, observable=args.observable, orderby=args.orderby, reverse=args.reverse,
        time=args.time, refresh=args.refresh, **site,
    )
    emit(reply.to_json(), reply, service=_SERVICE, command="aavso")
    return 0


def run_nighttime(args) -> int:
    site = _site_params(args)
    night = _client().nighttime(latitude=site["latitude"], longitude=site["longitude"],
                                sunaltitude=site["sunaltitude"], time=args.time)
    emit(night.to_json(), night, service=_SERVICE, command="aavso")
    return 0


def run_telescope(args) -> int:
    given = (args.lat, args.lon, args.target_altitude, args.sun_altitude)
    if args.set:
        if args.lat is None or args.lon is None:
            raise CommandError("telescope --set needs --lat and --lon")
        scope = _client().set_telescope(args.lat, args.lon, args.target_altitude, args.sun_altitude)
    else:
        if any(v is not None for v in given):
            raise CommandError("add --set to change the telescope settings; without it they are only shown")
        scope = _client().get_telescope()
    emit(scope.to_json(), scope, service=_SERVICE, command="aavso")
    return 0
