"""Speed of the sky engine against astroplan's per-target Observer loop, in the same run.

Run on request: ``pytest -m benchmark tests/benchmarks -s``. Prints the ratio; the aims are
the whole observability (events + 5-minute grid) for 2,000 targets under 50 ms warm and at
least 100 times faster than astroplan's rise/set loop.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.benchmark

N_TARGETS = 2000
ASTROPLAN_SAMPLE = 40  # astroplan takes ~0.1 s a target; time a sample and scale


def _targets(n):
    rng = np.random.default_rng(42)
    return rng.uniform(0, 360, n), np.degrees(np.arcsin(rng.uniform(-1, 1, n)))


def test_engine_vs_astroplan(capsys):
    import astropy.units as u
    from astroplan import FixedTarget, Observer
    from astropy.coordinates import EarthLocation, SkyCoord
    from astropy.time import Time

    from planner.sky import Site, compute_observability

    site = Site(52.0, 4.0)
    when = 1771705415.0
    ra, dec = _targets(N_TARGETS)
    compute_observability(ra, dec, site, when)  # warm: imports, IERS table, caches of the night
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        compute_observability(ra, dec, site, when + 1.0)  # a new time: no per-call memo helps
        runs.append(time.perf_counter() - start)
    ours = float(np.median(runs))

    observer = Observer(location=EarthLocation.from_geodetic(4.0 * u.deg, 52.0 * u.deg, 0 * u.m))
    t = Time(when, format="unix")
    sample = [FixedTarget(SkyCoord(r * u.deg, d * u.deg)) for r, d in zip(ra[:ASTROPLAN_SAMPLE], dec[:ASTROPLAN_SAMPLE])]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        observer.target_rise_time(t, sample[0], which="next", horizon=20 * u.deg)  # warm
        start = time.perf_counter()
        for target in sample:
            observer.target_rise_time(t, target, which="next", horizon=20 * u.deg)
            observer.target_set_time(t, target, which="next", horizon=20 * u.deg)
        per_target = (time.perf_counter() - start) / ASTROPLAN_SAMPLE
    theirs = per_target * N_TARGETS
    ratio = theirs / ours
    with capsys.disabled():
        print(
            f"\nsky engine, {N_TARGETS} targets (events + 5-min grid): {ours * 1000:.1f} ms warm (median of 7); "
            f"astroplan rise+set loop: {per_target * 1000:.1f} ms/target -> {theirs:.1f} s; ratio {ratio:.0f}x"
        )
    assert ours < 0.050
    assert ratio >= 100
