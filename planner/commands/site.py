"""``planner site show|set|import-aavso|import-arcsecond``: the observing site, set once.

Every other command (and the window) then uses it: ``tonight``, ``plan`` and the rest need
no ``--lat/--lon``. The site lives in the settings file (``planner site show`` prints its
path); the use cases are in ``planner.app.site``.
"""

from __future__ import annotations

import json
import sys

HELP = "show or set your observing site (by hand, or from your AAVSO or Arcsecond account)"


def register(subparsers) -> None:
    from planner.commands.common import add_site_arguments

    parser = subparsers.add_parser(
        "site",
        help=HELP,
        description=(
            "Your observing site and its altitude limits, kept in the settings file and used by "
            "every command and the window. Set it once by hand (site set), from the telescope "
            "record of your AAVSO account (site import-aavso) or from an Arcsecond observing "
            "site (site import-arcsecond)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    show = actions.add_parser("show", help="print the site, its limits and the settings file's path")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    show.set_defaults(func=run_show, reports_settings_warnings=True)

    set_ = actions.add_parser(
        "set",
        help="change the site: any of its values, the rest kept",
        description=(
            "Change the site. Give --lat and --lon together; a new place gets the time zone of "
            "its coordinates unless --timezone is given. Values not given are kept. The whole "
            "site is checked before anything is saved."
        ),
    )
    add_site_arguments(set_, title="the site")
    set_.add_argument("--name", metavar="TEXT", help="the site's name, shown in plans and exports ('' for none)")
    set_.add_argument("--timezone", metavar="ZONE",
                      help="IANA time zone such as Europe/Berlin ('' = from the coordinates, the default)")
    _dry_run(set_)
    set_.set_defaults(func=run_set)

    aavso = actions.add_parser(
        "import-aavso",
        help="take the site from your AAVSO account's telescope record",
        description=(
            "Read the telescope record stored with your AAVSO Target Tool account (the place and, "
            "if set, the target and Sun altitudes) and make it your site. Needs your AAVSO API key: "
            "`planner keys set aavso` or PLANNER_AAVSO_KEY. AAVSO stores no name or elevation: "
            "give them with --name/--elevation."
        ),
    )
    aavso.add_argument("--name", metavar="TEXT", help="name the imported site")
    aavso.add_argument("--elevation", type=_elevation(), metavar="M", help="its elevation in metres")
    _dry_run(aavso)
    aavso.set_defaults(func=run_import_aavso)

    arcsecond = actions.add_parser(
        "import-arcsecond",
        help="take the site from one of your Arcsecond observing sites",
        description=(
            "Make one of your Arcsecond observing sites (name, coordinates, height) your site. "
            "With one site on the account it is taken; with several, name it (name or UUID). "
            "Needs your Arcsecond API key: `planner keys set arcsecond` or PLANNER_ARCSECOND_KEY."
        ),
    )
    arcsecond.add_argument("which", nargs="?", metavar="SITE", help="the site's name or UUID (needed when there are several)")
    arcsecond.add_argument("--observatory", metavar="SUBDOMAIN",
                           help="the observatory's subdomain on the Arcsecond cloud (default: Settings)")
    _dry_run(arcsecond)
    arcsecond.set_defaults(func=run_import_arcsecond)


def _dry_run(parser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="show the resulting site without saving it")


def _elevation():
    from planner.commands.common import site_number

    return site_number("elevation")


# -- showing ------------------------------------------------------------------------------------


def site_json(settings, path) -> dict:
    site = settings.site()
    return {
        "name": site.name,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "elevation": site.elevation,
        "timezone": site.timezone,
        "timezone_from_coordinates": not settings.timezone,
        "target_altitude": site.target_altitude,
        "sun_altitude": site.sun_altitude,
        "is_default": settings.is_default_site,
        "settings_file": str(path),
        "warnings": list(settings.warnings),
    }


def site_text(settings) -> str:
    site = settings.site()
    ns = "N" if site.latitude >= 0 else "S"
    ew = "E" if site.longitude >= 0 else "W"
    zone = f"{site.timezone} ({'from the coordinates' if not settings.timezone else 'set by you'})"
    rows = [
        ("name", site.name or "(none)"),
        ("latitude", f"{abs(site.latitude):.4f}° {ns}"),
        ("longitude", f"{abs(site.longitude):.4f}° {ew}"),
        ("elevation", f"{site.elevation:g} m"),
        ("time zone", zone),
        ("target altitude", f"{site.target_altitude:g}° (lowest a target is observed)"),
        ("sun altitude", f"{site.sun_altitude:g}° (the Sun below this is night)"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"  {k:<{width}}  {v}" for k, v in rows)


def _print_site(settings, path, *, saved: bool | None = None) -> None:
    if saved is True:
        print(f"Saved your site to {path}:")
    elif saved is False:
        print("Would save this site (--dry-run, nothing changed):")
    else:
        print(f"Site (from {path}):")
    print(site_text(settings))
    if settings.is_default_site:
        print("This is the default site, AAVSO HQ. Set yours with `planner site set --lat DEG --lon DEG`, "
              "`planner site import-aavso` or `planner site import-arcsecond`.")


def run_show(args) -> int:
    from planner.config import load_settings, settings_path

    settings, path = load_settings(), settings_path()
    if args.format == "json":
        json.dump(site_json(settings, path), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    _print_site(settings, path)
    if settings.warnings:
        print("Problems in the settings file (defaults used for these):")
        for warning in settings.warnings:
            print(f"  {warning}")
    return 0


# -- changing ----------------------------------------------------------------------------------


def _apply(args, change, *, source: str = "", origin: str = "") -> int:
    from planner.app.site import change_site
    from planner.config import keep_settings_copy, load_settings, save_settings, settings_path
    from planner.limits import SiteError

    old = load_settings()
    try:
        settings = change_site(old, change)
    except SiteError as exc:
        if not origin:
            raise
        raise SiteError(f"{origin} cannot be your site: {exc} Nothing was changed.") from None
    if args.dry_run:
        _print_site(settings, settings_path(), saved=False)
        return 0
    copy = keep_settings_copy() if old.warnings else None
    path = save_settings(settings)
    _print_site(settings, path, saved=True)
    if source:
        print(source)
    if copy is not None:
        print(f"The file had values planner could not use (listed above); defaults replaced them. "
              f"The file as it was is kept as {copy}.")
    return 0


def run_set(args) -> int:
    from planner.app.site import SiteChange
    from planner.commands.common import CommandError, check_place_pair

    check_place_pair(args)
    change = SiteChange(latitude=args.lat, longitude=args.lon, elevation=args.elevation, name=args.name,
                        target_altitude=args.target_altitude, sun_altitude=args.sun_altitude,
                        timezone=args.timezone)
    if change.is_empty():
        raise CommandError("nothing to change: give --lat and --lon, --elevation, --name, --target-altitude, "
                           "--sun-altitude or --timezone (see `planner site set --help`)")
    return _apply(args, change)


def run_import_aavso(args) -> int:
    import dataclasses

    from planner.app.site import change_from_aavso
    from planner.config import load_settings
    from planner.services.aavso import AavsoClient

    scope = AavsoClient.from_settings(load_settings()).get_telescope()
    change = dataclasses.replace(change_from_aavso(scope), name=args.name, elevation=args.elevation)
    note = "From your AAVSO telescope record"
    if scope.offline:
        note += " (offline: the copy cached when it was last fetched)"
    if scope.targetaltitude is None or scope.sunaltitude is None:
        note += "; the account sets no altitude limits, so yours are kept"
    return _apply(args, change, source=note + ".", origin="The telescope record of your AAVSO account")


def run_import_arcsecond(args) -> int:
    from planner.app.site import change_from_arcsecond, choose_arcsecond_site
    from planner.config import load_settings
    from planner.services.arcsecond import ArcsecondClient

    client = ArcsecondClient.from_settings(load_settings(), observatory=args.observatory)
    chosen = choose_arcsecond_site(client.sites(), args.which)
    label = f"the Arcsecond observing site {chosen.name or chosen.uuid} ({chosen.uuid})"
    return _apply(args, change_from_arcsecond(chosen), source=f"From {label}.", origin=label[0].upper() + label[1:])


__all__ = ["register", "site_json", "site_text"]
