"""What the headless commands share: ``CommandError``, the one ``--time`` parser and the
site arguments. Imports of the sky engine stay inside the functions that need them so
that ``planner --help`` does not load astropy (start-up time)."""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time as _time

from planner.errors import PlannerError
from planner.formatting import format_clock


class CommandError(PlannerError):
    """A headless command failed for a reason the user can act on; the message says which."""


def parse_time(text: str | None, *, option: str = "--time") -> float:
    """Unix seconds, or ISO 8601 (a time without an offset is taken as UTC); None means now.

    Raises ``CommandError`` naming ``option`` with an example of what it accepts."""
    if text is None:
        return _time.time()
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        if not math.isfinite(number):
            raise CommandError(f"{option} {text!r} is not a finite number of unix seconds.")
        return number
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is neither unix seconds nor ISO 8601 (e.g. 2026-11-23T20:00:00Z)."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


def time_argument(text: str) -> float:
    """``parse_time`` as an argparse ``type=`` (argparse then prints the usage line with it)."""
    try:
        return parse_time(text)
    except CommandError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--time ")) from None


def add_site_arguments(parser: argparse.ArgumentParser, *, limits: bool = True) -> None:
    group = parser.add_argument_group("site (defaults: your settings)")
    group.add_argument("--lat", type=float, metavar="DEG", help="latitude, north positive")
    group.add_argument("--lon", type=float, metavar="DEG", help="longitude, east positive")
    group.add_argument("--elevation", type=float, metavar="M", help="elevation in metres")
    if limits:
        group.add_argument("--target-altitude", type=float, metavar="DEG", help="lowest apparent altitude observable (default 20)")
    group.add_argument("--sun-altitude", type=float, metavar="DEG", help="Sun altitude ending dusk / starting dawn (default -5)")


def site_from_args(args):
    """The settings' site with any --lat/--lon/... given on the command line applied."""
    from planner.config import load_settings
    from planner.sky import Site

    settings = load_settings()
    lat = settings.latitude if args.lat is None else args.lat
    lon = settings.longitude if args.lon is None else args.lon
    custom_place = args.lat is not None or args.lon is not None
    target_altitude = getattr(args, "target_altitude", None)
    return Site(
        latitude=lat,
        longitude=lon,
        elevation=(0.0 if custom_place else settings.elevation) if args.elevation is None else args.elevation,
        target_altitude=settings.target_altitude if target_altitude is None else target_altitude,
        sun_altitude=settings.sun_altitude if args.sun_altitude is None else args.sun_altitude,
        timezone="" if custom_place else settings.timezone,
        name="" if custom_place else settings.site_name,
    )


def load_targets(path: str | None):
    """Targets from a file in the API's shape, or the bundled sample; problems go to stderr."""
    from planner.catalog import load_sample, load_targets_file

    result = load_targets_file(path) if path else load_sample()
    for problem in result.problems:
        print(f"planner: skipped {problem}", file=sys.stderr)
    return result.targets


def select_sections(targets, sections: list[str] | None):
    from planner.catalog import section_name

    if not sections or "all" in sections:
        return list(targets)
    wanted = {section_name(code) for code in sections}
    return [t for t in targets if wanted & set(t.obs_section)]


def fmt_local(ts: float | None, tz, with_date: bool = False) -> str:
    """A time for the tables: the window's formatter (nearest minute), "-" when unknown."""
    return format_clock(ts, tz, date=with_date, zone=with_date)


SECTION_CHOICES = ("ac", "ep", "cv", "eb", "spp", "lpv", "yso", "het", "misc", "all")


def value_may_start_with_dash(action):
    """Mark an option whose value may begin with '-' (``--order-by -uploaded``): argparse
    would take such a value for an option of its own; ``planner.cli`` joins the two."""
    action.value_may_start_with_dash = True
    return action


def join_dash_values(parser, argv: list[str]) -> list[str]:
    """``argv`` with ``OPTION -value`` written as ``OPTION=-value`` for the marked options."""
    flags = set()
    stack = [parser]
    while stack:
        current = stack.pop()
        for action in current._actions:  # argparse keeps no public list of them
            if getattr(action, "value_may_start_with_dash", False):
                flags.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
    out: list[str] = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        following = argv[index + 1] if index + 1 < len(argv) else None
        if arg in flags and following is not None and following.startswith("-") and following != "--":
            out.append(f"{arg}={following}")
            index += 2
            continue
        out.append(arg)
        index += 1
    return out
