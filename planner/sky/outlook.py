"""The nights ahead: per target and night, the hours observable (against the horizon mask
too), the highest altitude, and the Moon, for many nights in one vectorised computation.

Each (target, night) pair is a row of the same machinery the single-night engine uses
(``planner.sky.engine``, ``frames``, ``row_events``): the apparent place of date in that
night's frame, closed-form rise and set against the flat limit, the grid search and refinement where the mask can
matter, and the hours from the flat events; so a night of the outlook gives the hours of
``compute_observability`` for that night (within a second; the nights share one Sun track
per month, ``compute_nights``). What costs a per-night loop most is not done per night:
the Sun's track, the astropy time scales, and Python loops over targets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import erfa
import numpy as np

from planner.sky.engine import _coordinates, _ecliptic_longitude
from planner.sky.frames import (
    _altitude_grid,
    _apparent_of_date,
    _azimuth_grid,
    _frame,
    geometric_limit,
    _jd_parts,
    _lst_deg,
    _moon_topocentric,
    _scales,
    _sun_direction_of_date,
    _unit_vectors,
)
from planner.sky.nights import compute_nights
from planner.sky.row_events import (
    _altitude_range,
    _flat_closed_form,
    _flat_masked,
    _hours_and_firsts,
    MASK_STEP_S,
    _masked_rows,
    _merge_masked,
    _Rows,
    _sorted_events,
)
from planner.sky.moon import moon_age_days
from planner.sky.site import Site
from planner.sky.types import Night


@dataclass
class SkyOutlook:
    """N targets over D nights: arrays are (N, D) unless said otherwise."""

    site: Site
    nights: list[Night]  # (D,) each night from its ``time``'s evening
    hours: np.ndarray  # hours above the effective limit inside the night window
    max_altitude: np.ndarray  # highest apparent altitude inside the window (deg)
    moon_separation: np.ndarray  # at the middle of each night (deg)
    moon_illumination: np.ndarray  # (D,) 0..1 at the middle of each night
    moon_age: np.ndarray  # (D,) days since new Moon at the middle of each night

    @property
    def night_count(self) -> int:
        return len(self.nights)


def compute_outlook(ra_deg, dec_deg, site: Site, times: Sequence[float]) -> SkyOutlook:
    """The nights following each unix ``times[d]`` (pass local noon of each date,
    ``night_for_date``, for whole evenings) for targets at J2000 ``ra_deg``/``dec_deg``."""
    ra, dec = _coordinates(ra_deg, dec_deg)
    nights = compute_nights(site, times)
    n, d = ra.size, len(nights)
    lat = site.latitude
    starts = np.array([night.start for night in nights])
    ends = np.array([night.end for night in nights])
    middles = np.where(ends > starts, 0.5 * (starts + ends), starts)
    frames = [_frame(float(m)) for m in middles]

    # Rows night-major: row = night * n + target.
    app = [_apparent_of_date(frame, ra, dec) for frame in frames]
    app_ra = np.concatenate([a for a, _ in app]) if n else np.zeros(0)
    app_dec = np.concatenate([b for _, b in app]) if n else np.zeros(0)
    lst_start = np.repeat([float(_lst_deg(f, site.longitude, s)) for f, s in zip(frames, starts)], n)
    rows = _Rows(lat, app_ra, app_dec, lst_start, np.repeat(starts, n), np.repeat(ends, n))
    limit = site.target_altitude
    mask = site.horizon
    row, time, code, up_at_start = _flat_closed_form(rows, geometric_limit(limit))
    highest, lowest, _ = _altitude_range(rows)
    masked = _masked_rows(rows, limit, mask, highest, lowest)
    if masked.size:
        t, f = _night_samples(rows, masked, site, frames, starts, ends, n)
        found = _flat_masked(rows, masked, mask, limit, t, f)
        row, time, code, up_at_start = _merge_masked(row, time, code, up_at_start, masked, *found)
    row, time, code = _sorted_events(row, time, code)
    hours, _, _, _ = _hours_and_firsts(len(rows), row, time, code, up_at_start, rows.start, rows.end)
    hours = np.where(rows.end > rows.start, hours, 0.0)

    # The Moon at each night's middle, as the single-night engine takes it.
    moon_sep = np.zeros((d, n))
    illumination = np.zeros(d)
    age = np.zeros(d)
    for k, (frame, middle) in enumerate(zip(frames, middles)):
        m_ra, m_dec, m_geo = _moon_topocentric(site, frame, float(middle))
        star = _unit_vectors(app[k][0], app[k][1])
        moon_sep[k] = np.degrees(np.arccos(np.clip(star @ _unit_vectors(m_ra, m_dec)[0], -1.0, 1.0)))
        sun = _sun_direction_of_date(frame, float(middle))
        elongation = math.degrees(math.acos(float(np.clip(m_geo[0] @ sun, -1.0, 1.0))))
        illumination[k] = (1.0 + math.cos(math.radians(180.0 - elongation))) / 2.0
        obliquity = float(erfa.obl06(*_jd_parts(float(middle), _scales(float(middle)).dtt)))
        age[k] = float(moon_age_days(_ecliptic_longitude(m_geo[0], obliquity) - _ecliptic_longitude(sun, obliquity)))

    return SkyOutlook(
        site=site,
        nights=nights,
        hours=hours.reshape(d, n).T.copy(),
        max_altitude=highest.reshape(d, n).T.copy(),
        moon_separation=moon_sep.T.copy(),
        moon_illumination=illumination,
        moon_age=age,
    )


def _night_samples(rows: _Rows, subset: np.ndarray, site: Site, frames, starts, ends, n: int):
    """The mask search's samples for the outlook's rows: per night, one float32 altitude and
    azimuth grid (every ``MASK_STEP_S`` from the night's start) for that night's rows."""
    steps = int(math.ceil(float(np.max(ends - starts)) / MASK_STEP_S)) if np.any(ends > starts) else 0
    t = np.empty((subset.size, steps + 1))
    f = np.empty((subset.size, steps + 1), dtype=np.float32)
    night_of = subset // n
    for k in np.unique(night_of):
        sel = np.nonzero(night_of == k)[0]
        idx = subset[sel]
        times = np.minimum(starts[k] + MASK_STEP_S * np.arange(steps + 1), ends[k])
        lst = _lst_deg(frames[k], site.longitude, times)
        alt = _altitude_grid(site.latitude, rows.ra[idx], rows.dec[idx], lst)
        az = _azimuth_grid(site.latitude, rows.ra[idx], rows.dec[idx], lst)
        t[sel] = times[None, :]
        f[sel] = alt - np.maximum(site.horizon.table(az), np.float32(site.target_altitude))
    return t, f
