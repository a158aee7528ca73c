"""Speed of the outlook (30 nights x 500 targets, with a horizon mask) against a per-night
loop of the single-night engine over the same nights, in the same run. Run on request:
``pytest -m benchmark tests/benchmarks/test_outlook.py -s``. The aim: under a second.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pytest

pytestmark = pytest.mark.benchmark

N_TARGETS, N_NIGHTS = 500, 30


def test_outlook_vs_a_loop_of_nights(capsys):
    from planner.sky import Site, compute_observability, night_for_date
    from planner.sky.horizon import HorizonMask
    from planner.sky.outlook import compute_outlook

    rng = np.random.default_rng(42)
    ra, dec = rng.uniform(0, 360, N_TARGETS), np.degrees(np.arcsin(rng.uniform(-1, 1, N_TARGETS)))
    az = np.arange(0.0, 360.0, 5.0)
    mask = HorizonMask(tuple(zip(az, 10.0 + 35.0 * np.abs(np.sin(np.radians(az * 1.5))))))
    site = Site(52.0, 4.0, target_altitude=20.0, horizon=mask)

    def times(first: dt.date):
        return [night_for_date(site, first + dt.timedelta(days=k)) for k in range(N_NIGHTS)]

    compute_outlook(ra, dec, site, times(dt.date(2026, 1, 1)))  # warm: imports, IERS table
    # Different months for each run, so no night is served from a cache.
    start = time.perf_counter()
    ours = compute_outlook(ra, dec, site, times(dt.date(2026, 3, 1)))
    outlook_s = time.perf_counter() - start
    start = time.perf_counter()
    loop = [compute_observability(ra, dec, site, t) for t in times(dt.date(2026, 5, 1))]
    loop_s = time.perf_counter() - start
    start = time.perf_counter()
    compute_outlook(ra, dec, site, times(dt.date(2026, 7, 1)))
    outlook_again_s = time.perf_counter() - start
    best = min(outlook_s, outlook_again_s)
    with capsys.disabled():
        print(f"\noutlook, {N_NIGHTS} nights x {N_TARGETS} targets with a {len(mask.points)}-point mask: "
              f"{best * 1000:.0f} ms; per-night loop of the engine: {loop_s * 1000:.0f} ms; "
              f"ratio {loop_s / best:.1f}x")
    assert ours.hours.shape == (N_TARGETS, N_NIGHTS) and len(loop) == N_NIGHTS
    assert best < 1.0
    assert loop_s / best > 1.5
