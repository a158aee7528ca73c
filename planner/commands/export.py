"""``planner export``: turn a saved plan into the file another program reads."""

from __future__ import annotations

import argparse
from pathlib import Path

from planner.commands.common import CommandError

HELP = "export a plan file as CSV, N.I.N.A. CSV, ACP, Ekos .esl, OAL, iCalendar, PDF or JSON"
FORMAT_KEYS = ("csv", "nina-csv", "acp", "esl", "oal", "ics", "pdf", "json")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help=HELP,
        description=(
            "Write a plan made by 'planner plan' (or saved from the window) in another format: "
            "csv (spreadsheet), nina-csv (N.I.N.A. / Target Scheduler import), acp (ACP plan), "
            "esl (KStars Ekos scheduler), oal (OpenAstronomyLog 2.1), ics (calendar), pdf (printout), "
            "json (the plan document)."
        ),
    )
    parser.add_argument("plan", type=Path, metavar="PLAN", help="plan file (.plan.json)")
    parser.add_argument("--format", "-f", required=True, choices=FORMAT_KEYS, help="output format")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="file to write (default: the plan's name with the format's suffix)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.plan import load_plan
    from planner.plan.export import FORMATS, export_plan

    plan = load_plan(args.plan)
    fmt = FORMATS[args.format]
    output = args.output
    if output is None:
        stem = args.plan.name.removesuffix(".json").removesuffix(".plan")
        output = args.plan.with_name(stem + ("-nina" if args.format == "nina-csv" else "") + fmt.suffix)
    if output.resolve() == args.plan.resolve():
        raise CommandError(f"{output} is the plan itself; choose another output file with -o.")
    path = export_plan(plan, args.format, output)
    scheduled = sum(1 for e in plan.entries if e.start is not None)
    print(f"Wrote {fmt.label} ({len(plan.entries)} entries, {scheduled} scheduled) to {path}; read it with {fmt.reader}.")
    return 0
