"""``planner tonight``: the headless form of the main window: tonight's window, twilight,
the Moon and the observable targets, most urgent first."""

from __future__ import annotations

import datetime as dt
import math

from planner.commands.common import (
    SECTION_CHOICES,
    CommandError,
    add_horizon_argument,
    add_site_arguments,
    add_time_argument,
    fmt_local,
    number,
    parse_time,
)
from planner.commands.targets import computed_targets
from planner.formatting import moon_phase_name


def urgency_key(target, index, obs, now):
    """Most urgent first (the catalog's urgency, as the scheduler ranks), then sets soonest."""
    windows = obs.windows(index)
    ends = windows[0][1] if windows else math.inf
    return (-target.urgency(now), ends)


def cmd_tonight(args) -> int:
    from planner.app.tonight import tonight  # start-up time: loads the sky engine

    targets, obs, site = computed_targets(args)
    now = parse_time(args.time)
    tz = dt.timezone.utc if args.utc else site.tz
    tzname = "UTC" if args.utc else site.timezone
    night = obs.night
    tw = night.twilight
    which = tonight(site, now).describe() if args.time is None else "the night after --time"
    print(f"Site: {site.describe()}  (times in {tzname}; {which})")
    if night.end <= night.start:
        print(f"No night: {night.status.replace('_', ' ').lower()} (the Sun stays above {site.sun_altitude:g} deg).")
        return 0
    print(
        f"Night ({night.status}): {fmt_local(night.start, tz, True)} -> {fmt_local(night.end, tz, True)}"
        f"  [{night.hours:.1f} h with the Sun below {site.sun_altitude:g} deg]"
    )
    print(
        f"Sunset {fmt_local(tw.sunset, tz)}  dusk {fmt_local(tw.astronomical_dusk, tz)}  "
        f"dawn {fmt_local(tw.astronomical_dawn, tz)}  sunrise {fmt_local(tw.sunrise, tz)}  "
        f"astronomical darkness {tw.astronomical_darkness_hours:.1f} h"
    )
    print(
        f"Moon: {moon_phase_name(obs.moon_illumination, obs.moon_waxing)}, "
        f"{obs.moon_illumination * 100:.0f}% illuminated, up to {float(max(obs.moon_altitude.max(), -90)):.0f} deg tonight"
        f"; avoidance: {obs.moon_avoidance.describe()}"
    )
    if site.horizon is not None:
        print(f"Horizon mask: {site.horizon.describe()}; the limit is the higher of it and {site.target_altitude:g} deg")
    if args.star:
        label = "UTC" if args.utc else dt.datetime.fromtimestamp(night.start, tz).tzname() or tzname
        return print_star(args.star, targets, obs, tz, label)
    rows = [i for i in range(len(targets)) if obs.events[i] and not obs.solar_conjunction[i]]
    rows.sort(key=lambda i: urgency_key(targets[i], i, obs, now))
    if args.limit:
        rows = rows[: args.limit]
    print()
    limit = f"limit {site.target_altitude:g} deg" + (" and the horizon mask" if site.horizon is not None else "")
    print(f"{len(rows)} observable target(s), most urgent first ({limit}):")
    def window_text(i):
        return ", ".join(f"{fmt_local(a, tz)}-{fmt_local(b, tz)}" for a, b in obs.windows(i))

    width = max([13] + [len(window_text(i)) for i in rows])
    print(f"  {'star':<20} {'window':<{width}} {'hours':>5} {'max alt':>7} {'transit':>7} {'moon':>5}  "
          f"{'cadence':<16} flags")
    for i in rows:
        t = targets[i]
        flags = []
        if t.priority:
            flags.append("PRIORITY")
        if t.is_due(now):
            over = t.overdue_days(now)
            flags.append("due" + (f" ({over:.0f} d late)" if over is not None else " (no data yet)"))
        if not obs.moon_clear[i]:
            flags.append("Moon too close")
        cadence = "-" if t.obs_cadence is None else f"every {t.obs_cadence:g} d"
        print(
            f"  {t.star_name[:20]:<20} {window_text(i):<{width}} {obs.hours_observable[i]:5.1f} {obs.max_altitude[i]:6.0f}° "
            f"{fmt_local(float(obs.transit[i]), tz):>7} {moon_text(obs, i):>5}  {cadence:<16} {' '.join(flags)}"
        )
    return 0


def print_star(name: str, targets, obs, tz, tzname: str) -> int:
    """One target's night, as the window's Details dock shows it (``planner.app.target_sky``)."""
    from planner.app.target_sky import describe_target_sky, target_sky

    wanted = " ".join(name.split()).lower()
    found = [i for i, t in enumerate(targets) if " ".join(t.star_name.split()).lower() == wanted]
    if not found:
        raise CommandError(f"No target called {name!r} in the list; give a star name as `planner targets` "
                           "lists it (e.g. --star \"SS Cyg\"), or another --targets-file")
    i = found[0]
    print()
    print(targets[i].star_name)
    for label, text in describe_target_sky(target_sky(obs, i, targets[i]), tz, tzname):
        print(f"  {label + ':':<12}{text}")
    return 0


def moon_text(obs, index: int) -> str:
    """The closest the Moon comes while the target is observable, or "down" when the Moon
    is below the horizon all that time."""
    closest = float(obs.moon_min_separation[index])
    return "down" if math.isnan(closest) else f"{closest:.0f}°"


def register(subparsers) -> None:
    tonight = subparsers.add_parser(
        "tonight",
        help="tonight's window, the Moon and the observable targets, most urgent first",
        description="The headless form of the main window: tonight at your site (from Settings, or --lat/--lon).",
    )
    tonight.add_argument("--targets-file", metavar="FILE", help="targets file (default: bundled sample)")
    add_site_arguments(tonight)
    add_time_argument(tonight)
    add_horizon_argument(tonight)
    tonight.add_argument("--section", nargs="+", choices=SECTION_CHOICES, metavar="SECTION")
    tonight.add_argument("--limit", type=number(1, integer=True), metavar="N", help="show at most N targets (1 or more)")
    tonight.add_argument("--utc", action="store_true", help="times in UTC instead of the site's time zone")
    tonight.add_argument("--star", metavar="NAME",
                         help="only this target: its position, tonight's window, transit and highest altitude "
                              "(what the window's Details panel shows)")
    tonight.set_defaults(func=cmd_tonight)
