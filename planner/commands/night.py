"""``planner night``: the nighttime after a moment as JSON, in the AAVSO API's shape."""

from __future__ import annotations

import json

from planner.commands.common import add_site_arguments, add_time_argument, parse_time, site_from_args


def cmd_night(args) -> int:
    from planner.sky import compute_night

    site = site_from_args(args)
    night = compute_night(site, parse_time(args.time))
    print(json.dumps(night.to_api()))
    return 0


def register(subparsers) -> None:
    night = subparsers.add_parser(
        "night",
        help="print the nighttime after a moment as JSON, in the AAVSO API's shape",
        description="Print the nighttime (status, sunset, sunrise as unix times) computed locally, as the AAVSO API's nighttime endpoint does.",
    )
    add_site_arguments(night, target=False)
    add_time_argument(night)
    night.set_defaults(func=cmd_night)
