"""Rise and set events of fixed apparent places, each in its own observing window: in
closed form from the hour-angle equation against a flat limit, and by a search on a time
grid (bisection, then a secant step on the exact altitude and azimuth) against a horizon
mask. Rows are the targets of one night (``planner.sky.engine``) or (target, night) pairs
(``planner.sky.outlook``); the events come as flat (row, time, code) arrays, then hours up,
first rise and set, and the AAVSO ``observability_times`` tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.sky.frames import (
    SIDEREAL_DAY,
    SIDEREAL_RATE,
    _altitude,
    apparent_altitude,
    geometric_limit,
    refraction_from_apparent,
)
from planner.sky.horizon_mask import HorizonMask
from planner.sky.types import TargetEvents

# Event codes in the flat event arrays (row, time, code) of the functions below.
_SET, _RISE = 0, 1
# Against a horizon mask the crossings are looked for on a grid of this step and then
# refined on the exact altitude and azimuth to a fraction of a second. A dip of the track
# under the mask (or a peak over it) shorter than a step can be missed: at 5 minutes a
# star near the equator moves 1.25 deg, so features narrower than that may be stepped over.
MASK_STEP_S = 300.0
_MASK_BISECTIONS = 9  # 300 s / 2**9 = 0.6 s, then one secant step on top


def _alt_az(lat_deg: float, dec_deg, hour_angle_deg):
    """Geometric altitude and azimuth (deg, from north through east) of places of date."""
    lat = math.radians(lat_deg)
    dec = np.radians(dec_deg)
    h = np.radians(hour_angle_deg)
    sd, cd, ch = np.sin(dec), np.cos(dec), np.cos(h)
    sin_alt = math.sin(lat) * sd + math.cos(lat) * cd * ch
    alt = np.degrees(np.arcsin(np.clip(sin_alt, -1.0, 1.0)))
    az = np.degrees(np.arctan2(-cd * np.sin(h), sd * math.cos(lat) - cd * ch * math.sin(lat))) % 360.0
    return alt, az


@dataclass
class _Rows:
    """Fixed apparent places, each with its own observing window: the targets of one night,
    or (target, night) pairs of the outlook. ``lst_start`` is the local sidereal time at
    ``start``; the hour angle then advances at the sidereal rate."""

    latitude: float
    ra: np.ndarray  # (R,) apparent RA of date, deg
    dec: np.ndarray  # (R,) apparent Dec of date, deg
    lst_start: np.ndarray  # (R,) deg
    start: np.ndarray  # (R,) unix
    end: np.ndarray  # (R,) unix

    def __len__(self) -> int:
        return int(self.ra.size)

    def hour_angle(self, index, t) -> np.ndarray:
        return self.lst_start[index] + SIDEREAL_RATE * (t - self.start[index]) - self.ra[index]


def _flat_closed_form(rows: _Rows, h0: float):
    """Rise and set times against a flat geometric limit ``h0``, in closed form from the
    hour-angle equation: flat (row, time, code) arrays and whether each row starts up."""
    lat = rows.latitude
    sin_lat, cos_lat = math.sin(math.radians(lat)), math.cos(math.radians(lat))
    sin_dec, cos_dec = np.sin(np.radians(rows.dec)), np.cos(np.radians(rows.dec))
    with np.errstate(divide="ignore", invalid="ignore"):
        cos_h0 = (math.sin(math.radians(h0)) - sin_lat * sin_dec) / (cos_lat * cos_dec)
    cos_h0 = np.where(np.isfinite(cos_h0), cos_h0, np.where(sin_lat * sin_dec > math.sin(math.radians(h0)), -2.0, 2.0))
    always_above = cos_h0 <= -1.0
    crossing = ~(always_above | (cos_h0 >= 1.0))
    semi_arc = np.degrees(np.arccos(np.clip(cos_h0, -1.0, 1.0)))  # hour angle of setting
    ha_start = (rows.lst_start - rows.ra) % 360.0
    # Hour angle grows with time; a rise is at H = -H0, a set at H = +H0 (mod 360).
    ks = np.arange(3) * SIDEREAL_DAY
    start, end = rows.start[:, None], rows.end[:, None]
    rises = (rows.start + ((-semi_arc - ha_start) % 360.0) / SIDEREAL_RATE)[:, None] + ks
    sets = (rows.start + ((semi_arc - ha_start) % 360.0) / SIDEREAL_RATE)[:, None] + ks
    ok_r = crossing[:, None] & (rises > start) & (rises < end)
    ok_s = crossing[:, None] & (sets > start) & (sets < end)
    index = np.broadcast_to(np.arange(len(rows))[:, None], rises.shape)
    row = np.concatenate([index[ok_r], index[ok_s]])
    time = np.concatenate([rises[ok_r], sets[ok_s]])
    code = np.concatenate([np.full(int(ok_r.sum()), _RISE), np.full(int(ok_s.sum()), _SET)])
    ha_signed = ((ha_start + 180.0) % 360.0) - 180.0
    up_at_start = always_above | (crossing & (np.abs(ha_signed) < semi_arc))
    return row, time, code, up_at_start


def _altitude_range(rows: _Rows):
    """Highest and lowest apparent altitude of each row inside its window (at an end, or at
    an upper/lower culmination inside it), and when the highest is reached."""
    n = len(rows)
    upper = rows.start + ((rows.ra - rows.lst_start) % 360.0) / SIDEREAL_RATE
    lower = rows.start + ((rows.ra + 180.0 - rows.lst_start) % 360.0) / SIDEREAL_RATE
    candidates = np.stack([rows.start, np.maximum(rows.end, rows.start), upper, lower], axis=1)
    valid = np.ones(candidates.shape, dtype=bool)
    valid[:, 2] = upper <= np.maximum(rows.end, rows.start)
    valid[:, 3] = lower <= np.maximum(rows.end, rows.start)
    ha = rows.lst_start[:, None] + SIDEREAL_RATE * (candidates - rows.start[:, None]) - rows.ra[:, None]
    alt = _altitude(rows.latitude, rows.dec[:, None], ha)
    highest = np.where(valid, alt, -np.inf)
    lowest = np.where(valid, alt, np.inf)
    best = np.argmax(highest, axis=1)
    at = np.arange(n)
    return apparent_altitude(highest[at, best]), apparent_altitude(lowest.min(axis=1)), candidates[at, best]


def _effective_geometric_limit(mask: HorizonMask, limit: float, azimuth) -> np.ndarray:
    """The geometric altitude matching the effective apparent limit max(mask, limit)."""
    apparent = np.maximum(mask.altitude_at(azimuth), limit)
    return apparent - refraction_from_apparent(apparent)


def _mask_samples(rows: _Rows, subset: np.ndarray, mask: HorizonMask, limit: float, step_s: float = MASK_STEP_S):
    """Sample times from each subset row's start to its end every ``step_s``, and the
    effective-limit margin there (apparent altitude minus max(mask(az), limit), float32)."""
    start, end = rows.start[subset], rows.end[subset]
    steps = int(math.ceil(float(np.max(end - start)) / step_s)) if np.any(end > start) else 0
    t = np.minimum(start[:, None] + step_s * np.arange(steps + 1)[None, :], end[:, None])
    lst = rows.lst_start[subset][:, None] + SIDEREAL_RATE * (t - start[:, None])
    ra, dec = rows.ra[subset][:, None], rows.dec[subset][:, None]
    alt, az = _alt_az(rows.latitude, dec, lst - ra)
    return t, (apparent_altitude(alt) - np.maximum(mask.altitude_at(az), limit)).astype(np.float32)


def _flat_masked(rows: _Rows, subset: np.ndarray, mask: HorizonMask, limit: float, t: np.ndarray, f: np.ndarray):
    """Crossings of the effective limit max(mask(az), limit) for the rows in ``subset``:
    found where the margin ``f`` sampled at times ``t`` (both (len(subset), K), from each
    row's start to its end) changes sign, then refined by bisection and a secant step on
    the exact altitude and azimuth. Returns flat (row, time, code) arrays and whether each
    subset row starts up."""
    if subset.size == 0:
        return np.empty(0, int), np.empty(0), np.empty(0, int), np.empty(0, bool)
    lat = rows.latitude

    def exact(r, when):
        a, z = _alt_az(lat, rows.dec[r], rows.hour_angle(r, when))
        return a - _effective_geometric_limit(mask, limit, z)

    up = f > 0.0
    up_at_start = exact(subset, rows.start[subset]) > 0.0
    up[:, 0] = up_at_start
    up[:, -1] = exact(subset, rows.end[subset]) > 0.0
    local, k = np.nonzero(up[:, :-1] != up[:, 1:])
    if local.size == 0:
        return np.empty(0, int), np.empty(0), np.empty(0, int), up_at_start
    r = subset[local]
    lo, hi = t[local, k].astype(float), t[local, k + 1].astype(float)
    f_lo, f_hi = exact(r, lo), exact(r, hi)
    rising = ~up[local, k]
    s_lo, s_hi = f[local, k].astype(float), f[local, k + 1].astype(float)
    linear = lo + (hi - lo) * (s_lo / np.where(s_lo == s_hi, 1.0, s_lo - s_hi))
    # The samples are approximate (one-pass refraction, float32, the mask's table): within
    # a few thousandths of a degree of the limit a sample can fall on the wrong side, which
    # puts the crossing one step early or late. Then the exact ends do not bracket it, and
    # the neighbouring step that does is taken instead.
    bracketed = (f_lo > 0.0) != (f_hi > 0.0)
    if not bracketed.all():
        step = hi - lo
        first, last = rows.start[r], rows.end[r]
        for shift in (-1.0, 1.0):
            todo = ~bracketed
            if not todo.any():
                break
            new_lo = np.clip(lo + shift * step, first, last)
            new_hi = np.clip(hi + shift * step, first, last)
            g_lo = np.where(todo, exact(r, new_lo), f_lo)
            g_hi = np.where(todo, exact(r, new_hi), f_hi)
            found = todo & ((g_lo > 0.0) != (g_hi > 0.0)) & ((g_lo > 0.0) == ~rising)
            lo, hi = np.where(found, new_lo, lo), np.where(found, new_hi, hi)
            f_lo, f_hi = np.where(found, g_lo, f_lo), np.where(found, g_hi, f_hi)
            bracketed = bracketed | found
    for _ in range(_MASK_BISECTIONS):
        mid = 0.5 * (lo + hi)
        f_mid = exact(r, mid)
        same_as_lo = (f_mid > 0.0) == (f_lo > 0.0)
        lo = np.where(same_as_lo, mid, lo)
        f_lo = np.where(same_as_lo, f_mid, f_lo)
        hi = np.where(same_as_lo, hi, mid)
        f_hi = np.where(same_as_lo, f_hi, f_mid)
    denominator = np.where(f_lo == f_hi, 1.0, f_lo - f_hi)
    refined = np.clip(lo + (hi - lo) * (f_lo / denominator), lo, hi)
    time = np.where(bracketed, refined, np.clip(linear, t[local, k], t[local, k + 1]))
    code = np.where(rising, _RISE, _SET)
    return r, time, code, up_at_start


def _masked_rows(rows: _Rows, limit: float, mask: HorizonMask | None, highest, lowest) -> np.ndarray:
    """The rows whose events the mask can change: a mask above the limit somewhere, and a
    track that climbs above the limit and dips under the mask's highest point in its window."""
    if mask is None or mask.max_altitude <= limit:
        return np.empty(0, int)
    return np.nonzero((highest > limit) & (lowest < mask.max_altitude) & (rows.end > rows.start))[0]


def _merge_masked(row, time, code, up_at_start, masked, m_row, m_time, m_code, m_up):
    """The closed-form events with those of the ``masked`` rows replaced by the mask search's."""
    keep = ~np.isin(row, masked)
    up_at_start = up_at_start.copy()
    up_at_start[masked] = m_up
    return (np.concatenate([row[keep], m_row]), np.concatenate([time[keep], m_time]),
            np.concatenate([code[keep], m_code]), up_at_start)


def _sorted_events(row, time, code):
    order = np.lexsort((time, row))
    return row[order], time[order], code[order]


def _hours_and_firsts(n: int, row, time, code, up_at_start, start, end):
    """Hours up inside each window, and each row's first rise and first set (NaN if none),
    from flat events sorted by (row, time): time up = sum of set times - sum of rise times,
    plus the window's end if up at the end, minus its start if up at the start."""
    signed = np.where(code == _SET, time, -time)
    total = np.bincount(row, weights=signed, minlength=n) if row.size else np.zeros(n)
    toggles = np.bincount(row, minlength=n) if row.size else np.zeros(n, int)
    up_at_end = up_at_start ^ (toggles % 2 == 1)
    total = total + np.where(up_at_end, end, 0.0) - np.where(up_at_start, start, 0.0)
    hours = np.where(end > start, total, 0.0) / 3600.0
    first_rise = np.full(n, np.nan)
    first_set = np.full(n, np.nan)
    for which, out in ((_RISE, first_rise), (_SET, first_set)):
        sel = code == which
        rows_sel, first = np.unique(row[sel], return_index=True)
        out[rows_sel] = time[sel][first]
    return np.maximum(hours, 0.0), first_rise, first_set, up_at_end


def _row_events(rows: _Rows, limit: float, mask: HorizonMask | None, samples=None):
    """Every row's events against the site's effective limit: closed form where the horizon
    mask cannot matter (``_masked_rows``), the mask search elsewhere. ``samples(subset)``
    gives that search its (times, margins); by default a grid from each row's start
    (``_mask_samples``). Returns sorted flat (row, time, code), up_at_start, and the highest
    altitude in each window and its time."""
    row, time, code, up_at_start = _flat_closed_form(rows, geometric_limit(limit))
    highest, lowest, highest_at = _altitude_range(rows)
    masked = _masked_rows(rows, limit, mask, highest, lowest)
    if masked.size:
        t, f = samples(masked) if samples is not None else _mask_samples(rows, masked, mask, limit)
        found = _flat_masked(rows, masked, mask, limit, t, f)
        row, time, code, up_at_start = _merge_masked(row, time, code, up_at_start, masked, *found)
    row, time, code = _sorted_events(row, time, code)
    return row, time, code, up_at_start, highest, highest_at


def _target_events(n: int, row, time, code, up_at_start, has_window: bool) -> TargetEvents:
    """The AAVSO ``observability_times`` of each row from the flat events sorted by (row,
    time), as a ``TargetEvents`` of (N, K) rise and set tables (made into lists on demand)."""
    if not has_window:
        return TargetEvents(np.full((n, 0), np.nan), np.full((n, 0), np.nan), np.zeros(n, bool))

    def table(which: int) -> np.ndarray:
        sel = code == which
        r, t = row[sel], time[sel]
        counts = np.bincount(r, minlength=n)
        out = np.full((n, int(counts.max()) if r.size else 0), np.nan)
        if r.size:
            first = np.concatenate([[0], np.cumsum(counts)[:-1]])
            out[r, np.arange(r.size) - first[r]] = t
        return out

    no_events = np.bincount(row, minlength=n) == 0 if row.size else np.ones(n, bool)
    return TargetEvents(table(_RISE), table(_SET), up_at_start & no_events)


def _up_on_grid(n: int, grid: np.ndarray, row, time, up_at_start, start: float, end: float) -> np.ndarray:
    """(N, T) bool: each row above its effective limit at each grid time inside the window."""
    toggles = np.zeros((n, grid.size + 1), dtype=np.int8)
    if row.size:
        np.add.at(toggles, (row, np.searchsorted(grid, time, side="right")), 1)
    state = (np.cumsum(toggles, axis=1, dtype=np.int16)[:, :-1] % 2).astype(bool) ^ up_at_start[:, None]
    return state & ((grid >= start) & (grid <= end))[None, :]
