"""``planner export``: turn a saved plan into the file another program reads."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from planner.commands.common import CommandError

HELP = ("export a plan file as CSV, N.I.N.A. CSV, ACP, Ekos .esl, OAL, iCalendar, PDF or JSON, or its estimates "
        "as an AAVSO report")
FORMAT_KEYS = ("csv", "nina-csv", "acp", "esl", "oal", "ics", "pdf", "json", "aavso-extended", "aavso-visual")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help=HELP,
        description=(
            "Write a plan made by 'planner plan' (or saved from the window) in another format: "
            "csv (spreadsheet), nina-csv (N.I.N.A. / Target Scheduler import), acp (ACP plan), "
            "esl (KStars Ekos scheduler), oal (OpenAstronomyLog 2.1), ics (calendar), pdf (printout), "
            "json (the plan document); aavso-extended and aavso-visual report the plan's estimates to AAVSO "
            "(WebObs > Upload a file: instrumental and visual estimates respectively). The telescope formats "
            "(acp, esl, nina-csv) list the entries "
            "still planned, with the filter-wheel names from Settings > Exports; a visual-only star "
            "is left out and the command says so. esl also writes one capture sequence (.esq) per "
            "filter/exposure/count set beside the list. "
            "Before writing a format that carries times, the plan is checked: overlapping entries, blocks "
            "outside the dark time or below the altitude limit or the horizon mask, entries with no time "
            "or never checked against the sky are listed on stderr as warnings. The file is still written "
            "as the plan says and the exit status stays 0 (an entry with no time is left out of ics only)."
        ),
    )
    parser.add_argument("plan", type=Path, metavar="PLAN", help="plan file (.plan.json)")
    parser.add_argument("--format", "-f", required=True, choices=FORMAT_KEYS, help="output format")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                        help="file to write (default: the plan's name with the format's suffix)")
    ekos = parser.add_argument_group("Ekos (esl)")
    ekos.add_argument("--sequence-dir", metavar="DIR",
                      help="absolute folder the .esl and .esq files will be in on the computer that runs "
                           "KStars, when that is not this one (default: the folder they are written to)")
    ekos.add_argument("--image-dir", metavar="DIR",
                      help="absolute folder Ekos saves the frames in (default: Settings, else an 'images' "
                           "folder beside the sequences)")
    report = parser.add_argument_group("AAVSO reports (aavso-extended, aavso-visual)")
    report.add_argument("--obscode", metavar="CODE",
                        help="your AAVSO observer code (default: Settings > Exports)")
    report.add_argument("--obstype", metavar="TYPE", type=str.upper, choices=("CCD", "DSLR", "PEP", "CMOS", "PTG"),
                        help="aavso-extended: CCD (default), DSLR, PEP, CMOS or PTG")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from planner.config import load_settings
    from planner.plan import load_plan
    from planner.plan.conflicts import describe, export_warnings
    from planner.plan.export import FORMATS, ExportOptions, export_plan, warns_about_times

    plan = load_plan(args.plan)
    fmt = FORMATS[args.format]
    output = args.output
    if output is None:
        stem = args.plan.name.removesuffix(".json").removesuffix(".plan")
        extra = {"nina-csv": "-nina", "aavso-extended": "-aavso-extended", "aavso-visual": "-aavso-visual"}
        output = args.plan.with_name(stem + extra.get(args.format, "") + fmt.suffix)
    if output.resolve() == args.plan.resolve():
        raise CommandError(f"{output} is the plan itself; choose another output file with -o.")
    changes = {}
    for option, key in ((args.sequence_dir, "sequence_dir"), (args.image_dir, "image_dir")):
        if option is not None:
            if not _absolute(option):
                raise CommandError(f"--{key.replace('_', '-')} {option!r} must be an absolute folder "
                                   "(KStars finds files by absolute path only).")
            changes[key] = option
    if args.obscode is not None:
        changes["observer_code"] = args.obscode.strip().upper()
    if args.obstype is not None:
        changes["obstype"] = args.obstype
    options = ExportOptions.from_settings(load_settings(), **changes)
    result = export_plan(plan, args.format, output, options)
    scheduled = sum(1 for e in plan.entries if e.start is not None)
    if args.format.startswith("aavso-"):
        lines = result.path.read_text("ascii").splitlines()
        count = sum(1 for line in lines if not line.startswith("#"))
        print(f"Wrote {fmt.label} ({count} estimate{'s' if count != 1 else ''}) to {result.path}; "
              f"upload it with {fmt.reader}.")
    else:
        print(f"Wrote {fmt.label} ({len(plan.entries)} entries, {scheduled} scheduled) to {result.path}; "
              f"read it with {fmt.reader}.")
    for extra in result.files[1:]:
        print(f"  and {extra}")
    for note in result.notes:
        print(f"  {note}")
    warnings = describe(export_warnings(plan)) if warns_about_times(args.format) else []
    if warnings:
        print(f"planner export: {len(warnings)} warning{'s' if len(warnings) != 1 else ''} about the plan's times "
              "(written as the plan says; fix them in the Plan panel or with 'planner plan'):", file=sys.stderr)
        for line in warnings:
            print(f"  {line}", file=sys.stderr)
    return 0


def _absolute(folder: str) -> bool:
    from pathlib import PurePosixPath, PureWindowsPath

    return PurePosixPath(folder).is_absolute() or PureWindowsPath(folder).is_absolute()
