"""What the chart's hover read-out needs, without matplotlib: the sky's states by the Sun's
altitude, air mass, and ``HoverSnapshot`` (the geometry and data of one drawn picture).

The window's process uses this module and never loads matplotlib (the picture is drawn in
the helper process, ``planner.plot.render``); ``planner.plot.night`` makes the snapshots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo

import numpy as np

from planner.sky.airmass import airmass, altitude_for_airmass  # noqa: F401 - the one copy; the chart reads them here
from planner.sky.types import (
    ASTRONOMICAL,
    CIVIL,
    NAUTICAL,
    SUN_RISE_SET_CORRECTION,
)

DAY_S = 86400.0
# Sun-altitude thresholds (deg) between the sky's five states, darkest first.
TWILIGHT_EDGES = (ASTRONOMICAL, NAUTICAL, CIVIL, -SUN_RISE_SET_CORRECTION)
SKY_STATES = ("darkness", "astronomical", "nautical", "civil", "day")
SKY_STATE_TEXT = {
    "darkness": "astronomical night",
    "astronomical": "astronomical twilight",
    "nautical": "nautical twilight",
    "civil": "civil twilight",
    "day": "daylight",
}
HOVER_TOLERANCE_PX = 12.0


def sky_segments(grid: np.ndarray, sun_altitude: np.ndarray) -> list[tuple[float, float, str]]:
    """(start, end, state) runs of day/civil/nautical/astronomical/darkness over the grid.

    Edges are where the Sun's altitude, interpolated linearly between grid points, crosses
    a threshold, so a 5-minute grid places them within seconds.
    """
    grid = np.asarray(grid, dtype=float)
    sun = np.asarray(sun_altitude, dtype=float)
    if grid.size == 0:
        return []
    if grid.size == 1:
        return [(grid[0], grid[0], sky_state(sun[0]))]
    cuts = [grid[0], grid[-1]]
    for edge in TWILIGHT_EDGES:
        d = sun - edge
        idx = np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]
        for i in idx:
            frac = d[i] / (d[i] - d[i + 1])
            cuts.append(grid[i] + frac * (grid[i + 1] - grid[i]))
    cuts = np.unique(np.asarray(cuts))
    out: list[tuple[float, float, str]] = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        state = sky_state(float(np.interp((a + b) / 2.0, grid, sun)))
        if out and out[-1][2] == state:
            out[-1] = (out[-1][0], b, state)
        else:
            out.append((a, b, state))
    return out


def sky_state(sun_alt: float) -> str:
    return SKY_STATES[int(np.searchsorted(TWILIGHT_EDGES, sun_alt, side="right"))]


@dataclass
class HoverHit:
    """What the cursor points at: the time, and the curve under it if any."""

    unix: float
    name: str | None = None
    altitude: float | None = None
    airmass: float | None = None
    sky: str = ""


def describe_hit(hit: HoverHit | None, tz: tzinfo, tz_label: str) -> str:
    if hit is None:
        return ""
    when = datetime.fromtimestamp(round(hit.unix / 60.0) * 60.0, tz=tz).strftime("%H:%M")
    head = f"{when} {tz_label}"
    if hit.name is None:
        return f"{head} · {hit.sky}"
    am = "—" if hit.airmass is None else f"{hit.airmass:.2f}"
    return f"{head} · {hit.name}: altitude {hit.altitude:.1f}°, airmass {am} · {hit.sky}"


@dataclass(frozen=True, eq=False)
class HoverSnapshot:
    """The geometry and data of one drawn chart: the axes' box in display pixels (origin at
    the bottom left, as matplotlib's), its limits and the curves. The axes are linear in both
    directions, so mapping a pixel to a time and an altitude needs nothing else."""

    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, y0, x1, y1
    xlim: tuple[float, float] = (0.0, 1.0)  # unix seconds
    ylim: tuple[float, float] = (0.0, 1.0)
    grid: np.ndarray | None = None
    sun: np.ndarray | None = None
    series: tuple[tuple[str, np.ndarray], ...] = ()
    tz: tzinfo = timezone.utc
    tz_label: str = "UTC"

    def _x_to_unix(self, x_px: float) -> float:
        (x0, _, x1, _), (a, b) = self.bbox, self.xlim
        return a + (x_px - x0) / (x1 - x0) * (b - a)

    def _alt_to_px(self, alt: float) -> float:
        (_, y0, _, y1), (a, b) = self.bbox, self.ylim
        return y0 + (alt - a) / (b - a) * (y1 - y0)

    def hit(self, x_px: float, y_px: float) -> HoverHit | None:
        """What lies under display point (x_px, y_px): the nearest curve within a few pixels."""
        x0, y0, x1, y1 = self.bbox
        if self.grid is None or x1 <= x0 or y1 <= y0 or not (x0 <= x_px <= x1 and y0 <= y_px <= y1):
            return None
        unix = float(self._x_to_unix(x_px))
        grid = self.grid
        if not grid[0] <= unix <= grid[-1]:
            return None
        sky = SKY_STATE_TEXT[sky_state(float(np.interp(unix, grid, self.sun)))]
        best: tuple[float, str, float] | None = None
        for name, series in self.series:
            alt = float(np.interp(unix, grid, series))
            if not math.isfinite(alt):
                continue
            distance = abs(self._alt_to_px(alt) - y_px)
            if distance <= HOVER_TOLERANCE_PX and (best is None or distance < best[0]):
                best = (distance, name, alt)
        if best is None:
            return HoverHit(unix=unix, sky=sky)
        am = float(airmass(best[2]))
        return HoverHit(unix=unix, name=best[1], altitude=best[2],
                        airmass=am if math.isfinite(am) else None, sky=sky)

    def describe(self, hit: HoverHit | None) -> str:
        return describe_hit(hit, self.tz, self.tz_label)

    def readout(self, x_px: float, y_px: float) -> str:
        return self.describe(self.hit(x_px, y_px))
