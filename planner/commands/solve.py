"""``planner solve FILE_OR_URL``: plate-solve an image on nova.astrometry.net, JSON on stdout.

Without ``--wait`` it prints the submission; with ``--wait`` it follows the solve and prints
the calibration, the result-file addresses and, with ``--target-ra/--target-dec``, how far
the target is from the field centre. The report is a plain dict built by ``build_report``
so further keys (such as a field ``verdict``) can be added to it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from planner.commands.common import CommandError, add_number_argument


def _angle(kind: str):
    """Degrees, or sexagesimal (RA in hours ``hh:mm:ss``, Dec in degrees ``±dd:mm:ss``)."""

    def parse(text: str) -> float:
        text = text.strip()
        try:
            return float(text)
        except ValueError:
            pass
        parts = text.replace("h", ":").replace("d", ":").replace("m", ":").replace("s", "").replace(" ", ":").split(":")
        try:
            sign = -1.0 if parts[0].strip().startswith("-") else 1.0
            numbers = [abs(float(parts[0]))] + [float(p) for p in parts[1:] if p]
        except (ValueError, IndexError):
            raise argparse.ArgumentTypeError(f"{text!r} is not an angle (use degrees or {'hh:mm:ss' if kind == 'ra' else 'dd:mm:ss'})") from None
        value = sum(n / 60**i for i, n in enumerate(numbers))
        return sign * value * (15.0 if kind == "ra" else 1.0)

    return parse


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "solve",
        help="plate-solve an image file or URL on nova.astrometry.net (JSON out)",
        description=(
            "Upload an image (or an image URL) to nova.astrometry.net. Needs your API key: "
            "`planner keys set astrometry` or PLANNER_ASTROMETRY_KEY. PLANNER_ASTROMETRY_URL points "
            "it at another server with the same API."
        ),
    )
    parser.add_argument("source", metavar="FILE_OR_URL", help="an image file, or an http(s) address of one")
    hint = parser.add_argument_group("hints (make the solve faster)")
    hint.add_argument("--center-ra", type=_angle("ra"), metavar="RA", help="approximate field centre RA (deg or hh:mm:ss)")
    add_number_argument(hint, "--center-dec", type=_angle("dec"), metavar="DEC", help="approximate field centre Dec (deg or dd:mm:ss)")
    hint.add_argument("--radius", type=float, metavar="DEG", help="search radius around the centre, degrees")
    hint.add_argument("--scale-units", choices=("degwidth", "arcminwidth", "arcsecperpix"))
    hint.add_argument("--scale-lower", type=float, metavar="X")
    hint.add_argument("--scale-upper", type=float, metavar="X")
    hint.add_argument("--scale-est", type=float, metavar="X", help="scale estimate (use with --scale-err)")
    hint.add_argument("--scale-err", type=float, metavar="PCT", help="error of the estimate, percent")
    hint.add_argument("--downsample", dest="downsample_factor", type=float, metavar="N", help="bin by N before detection")
    hint.add_argument("--tweak-order", type=int, metavar="N", help="distortion polynomial order (default 2)")
    hint.add_argument("--parity", type=int, choices=(0, 1, 2))
    hint.add_argument("--positional-error", type=float, metavar="PX")
    hint.add_argument("--use-sextractor", action="store_true", default=None)
    hint.add_argument("--crpix-center", action="store_true", default=None)
    hint.add_argument("--image-width", type=int, metavar="PX", help="for x,y lists only")
    hint.add_argument("--image-height", type=int, metavar="PX", help="for x,y lists only")
    rights = parser.add_argument_group("visibility and licence")
    rights.add_argument("--private", dest="publicly_visible", action="store_const", const="n", help="do not show the image publicly")
    rights.add_argument("--public", dest="publicly_visible", action="store_const", const="y")
    rights.add_argument("--commercial-use", dest="allow_commercial_use", choices=("d", "y", "n"))
    rights.add_argument("--modifications", dest="allow_modifications", choices=("d", "y", "n", "sa"))
    wait = parser.add_argument_group("waiting")
    wait.add_argument("--wait", action="store_true", help="wait for the result and print the calibration")
    wait.add_argument("--poll-interval", type=float, default=5.0, metavar="S", help="seconds between status checks (default 5)")
    wait.add_argument("--timeout", type=float, default=600.0, metavar="S", help="give up waiting after this long (default 600)")
    wait.add_argument("--target-ra", type=_angle("ra"), metavar="RA", help="your target's RA, to report its distance from the centre")
    add_number_argument(wait, "--target-dec", type=_angle("dec"), metavar="DEC")
    wait.add_argument("--target", dest="target_name", metavar="NAME", help="a star of the bundled sample (e.g. 'SS CYG'): report whether it is in the field")
    parser.set_defaults(func=run_solve)


OPTION_FIELDS = (
    "center_ra", "center_dec", "radius", "scale_units", "scale_lower", "scale_upper", "scale_est", "scale_err",
    "downsample_factor", "tweak_order", "parity", "positional_error", "use_sextractor", "crpix_center",
    "image_width", "image_height", "publicly_visible", "allow_commercial_use", "allow_modifications",
)


def build_report(source: str, final, client, target: tuple[float, float] | None, *, target_name: str = "", wcs_header=None) -> dict[str, Any]:
    """The JSON report of a finished wait (``final`` is the last ``SolveStatus``); with a
    target, ``verdict`` says whether it is inside the solved field (``planner.sky.field``)."""
    from planner.app.solve import target_verdict
    from planner.sky.field import angular_separation_deg

    report: dict[str, Any] = {
        "source": source,
        "stage": final.stage,
        "solved": final.stage == "solved",
        "message": final.message,
        "elapsed": round(final.elapsed, 1),
        "subid": final.subid,
        "job_id": final.job_id,
        "status_url": client.status_page_url(final.subid) if final.subid is not None else None,
        "calibration": final.calibration.to_json() if final.calibration else None,
        "result_urls": client.result_urls(final.job_id) if final.calibration and final.job_id is not None else {},
        "target": None,
        "verdict": None,
    }
    if target is not None:
        entry: dict[str, Any] = {"ra": target[0], "dec": target[1], "separation_deg": None, "within_field_radius": None}
        if final.calibration:
            cal = final.calibration
            separation = angular_separation_deg(cal.ra, cal.dec, target[0], target[1])
            entry.update(separation_deg=round(separation, 5), within_field_radius=separation <= cal.radius)
            report["verdict"] = target_verdict(cal, target[0], target[1], name=target_name, width_px=cal.width_px,
                                               height_px=cal.height_px, wcs_header=wcs_header).to_json()
        report["target"] = entry
    return report


def run_solve(args) -> int:
    from planner.services.astrometry_net import AstrometryNetClient, UploadOptions

    if (args.target_ra is None) != (args.target_dec is None):
        raise CommandError("give both --target-ra and --target-dec, or neither")
    if args.target_name:
        args.target_ra, args.target_dec = _sample_position(args.target_name, args.target_ra, args.target_dec)
    if (args.target_ra is not None) and not args.wait:
        raise CommandError("--target-ra/--target-dec need --wait (the target is compared with the solved field)")
    if args.poll_interval <= 0 or args.timeout <= 0:
        raise CommandError("--poll-interval and --timeout must be positive")
    options = UploadOptions(**{name: getattr(args, name) for name in OPTION_FIELDS})
    options.to_request()  # refuse bad options before logging in
    if "://" not in args.source:
        _check_image_file(args.source)  # a missing file is the first thing to fix, before the key
    client = AstrometryNetClient.from_settings()
    progress = sys.stderr.isatty()

    if not args.wait:
        if "://" in args.source:
            submission = client.upload_url(args.source, options)
        else:
            submission = client.upload_file(args.source, options)
        _print({"source": args.source, "subid": submission.subid, "hash": submission.hash,
                "status_url": client.status_page_url(submission.subid)})
        return 0

    final = None
    last_stage = None
    for status in client.solve(args.source, options, poll_interval=args.poll_interval, timeout=args.timeout):
        final = status
        if progress and (status.stage != last_stage or status.message.startswith("retrying")):
            print(f"planner solve: {status.stage} ({status.elapsed:.0f} s) {status.message}", file=sys.stderr)
        last_stage = status.stage
    target = (args.target_ra, args.target_dec) if args.target_ra is not None else None
    wcs_header = None
    if target is not None and final.calibration and final.job_id is not None:
        # the solve's WCS places the target on the chip exactly; without it the verdict uses the radius
        from planner.app.solve import fetch_wcs

        wcs_header = fetch_wcs(client, final.job_id)
    report = build_report(args.source, final, client, target, target_name=args.target_name or "", wcs_header=wcs_header)
    _print(report)
    if not report["solved"]:
        print(f"planner solve: not solved: {final.message}", file=sys.stderr)
        return 1
    return 0


def _check_image_file(source: str) -> None:
    path = Path(source)
    if not path.exists():
        raise CommandError(f"the file {source!r} does not exist; check the path (or give an http(s) address)")
    if path.is_dir():
        raise CommandError(f"{source!r} is a folder, not an image; choose an image file")
    if not os.access(path, os.R_OK):
        raise CommandError(f"{source!r} cannot be read (permission denied); check the file's permissions")


def _sample_position(name: str, ra, dec) -> tuple[float, float]:
    """RA/Dec of a star of the bundled sample by name (case and spaces ignored)."""
    from planner.catalog.sample import load_sample
    if ra is not None:
        raise CommandError("give either --target NAME or --target-ra/--target-dec, not both")
    key = "".join(name.split()).lower()
    for target in load_sample().targets:
        if "".join(target.star_name.split()).lower() == key:
            return target.ra, target.dec
    raise CommandError(f"{name!r} is not in the bundled sample; give its position with --target-ra and --target-dec")


def _print(data) -> None:
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")
