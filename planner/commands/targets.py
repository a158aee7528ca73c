"""``planner targets``: targets with locally computed ``observability_times`` and
``solar_conjunction``, as JSON in the API's shape, a table or CSV."""

from __future__ import annotations

import csv
import io
import json
import sys

from planner.commands.common import (
    SECTION_CHOICES,
    add_horizon_argument,
    add_site_arguments,
    add_time_argument,
    apply_horizon,
    fmt_local,
    load_targets,
    parse_time,
    select_sections,
    site_from_args,
)

ORDERABLE_FIELDS = (
    "star_name", "ra", "dec", "constellation", "var_type", "min_mag", "min_mag_band", "max_mag",
    "max_mag_band", "period", "obs_cadence", "obs_mode", "obs_section", "filter", "other_info",
    "priority", "last_data_point",
)


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
    from planner.app.visibility import compute_visibility, with_local_events  # start-up time

    from planner.config import load_settings

    site = apply_horizon(site_from_args(args), args)
    when = parse_time(args.time)
    targets = select_sections(load_targets(args.targets_file), args.section)
    obs = compute_visibility(targets, site, when, moon=load_settings().moon())
    return with_local_events(targets, obs), obs, site


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
            {"TARGET_RISES": "rises", "TARGET_SETS": "sets"}.get(c, "always up") + ("" if w is None else " " + fmt_local(w, tz))
            for c, w in ev
        ) or "not observable"
        print(f"{t.star_name[:22]:<22} {t.var_type[:10]:<10} {t.ra:8.3f} {t.dec:7.2f} {mags:>11} {codes[:4]:<4} {text}")


def _m(value) -> str:
    return "?" if value is None else f"{value:g}"


def register(subparsers) -> None:
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
    add_time_argument(targets)
    targets.add_argument("--section", nargs="+", choices=SECTION_CHOICES, metavar="SECTION",
                         help="observing sections: " + ", ".join(SECTION_CHOICES) + " (default: all)")
    add_horizon_argument(targets)
    targets.add_argument("--observable", action="store_true",
                         help="only targets above the limit (and the horizon mask) during the night")
    targets.add_argument("--orderby", choices=ORDERABLE_FIELDS, metavar="FIELD", help="sort by an output field")
    targets.add_argument("--reverse", action="store_true", help="reverse the order")
    targets.add_argument("--format", choices=("json", "table", "csv"), default="json")
    targets.set_defaults(func=cmd_targets)
