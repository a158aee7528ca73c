"""``planner observe``: add one estimate of a plan star to the plan file."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.commands.common import CommandError

HELP = "add an estimate (magnitude or fainter-than) of a plan's star to the plan file"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "observe",
        help=HELP,
        description=(
            "Record one estimate of a star of PLAN and save the plan (atomically; nothing else in it "
            "changes). The comparison and check stars are chart labels; when the star's chart is kept "
            "('planner vsp --plan PLAN' or the window's Prepare tonight's charts) they are checked against "
            "it and their magnitudes filled in. The airmass is computed for the time and the plan's site. "
            "Report the estimates with 'planner export PLAN --format aavso-visual' (visual) or "
            "'--format aavso-extended' (CCD, DSLR, ...)."
        ),
    )
    parser.add_argument("plan", type=Path, metavar="PLAN", help="plan file (.plan.json)")
    parser.add_argument("--star", required=True, metavar="NAME", help="the star, as the plan names it")
    parser.add_argument("--time", metavar="T", help="when (ISO 8601, UTC unless an offset is given, or unix "
                                                      "seconds; default: now)")
    value = parser.add_mutually_exclusive_group(required=True)
    value.add_argument("--mag", type=float, metavar="M", help="the magnitude estimated or measured")
    value.add_argument("--fainter-than", type=float, metavar="M", help="the star was not seen: fainter than M")
    parser.add_argument("--err", type=float, metavar="E", help="the magnitude's uncertainty")
    parser.add_argument("--filter", default="Vis.", metavar="F",
                        help="Vis. for a visual estimate (default), or the AAVSO filter: V, B, R, I, CV, TG, ...")
    parser.add_argument("--comp", action="append", default=[], metavar="LABEL",
                        help="a comparison star's chart label (repeatable; two at most for a visual estimate)")
    parser.add_argument("--check", metavar="LABEL", default="", help="the check star's chart label")
    parser.add_argument("--chart", metavar="ID", default="", help="the chart's id (default: the one prepared for "
                                                                   "the star)")
    parser.add_argument("--notes", metavar="TEXT", default="", help="notes on the estimate")
    parser.add_argument("--codes", metavar="CODES", default="",
                        help="AAVSO comment codes, e.g. BU (B bright sky, U clouds, W seeing, L low, Z uncertain, ...)")
    parser.add_argument("--uncertain", action="store_true", help="the estimate is uncertain (comment code Z)")
    parser.add_argument("--cmag", type=float, metavar="M", help="instrumental magnitude of the comparison star")
    parser.add_argument("--kmag", type=float, metavar="M", help="instrumental magnitude of the check star")
    parser.add_argument("--transformed", action="store_true", help="the magnitude is transformed to the standard system")
    parser.add_argument("--differential", action="store_true", help="the magnitude is differential (MTYPE DIF)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.app.observe import Estimate, ObservationError, record
    from planner.commands.common import parse_time
    from planner.formatting import format_clock
    from planner.plan import store

    when = None if args.time is None else parse_time(args.time)
    plan = store.load_plan(args.plan)
    estimate = Estimate(
        star=args.star, magnitude=args.mag, fainter_than=args.fainter_than, time=when, error=args.err,
        band=args.filter, comparison=args.comp, check=args.check, chart_id=args.chart, notes=args.notes,
        comment_codes=args.codes, uncertain=args.uncertain, comparison_instrumental=args.cmag,
        check_instrumental=args.kmag, transformed=args.transformed, mtype="DIF" if args.differential else "STD",
    )
    try:
        done = record(plan, estimate)
    except ObservationError as exc:
        raise CommandError(f"{exc}. Nothing was added to {args.plan}.") from None
    store.save_plan(plan, args.plan)
    o = done.observation
    value = ("fainter than " if o.fainter_than else "") + f"{o.magnitude:g}" + (f" ± {o.error:g}" if o.error else "")
    parts = [f"{o.band} {value}", f"at {format_clock(o.time, plan.site.tz, date=True, zone=True)}"]
    if o.airmass is not None:
        parts.append(f"airmass {o.airmass:.3f}")
    if o.comparison:
        comps = [c if i >= len(o.comparison_magnitudes) or o.comparison_magnitudes[i] is None
                 else f"{c} ({o.comparison_magnitudes[i]:.3f})" for i, c in enumerate(o.comparison)]
        parts.append("comparison " + ", ".join(comps))
    if o.check:
        parts.append(f"check {o.check}" + (f" ({o.check_magnitude:.3f})" if o.check_magnitude is not None else ""))
    if o.chart_id:
        parts.append(f"chart {o.chart_id}")
    count = len(done.entry.observations)
    print(f"Added {done.entry.name}: {', '.join(parts)} to {args.plan} ({count} estimate{'s' if count != 1 else ''} "
          f"of {done.entry.name} now).")
    for note in done.notes:
        print(f"  {note}")
    return 0
