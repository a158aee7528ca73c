"""The observer's horizon: altitude as a function of azimuth (``HorizonMask``), and the
one check of its points (``check_points``); the files that describe it are read by
``planner.sky.horizon``.

A ``HorizonMask`` holds (azimuth, altitude) points, both in degrees, azimuth from north
through east. Between points the altitude is interpolated linearly in azimuth, and the
last point joins the first across north (0-360 wraps). Altitudes are *apparent*, as the
observer measured them (with a theodolite app or the mount's own coordinates), the same
kind of altitude as the site's altitude limit. A target is above the horizon where its
apparent altitude is at least the higher of the mask at its azimuth and the altitude limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from planner.errors import PlannerError

MAX_POINTS = 100_000
TABLE_SIZE = 3600  # entries of the scanning table: one every 0.1 deg of azimuth
MIN_ALTITUDE = -90.0
MAX_ALTITUDE = 90.0


class HorizonError(PlannerError, ValueError):
    """A horizon that cannot be used; the message names the file, the line and the reason."""


@dataclass(frozen=True)
class HorizonMask:
    """Altitude (apparent, deg) as a function of azimuth (deg, N through E), interpolated
    linearly and wrapping through north. ``points`` are sorted by azimuth in [0, 360];
    equal azimuths in a row make a vertical step. ``source`` says where the mask came
    from (a file name, "typed in Settings"), for people."""

    points: tuple[tuple[float, float], ...]
    source: str = ""
    _xp: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    _fp: np.ndarray = field(init=False, repr=False, compare=False, hash=False)
    _table: np.ndarray = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        points = tuple((float(a), float(h)) for a, h in self.points)
        checked = check_points([(None, a, h) for a, h in points], "the horizon")
        object.__setattr__(self, "points", checked)
        object.__setattr__(self, "source", str(self.source or ""))
        az = np.array([p[0] for p in checked])
        alt = np.array([p[1] for p in checked])
        # One turn's points with the last before north and the first after it, so that
        # np.interp joins them across 0/360.
        object.__setattr__(self, "_xp", np.concatenate([[az[-1] - 360.0], az, [az[0] + 360.0]]))
        object.__setattr__(self, "_fp", np.concatenate([[alt[-1]], alt, [alt[0]]]))
        table = self.altitude_at(np.arange(TABLE_SIZE) * (360.0 / TABLE_SIZE)).astype(np.float32)
        object.__setattr__(self, "_table", table)

    def __reduce__(self):  # the cached arrays are rebuilt, not pickled (the sky helper process)
        return (HorizonMask, (self.points, self.source))

    def altitude_at(self, azimuth) -> np.ndarray:
        """The mask's altitude (deg) at ``azimuth`` (deg, any range: it wraps), vectorised."""
        az = np.mod(np.asarray(azimuth, dtype=float), 360.0)
        return np.interp(az, self._xp, self._fp)

    def table(self, azimuth) -> np.ndarray:
        """The mask at ``azimuth`` (deg, 0-360) interpolated in a table every 0.1 deg, in
        float32: for scanning (N, T) grids fast; crossings are then refined with
        ``altitude_at``. Off by at most the mask's curvature over 0.1 deg (none between
        points further apart; a vertical step is blurred over 0.1 deg)."""
        x = np.asarray(azimuth, dtype=np.float32) * np.float32(TABLE_SIZE / 360.0)
        index = np.floor(x)
        frac = x - index
        lo = index.astype(np.int32) % TABLE_SIZE
        below = self._table[lo]
        return below + frac * (self._table[(lo + 1) % TABLE_SIZE] - below)

    @property
    def max_altitude(self) -> float:
        return float(max(h for _, h in self.points))

    @property
    def min_altitude(self) -> float:
        return float(min(h for _, h in self.points))

    def to_json(self) -> dict[str, Any]:
        """What settings and plan files keep: ``{"points": [[az, alt], ...], "source": ...}``."""
        return {"points": [[a, h] for a, h in self.points], "source": self.source}

    @classmethod
    def from_json(cls, data: Any, where: str = "the horizon") -> "HorizonMask":
        """A mask from ``to_json``'s shape (or a bare list of pairs); ``HorizonError`` says
        what is wrong, naming the point."""
        source = ""
        if isinstance(data, dict):
            source = data.get("source", "")
            if not isinstance(source, str):
                raise HorizonError(f"{where}: 'source' must be text.")
            data = data.get("points")
        if not isinstance(data, (list, tuple)):
            raise HorizonError(f"{where} must be a list of [azimuth, altitude] pairs.")
        rows = []
        for i, pair in enumerate(data, 1):
            if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair)):
                raise HorizonError(f"{where}, point {i}: {pair!r} is not a pair of numbers [azimuth, altitude].")
            rows.append((i, float(pair[0]), float(pair[1])))
        return cls(check_points(rows, where, label="point"), source)

    def describe(self) -> str:
        """"12 points, 0-32° (trees.hrz)": a one-line summary for settings and headers."""
        text = f"{len(self.points)} points, {self.min_altitude:g}-{self.max_altitude:g}°"
        return f"{text} ({self.source})" if self.source else text


def check_points(rows: Iterable[tuple[int | None, float, float]], where: str, *, label: str = "line",
                 sort: bool = True) -> tuple[tuple[float, float], ...]:
    """Validated, azimuth-sorted points from (line number or None, azimuth, altitude) rows.

    Azimuths must lie in [0, 360] and altitudes in [-90, 90]; at least two points. The
    sort is stable, so two points at one azimuth keep their order (a vertical step)."""
    out: list[tuple[float, float]] = []
    for number, az, alt in rows:
        at = f"{where}, {label} {number}" if number is not None else where
        if not (math.isfinite(az) and math.isfinite(alt)):
            raise HorizonError(f"{at}: azimuth and altitude must be finite numbers.")
        if not 0.0 <= az <= 360.0:
            raise HorizonError(f"{at}: azimuth {az:g} is outside 0-360 degrees.")
        if alt > MAX_ALTITUDE:
            raise HorizonError(f"{at}: altitude {alt:g} is over 90 degrees.")
        if alt < MIN_ALTITUDE:
            raise HorizonError(f"{at}: altitude {alt:g} is below -90 degrees.")
        out.append((az, alt))
        if len(out) > MAX_POINTS:
            raise HorizonError(f"{where} has more than {MAX_POINTS:,} points: that is not a horizon.")
    if len(out) < 2:
        raise HorizonError(f"{where} has {len(out)} point{'s' if len(out) != 1 else ''}; a horizon needs at least two.")
    if sort:
        out.sort(key=lambda p: p[0])
    return tuple(out)
