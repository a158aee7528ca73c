"""Headless astronomy commands: ``planner night``, ``planner targets`` and ``planner tonight``."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import math
import sys
import time as _time

from planner.errors import PlannerError

ORDERABLE_FIELDS = (
    "star_name", "ra", "dec", "constellation", "var_type", "min_mag", "min_mag_band", "max_mag",
    "max_mag_band", "period", "obs_cadence", "obs_mode", "obs_section", "filter", "other_info",
    "priority", "last_data_point",
)
SECTION_CHOICES = ("ac", "ep", "cv", "eb", "spp", "lpv", "yso", "het", "misc", "all")


class UsageError(PlannerError):
    pass


def parse_time(text: str | None) -> float:
    """Unix seconds, or ISO 8601 (a time without an offset is taken as UTC); None means now."""
    if text is None:
        return _time.time()
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise UsageError(f"--time {text!r} is not a finite unix time.")
        return value
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--time {text!r} is neither unix seconds nor ISO 8601 (e.g. 2026-11-23T20:00:00Z)."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.timestamp()


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
    return Site(
        latitude=lat,
        longitude=lon,
        elevation=(0.0 if custom_place else settings.elevation) if args.elevation is None else args.elevation,
        target_altitude=getattr(args, "target_altitude", None) if getattr(args, "target_altitude", None) is not None else settings.target_altitude,
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


def _fmt_local(ts: float | None, tz, with_date: bool = False) -> str:
    if ts is None or (isinstance(ts, float) and math.isnan(ts)):
        return "-"
    when = dt.datetime.fromtimestamp(ts, tz)
    return when.strftime("%Y-%m-%d %H:%M %Z" if with_date else "%H:%M")


# -- planner night -----------------------------------------------------------------------------


def cmd_night(args) -> int:
    from planner.sky import compute_night

    site = site_from_args(args)
    night = compute_night(site, parse_time(args.time))
    print(json.dumps(night.to_api()))
    return 0


# -- planner targets ---------------------------------------------------------------------------


def _sort_value(target, field):
    value = getattr(target, field)
    if isinstance(value, tuple):
        value = ", ".join(value)
    missing = value is None or value == ""
    if isinstance(value, str):
        value = value.lower()
    return (missing, value if not missing else 0)


def computed_targets(args):
    """(targets with local observability_times and solar_conjunction, observability, site)."""
    from dataclasses import replace

    import numpy as np

    from planner.sky import compute_observability

    site = site_from_args(args)
    when = parse_time(args.time)
    targets = select_sections(load_targets(args.targets_file), args.section)
    obs = compute_observability(
        np.array([t.ra for t in targets]), np.array([t.dec for t in targets]), site, when
    )
    computed = [
        replace(
            t,
            observability_times=tuple((c, None if w is None else float(round(w))) for c, w in obs.events[i]),
            solar_conjunction=bool(obs.solar_conjunction[i]),
        )
        for i, t in enumerate(targets)
    ]
    return computed, obs, site


def cmd_targets(args) -> int:
    targets, obs, site = computed_targets(args)
    rows = list(range(len(targets)))
    if args.observable:
        rows = [i for i in rows if obs.events[i] and not obs.solar_conjunction[i]]
    if args.orderby:
        rows.sort(key=lambda i: _sort_value(targets[i], args.orderby), reverse=args.reverse)
    elif args.reverse:
        rows.reverse()
    chosen = [targets[i] for i in rows]
    if args.format == "json":
        payload = {"targets": []}
        for t in chosen:
            record = t.to_api_dict()
            record["observability_times"] = [
                [c, None if w is None else int(w)] for c, w in (t.observability_times or ())
            ]
            payload["targets"].append(record)
        print(json.dumps(payload, indent=1))
    elif args.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        header = list(ORDERABLE_FIELDS) + ["observability_times", "solar_conjunction"]
        writer.writerow(header)
        for t in chosen:
            d = t.to_api_dict()
            writer.writerow(
                [("; ".join(d[f]) if isinstance(d[f], list) else d[f]) for f in ORDERABLE_FIELDS]
                + [json.dumps(d["observability_times"]), d["solar_conjunction"]]
            )
        sys.stdout.write(out.getvalue())
    else:
        _print_table(chosen, [obs.events[i] for i in rows], site)
    return 0


def _print_table(targets, events, site) -> None:
    tz = site.tz
    print(f"{'star':<22} {'type':<10} {'RA':>8} {'Dec':>7} {'mag':>11} {'sec':<4} {'events (' + site.timezone + ')'}")
    for t, ev in zip(targets, events):
        mags = f"{_m(t.max_mag)}-{_m(t.min_mag)}"
        codes = ",".join(t.section_codes) or "-"
        text = " ".join(
            {"TARGET_RISES": "rises", "TARGET_SETS": "sets"}.get(c, "always up") + ("" if w is None else " " + _fmt_local(w, tz))
            for c, w in ev
        ) or "not observable"
        print(f"{t.star_name[:22]:<22} {t.var_type[:10]:<10} {t.ra:8.3f} {t.dec:7.2f} {mags:>11} {codes[:4]:<4} {text}")


def _m(value) -> str:
    return "?" if value is None else f"{value:g}"


# -- planner tonight ---------------------------------------------------------------------------


def urgency_key(target, index, obs, now):
    """Most urgent first (the catalog's urgency, as the scheduler ranks), then sets soonest."""
    windows = obs.windows(index)
    ends = windows[0][1] if windows else math.inf
    return (-target.urgency(now), ends)


def moon_phase_name(illumination: float, waxing: bool) -> str:
    if illumination < 0.03:
        return "New Moon"
    if illumination > 0.97:
        return "Full Moon"
    side = "Waxing" if waxing else "Waning"
    if 0.45 <= illumination <= 0.55:
        return "First quarter" if waxing else "Last quarter"
    return f"{side} {'crescent' if illumination < 0.5 else 'gibbous'}"


def cmd_tonight(args) -> int:
    targets, obs, site = computed_targets(args)
    now = parse_time(args.time)
    tz = dt.timezone.utc if args.utc else site.tz
    tzname = "UTC" if args.utc else site.timezone
    night = obs.night
    tw = night.twilight
    print(f"Site: {site.describe()}  (times in {tzname})")
    if night.end <= night.start:
        print(f"No night: {night.status.replace('_', ' ').lower()} (the Sun stays above {site.sun_altitude:g} deg).")
        return 0
    print(
        f"Night ({night.status}): {_fmt_local(night.start, tz, True)} -> {_fmt_local(night.end, tz, True)}"
        f"  [{night.hours:.1f} h with the Sun below {site.sun_altitude:g} deg]"
    )
    print(
        f"Sunset {_fmt_local(tw.sunset, tz)}  dusk {_fmt_local(tw.astronomical_dusk, tz)}  "
        f"dawn {_fmt_local(tw.astronomical_dawn, tz)}  sunrise {_fmt_local(tw.sunrise, tz)}  "
        f"astronomical darkness {tw.astronomical_darkness_hours:.1f} h"
    )
    print(
        f"Moon: {moon_phase_name(obs.moon_illumination, obs.moon_waxing)}, "
        f"{obs.moon_illumination * 100:.0f}% illuminated, up to {float(max(obs.moon_altitude.max(), -90)):.0f} deg tonight"
    )
    rows = [i for i in range(len(targets)) if obs.events[i] and not obs.solar_conjunction[i]]
    rows.sort(key=lambda i: urgency_key(targets[i], i, obs, now))
    if args.limit:
        rows = rows[: args.limit]
    print()
    print(f"{len(rows)} observable target(s), most urgent first (limit {site.target_altitude:g} deg):")
    def window_text(i):
        return ", ".join(f"{_fmt_local(a, tz)}-{_fmt_local(b, tz)}" for a, b in obs.windows(i))

    width = max([13] + [len(window_text(i)) for i in rows])
    print(f"  {'star':<20} {'window':<{width}} {'hours':>5} {'max alt':>7} {'moon':>5}  {'cadence':<16} flags")
    for i in rows:
        t = targets[i]
        flags = []
        if t.priority:
            flags.append("PRIORITY")
        if t.is_due(now):
            over = t.overdue_days(now)
            flags.append("due" + (f" ({over:.0f} d late)" if over is not None else " (no data yet)"))
        cadence = "-" if t.obs_cadence is None else f"every {t.obs_cadence:g} d"
        print(
            f"  {t.star_name[:20]:<20} {window_text(i):<{width}} {obs.hours_observable[i]:5.1f} {obs.max_altitude[i]:6.0f}° "
            f"{obs.moon_separation[i]:4.0f}°  {cadence:<16} {' '.join(flags)}"
        )
    return 0


# -- registration ---------------------------------------------------------------------------------


def register(subparsers) -> None:
    tonight = subparsers.add_parser(
        "tonight",
        help="tonight's window, the Moon and the observable targets, most urgent first",
        description="The headless form of the main window: tonight at your site (from Settings, or --lat/--lon).",
    )
    tonight.add_argument("--targets-file", metavar="FILE", help="targets file (default: bundled sample)")
    add_site_arguments(tonight)
    tonight.add_argument("--time", metavar="T", help="unix seconds or ISO 8601 (default: now)")
    tonight.add_argument("--section", nargs="+", choices=SECTION_CHOICES, metavar="SECTION")
    tonight.add_argument("--limit", type=int, default=0, metavar="N", help="show at most N targets")
    tonight.add_argument("--utc", action="store_true", help="times in UTC instead of the site's time zone")
    tonight.set_defaults(func=cmd_tonight)

    night = subparsers.add_parser(
        "night",
        help="print the nighttime after a moment as JSON, in the AAVSO API's shape",
        description="Print the nighttime (status, sunset, sunrise as unix times) computed locally, as the AAVSO API's nighttime endpoint does.",
    )
    add_site_arguments(night, limits=False)
    night.add_argument("--time", metavar="T", help="unix seconds or ISO 8601 (default: now; no offset = UTC)")
    night.set_defaults(func=cmd_night)

    targets = subparsers.add_parser(
        "targets",
        help="targets with locally computed observability_times (JSON like the API, a table or CSV)",
        description=(
            "List targets from a file in the API's response shape or the bundled sample, with "
            "observability_times and solar_conjunction computed locally for the site and time."
        ),
    )
    targets.add_argument("--targets-file", metavar="FILE", help='{"targets": [...]} or a bare JSON list (default: bundled sample)')
    add_site_arguments(targets)
    targets.add_argument("--time", metavar="T", help="unix seconds or ISO 8601 (default: now)")
    targets.add_argument("--section", nargs="+", choices=SECTION_CHOICES, metavar="SECTION",
                         help="observing sections: " + ", ".join(SECTION_CHOICES) + " (default: all)")
    targets.add_argument("--observable", action="store_true", help="only targets above the limit during the night")
    targets.add_argument("--orderby", choices=ORDERABLE_FIELDS, metavar="FIELD", help="sort by an output field")
    targets.add_argument("--reverse", action="store_true", help="reverse the order")
    targets.add_argument("--format", choices=("json", "table", "csv"), default="json")
    targets.set_defaults(func=cmd_targets)
