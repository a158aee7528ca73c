"""``planner events``: tonight's (or a chosen night's) eclipsing-binary minima, exoplanet
transits and pulsator maxima of a target list, each with whether it can be watched."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys

from planner.commands.common import (
    SECTION_CHOICES,
    CommandError,
    add_site_arguments,
    fmt_local,
    load_targets,
    parse_time,
    select_sections,
    site_from_args,
)

KIND_CHOICES = ("primary", "secondary", "maximum", "transit")
CSV_FIELDS = ("star_name", "kind", "time", "start", "end", "time_utc", "start_utc", "end_utc", "altitude",
              "observable", "cycles_from_epoch", "uncertainty_s", "epoch", "time_scale", "period",
              "eclipse_duration", "rise_duration", "source")


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"--date {text!r} is not a date; write it as YYYY-MM-DD (e.g. 2026-12-01).") from None


def _when(args, site) -> tuple[float, float | None]:
    """(the moment the night is computed for, the reference for "next"/phase or None)."""
    from planner.sky import night_for_date

    if args.date is not None:
        if args.time is not None:
            raise CommandError("give --date or --time, not both.")
        return float(night_for_date(site, parse_date(args.date))), None
    return parse_time(args.time), None


def _fill_from_vsx(targets, args):
    """Targets that need elements get VSX's (cached for weeks); failures become warnings."""
    from planner.app.events import fill_from_vsx, needs_elements

    if args.no_vsx or not any(needs_elements(t) for t in targets):
        return targets
    from planner.services.vsx import VsxClient

    result = fill_from_vsx(targets, VsxClient.from_settings())
    for note in result.notes:
        print(f"planner events: {note}", file=sys.stderr)
    if result.error is not None:
        missing = sum(1 for t in result.targets if needs_elements(t))
        print(f"planner events: {result.error} {missing} target(s) have no elements.", file=sys.stderr)
    elif result.offline:
        print("planner events: VSX could not be reached; its elements come from the cache.", file=sys.stderr)
    return result.targets


def _fmt_duration(seconds: float) -> str:
    minutes = int(round(seconds / 60.0))
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes}m"


def cmd_events(args) -> int:
    from planner.app.events import events_for_night

    site = site_from_args(args)
    when, reference = _when(args, site)
    targets = select_sections(load_targets(args.targets_file), args.section)
    targets = _fill_from_vsx(targets, args)
    report = events_for_night(targets, site, when, reference=reference, kinds=args.kind)
    events = report.events(args.kind)
    if args.format == "json":
        print(json.dumps(report.to_json(args.kind), indent=2))
        return 0
    if args.format == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for e in events:
            row = e.to_json()
            elements = row.pop("elements")
            row.pop("assumes_circular_orbit")
            for key in ("time", "start", "end"):
                row[f"{key}_utc"] = dt.datetime.fromtimestamp(row[key], dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            row.update({k: elements[k] for k in ("epoch", "time_scale", "period", "eclipse_duration",
                                                 "rise_duration", "source")})
            writer.writerow(row)
        sys.stdout.write(buffer.getvalue())
        return 0
    tz = dt.timezone.utc if args.utc else site.tz
    zone = "UTC" if args.utc else site.timezone
    night = report.night
    print(f"Site: {site.describe()}  (times in {zone})")
    if night.end <= night.start:
        print(f"No night: {night.status.replace('_', ' ').lower()}.")
        return 0
    print(f"Night: {fmt_local(night.start, tz, True)} -> {fmt_local(night.end, tz, True)}  "
          f"(limit {site.target_altitude:g} deg, Sun below {site.sun_altitude:g} deg)")
    if not events:
        print("No events in this night.")
        return 0
    def clock(t: float) -> str:
        """HH:MM inside the night, "Wed 22:52" outside it (long windows reach other days)."""
        if night.start - 12 * 3600 <= t <= night.end + 6 * 3600:
            return fmt_local(t, tz)
        return dt.datetime.fromtimestamp(t, tz).strftime("%a ") + fmt_local(t, tz)

    print()
    header = (f"  {'star':<14} {'event':<8} {'middle':>9}  {'window':<21} {'alt':>4}  {'watch':<7} "
              f"{'E':>10} {'±':>6}")
    print(header)
    for e in events:
        window = "-" if e.end <= e.start else f"{clock(e.start)}-{clock(e.end)}"
        sigma = "" if e.uncertainty_s is None else _fmt_duration(e.uncertainty_s)
        mark = "*" if e.assumes_circular_orbit else ""
        print(f"  {e.star_name[:14]:<14} {e.label + mark:<8} {clock(e.time):>9}  {window:<21} "
              f"{e.altitude:3.0f}°  {e.observable:<7} {e.cycles_from_epoch:>10g} {sigma:>6}")
    if any(e.assumes_circular_orbit for e in events):
        print("\n  * secondary minimum at phase 0.5, which assumes a circular orbit")
    print("\n  E: cycles extrapolated from the epoch; ±: from the period's uncertainty, where known.")
    return 0


def register(subparsers) -> None:
    events = subparsers.add_parser(
        "events",
        help="tonight's eclipsing-binary minima, exoplanet transits and pulsator maxima",
        description=(
            "The events of the night after --time (default: now; by day, the coming night) or of the "
            "night starting on --date's evening, for the bundled sample or a targets file: primary and "
            "secondary minima, transits and maxima, each with its window, the altitude at mid-event and "
            "whether it can be watched (full, partial, none). Elements come from the targets file's own "
            "fields, the bundled sample, or AAVSO VSX (cached for four weeks)."
        ),
    )
    when = events.add_argument_group("night (default: tonight)")
    when.add_argument("--date", metavar="YYYY-MM-DD", help="the night starting on this date's evening")
    when.add_argument("--time", metavar="T", help="the night after this moment: unix seconds or ISO 8601")
    events.add_argument("--targets-file", metavar="FILE", help="targets file (default: bundled sample)")
    events.add_argument("--section", nargs="+", choices=SECTION_CHOICES, metavar="SECTION",
                        help="only these Target Tool sections (ac ep cv eb spp lpv yso het misc all)")
    add_site_arguments(events)
    events.add_argument("--kind", nargs="+", choices=KIND_CHOICES, metavar="KIND",
                        help="only these kinds: primary secondary maximum transit")
    events.add_argument("--format", choices=("table", "json", "csv"), default="table")
    events.add_argument("--utc", action="store_true", help="table times in UTC instead of the site's time zone")
    events.add_argument("--no-vsx", action="store_true",
                        help="do not look missing elements up in AAVSO VSX")
    events.set_defaults(func=cmd_events)
