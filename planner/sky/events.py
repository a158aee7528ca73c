"""Whether a predicted event can be watched tonight: its window against the night and the
altitude limit, with the vectorised engine's altitudes.

``full``: the whole window (ingress to egress, or the rise to a maximum) lies inside the
night (the Sun below the site's sun altitude) with the star above the altitude limit;
``partial``: some of it does; ``none``: none of it does. An event without a duration is a
moment: ``full`` when that moment is dark with the star up, else ``none``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from planner.sky.engine import altitudes_at
from planner.sky.site import Site
from planner.sky.types import Night

FULL, PARTIAL, NONE = "full", "partial", "none"
OBSERVABLE_CLASSES = (FULL, PARTIAL, NONE)

SAMPLE_STEP_S = 120.0  # the window is checked every 2 minutes (and at both ends)
MAX_SAMPLES = 721  # a window longer than a day is checked where it overlaps the night


@dataclass(frozen=True)
class Visibility:
    observable: str  # FULL | PARTIAL | NONE
    altitude: float  # apparent altitude (deg) at the middle of the event
    visible_hours: float  # hours of the window that are dark with the star up


def _sample_times(start: float, end: float, night: Night) -> np.ndarray:
    """Times to check: the part of [start, end] inside the night, every step, ends included."""
    lo, hi = max(start, night.start), min(end, night.end)
    if hi < lo:  # the window misses the night: one sample tells the altitude, none is dark
        return np.array([start])
    count = min(MAX_SAMPLES, max(2, int(math.ceil((hi - lo) / SAMPLE_STEP_S)) + 1))
    return np.linspace(lo, hi, count)


def classify(
    windows: Sequence[tuple[float, float, float]], ra: Sequence[float], dec: Sequence[float],
    site: Site, night: Night,
) -> list[Visibility]:
    """For each (start, middle, end) window of the star at ``ra[i]``/``dec[i]``, how much of
    it is dark with the star above ``site.target_altitude``."""
    if not windows:
        return []
    samples = [_sample_times(start, end, night) for start, _mid, end in windows]
    width = max(len(s) for s in samples) + 1  # + the middle
    grid = np.empty((len(windows), width))
    for i, (s, (_start, mid, _end)) in enumerate(zip(samples, windows)):
        grid[i, : len(s)] = s
        grid[i, len(s):] = mid  # padding repeats the middle; the last column is the middle
    altitude = altitudes_at(np.asarray(ra, dtype=float), np.asarray(dec, dtype=float), site, grid)
    has_night = night.end > night.start
    out: list[Visibility] = []
    for i, (start, mid, end) in enumerate(windows):
        times = grid[i, : len(samples[i])]
        good = (altitude[i, : len(samples[i])] >= site.target_altitude) & (times >= night.start) & (
            times <= night.end
        ) & has_night
        mid_altitude = float(altitude[i, -1])
        if end <= start:  # a moment
            ok = has_night and night.start <= mid <= night.end and mid_altitude >= site.target_altitude
            out.append(Visibility(FULL if ok else NONE, mid_altitude, 0.0))
            continue
        inside = start >= night.start and end <= night.end
        if inside and bool(np.all(good)):
            verdict = FULL
        elif bool(np.any(good)):
            verdict = PARTIAL
        else:
            verdict = NONE
        step = (times[-1] - times[0]) / max(len(times) - 1, 1)
        hours = float(np.count_nonzero(good)) * step / 3600.0 if len(times) > 1 else 0.0
        out.append(Visibility(verdict, mid_altitude, min(hours, (end - start) / 3600.0)))
    return out


__all__ = ["FULL", "NONE", "OBSERVABLE_CLASSES", "PARTIAL", "Visibility", "classify"]
