"""What the headless commands share: ``CommandError``, the argument types with their
ranges, the site options, and the helpers for targets and times.

Each type refuses a bad value while the arguments are parsed, before any work, with one
sentence that gives the range (from ``planner.limits``, the table the ``Site`` and the
settings loader check against too). The site options are the same in every command
(``--lat/--latitude``, ``--lon/--longitude``, ``--elevation``,
``--target-altitude/--target-alt``, ``--sun-altitude/--sun-alt``), and ``--lat`` without
``--lon`` (or the reverse) is refused everywhere. Numeric options are marked with
``value_may_start_with_dash`` so a negative value needs no ``=`` (``--time -1e12``).
Imports of the sky engine stay inside the functions that need them so that
``planner --help`` does not load astropy (start-up time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time as _time
from typing import Callable

from planner.errors import PlannerError
from planner.formatting import format_clock
from planner.limits import SITE_LIMITS, SPAN_TEXT, DateRangeError, check_date, check_time


class CommandError(PlannerError):
    """A headless command failed for a reason the user can act on; the message says which."""


def parse_time(value: float | str | None, *, option: str = "--time") -> float:
    """The moment asked for, or now: a float already checked by ``time_argument`` (the
    ``--time`` type), or text parsed the same way (``CommandError`` naming ``option``)."""
    if value is None:
        return _time.time()
    if isinstance(value, str):
        try:
            return time_argument(value)
        except argparse.ArgumentTypeError as exc:
            raise CommandError(f"{option} {exc}.") from None
    return float(value)


PAIR_MESSAGE = (
    "give both --lat and --lon, or neither (then the site comes from your settings: see `planner site show`)"
)


def number(low: float | None = None, high: float | None = None, *, unit: str = "",
           integer: bool = False, above: float | None = None, label: str = "") -> Callable[[str], float]:
    """An argparse type: a finite number in [low, high] (``above``: strictly greater);
    ``label`` names the value in the message ("Latitude 95 must be from -90 to 90")."""
    named = f"{label} " if label else ""

    def parse(text: str):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {kind}{_unit(unit)}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if (low is not None and value < low) or (high is not None and value > high) or (
            above is not None and value <= above
        ):
            raise argparse.ArgumentTypeError(f"{named}{text} {_range(low, high, above)}{_unit(unit)}")
        return value

    return parse


def _unit(unit: str) -> str:
    return f" ({unit})" if unit else ""


def _range(low, high, above) -> str:
    if above is not None:
        return f"must be more than {above:g}" + (f" and at most {high:g}" if high is not None else "")
    if high is None:
        return f"must be {low:g} or more"
    if low is None:
        return f"must be {high:g} or less"
    return f"must be from {low:g} to {high:g}"


def site_number(name: str) -> Callable[[str], float]:
    limit = SITE_LIMITS[name]
    return number(limit.low, limit.high, unit=limit.unit, label=limit.label)


def time_argument(text: str) -> float:
    """An argparse type: unix seconds, or ISO 8601 (UTC unless it carries an offset), inside
    the span of dates the sky engine computes."""
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        try:
            when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is neither unix seconds nor ISO 8601 (e.g. 2026-11-23T20:00:00Z)"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        try:
            value = when.timestamp()
        except (OverflowError, OSError, ValueError):
            raise argparse.ArgumentTypeError(f"{text!r} is outside {SPAN_TEXT}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of unix seconds")
    try:
        return check_time(value, repr(text))
    except DateRangeError as exc:
        raise argparse.ArgumentTypeError(str(exc).rstrip(".")) from None


def evening(text: str) -> dt.date:
    """An argparse type: a local date YYYY-MM-DD inside the span the sky engine computes."""
    try:
        date = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None
    try:
        return check_date(date, "")
    except DateRangeError as exc:
        raise argparse.ArgumentTypeError(str(exc).strip().rstrip(".")) from None


def add_number_argument(parser, *flags: str, **kwargs):
    """``parser.add_argument`` for an option whose value may be negative (``--time -1e12``):
    argparse would take ``-1e12`` for an option of its own."""
    return value_may_start_with_dash(parser.add_argument(*flags, **kwargs))


def add_time_argument(parser, *, help: str = "unix seconds or ISO 8601 (UTC unless it has an offset); default: now"):
    return add_number_argument(parser, "--time", type=time_argument, metavar="T", help=help)


def add_site_arguments(
    parser: argparse.ArgumentParser,
    *,
    title: str = "site (default: your settings, see `planner site show`)",
    place: bool = True,
    elevation: bool = True,
    target: bool = True,
    sun: bool = True,
):
    """The site options, the same in every command that has them; returns the group."""
    group = parser.add_argument_group(title)
    add = lambda *flags, **kw: add_number_argument(group, *flags, **kw)  # noqa: E731
    if place:
        add("--lat", "--latitude", dest="lat", type=site_number("latitude"), metavar="DEG",
            help="latitude, north positive (give --lon too)")
        add("--lon", "--longitude", dest="lon", type=site_number("longitude"), metavar="DEG",
            help="longitude, east positive, -180 to 180 (give --lat too)")
    if elevation:
        add("--elevation", type=site_number("elevation"), metavar="M", help="metres above sea level")
    if target:
        add("--target-altitude", "--target-alt", dest="target_altitude", type=site_number("target_altitude"),
            metavar="DEG", help="lowest apparent altitude observable, -5 to 89 degrees")
    if sun:
        add("--sun-altitude", "--sun-alt", dest="sun_altitude", type=site_number("sun_altitude"), metavar="DEG",
            help="Sun altitude ending dusk and starting dawn, -30 to 5 degrees")
    return group


def check_place_pair(args) -> None:
    """``--lat`` without ``--lon`` (or the reverse) would mix a place with another's coordinate."""
    if (getattr(args, "lat", None) is None) != (getattr(args, "lon", None) is None):
        raise CommandError(PAIR_MESSAGE)


def site_from_args(args):
    """The site of this run: the settings' site with the command line's options applied."""
    from planner.app.site import site_for_run
    from planner.config import load_settings

    check_place_pair(args)
    return site_for_run(
        load_settings(),
        latitude=getattr(args, "lat", None),
        longitude=getattr(args, "lon", None),
        elevation=getattr(args, "elevation", None),
        target_altitude=getattr(args, "target_altitude", None),
        sun_altitude=getattr(args, "sun_altitude", None),
    )


def load_targets(path: str | None):
    """Targets from a file in the API's shape, or the bundled sample; problems go to stderr."""
    from planner.catalog import load_sample, load_targets_file

    result = load_targets_file(path) if path else load_sample()
    for message in result.messages:
        print(f"planner: {message}", file=sys.stderr)
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


HORIZON_HELP = ("horizon mask for this run: N.I.N.A. .hrz, MountWizzard4 .hpts, Stellarium landscape.ini or .zip, "
                ".csv, or a Cartes du Ciel text horizon; 'none' for the flat altitude limit "
                "(default: the mask in your settings, if any)")


def add_horizon_argument(parser) -> None:
    parser.add_argument("--horizon", metavar="FILE", help=HORIZON_HELP)


def apply_horizon(site, args):
    """``site`` with the mask ``--horizon`` asks for (a file, or 'none'); unchanged without it.
    A file that cannot be used is a ``CommandError`` naming the line and the reason."""
    value = getattr(args, "horizon", None)
    if value is None:
        return site
    if value.strip().lower() == "none":
        return site.without_horizon()
    from planner.sky.horizon import HorizonError, read_horizon

    try:
        return site.with_horizon(read_horizon(value))
    except HorizonError as exc:
        raise CommandError(f"{exc} The horizon was not changed.") from None
