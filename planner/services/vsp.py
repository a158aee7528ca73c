"""AAVSO Variable Star Plotter (VSP) API client: comparison-star charts and their photometry.

The service (https://www.aavso.org/api-vsp, read with the public clients that use it):

- ``GET {base}/chart/?star=NAME&fov=ARCMIN&maglimit=MAG&format=json`` (or ``ra``/``dec``
  instead of ``star``; optional ``title``, ``comment``, ``resolution`` (ppi, default 150),
  ``north`` up|down, ``east`` right|left, ``other`` gcvs|all, ``dss`` on, ``lines`` on,
  ``special`` std_field|...) makes a chart; ``GET {base}/chart/CHARTID/?format=json`` gives
  back a chart already made (the one an observer reports);
- the answer: ``chartid``, ``image_uri`` (the PNG), ``star``, ``auid``, ``fov``,
  ``maglimit``, ``ra``/``dec`` of the field (decimal degrees, or sexagesimal text),
  ``title``, ``comment``, ``resolution``, ``dss``, ``special``, and ``photometry``: one item
  per comparison star with ``auid``, ``label``, ``ra`` (``HH:MM:SS.ss``), ``dec``
  (``[+-]DD:MM:SS.s``, the sign sometimes left out), ``bands`` (``[{band, mag, error}]``,
  ``error`` may be null) and ``comments``;
- errors come as ``{"errors": ["..."]}``, an unknown star with HTTP 400.

No key. Answers are cached a week (a chart id's photometry never changes; a star's chart
may gain comparison stars when AAVSO revises a sequence), requests are spaced a second
apart (a volunteer-run service; "Prepare tonight's charts" asks once per plan star).
``PLANNER_VSP_URL`` (or Settings' address for ``vsp``) points it elsewhere.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Mapping

from planner.numbers import finite_number
from planner.services.client import ServiceClient, origin_words
from planner.services.declaration import declare
from planner.services.errors import BadResponseError, InvalidRequestError, NotFoundError, ServiceError
from planner.services.origin import Fetched, with_origin

SERVICE = declare(
    key="vsp",
    name="AAVSO VSP",
    default_url="https://app.aavso.org/vsp/api",
    # A chart id's photometry never changes; a star's chart gains comparison stars when AAVSO
    # revises a sequence. Charts for the field are kept apart (planner.app.charts).
    expire_after=7 * 24 * 3600,
    freshness="1 week",
    # A volunteer-run service: "Prepare tonight's charts" asks once per plan star.
    min_interval=1.0,
    connection_test="a 30' chart of SS Cyg",
)
SERVICE_KEY = SERVICE.key
SERVICE_NAME = SERVICE.name
DEFAULT_BASE_URL = SERVICE.default_url
URL_ENV = SERVICE.url_env
MAX_BYTES = 4 * 1024 * 1024  # a crowded 3° field's photometry is a few hundred kB
IMAGE_MAX_BYTES = 20 * 1024 * 1024
MAX_NAME = 100
MIN_FOV, MAX_FOV = 1.0, 1200.0  # arcminutes
MIN_MAGLIMIT, MAX_MAGLIMIT = 0.0, 25.0
NORTH = ("up", "down")
EAST = ("right", "left")
OTHER = ("gcvs", "all")
_CHART_ID = re.compile(r"^[A-Za-z0-9]{1,24}$")
_SEXAGESIMAL = re.compile(r"^\s*([+-])?\s*(\d{1,3})[:\s]+(\d{1,2})[:\s]+(\d{1,2}(?:\.\d*)?)\s*$")
# The bands of VSP's photometry table, and the names they are also asked by.
BAND_ALIASES = {"R": "Rc", "I": "Ic", "RC": "Rc", "IC": "Ic", "VIS": "V", "VIS.": "V", "CV": "V", "TG": "V",
                "TB": "B", "TR": "Rc"}


def _bad(what: str) -> BadResponseError:
    return BadResponseError(SERVICE_NAME, what, service_key=SERVICE_KEY)


def _invalid(what: str, action: str) -> InvalidRequestError:
    return InvalidRequestError(SERVICE_NAME, what, action, service_key=SERVICE_KEY)


def policy():
    """The HTTP policy in force (tests may replace it in POLICIES)."""
    return SERVICE.policy()


def base_url(settings=None) -> str:
    """``PLANNER_VSP_URL``, then the settings' address for ``vsp``, then AAVSO's (the
    registry's one resolution)."""
    from planner.services.registry import base_url as resolve

    return resolve(SERVICE_KEY, settings)


# --------------------------------------------------------------------------- records


def canonical_band(band: str) -> str:
    """VSP's name for a band asked by another name (``R`` -> ``Rc``, ``Vis.`` -> ``V``)."""
    text = (band or "").strip()
    return BAND_ALIASES.get(text.upper(), text)


@dataclass(frozen=True)
class BandMagnitude:
    band: str
    mag: float
    error: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"band": self.band, "mag": self.mag, "error": self.error}


@dataclass(frozen=True)
class ComparisonStar:
    """One star of a chart's photometry table: ``ra``/``dec`` J2000 degrees."""

    auid: str
    label: str
    ra: float | None
    dec: float | None
    bands: tuple[BandMagnitude, ...] = ()
    comments: str = ""

    def magnitude(self, band: str) -> BandMagnitude | None:
        """The star's magnitude in ``band`` (by VSP's name or a usual one: R = Rc, Vis. = V)."""
        wanted = canonical_band(band).casefold()
        return next((b for b in self.bands if b.band.casefold() == wanted), None)

    @property
    def b_minus_v(self) -> BandMagnitude | None:
        """B-V with its error (the two errors added in quadrature), when both are known."""
        b, v = self.magnitude("B"), self.magnitude("V")
        if b is None or v is None:
            return None
        error = None
        if b.error is not None and v.error is not None:
            error = math.hypot(b.error, v.error)
        return BandMagnitude("B-V", round(b.mag - v.mag, 3), None if error is None else round(error, 3))

    def to_json(self) -> dict[str, Any]:
        return {"auid": self.auid, "label": self.label, "ra": self.ra, "dec": self.dec,
                "bands": [b.to_json() for b in self.bands], "comments": self.comments}


@dataclass(frozen=True)
class VspChart(Fetched):
    """One chart: its id (what a report cites), the image's address and the photometry."""

    chart_id: str
    image_uri: str
    star: str = ""
    auid: str = ""
    ra: float | None = None
    dec: float | None = None
    fov: float | None = None
    maglimit: float | None = None
    title: str = ""
    comment: str = ""
    resolution: int | None = None
    dss: bool = False
    special: str = ""
    photometry: tuple[ComparisonStar, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def comparison(self, label: str) -> ComparisonStar | None:
        """The comparison star with this chart label or AUID (case and spaces ignored)."""
        key = "".join(str(label).split()).casefold()
        if not key:
            return None
        for star in self.photometry:
            if "".join(star.label.split()).casefold() == key or star.auid.casefold() == key:
                return star
        return None

    def labels(self) -> list[str]:
        return [s.label for s in self.photometry if s.label]

    def bands(self) -> list[str]:
        """Every band the photometry has, V and B first, then in the order met."""
        seen: list[str] = []
        for star in self.photometry:
            for b in star.bands:
                if b.band not in seen:
                    seen.append(b.band)
        first = [b for b in ("V", "B") if b in seen]
        return first + [b for b in seen if b not in first]

    def to_json(self) -> dict[str, Any]:
        """The chart as the API gives it (``chartid``, ``image_uri``, ``fov``, ``maglimit``,
        ``photometry``, ...), as ``planner vsp`` prints it."""
        out = dict(self.raw) if self.raw else {}
        out.update({
            "chartid": self.chart_id,
            "image_uri": self.image_uri,
            "star": self.star or None,
            "auid": self.auid or None,
            "fov": self.fov,
            "maglimit": self.maglimit,
            "photometry": [s.to_json() for s in self.photometry],
        })
        return out


# --------------------------------------------------------------------------- parsing


def _number(value: Any, what: str, *, allow_none: bool = True) -> float | None:
    return finite_number(value, what, required=not allow_none)


def _text(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueError(f"{key!r} is not text")
    return str(value).strip()


def parse_angle(value: Any, *, ra: bool) -> float | None:
    """Degrees from a VSP coordinate: a number is degrees; text is a decimal number of
    degrees, or sexagesimal (``HH:MM:SS.ss`` hours for ``ra``, ``[+-]DD:MM:SS.s`` degrees for
    dec); None when absent. Raises ``ValueError`` for anything else or out of range."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        degrees = float(value)
    elif isinstance(value, str):
        match = _SEXAGESIMAL.match(value)
        if match:
            sign, a, b, c = match.groups()
            if int(b) >= 60 or float(c) >= 60:
                raise ValueError(f"{value!r} is not a sexagesimal angle")
            magnitude = int(a) + int(b) / 60.0 + float(c) / 3600.0
            degrees = (-1 if sign == "-" else 1) * magnitude * (15.0 if ra else 1.0)
        else:
            degrees = float(value)  # a decimal number as text; ValueError otherwise
    else:
        raise ValueError(f"{value!r} is not a coordinate")
    if not math.isfinite(degrees):
        raise ValueError(f"{value!r} is not a coordinate")
    if ra and not 0.0 <= degrees < 360.0 + 1e-9:
        raise ValueError(f"right ascension {value!r} is out of range")
    if not ra and not -90.0 <= degrees <= 90.0:
        raise ValueError(f"declination {value!r} is out of range")
    return degrees % 360.0 if ra else degrees


def _star(item: Any, n: int) -> ComparisonStar:
    if not isinstance(item, dict):
        raise ValueError(f"photometry item {n} is not an object")
    bands = []
    raw_bands = item.get("bands") or []
    if not isinstance(raw_bands, list):
        raise ValueError(f"the bands of photometry item {n} are not a list")
    for b in raw_bands:
        if not isinstance(b, dict):
            raise ValueError(f"a band of photometry item {n} is not an object")
        name = _text(b, "band")
        mag = _number(b.get("mag"), f"{name or 'a band'} magnitude of item {n}")
        if not name or mag is None:
            continue  # a band with no magnitude tells nothing
        error = _number(b.get("error"), f"{name} error of item {n}")
        bands.append(BandMagnitude(name, mag, error if error is None or error >= 0 else None))
    return ComparisonStar(
        auid=_text(item, "auid"),
        label=_text(item, "label"),
        ra=parse_angle(item.get("ra"), ra=True),
        dec=parse_angle(item.get("dec"), ra=False),
        bands=tuple(bands),
        comments=_text(item, "comments"),
    )


def parse_chart(data: Any) -> VspChart:
    """A chart answer as a ``VspChart``. ``{"errors": [...]}`` (which VSP may also send with
    HTTP 200) becomes an ``InvalidRequestError`` with VSP's words; any other shape that is
    not a chart, a ``BadResponseError``."""
    if not isinstance(data, dict):
        raise _bad("sent an answer that is not a chart (not a JSON object)")
    errors = data.get("errors")
    if errors:
        words = "; ".join(str(e).strip() for e in (errors if isinstance(errors, list) else [errors]) if str(e).strip())
        raise _invalid(f"could not make the chart: {words or 'no reason given'}",
                       "check the star's name (its VSX name or AUID), the field and the magnitude limit")
    chart_id = data.get("chartid")
    if not isinstance(chart_id, str) or not chart_id.strip():
        raise _bad("sent an answer without a 'chartid'")
    image_uri = data.get("image_uri")
    if not isinstance(image_uri, str) or urllib.parse.urlsplit(image_uri.strip()).scheme not in ("http", "https"):
        raise _bad("sent a chart without an image address ('image_uri')")
    photometry = data.get("photometry") or []
    if not isinstance(photometry, list):
        raise _bad("sent a 'photometry' that is not a list")
    try:
        stars = tuple(_star(item, n) for n, item in enumerate(photometry, 1))
        resolution = _number(data.get("resolution"), "resolution")
        dss = data.get("dss")
        chart = VspChart(
            chart_id=chart_id.strip(),
            image_uri=image_uri.strip(),
            star=_text(data, "star"),
            auid=_text(data, "auid"),
            ra=parse_angle(data.get("ra"), ra=True),
            dec=parse_angle(data.get("dec"), ra=False),
            fov=_number(data.get("fov"), "fov"),
            maglimit=_number(data.get("maglimit"), "maglimit"),
            title=_text(data, "title"),
            comment=_text(data, "comment"),
            resolution=None if resolution is None else int(resolution),
            dss=dss is True or (isinstance(dss, str) and dss.strip().lower() in ("true", "on", "1")),
            special=_text(data, "special"),
            photometry=stars,
            raw={k: v for k, v in data.items() if isinstance(k, str)},
        )
    except (ValueError, TypeError, OverflowError) as exc:
        raise _bad(f"sent a chart in an unexpected shape ({exc})") from None
    return chart


# --------------------------------------------------------------------------- requests


def check_star(name: Any) -> str:
    text = " ".join(str(name or "").split())
    if not text:
        raise _invalid("needs a star name", "give a name such as 'SS Cyg' (or --chart-id for a chart you have)")
    if len(text) > MAX_NAME or any(ord(c) < 32 for c in text):
        raise _invalid(f"cannot make a chart for {text[:40]!r}", "give a star name of ordinary characters")
    return text


def check_chart_id(chart_id: Any) -> str:
    text = str(chart_id or "").strip()
    if not _CHART_ID.match(text):
        raise _invalid(f"{text[:30]!r} is not a chart id",
                       "give the id printed on the chart, letters and digits only (e.g. X15267EM)")
    return text


def chart_params(star: str | None = None, *, ra: float | None = None, dec: float | None = None,
                 fov: float, maglimit: float, title: str | None = None, comment: str | None = None,
                 resolution: int | None = None, north: str | None = None, east: str | None = None,
                 other: str | None = None, dss: bool = False, lines: bool = False,
                 special: str | None = None) -> dict[str, str]:
    """The query of a new chart, checked before anything is sent (each refusal names the
    parameter and what it accepts)."""
    params: dict[str, str] = {}
    if star is not None and (ra is not None or dec is not None):
        raise _invalid("takes a star name or a position, not both", "give the name, or --ra and --dec")
    if star is not None:
        params["star"] = check_star(star)
    else:
        if ra is None or dec is None:
            raise _invalid("needs a star name or both ra and dec", "give the star's name")
        if not (isinstance(ra, (int, float)) and math.isfinite(ra) and 0 <= ra < 360):
            raise _invalid(f"ra {ra!r} is not a right ascension", "give ra in degrees, 0 to 360")
        if not (isinstance(dec, (int, float)) and math.isfinite(dec) and -90 <= dec <= 90):
            raise _invalid(f"dec {dec!r} is not a declination", "give dec in degrees, -90 to +90")
        params["ra"] = f"{float(ra):.6f}"
        params["dec"] = f"{float(dec):+.6f}"
    if isinstance(fov, bool) or not isinstance(fov, (int, float)) or not math.isfinite(fov) or not MIN_FOV <= fov <= MAX_FOV:
        raise _invalid(f"fov {fov!r} is not a field VSP draws", f"give the field in arcminutes, {MIN_FOV:g} to {MAX_FOV:g}")
    if (isinstance(maglimit, bool) or not isinstance(maglimit, (int, float)) or not math.isfinite(maglimit)
            or not MIN_MAGLIMIT <= maglimit <= MAX_MAGLIMIT):
        raise _invalid(f"maglimit {maglimit!r} is not a magnitude limit",
                       f"give a limit from {MIN_MAGLIMIT:g} to {MAX_MAGLIMIT:g}")
    params["fov"] = f"{float(fov):g}"
    params["maglimit"] = f"{float(maglimit):g}"
    for name, value, allowed in (("north", north, NORTH), ("east", east, EAST), ("other", other, OTHER)):
        if value:
            if value not in allowed:
                raise _invalid(f"{name} {value!r} is not one VSP knows", f"give {' or '.join(allowed)}")
            params[name] = value
    if resolution is not None:
        if isinstance(resolution, bool) or not isinstance(resolution, int) or not 50 <= resolution <= 600:
            raise _invalid(f"resolution {resolution!r} is not one VSP draws", "give 50 to 600 pixels per inch")
        params["resolution"] = str(resolution)
    for name, value in (("title", title), ("comment", comment), ("special", special)):
        if value:
            text = " ".join(str(value).split())
            if len(text) > 200:
                raise _invalid(f"the {name} is longer than 200 characters", f"shorten the {name}")
            params[name] = text
    if dss:
        params["dss"] = "on"
    if lines:
        params["lines"] = "on"
    params["format"] = "json"
    return params


class VspClient(ServiceClient):
    """app.aavso.org/vsp/api; no key."""

    SERVICE = SERVICE

    def __init__(self, base_url: str | None = None, *, session=None):
        self.session = self._make_session((base_url or SERVICE.default_url).rstrip("/"), session)
        self.base_url = self.session.base_url

    def check_connection(self) -> str:
        chart = self.chart("SS Cyg", fov=30, maglimit=12)
        return (f"OK: AAVSO VSP made chart {chart.chart_id} of SS Cyg with {len(chart.photometry)} comparison "
                f"stars{origin_words(chart)}")

    def _get_chart(self, path: str, params: dict[str, str], *, refresh: bool, what: str) -> VspChart:
        from planner.services.http import parse_or_bad_response

        try:
            reply = self.session.get(path, params=params, expect="json", max_bytes=MAX_BYTES, refresh=refresh,
                                     keep=lambda data: isinstance(data, dict) and not data.get("errors"))
        except InvalidRequestError as exc:
            words = exc.detail or "no reason given"
            raise InvalidRequestError(
                SERVICE_NAME, f"could not make {what}: {words}",
                "check the star's name (its VSX name or AUID), the field and the magnitude limit",
                detail=exc.detail, status=exc.status, service_key=SERVICE_KEY, url=exc.url) from None
        except NotFoundError as exc:
            raise NotFoundError(SERVICE_NAME, f"has no {what} (HTTP 404)",
                                "check the chart id (as printed on the chart) or the star's name",
                                status=exc.status, service_key=SERVICE_KEY, url=exc.url) from None
        chart = parse_or_bad_response(SERVICE_NAME, parse_chart, reply.data, what="chart", service_key=SERVICE_KEY)
        return with_origin(chart, reply)

    def chart(self, star: str | None = None, *, refresh: bool = False, **options: Any) -> VspChart:
        """A new chart of ``star`` (or of ``ra=``/``dec=``), with ``fov=`` (arcmin) and
        ``maglimit=`` and the optional parameters of ``chart_params``."""
        params = chart_params(star, **options)
        what = f"a chart of {params['star']!r}" if "star" in params else "a chart of that position"
        return self._get_chart("chart/", params, refresh=refresh, what=what)

    def chart_by_id(self, chart_id: str, *, refresh: bool = False) -> VspChart:
        """A chart already made, by the id printed on it."""
        ident = check_chart_id(chart_id)
        return self._get_chart(f"chart/{urllib.parse.quote(ident)}/", {"format": "json"}, refresh=refresh,
                               what=f"chart {ident}")

    def image(self, chart: VspChart | str) -> bytes:
        """The chart's picture (the PNG at its ``image_uri``), checked to be a whole image."""
        from planner.services.images_util import image_format

        uri = chart.image_uri if isinstance(chart, VspChart) else str(chart)
        if urllib.parse.urlsplit(uri).scheme not in ("http", "https"):
            raise _bad(f"gave an image address that is not a web address ({uri[:60]!r})")
        reply = self.session.get(uri, expect="bytes", max_bytes=IMAGE_MAX_BYTES, cache=False)
        if image_format(reply.data) is None:
            raise _bad("sent a chart image that is not a whole picture (damaged or an error page)")
        return reply.data


__all__ = [
    "BAND_ALIASES",
    "DEFAULT_BASE_URL",
    "SERVICE",
    "SERVICE_KEY",
    "SERVICE_NAME",
    "URL_ENV",
    "BandMagnitude",
    "ComparisonStar",
    "ServiceError",
    "VspChart",
    "VspClient",
    "base_url",
    "canonical_band",
    "chart_params",
    "check_chart_id",
    "check_star",
    "parse_angle",
    "parse_chart",
    "policy",
]
