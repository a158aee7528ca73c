"""``planner images astrobin|nasa``: search AstroBin and the NASA Image Library headless, JSON out.

Each call fetches one page (AstroBin forbids scraping); use ``--offset``/``--page`` for more.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from typing import Any

from planner.commands._output import emit
from planner.commands.common import CommandError, value_may_start_with_dash
from planner.services.origin import record_json


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "images",
        help="search reference images on AstroBin or the NASA Image Library (JSON out)",
        description="Search reference images. Prints JSON on stdout; errors are one line on stderr.",
    )
    sources = parser.add_subparsers(dest="source", metavar="SOURCE")
    sources.required = True

    ab = sources.add_parser(
        "astrobin",
        help="AstroBin image search, image by id, image of the day",
        description=(
            "Search AstroBin (needs an API key and secret: `planner keys set astrobin` or "
            "PLANNER_ASTROBIN_KEY / PLANNER_ASTROBIN_SECRET). QUERY is the subject, e.g. M31."
        ),
    )
    ab.add_argument("query", nargs="?", metavar="QUERY", help="subject to search for, e.g. M31 or 'SS Cyg'")
    ab.add_argument("--user", help="only this AstroBin user's images")
    ab.add_argument("--title", help="title contains this text (case-insensitive)")
    ab.add_argument("--description", help="description contains this text (case-insensitive)")
    ab.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="FIELD__LOOKUP=VALUE",
        help="another lookup the server applies, e.g. title__istartswith=M, published__gte=2024-01-01 or w__gte=4000 (repeatable)",
    )
    solved = ab.add_mutually_exclusive_group()
    solved.add_argument("--solved", dest="is_solved", action="store_const", const=True, help="only plate-solved images")
    solved.add_argument("--unsolved", dest="is_solved", action="store_const", const=False, help="only unsolved images")
    ab.add_argument("--uploaded-after", metavar="DATE", help="uploaded on or after DATE (YYYY-MM-DD)")
    ab.add_argument("--uploaded-before", metavar="DATE", help="uploaded before DATE (YYYY-MM-DD)")
    unserved = " (on AstroBin's API page, but its server ignores it: refused with the reason)"
    ab.add_argument("--min-field-width", type=float, metavar="SIZE", help="field at least this wide" + unserved)
    ab.add_argument("--min-field-height", type=float, metavar="SIZE", help="field at least this high" + unserved)
    ab.add_argument("--field-units", choices=("degrees", "arcminutes", "arcseconds"), help="units of the field sizes" + unserved)
    value_may_start_with_dash(
        ab.add_argument("--order-by", metavar="FIELD", help="uploaded, published or title; '-' sorts descending, e.g. -uploaded")
    )
    ab.add_argument("--limit", type=int, default=20, help="images per page (1-25, the server's most; default 20)")
    ab.add_argument("--offset", type=int, default=0, help="skip this many results (paging)")
    ab.add_argument("--id", dest="image_id", metavar="ID", help="fetch one image by its id instead of searching")
    ab.add_argument("--iotd", action="store_true", help="the image of the day instead of a search")
    ab.add_argument("--days-ago", type=int, default=0, metavar="N", help="with --iotd: the image of N days ago")
    ab.set_defaults(func=run_astrobin)

    nasa = sources.add_parser(
        "nasa",
        help="NASA Image and Video Library search, assets, metadata, albums",
        description="Search images-api.nasa.gov (no key needed). QUERY is free text; give it or another filter.",
    )
    nasa.add_argument("query", nargs="?", metavar="QUERY", help="free-text search terms")
    for name in (
        "center",
        "description",
        "description_508",
        "keywords",
        "location",
        "nasa_id",
        "photographer",
        "secondary_creator",
        "title",
    ):
        nasa.add_argument(f"--{name.replace('_', '-')}", dest=name, help=f"search the {name.replace('_', ' ')} field")
    nasa.add_argument("--media-type", dest="media_type", help="image, video or audio (comma-separated)")
    nasa.add_argument("--year-start", help="first year, YYYY")
    nasa.add_argument("--year-end", help="last year, YYYY")
    nasa.add_argument("--page", type=int, help="page number, from 1")
    nasa.add_argument("--page-size", type=int, help="results per page (1-100)")
    what = nasa.add_mutually_exclusive_group()
    what.add_argument("--asset", metavar="NASA_ID", help="the asset's files (manifest) instead of a search")
    what.add_argument("--metadata", metavar="NASA_ID", help="the asset's metadata.json instead of a search")
    what.add_argument("--captions", metavar="NASA_ID", help="where a video's captions are")
    what.add_argument("--album", metavar="NAME", help="an album's contents (use --page for more)")
    nasa.add_argument(
        "--size",
        choices=("thumb", "small", "medium", "large", "orig"),
        default="medium",
        help="with --asset: which image size to pick as 'best' (default medium)",
    )
    nasa.set_defaults(func=run_nasa)


def _image_json(image) -> dict[str, Any]:
    data = record_json(image)
    data["urls"] = asdict(image.urls)
    data["page_url"] = image.page_url
    return data


def _parse_filters(items: list[str]) -> dict[str, str]:
    lookups = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--filter {item!r} must look like FIELD__LOOKUP=VALUE, e.g. title__icontains=veil")
        lookups[key.strip()] = value
    return lookups


def run_astrobin(args: argparse.Namespace) -> int:
    from planner.services.astrobin import AstrobinClient, SearchQuery

    client = AstrobinClient.from_settings()
    if args.iotd:
        iotd = client.image_of_the_day(args.days_ago)
        _astrobin(
            {
                "service": "astrobin",
                "image_of_the_day": {"date": iotd.date, "image_id": iotd.image_id},
                "image": _image_json(iotd.image) if iotd.image else None,
            },
            iotd,
        )
        return 0
    if args.image_id:
        image = client.image(args.image_id)
        _astrobin({"service": "astrobin", "image": _image_json(image)}, image)
        return 0
    query = SearchQuery(
        subject=args.query,
        user=args.user,
        title=args.title,
        description=args.description,
        lookups=_parse_filters(args.filter),
        uploaded_after=args.uploaded_after,
        uploaded_before=args.uploaded_before,
        is_solved=args.is_solved,
        min_field_width=args.min_field_width,
        min_field_height=args.min_field_height,
        field_units=args.field_units,
        order_by=args.order_by,
        limit=args.limit,
        offset=args.offset,
    )
    page = client.search(query)
    _astrobin(
        {
            "service": "astrobin",
            "total_count": page.total_count,
            "limit": page.limit,
            "offset": page.offset,
            "next_offset": page.next_offset,
            "previous_offset": page.previous_offset,
            "images": [_image_json(image) for image in page.images],
        },
        page,
    )
    return 0


def _astrobin(payload: dict[str, Any], *parts: Any) -> None:
    emit(payload, *parts, service="AstroBin", command="images astrobin")


def _nasa(payload: dict[str, Any], *parts: Any) -> None:
    emit(payload, *parts, service="NASA Images", command="images nasa")


def _results_json(results) -> dict[str, Any]:
    return {
        "service": "nasa",
        "total_hits": results.total_hits,
        "next_page": results.next_page,
        "previous_page": results.previous_page,
        "items": [asdict(item) for item in results.items],
    }


def run_nasa(args: argparse.Namespace) -> int:
    from planner.services.nasa_images import TEXT_PARAMETERS, NasaImagesClient

    client = NasaImagesClient.from_settings()
    if args.asset:
        asset = client.asset(args.asset)
        _nasa(
            {
                "service": "nasa",
                "nasa_id": asset.nasa_id,
                "files": list(asset.urls),
                "sizes": asset.by_size(),
                "best": asset.pick(args.size),
                "metadata_url": asset.metadata_url,
            },
            asset,
        )
        return 0
    if args.metadata:
        meta = client.metadata(args.metadata)
        data = {  # fields is a read-only mapping: copy it for JSON
            "nasa_id": meta.nasa_id,
            "location": meta.location,
            "title": meta.title,
            "description": meta.description,
            "date_created": meta.date_created,
            "fields": dict(meta.fields),
        }
        _nasa({"service": "nasa", "metadata": data}, meta)
        return 0
    if args.captions:
        captions = client.captions(args.captions)
        _nasa({"service": "nasa", "nasa_id": captions.nasa_id, "captions_location": captions.location}, captions)
        return 0
    if args.album:
        album = client.album(args.album, args.page)
        _nasa(dict(_results_json(album), album=args.album), album)
        return 0
    terms = {
        name: getattr(args, name)
        for name in TEXT_PARAMETERS
        if name != "q" and getattr(args, name) is not None
    }
    results = client.search(
        args.query, page=args.page, page_size=args.page_size, year_start=args.year_start, year_end=args.year_end, **terms
    )
    _nasa(_results_json(results), results)
    return 0
