"""``planner vsp``: an AAVSO comparison-star chart and its photometry (kept for the field),
or every chart of a plan prepared before going out (``--plan``)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

from planner.commands.common import CommandError

HELP = "an AAVSO comparison-star chart and photometry (VSP), or every chart of a plan (--plan)"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "vsp",
        help=HELP,
        description=(
            "Get a comparison-star chart from AAVSO's Variable Star Plotter: its id (report it with your "
            "estimates), its picture and the comparison stars' photometry. The field and magnitude limit "
            "default from Settings > Telescope (the eyepiece's or camera's field; a magnitude past the star's "
            "faintest). Charts are kept on disk, so asking again, or for a chart id you have, needs no "
            "network. With --plan, every star of the plan gets its chart, and the plan remembers each "
            "chart's id. No key is needed; PLANNER_VSP_URL points to another server."
        ),
    )
    parser.add_argument("star", nargs="?", metavar="NAME", help="the star, e.g. 'SS Cyg' (its VSX name or AUID)")
    parser.add_argument("--fov", type=float, metavar="ARCMIN", help="chart width in arcminutes (default: the telescope's field)")
    parser.add_argument("--maglimit", type=float, metavar="MAG", help="faintest stars drawn (default: past the star's faintest)")
    parser.add_argument("--scale", choices=tuple("ABCDEFG"), type=str.upper,
                        help="one of AAVSO's chart scales instead (A 15° ... G 7.5')")
    parser.add_argument("--chart-id", metavar="ID", help="a chart already made, by the id printed on it")
    parser.add_argument("--image", type=Path, metavar="FILE", help="also write the chart's picture (PNG) to FILE")
    parser.add_argument("--format", choices=("json", "table"), default="json",
                        help="json (the chart as the API gives it; default) or table (the comparison stars)")
    parser.add_argument("--refresh", action="store_true", help="ask VSP again instead of using a kept chart")
    parser.add_argument("--plan", type=Path, metavar="PLAN",
                        help="prepare the chart of every star of this plan file (kept for the field) and save "
                             "their ids in the plan")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.plan is not None:
        if args.star or args.chart_id:
            raise CommandError("--plan prepares every star of the plan; leave NAME and --chart-id out.")
        return _prepare(args)
    if not args.star and not args.chart_id:
        raise CommandError("give a star NAME, --chart-id ID, or --plan PLAN.")
    from planner.app.charts import ChartStore, chart_request, find_target, get_chart, open_chart
    from planner.config import load_settings

    settings = load_settings()
    store = ChartStore()
    if args.chart_id:
        if args.fov is not None or args.maglimit is not None or args.scale:
            raise CommandError("--chart-id gives back a chart as it was made; leave --fov, --maglimit and --scale out.")
        result = open_chart(args.chart_id, settings=settings, store=store)
        request_words = f"chart {result.chart.chart_id} as it was made"
    else:
        target = find_target(args.star) or args.star
        request = chart_request(target, settings, fov=args.fov, maglimit=args.maglimit, scale=args.scale)
        result = get_chart(request, settings=settings, store=store, refresh=args.refresh)
        request_words = request.words
    chart = result.chart
    if args.image is not None:
        if result.stored.image is None:
            raise CommandError(f"chart {chart.chart_id} has no picture kept; run again with --refresh when online.")
        from planner.config import atomic_write_bytes

        atomic_write_bytes(args.image, result.stored.image)
    if result.message:
        print(f"planner vsp: {result.message}", file=sys.stderr)
    if args.format == "table":
        print(chart_table(chart, result, request_words))
        if args.image is not None:
            print(f"Picture written to {args.image}")
        return 0
    offline = result.source == "stale"
    payload = {**chart.to_json(), "source": result.source, "asked": request_words,
               "kept_at": result.stored.fetched_at}
    if args.image is not None:
        payload["image_file"] = str(args.image)
    origin = {"from_cache": result.source != "service", "offline": offline, "fetched_at": result.stored.fetched_at}
    json.dump({**payload, **origin}, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def chart_table(chart, result, request_words: str) -> str:
    """The comparison stars as a table: label, AUID, RA/Dec, V and B-V, then the other bands."""
    from planner.formatting import dec_dms, ra_hms

    bands = [b for b in chart.bands() if b not in ("V", "B")]
    where = {"store": f"kept since {result.stored.fetched_text()}", "service": "just fetched",
             "stale": f"OLD COPY from {result.stored.fetched_text()} (VSP failed)"}[result.source]
    lines = [f"Chart {chart.chart_id} of {chart.star or '?'}: {chart.fov or 0:g}′, limit {chart.maglimit or 0:g} "
             f"({where}; {request_words})", f"Picture: {chart.image_uri}"]
    header = ["Label", "AUID", "RA", "Dec", "V", "B-V", *bands]
    rows = [header]

    def cell(m) -> str:
        if m is None:
            return ""
        return f"{m.mag:.3f}" + (f"±{m.error:.3f}" if m.error is not None else "")

    for star in chart.photometry:
        rows.append([star.label or "-", star.auid or "-",
                     ra_hms(star.ra, decimals=1) if star.ra is not None else "",
                     dec_dms(star.dec, decimals=0) if star.dec is not None else "",
                     cell(star.magnitude("V")), cell(star.b_minus_v), *(cell(star.magnitude(b)) for b in bands)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip() for row in rows]
    if not chart.photometry:
        lines.append("(no comparison stars in this field and magnitude range)")
    return "\n".join(lines)


def _prepare(args: argparse.Namespace) -> int:
    from planner.app.charts import ChartStore, apply_chart_ids, prepare_charts
    from planner.config import load_settings
    from planner.plan import store as plan_store

    if args.fov is not None or args.maglimit is not None or args.scale or args.image is not None:
        raise CommandError("--plan takes each star's field and limit from Settings > Telescope; leave --fov, "
                           "--maglimit, --scale and --image out.")
    plan = plan_store.load_plan(args.plan)
    if not plan.entries:
        raise CommandError(f"{args.plan} has no entries; add stars to the plan first.")
    stop = {"asked": False}
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(_signum, _frame):  # first Ctrl-C: finish the star in hand, keep what is done
        stop["asked"] = True
        print("\nplanner vsp: stopping after this star (Ctrl-C again to quit at once)", file=sys.stderr)
        signal.signal(signal.SIGINT, previous)

    def progress(done: int, total: int, star: str) -> None:
        if star:
            print(f"[{done + 1}/{total}] {star}", file=sys.stderr)

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        report = prepare_charts(plan, load_settings(), store=ChartStore(), refresh=args.refresh, progress=progress,
                                cancelled=lambda: stop["asked"])
    finally:
        signal.signal(signal.SIGINT, previous)
    changed = apply_chart_ids(plan, report.chart_ids)
    if changed:
        plan_store.save_plan(plan, args.plan)
    for item in report.charts:
        if item.source == "stale" and item.message:
            print(f"planner vsp: {item.star}: {item.message}", file=sys.stderr)
    print(report.summary() + (f" Saved the chart ids in {args.plan}." if changed else ""))
    return 1 if report.failed or report.cancelled else 0


__all__ = ["chart_table", "register", "run"]
