"""The observer's horizon: the files that describe it, read into a ``HorizonMask``
(``planner.sky.horizon_mask``, whose names stay importable from here).

Altitudes are *apparent*, as the observer measured them (see ``planner.sky.horizon_mask``).

The importers read each format as the program that writes it reads it back:

- N.I.N.A. ``.hrz`` (``NINA.Core.Model.CustomHorizon.FromReader_Standard``): one
  "azimuth altitude" pair per line, separated by spaces, tabs, commas or semicolons, lines
  starting with ``#`` are comments, at least two points; the last pair given for an
  azimuth counts; when 0 or 360 is missing N.I.N.A. adds both ends with the altitude of
  the point nearest to north, so the mask reads the same as in N.I.N.A. (also the format
  of Astro-Physics APCC's ``.hrz``);
- MountWizzard4 ``.hpts``, which N.I.N.A. also reads: a JSON array of [altitude, azimuth];
- Cartes du Ciel text horizons (``Tskychart.LoadHorizon``; Radio Eyes writes the same):
  "azimuth altitude" separated by spaces, ``#`` comments, azimuths increasing from north;
  Cartes du Ciel rounds azimuths to whole degrees and starts a file that does not begin at
  azimuth 0 from altitude 0 there, and so does this reader;
- Stellarium polygonal horizons: a ``landscape.ini`` (or a landscape ``.zip``) whose
  ``[landscape]`` section names the ``polygonal_horizon_list`` file, with
  ``polygonal_horizon_list_mode`` (azDeg_altDeg, azDeg_zdDeg, azRad_altRad, azRad_zdRad,
  azGrad_altGrad, azGrad_zdGrad) and ``polygonal_angle_rotatez`` (degrees added to every
  azimuth), or the list file itself (azDeg_altDeg); ``#`` comments, whitespace separated,
  further columns ignored (``Landscape::createPolygonalHorizon``);
- plain CSV: azimuth and altitude columns (a header naming them is optional; comma,
  semicolon or tab separated).

A file that cannot be read, a line that is not a pair of numbers, an azimuth outside 0-360,
an altitude over 90 or fewer than two points is refused with ``HorizonError`` naming the
file, the line and the reason; nothing is half-loaded.
"""

from __future__ import annotations

import configparser
import csv
import io
import json
import math
import os
import re
import zipfile
from pathlib import Path, PurePosixPath

from planner.files import read_bytes
from planner.numbers import NOT_FINITE, NumberError, finite_number
from planner.sky.horizon_mask import (  # the mask's names stay importable from here too
    MAX_ALTITUDE,
    HorizonError,
    HorizonMask,
    check_points,
)

FORMATS = ("nina", "mw4", "text", "stellarium", "csv")
FORMAT_LABELS = {
    "nina": "N.I.N.A. horizon (.hrz)",
    "mw4": "MountWizzard4 horizon (.hpts)",
    "text": "Cartes du Ciel text horizon",
    "stellarium": "Stellarium polygonal horizon (landscape.ini, .zip or its list file)",
    "csv": "CSV (azimuth, altitude)",
}
# Far larger than any horizon (a point per tenth of a degree is 3,600 lines).
MAX_BYTES = 4 * 1024 * 1024


# -- reading files ---------------------------------------------------------------------------


def _decode(data: bytes, where: str) -> str:
    if b"\x00" in data:
        raise HorizonError(f"{where} is not a text file.")
    for encoding in ("utf-8-sig", "cp1252"):  # Windows programs write either
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise HorizonError(f"{where} is not a text file.")


def _number(text: str, what: str, at: str) -> float:
    try:
        return finite_number(text, what, required=True)
    except NumberError as exc:
        kind = "a finite number" if exc.reason == NOT_FINITE else "a number"
        raise HorizonError(f"{at}: {what} {text!r} is not {kind}.") from None


def _lines(text: str):
    """(line number, stripped line) for every line that is neither blank nor a # comment."""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, stripped


_NINA_SEPARATORS = re.compile(r"[\t ,;]+")


def _nina_mask(by_azimuth: dict[float, tuple[int, float]], where: str, label: str = "line") -> HorizonMask:
    """N.I.N.A.'s horizon from azimuth -> (line, altitude): validated, then its ends groomed
    as ``CustomHorizon.GroomHorizonData`` does."""
    rows = [(number, az, alt) for az, (number, alt) in sorted(by_azimuth.items())]
    points = list(check_points(rows, where, label=label))
    azimuths = [a for a, _ in points]
    if 0.0 not in azimuths and 360.0 not in azimuths:
        # Both ends take the altitude of the point nearest to north.
        first, last = points[0], points[-1]
        nearest = last if 360.0 - last[0] < first[0] else first
        points = [(0.0, nearest[1])] + points + [(360.0, nearest[1])]
    elif 0.0 not in azimuths:
        points = [(0.0, points[-1][1])] + points
    elif 360.0 not in azimuths:
        points = points + [(360.0, points[0][1])]
    return HorizonMask(tuple(points))


def parse_nina(text: str, where: str) -> HorizonMask:
    """N.I.N.A.'s ``.hrz``: see the module docstring."""
    by_azimuth: dict[float, tuple[int, float]] = {}
    for number, line in _lines(text):
        at = f"{where}, line {number}"
        columns = [c for c in _NINA_SEPARATORS.split(line) if c]
        if len(columns) != 2:
            raise HorizonError(f"{at}: {line!r} is not an 'azimuth altitude' pair.")
        az = _number(columns[0], "azimuth", at)
        alt = _number(columns[1], "altitude", at)
        by_azimuth[az] = (number, alt)  # N.I.N.A. keeps the last value given for an azimuth
    return _nina_mask(by_azimuth, where)


def parse_mw4(text: str, where: str) -> HorizonMask:
    """MountWizzard4's ``.hpts``: a JSON array of [altitude, azimuth] pairs (as N.I.N.A. reads it)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HorizonError(f"{where}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    except RecursionError:
        raise HorizonError(f"{where} is nested far too deeply to be a horizon.") from None
    if not isinstance(data, list):
        raise HorizonError(f"{where}: a MountWizzard4 horizon is a JSON array of [altitude, azimuth] pairs.")
    by_azimuth: dict[float, tuple[int, float]] = {}
    for i, pair in enumerate(data, 1):
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair)):
            raise HorizonError(f"{where}, point {i}: {pair!r} is not an [altitude, azimuth] pair.")
        alt, az = float(pair[0]), float(pair[1])
        if alt < 0.0:  # N.I.N.A. refuses these in an .hpts file
            raise HorizonError(f"{where}, point {i}: altitude {alt:g} is below 0 degrees.")
        by_azimuth[az] = (i, alt)
    return _nina_mask(by_azimuth, where, label="point")


def parse_text(text: str, where: str) -> HorizonMask:
    """A Cartes du Ciel text horizon: see the module docstring."""
    rows: list[tuple[int | None, float, float]] = []
    previous: tuple[int, float] | None = None
    for number, line in _lines(text):
        at = f"{where}, line {number}"
        columns = line.split()
        if len(columns) < 2:
            raise HorizonError(f"{at}: {line!r} is not an 'azimuth altitude' pair.")
        az = float(round(_number(columns[0], "azimuth", at)))  # Cartes du Ciel rounds to whole degrees
        if 359.0 < az <= 360.0:
            az = 359.0  # and keeps its last value at 359
        alt = _number(columns[1], "altitude", at)
        if previous is not None and az <= previous[1]:
            raise HorizonError(
                f"{at}: azimuth {az:g} does not follow {previous[1]:g} (line {previous[0]}); "
                "Cartes du Ciel reads a horizon in increasing azimuth from north and would skip this line."
            )
        if alt > MAX_ALTITUDE:
            raise HorizonError(f"{at}: altitude {alt:g} is over 90 degrees.")
        if not rows and az != 0.0:
            rows.append((None, 0.0, 0.0))  # Cartes du Ciel starts such a horizon from 0° at north
        rows.append((number, az, max(alt, 0.0)))  # and reads an altitude below 0 as 0
        previous = (number, az)
    points = list(check_points(rows, where, sort=False))
    if points[-1][0] < 359.0:
        # Cartes du Ciel joins the last point to the first one at azimuth 359 (its table has
        # one value per whole degree, 0-359), then holds that value to north.
        points.append((359.0, points[0][1]))
    return HorizonMask(tuple(points))


_STELLARIUM_MODES = {
    "azdeg_altdeg": (1.0, False),
    "azdeg_zddeg": (1.0, True),
    "azrad_altrad": (180.0 / math.pi, False),
    "azrad_zdrad": (180.0 / math.pi, True),
    "azgrad_altgrad": (0.9, False),
    "azgrad_zdgrad": (0.9, True),
}


def parse_stellarium_list(text: str, where: str, *, mode: str = "azDeg_altDeg", rotate_z: float = 0.0) -> HorizonMask:
    """A Stellarium ``polygonal_horizon_list`` file in ``mode``, its azimuths turned by
    ``rotate_z`` degrees (``polygonal_angle_rotatez``)."""
    try:
        scale, zenith_distance = _STELLARIUM_MODES[mode.lower()]
    except KeyError:
        raise HorizonError(
            f"{where}: polygonal_horizon_list_mode {mode!r} is not one of azDeg_altDeg, azDeg_zdDeg, "
            "azRad_altRad, azRad_zdRad, azGrad_altGrad, azGrad_zdGrad."
        ) from None
    rows: list[tuple[int | None, float, float]] = []
    for number, line in _lines(text):
        at = f"{where}, line {number}"
        columns = line.split()
        if len(columns) < 2:
            raise HorizonError(f"{at}: {line!r} is not an 'azimuth altitude' pair.")
        az = _number(columns[0], "azimuth", at) * scale + rotate_z
        second = _number(columns[1], "zenith distance" if zenith_distance else "altitude", at) * scale
        alt = 90.0 - second if zenith_distance else second
        if alt > MAX_ALTITUDE:
            raise HorizonError(f"{at}: altitude {alt:g} is over 90 degrees.")
        rows.append((number, az % 360.0, alt))
    if len(rows) >= 2:
        # A polygon may run either way round; walked westwards, reverse it so that a vertical
        # step keeps its order once the points are sorted by azimuth.
        turn = sum(((b[1] - a[1] + 180.0) % 360.0) - 180.0 for a, b in zip(rows, rows[1:]))
        if turn < 0:
            rows.reverse()
    return HorizonMask(check_points(rows, where))


def _landscape_values(text: str, where: str) -> tuple[str, str, float]:
    parser = configparser.ConfigParser(interpolation=None, strict=False, comment_prefixes=("#", ";"),
                                       inline_comment_prefixes=None)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        place = f", line {line}" if line else ""
        raise HorizonError(f"{where}{place}: not a readable landscape.ini ({exc.__class__.__name__}).") from None
    if not parser.has_section("landscape"):
        raise HorizonError(f"{where} has no [landscape] section: it is not a Stellarium landscape.ini.")
    section = parser["landscape"]
    name = section.get("polygonal_horizon_list", "").strip()
    if not name:
        kind = section.get("type", "").strip() or "unknown"
        raise HorizonError(
            f"{where} names no polygonal_horizon_list (landscape type {kind}): only a landscape with a "
            "polygonal horizon line can be imported as a mask."
        )
    mode = section.get("polygonal_horizon_list_mode", "azDeg_altDeg").strip() or "azDeg_altDeg"
    rotate = section.get("polygonal_angle_rotatez", "0").strip() or "0"
    try:
        rotate_z = float(rotate)
    except ValueError:
        raise HorizonError(f"{where}: polygonal_angle_rotatez {rotate!r} is not a number.") from None
    return name, mode, rotate_z


def parse_landscape_ini(text: str, where: str, read_sibling) -> HorizonMask:
    """A Stellarium ``landscape.ini``; ``read_sibling(name)`` returns (text, where) of the
    list file it names (beside it, as Stellarium looks for it)."""
    name, mode, rotate_z = _landscape_values(text, where)
    list_text, list_where = read_sibling(name)
    return parse_stellarium_list(list_text, list_where, mode=mode, rotate_z=rotate_z)


def _read_landscape_zip(path: Path, where: str) -> HorizonMask:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise HorizonError(f"{where} is not a readable .zip archive.") from None
    with archive:
        inis = [n for n in archive.namelist() if PurePosixPath(n).name.lower() == "landscape.ini"]
        if not inis:
            raise HorizonError(f"{where} holds no landscape.ini: it is not a Stellarium landscape.")
        ini = sorted(inis, key=lambda n: n.count("/"))[0]
        folder = PurePosixPath(ini).parent

        def member(name: str) -> tuple[str, str]:
            wanted = str(folder / name) if str(folder) != "." else name
            inner = f"{where}:{wanted}"
            try:
                info = archive.getinfo(wanted)
            except KeyError:
                raise HorizonError(f"{inner}: the horizon list landscape.ini names is not in the archive.") from None
            if info.file_size > MAX_BYTES:
                raise HorizonError(f"{inner} is far too large to be a horizon.")
            return _decode(archive.read(info), inner), inner

        ini_text, ini_where = member(PurePosixPath(ini).name)
        return parse_landscape_ini(ini_text, ini_where, member)


def _parse_csv_number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value


_AZ_NAMES = ("az", "azimuth", "azimuth_deg", "az_deg", "azimut", "hdg_deg", "heading")
_ALT_NAMES = ("alt", "altitude", "altitude_deg", "alt_deg", "elevation", "el", "height", "vert", "lower")


def parse_csv(text: str, where: str) -> HorizonMask:
    """Plain CSV: azimuth and altitude columns, found by a header or the first two columns."""
    body = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    sample = "\n".join(body[:20])
    delimiter = ","
    if sample:
        counts = {d: sample.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int | None, float, float]] = []
    az_col, alt_col = 0, 1
    header_seen = False
    try:
        for record in reader:
            number = reader.line_num
            cells = [c.strip() for c in record]
            if not any(cells) or cells[0].startswith("#"):
                continue
            at = f"{where}, line {number}"
            if not rows and not header_seen and _parse_csv_number(cells[0]) is None:
                names = [c.lower().replace(" ", "_") for c in cells]
                az_col = next((i for i, n in enumerate(names) if n in _AZ_NAMES), None)  # type: ignore[assignment]
                alt_col = next((i for i, n in enumerate(names) if n in _ALT_NAMES), None)  # type: ignore[assignment]
                if az_col is None or alt_col is None:
                    raise HorizonError(
                        f"{at}: the header {', '.join(cells)!r} names no azimuth and altitude columns "
                        "(e.g. 'azimuth,altitude')."
                    )
                header_seen = True
                continue
            if len(cells) <= max(az_col, alt_col):
                raise HorizonError(f"{at}: {delimiter.join(cells)!r} has no azimuth and altitude.")
            az = _number(cells[az_col], "azimuth", at)
            alt = _number(cells[alt_col], "altitude", at)
            rows.append((number, az, alt))
    except csv.Error as exc:
        raise HorizonError(f"{where}, line {reader.line_num}: not readable as CSV ({exc}).") from None
    return HorizonMask(check_points(rows, where))


def parse_typed_points(text: str, where: str = "the typed horizon") -> HorizonMask:
    """Points typed in Settings: "azimuth altitude" pairs separated by commas, semicolons or
    new lines ("0 15, 90 25, 180 10, 270 30")."""
    rows: list[tuple[int | None, float, float]] = []
    pieces = [p.strip() for p in re.split(r"[,;\n]+", text) if p.strip()]
    for i, piece in enumerate(pieces, 1):
        at = f"{where}, point {i}"
        columns = piece.split()
        if len(columns) != 2:
            raise HorizonError(f"{at}: {piece!r} is not 'azimuth altitude' (e.g. '90 25').")
        rows.append((i, _number(columns[0], "azimuth", at), _number(columns[1], "altitude", at)))
    return HorizonMask(check_points(rows, where, label="point"), "typed in Settings")


def format_typed_points(mask: HorizonMask | None) -> str:
    """The inverse of ``parse_typed_points``: "0 15, 90 25, ..."."""
    if mask is None:
        return ""
    return ", ".join(f"{a:g} {h:g}" for a, h in mask.points)


def guess_format(path: str | os.PathLike) -> str:
    """The importer for a file name: .hrz N.I.N.A., .hpts MountWizzard4, .ini/.zip
    Stellarium, .csv CSV, anything else a Cartes du Ciel-style text horizon."""
    suffix = Path(path).suffix.lower()
    return {".hrz": "nina", ".hpts": "mw4", ".ini": "stellarium", ".zip": "stellarium", ".csv": "csv"}.get(suffix, "text")


def read_horizon(path: str | os.PathLike, format: str | None = None) -> HorizonMask:
    """The horizon in the file at ``path``, read as ``format`` (one of ``FORMATS``; None:
    by its name, ``guess_format``). Raises ``HorizonError`` naming the line and the reason."""
    path = Path(path)
    where = f"horizon file {path}"
    kind = format or guess_format(path)
    if kind not in FORMATS:
        raise HorizonError(f"{kind!r} is not a horizon format planner reads ({', '.join(FORMATS)}).")
    suffix = path.suffix.lower()
    if kind == "stellarium" and suffix == ".zip":
        mask = _read_landscape_zip(path, where)
    else:
        text = _decode(read_bytes(path, "horizon file", error=HorizonError, max_bytes=MAX_BYTES), where)
        if kind == "stellarium" and (suffix == ".ini" or "[landscape]" in text.lower()):
            def sibling(name: str) -> tuple[str, str]:
                target = path.parent / name
                inner = f"horizon list {target}"
                return _decode(read_bytes(target, "horizon list", error=HorizonError, max_bytes=MAX_BYTES), inner), inner

            mask = parse_landscape_ini(text, where, sibling)
        else:
            parse = {"nina": parse_nina, "mw4": parse_mw4, "csv": parse_csv, "text": parse_text,
                     "stellarium": parse_stellarium_list}[kind]
            mask = parse(text, where)
    return HorizonMask(mask.points, path.name)
