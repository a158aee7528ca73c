"""A search as AstroBin's API takes it: ``SearchQuery`` into query parameters
(``build_search_params``), with each filter checked before anything is sent."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from planner.numbers import NOT_FINITE, NumberError, finite_number
from planner.services.astrobin.records import SearchQuery
from planner.services.astrobin.service import (
    COMPARISONS,
    DATE_FIELDS,
    MAX_LIMIT,
    NUMBER_FIELDS,
    ORDERABLE,
    PARTIAL_LOOKUPS,
    SUBJECT_ALIASES,
    TEXT_FIELDS,
    UNSERVED_FIELDS,
    _IMAGE_ID,
    _ORDER_BY,
    _invalid,
)
from planner.services.errors import InvalidRequestError


# --------------------------------------------------------------------------- payloads


def _format_date(value: Any, name: str) -> str:
    if isinstance(value, _dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, _dt.date):
        return f"{value.isoformat()} 00:00:00"
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
            try:
                return _dt.datetime.strptime(text, fmt).strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                continue
    raise _invalid(f"{name} {value!r} is not a date", "give dates as YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS'")


def _positive_number(value: Any, name: str) -> float:
    try:
        number = finite_number(value, name, required=True)
    except NumberError as exc:
        if exc.reason != NOT_FINITE:
            raise _invalid(f"{name} {value!r} is not a number", f"give {name} as a positive number") from None
        number = 0.0  # an infinity is no positive number either
    if not number > 0:
        raise _invalid(f"{name} must be a positive number, not {value!r}", f"give {name} as a positive number")
    return number


def _unserved_field_size() -> InvalidRequestError:
    return _invalid(
        "AstroBin's server does not filter on field size (it ignores fieldw/fieldh and would "
        "return images of any size)",
        "leave the minimum field size out; the field of each image is shown with its details",
    )


def _lookup_param(key: str, value: Any) -> list[tuple[str, str]]:
    """Validate one ``field__lookup`` filter against what the server filters on."""
    name, _, lookup = key.partition("__")
    if name in SUBJECT_ALIASES + ("subjects",) and lookup in ("",) + PARTIAL_LOOKUPS:
        text = str(value).strip()
        if not text:
            raise _invalid(f"the {key} filter is empty", "give it some text or leave it out")
        # The server matches subjects by containment whatever the lookup says.
        return [("subjects", text), ("subject", text)]
    if name in TEXT_FIELDS and lookup in ("",) + PARTIAL_LOOKUPS:
        text = str(value).strip()
        if not text:
            raise _invalid(f"the {key} filter is empty", "give it some text or leave it out")
        return [(key, text)]
    if key == "user":
        return [(key, str(value).strip())]
    if name in DATE_FIELDS and lookup in COMPARISONS:
        return [(key, _format_date(value, key))]
    if name in NUMBER_FIELDS and lookup in ("",) + COMPARISONS:
        return [(key, _format_number(_positive_number(value, key)))]
    if name in UNSERVED_FIELDS:
        raise _unserved_field_size()
    allowed = ", ".join(
        [f"{f}[__{'|'.join(PARTIAL_LOOKUPS)}]" for f in TEXT_FIELDS]
        + ["user (exact user name)", f"uploaded|published__{'|'.join(COMPARISONS)}", f"w|h[__{'|'.join(COMPARISONS)}] (pixels)"]
    )
    raise _invalid(f"{key!r} is not a filter AstroBin's server applies", f"use one of {allowed}")


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def build_search_params(query: SearchQuery) -> dict[str, str]:
    """The query-string parameters for ``image/`` (without the key, secret and format)."""
    params: dict[str, str] = {}
    if query.subject is not None and str(query.subject).strip():
        params.update(_lookup_param("subjects", query.subject))
    for key, value in (
        ("user", query.user),
        ("title__icontains", query.title),
        ("description__icontains", query.description),
    ):
        if value is not None and str(value).strip():
            params[key] = str(value).strip()
    for key, value in dict(query.lookups or {}).items():
        if value is None:
            continue
        params.update(_lookup_param(str(key), value))
    if query.uploaded_after is not None:
        params["uploaded__gte"] = _format_date(query.uploaded_after, "uploaded_after")
    if query.uploaded_before is not None:
        params["uploaded__lt"] = _format_date(query.uploaded_before, "uploaded_before")
    if query.is_solved is not None:
        params["is_solved"] = "True" if query.is_solved else "False"
    if query.min_field_width is not None or query.min_field_height is not None or query.field_units is not None:
        raise _unserved_field_size()
    if query.order_by is not None:
        field_name = query.order_by[1:] if query.order_by.startswith("-") else query.order_by
        if not _ORDER_BY.match(query.order_by):
            raise _invalid(
                f"order_by {query.order_by!r} is not a field name",
                "give uploaded, published or title (a leading '-' sorts descending)",
            )
        if field_name not in ORDERABLE:
            raise _invalid(
                f"AstroBin's server does not sort by {field_name} (its API page's example, but the "
                "server refuses it)",
                "sort by uploaded, published or title, e.g. --order-by -uploaded (newest first)",
            )
        params["order_by"] = query.order_by
    params.update(_paging(query.limit, query.offset))
    return params


def _paging(limit: Any, offset: Any) -> dict[str, str]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise _invalid(f"limit {limit!r} is out of range", f"ask for 1 to {MAX_LIMIT} images per page")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise _invalid(f"offset {offset!r} is out of range", "give an offset of 0 or more")
    return {"limit": str(limit), "offset": str(offset)}


def validate_image_id(image_id: Any) -> str:
    text = str(image_id).strip() if image_id is not None else ""
    if not _IMAGE_ID.match(text):
        raise _invalid(f"{image_id!r} is not an AstroBin image id", "give the id from the image's address, e.g. 1234 or a3bc4d")
    return text
