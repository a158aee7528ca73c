"""``planner outlook``: the nights ahead for a target list: per target and night the hours
observable (with the horizon mask), the highest altitude, the Moon, and whether it is due,
as JSON, a table of hours (targets x nights) or CSV (one row per target and night)."""

from __future__ import annotations

import csv
import io
import json
import sys

from planner.commands.common import (
    SECTION_CHOICES,
    CommandError,
    add_horizon_argument,
    add_site_arguments,
    apply_horizon,
    evening,
    load_targets,
    number,
    select_sections,
    site_from_args,
)
from planner.limits import OUTLOOK_MAX_NIGHTS as MAX_NIGHTS

CSV_FIELDS = ("date", "star_name", "hours", "max_altitude", "moon_separation", "moon_illumination", "due",
              "events")


def events_cell(events) -> str:
    """A target-night's events in one CSV cell: ``kind time_utc observable`` joined by ``; ``."""
    return "; ".join(f"{e['kind']} {e['time_utc']} {e['observable']}" for e in events)


def cmd_outlook(args) -> int:
    import time

    from planner.app.outlook import OutlookError, outlook, outlook_dates  # start-up time: the sky engine

    site = apply_horizon(site_from_args(args), args)
    targets = select_sections(load_targets(args.targets_file), args.section)
    try:
        dates = outlook_dates(site, args.first, args.nights, time.time())
    except OutlookError as exc:
        raise CommandError(str(exc)) from None
    result = outlook(targets, site, dates)
    if args.format == "json":
        print(json.dumps(result.to_json(), indent=1))
    elif args.format == "csv":
        _write_csv(result)
    else:
        _print_table(result)
    return 0


def _write_csv(result) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for night in result.to_json()["nights"]:
        for row in night["targets"]:
            writer.writerow([night["date"]] + [("" if row[k] is None else row[k]) for k in CSV_FIELDS[1:-1]]
                            + [events_cell(row["events"])])
    sys.stdout.write(out.getvalue())


def _print_table(result) -> None:
    from planner.formatting import format_clock

    site = result.site
    mask = f"; horizon mask {site.horizon.describe()}" if site.horizon is not None else ""
    print(f"Site: {site.describe()}  (nights of, in {site.timezone}; limit {site.target_altitude:g} deg{mask})")
    print("Hours observable each night; * due by its cadence that night; - not observable.")
    width = 22
    header = " ".join(f"{n.date:%d}".rjust(4) for n in result.nights)
    months = " ".join(f"{n.date:%b}"[:3].rjust(4) if k == 0 or n.date.day == 1 else "    "
                      for k, n in enumerate(result.nights))
    print(f"{'':<{width}} {months}")
    print(f"{'star':<{width}} {header}")
    moon = " ".join(f"{n.moon_illumination * 100:3.0f}%" for n in result.nights)
    print(f"{'Moon (illuminated)':<{width}} {moon}")
    dark = " ".join(format_clock(n.night.sunset, site.tz)[:2].rjust(4) if n.night.sunset else "   -"
                    for n in result.nights)
    print(f"{'sunset (hour)':<{width}} {dark}")
    for i, target in enumerate(result.targets):
        cells = []
        for k in range(len(result.nights)):
            hours = float(result.hours[i, k])
            text = f"{hours:.1f}" if hours > 0.05 else "-"
            cells.append((text + ("*" if result.due[i, k] else "")).rjust(4))
        name = getattr(target, "star_name", "")
        print(f"{name[:width]:<{width}} {' '.join(cells)}")
    _print_events(result)


def _print_events(result) -> None:
    """The events of the nights below the table, night by night (times UTC)."""
    lines = []
    for k, night in enumerate(result.nights):
        for i, target in enumerate(result.targets):
            for event in result.events_of(i, k):
                lines.append(((k, event.time), f"{night.date:%a %Y-%m-%d}  {getattr(target, 'star_name', ''):<22} "
                              f"{event.label:<8} {_utc(event.time)} UTC  alt {event.altitude:5.1f}  {event.observable}"))
    if not lines:
        return
    print()
    print("Events (night of, star, event, time of its middle in UTC, altitude then, visibility):")
    for _t, line in sorted(lines, key=lambda x: x[0]):
        print(line)


def _utc(unix: float) -> str:
    import datetime as _dt

    return _dt.datetime.fromtimestamp(round(unix), _dt.timezone.utc).strftime("%m-%d %H:%M")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "outlook",
        help="the nights ahead: hours observable, max altitude, the Moon and 'due' per target and night",
        description=(
            "The next N nights (default 30) for a target list: per target and night the hours above the "
            "altitude limit and the horizon mask, the highest altitude, the Moon's separation (at the night's "
            "middle) and illumination, whether the target is due by its cadence then, and its events that night "
            "(minima, transits, maxima of the targets with elements: kind, time UTC, full/partial/none). "
            "Nights are named by "
            "their evening's local date at the site."
        ),
    )
    parser.add_argument("--from", dest="first", type=evening, metavar="YYYY-MM-DD",
                        help="the first night, by its evening's date at the site (default: tonight)")
    parser.add_argument("--nights", type=number(1, MAX_NIGHTS, integer=True, unit="nights"), default=30, metavar="N",
                        help=f"how many nights, 1 to {MAX_NIGHTS} (default 30)")
    parser.add_argument("--targets-file", metavar="FILE", help="targets file (default: bundled sample)")
    parser.add_argument("--section", nargs="+", choices=SECTION_CHOICES, metavar="SECTION",
                        help="observing sections: " + ", ".join(SECTION_CHOICES) + " (default: all)")
    add_site_arguments(parser)
    add_horizon_argument(parser)
    parser.add_argument("--format", choices=("json", "table", "csv"), default="json",
                        help="JSON (default), a table of hours (targets x nights), or CSV (one row per target and night)")
    parser.set_defaults(func=cmd_outlook)
