"""``planner arcsecond ...``: list Arcsecond sites, telescopes, night logs, data packages and
datasets, create a dataset, and upload FITS/XISF files (resumable) — JSON on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from planner.commands._output import emit
from planner.commands.common import CommandError
from planner.services.origin import record_json

RESOURCES = {
    # command: (list method, detail method, help)
    "sites": ("sites", "site", "observing sites (with their telescopes' UUIDs)"),
    "telescopes": ("telescopes", "telescope", "telescopes"),
    "nightlogs": ("nightlogs", "nightlog", "night logs (local noon to local noon)"),
    "datapackages": ("datapackages", "datapackage", "data packages"),
    "datasets": ("datasets", "dataset", "datasets (containers of data files)"),
}


def register(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--observatory",
        metavar="SUBDOMAIN",
        help="the observatory's subdomain on the Arcsecond cloud (default: Settings)",
    )
    parser = subparsers.add_parser(
        "arcsecond",
        help="Arcsecond: sites, telescopes, night logs, datasets, uploads (JSON out)",
        description=(
            "Talk to Arcsecond (the cloud, or an Arcsecond.local server set as PLANNER_ARCSECOND_URL). "
            "Needs your API key (`planner keys set arcsecond` or PLANNER_ARCSECOND_KEY); uploads use "
            "the upload key when one is set (PLANNER_ARCSECOND_UPLOAD_KEY)."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    for command, (_list, _detail, text) in RESOURCES.items():
        sub = actions.add_parser(command, parents=[common], help=f"list {text}, or one by UUID")
        sub.add_argument("uuid", nargs="?", metavar="UUID", help="show only this one")
        if command == "datasets":
            sub.add_argument("--create", metavar="NAME", help="create a dataset with this name")
            sub.add_argument("--telescope", metavar="UUID", help="with --create: the dataset's telescope")
            sub.add_argument("--files", action="store_true", help="with UUID: list the dataset's data files")
        sub.set_defaults(func=run_resource, resource=command)
    upload = actions.add_parser(
        "upload",
        parents=[common],
        help="upload FITS/XISF files to a dataset, skipping those already there",
        description=(
            "Upload files (.fits .fit .fts .xisf, optionally .gz .bz2 .zip) to a dataset. Files the "
            "dataset already holds (same name and size) are skipped, so after a failure the same "
            "command uploads only what is missing."
        ),
    )
    upload.add_argument("dataset", metavar="DATASET", help="the dataset's UUID")
    upload.add_argument("files", nargs="+", metavar="FILE")
    upload.add_argument("--quiet", action="store_true", help="no progress on stderr")
    upload.set_defaults(func=run_upload)


def _emit(payload: dict[str, Any], *parts: Any) -> None:
    emit(payload, *parts, service="Arcsecond", command="arcsecond")


def _client(args):
    from planner.services.arcsecond import ArcsecondClient

    return ArcsecondClient.from_settings(observatory=args.observatory)


def run_resource(args: argparse.Namespace) -> int:
    client = _client(args)
    list_method, detail_method, _text = RESOURCES[args.resource]
    if args.resource == "datasets" and args.create:
        if args.uuid:
            raise CommandError("give either a dataset UUID or --create NAME, not both")
        dataset = client.create_dataset(args.create, telescope=args.telescope)
        _emit({"service": "arcsecond", "created": record_json(dataset)})
        return 0
    if args.resource == "datasets" and args.files:
        if not args.uuid:
            raise CommandError("--files needs the dataset's UUID")
        files = client.datafiles(args.uuid)
        _emit({"service": "arcsecond", "dataset": args.uuid, "datafiles": [record_json(f) for f in files]}, files)
        return 0
    if args.uuid:
        item = getattr(client, detail_method)(args.uuid)
        _emit({"service": "arcsecond", args.resource: [record_json(item)]}, item)
        return 0
    items = getattr(client, list_method)()
    _emit({"service": "arcsecond", args.resource: [record_json(i) for i in items]}, items)
    return 0


class _Progress:
    """One updating line per file on stderr (a line per file when stderr is not a terminal)."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.current: str | None = None
        self.last_percent = -1

    def __call__(self, name: str, sent: int, total: int) -> None:
        percent = 100 if total <= 0 else int(100 * sent / total)
        if name != self.current:
            self.current, self.last_percent = name, -1
        if percent == self.last_percent:
            return
        self.last_percent = percent
        if self.tty:
            end = "\n" if percent >= 100 else ""
            self.stream.write(f"\rupload {name}: {percent:3d}% of {total:,} bytes{end}")
        elif percent >= 100:
            self.stream.write(f"uploaded {name} ({total:,} bytes)\n")
        self.stream.flush()


def run_upload(args: argparse.Namespace) -> int:
    client = _client(args)
    progress = None if args.quiet else _Progress(sys.stderr)
    report = client.upload_files(args.dataset, args.files, progress)
    json.dump(dict(report.to_json(), service="arcsecond"), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    if not report.ok:
        name, error = report.failed[0] if report.failed else ("?", "stopped")
        left = len(report.failed) + len(report.remaining)
        print(
            f"planner arcsecond: upload stopped at {name}: {error} "
            f"Run the same command again to upload the {left} file(s) not yet sent.",
            file=sys.stderr,
        )
        return 1
    return 0
