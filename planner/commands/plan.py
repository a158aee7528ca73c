"""``planner plan``: schedule a night from targets and write the plan file.

Targets come from a file in the AAVSO response shape (``--targets-file``) or the bundled
offline sample, optionally narrowed to observing sections; the site from Settings unless
``--lat``/``--lon`` are given. Prints what was placed, when, and why the rest was not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.commands.common import (
    CommandError,
    add_number_argument,
    add_site_arguments,
    evening,
    number,
    site_from_args,
)

HELP = "schedule a night from targets and write a plan file"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "plan",
        help=HELP,
        description=(
            "Fill a night with observing blocks: each inside its target's time above the "
            "altitude limit and inside the dark hours, no overlaps, most urgent (priority, "
            "overdue) and soonest-setting first. Writes a versioned plan file that "
            "'planner export' turns into CSV, N.I.N.A., ACP, Ekos, OAL, iCalendar or PDF."
        ),
    )
    parser.add_argument("--date", type=evening, metavar="YYYY-MM-DD",
                        help="local date of the evening, 1900-01-03 to 2099-12-29 "
                             "(default: tonight, the night in progress or the coming one)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--targets-file", type=Path, metavar="FILE",
                        help='targets in the AAVSO API shape ({"targets": [...]} or a list); default: the bundled sample')
    source.add_argument("--section", action="append", metavar="CODE",
                        help="use the bundled sample's targets of this section (ac, cv, eb, lpv, ...); repeatable")
    parser.add_argument("--max", type=number(1, integer=True), metavar="N", help="at most N entries (1 or more)")
    add_number_argument(parser, "--duration", type=number(above=0, high=24 * 60, unit="minutes"), default=30.0,
                        metavar="MIN", help="minutes per target (default 30)")
    parser.add_argument("--twilight", choices=("astronomical", "nautical", "civil", "site"), default="astronomical",
                        help="how dark the night must be (default astronomical; 'site' = the Sun altitude from Settings)")
    add_number_argument(parser, "--moon-separation", type=number(0, 180, unit="degrees"), metavar="DEG",
                        help="keep at least DEG (0 to 180) from the Moon while it is up (at full Moon, less as it "
                             "wanes, with the width from Settings when Moon avoidance is on); 0: no Moon limit; "
                             "default: the Moon avoidance in Settings")
    add_number_argument(parser, "--gap", type=number(0, 24 * 60, unit="minutes"), default=0.0, metavar="MIN",
                        help="minutes kept free between blocks (slew)")
    parser.add_argument("--filters", metavar="LIST", help="comma list of filters for every entry (default: the AAVSO-requested ones)")
    add_number_argument(parser, "--exposure", type=number(above=0, high=86400, unit="seconds"), default=60.0,
                        metavar="S", help="seconds per frame (default 60)")
    parser.add_argument("--count", type=number(1, 10_000, integer=True), default=1, metavar="N",
                        help="frames per filter (default 1)")
    parser.add_argument("--title", default="", help="plan title")
    add_site_arguments(parser, title="site and limits (default: your settings, see `planner site show`)")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="plan file to write (.plan.json)")
    parser.add_argument("--force", action="store_true",
                        help="replace FILE even if it is not a plan this planner can read "
                             "(a newer planner's plan, a damaged file, another kind of file)")
    parser.set_defaults(func=run)


def _targets(args):
    from planner.catalog import load_sample, load_targets_file, section_code
    if args.targets_file is not None:
        result = load_targets_file(args.targets_file)
        where = str(args.targets_file)
    else:
        result = load_sample()
        where = "the bundled sample"
    for problem in result.problems:
        print(f"planner plan: skipped {problem}", file=sys.stderr)
    targets = list(result.targets)
    if args.section:
        codes = set()
        for raw in args.section:
            for part in raw.split(","):
                code = section_code(part)
                if code is None:
                    raise CommandError(f"unknown section {part!r}; use ac, ep, cv, eb, spp, lpv, yso, het or misc.")
                codes.add(code)
        targets = [t for t in targets if codes & set(t.section_codes)]
        where += f" (sections {', '.join(sorted(codes))})"
    if not targets:
        raise CommandError(f"no targets to plan in {where}.")
    return targets, where


def run(args: argparse.Namespace) -> int:
    import time

    from planner.app.schedule import (  # start-up time, as every handler import here
        default_moon_separation,
        plan_night,
        with_observer_limits,
    )
    from planner.config import load_settings
    from planner.app.tonight import tonight
    from planner.formatting import format_clock
    from planner.plan import PlanLimits, save_plan
    from planner.plan.model import PlanValueError

    from planner.plan.store import overwrite_refusal

    if not args.force:
        # Checked before the night is computed: the answer would be thrown away.
        reason = overwrite_refusal(args.output)
        if reason is not None:
            raise CommandError(f"not replacing {args.output}: {reason} Use --force to replace it, "
                               "or write to another file with -o.")
    site = site_from_args(args)
    now = time.time()
    if args.date:
        date = args.date  # checked by the --date type: a date the sky engine computes
        which = f"Night of {date.isoformat()}"
    else:  # tonight: the night in progress, or the coming one (the window's definition)
        night = tonight(site, now)
        date = night.date
        which = f"Night of {date.isoformat()} ({night.describe()})"
    targets, where = _targets(args)
    filters = None
    if args.filters is not None:
        filters = tuple(f.strip() for f in args.filters.split(",") if f.strip())
    try:
        settings = load_settings()
        moon = default_moon_separation(settings) if args.moon_separation is None else (args.moon_separation or None)
        limits = with_observer_limits(PlanLimits(min_altitude=site.target_altitude, twilight=args.twilight,
                                                 moon_separation=moon, gap=args.gap * 60.0), settings)
        result = plan_night(targets, site, None if not args.date else date, now, limits=limits,
                            duration=args.duration * 60.0, max_entries=args.max, filters=filters,
                            exposure=args.exposure, count=args.count, date=date.isoformat(),
                            title=args.title or f"Night of {date.isoformat()}")
    except PlanValueError as exc:
        raise CommandError(str(exc)) from None
    plan = result.plan
    path = save_plan(plan, args.output, force=args.force)
    tz = site.tz
    print(f"{which} at {site.describe()}, times in {site.timezone}:")
    if plan.night_start is not None and plan.night_end is not None:
        print(f"  dark ({args.twilight}) {format_clock(plan.night_start, tz)}–{format_clock(plan.night_end, tz)}")
    for e in plan.entries:
        airmass = result.airmass.get(e.id)
        print(f"  {format_clock(e.start, tz)}–{format_clock(e.end, tz)}  {e.name}"
              + (f"  [{' '.join(e.filters)}]" if e.filters else "")
              + (f"  airmass {airmass.describe()}" if airmass is not None else ""))
    if result.unplaced:
        print(f"Not placed ({len(result.unplaced)}):")
        for u in result.unplaced:
            print(f"  {u.name}: {u.reason}")
    print(f"Planned {len(plan.entries)} of {len(targets)} targets from {where}; wrote {path}")
    from planner.plan.conflicts import describe, export_warnings

    for line in describe(export_warnings(plan)):  # the scheduler avoids them; say so if one slips through
        print(f"planner plan: warning: {line}", file=sys.stderr)
    return 0
