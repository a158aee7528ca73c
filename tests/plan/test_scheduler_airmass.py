"""The scheduler places each block near its target's best air mass, checked against an
independent altitude computation: astropy's own ``AltAz`` frame (its refraction, its
``secz``), not the sky engine the scheduler reads (issue 17, item 7).

The case is the one the issue measured: ten bundled sample targets at 52 N 4 E, 30-minute
blocks. Before this change the blocks were packed from dusk on, a median 0.36 (worst 1.27)
above the best air mass each block's own window allows on this night (0.45 and 0.88 on the
issue's night); now the median is 0.004 and the worst 0.22 (three stars that all culminate
after dawn share the last hours).

Tolerance: 0.01 in air mass between the scheduler's view and astropy's. The scheduler uses
the engine's 5-minute apparent-altitude grid (interpolated; 0.01 deg apart from astropy),
Pickering's air mass (not sec z: the same ordering of times, a slightly different value)
and whole-minute starts; a star near 30 deg changes its air mass by about 0.003 a minute.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import AltAz, EarthLocation, SkyCoord
from astropy.time import Time

from planner.app.visibility import compute_visibility
from planner.catalog import load_sample
from planner.plan.model import PlanEntry, PlanTarget
from planner.plan.scheduler import (
    REASON_BELOW,
    REASON_NIGHT_FULL,
    REASON_TWILIGHT,
    schedule,
    schedule_entries,
)
from planner.sky.engine import night_for_date
from planner.sky.site import Site

SITE = Site(latitude=52.0, longitude=4.0, elevation=0.0, timezone="Europe/Amsterdam", name="")
DATE = dt.date(2026, 3, 10)
LOCATION = EarthLocation.from_geodetic(4.0 * u.deg, 52.0 * u.deg, 0.0 * u.m)
TOLERANCE = 0.01


def astropy_airmass(ra, dec, times) -> np.ndarray:
    """sec z of apparent (refracted) altitudes from astropy's AltAz, (targets, times)."""
    coords = SkyCoord(np.atleast_1d(ra)[:, None] * u.deg, np.atleast_1d(dec)[:, None] * u.deg)
    frame = AltAz(obstime=Time(np.asarray(times, float)[None, :], format="unix"), location=LOCATION,
                  pressure=1013.25 * u.hPa, temperature=10 * u.deg_C, relative_humidity=0.0,
                  obswl=0.55 * u.um)
    return np.asarray(coords.transform_to(frame).secz)


def mean_over(am_row: np.ndarray, n: int) -> np.ndarray:
    """Mean air mass of every run of n + 1 one-minute samples (a block of n minutes)."""
    return np.convolve(am_row, np.ones(n + 1) / (n + 1), "valid")


@pytest.fixture(scope="module")
def ten_targets():
    sample = load_sample().targets
    time = night_for_date(SITE, DATE)
    obs = compute_visibility(sample, SITE, time)
    chosen = [sample[i] for i in range(len(sample)) if obs.hours_observable[i] > 2][:10]
    assert len(chosen) == 10
    return chosen, time


@pytest.fixture(scope="module")
def scheduled(ten_targets):
    targets, time = ten_targets
    result = schedule(targets, SITE, time, now=time)
    assert result.unplaced == []
    return targets, result.plan


def test_each_block_is_where_astropy_says_its_air_mass_is_least_given_its_neighbours(scheduled):
    targets, plan = scheduled
    by_name = {t.star_name: t for t in targets}
    blocks = plan.scheduled_entries
    for k, entry in enumerate(blocks):
        star = by_name[entry.name]
        # the free room around the block: up to its neighbours (or the night's ends), inside its windows
        lo = blocks[k - 1].end if k > 0 else plan.night_start
        hi = blocks[k + 1].start if k + 1 < len(blocks) else plan.night_end
        room = [(max(a, lo), min(b, hi)) for a, b in entry.windows if min(b, hi) - max(a, lo) >= entry.duration]
        assert room, entry.name
        n = int(round(entry.duration / 60.0))
        here = astropy_airmass(star.ra, star.dec, np.arange(entry.start, entry.end + 1, 60.0))[0].mean()
        for a, b in room:
            minutes = np.arange(a, b + 1, 60.0)
            best_here = mean_over(astropy_airmass(star.ra, star.dec, minutes)[0], n).min()
            assert here <= best_here + TOLERANCE, (entry.name, here, best_here)


def test_blocks_sit_near_the_best_air_mass_their_windows_allow(scheduled):
    targets, plan = scheduled
    by_name = {t.star_name: t for t in targets}
    excess = []
    for entry in plan.scheduled_entries:
        star = by_name[entry.name]
        n = int(round(entry.duration / 60.0))
        here = astropy_airmass(star.ra, star.dec, np.arange(entry.start, entry.end + 1, 60.0))[0].mean()
        best = min(mean_over(astropy_airmass(star.ra, star.dec, np.arange(a, b + 1, 60.0))[0], n).min()
                   for a, b in entry.windows if b - a >= entry.duration)
        excess.append(here - best)
    excess = np.array(excess)
    assert np.median(excess) <= 0.02, excess
    assert excess.max() <= 0.3, excess


def test_the_dark_time_is_filled_before_anyone_is_turned_away():
    """With more targets than the night holds, no target is turned away while a free slot of
    its block's length lies inside its own time up; the ones turned away say so honestly."""
    sample = load_sample().targets
    time = night_for_date(SITE, DATE)
    obs = compute_visibility(sample, SITE, time)
    entries = [PlanEntry(target=PlanTarget.from_target(t), duration=900.0) for t in sample]
    placed, unplaced, dark = schedule_entries(entries, obs, now=time)
    assert placed and unplaced
    busy = sorted((e.start, e.end) for e in placed)
    free, t = [], dark[0]
    for a, b in busy:
        if a > t:
            free.append((t, a))
        t = max(t, b)
    if dark[1] > t:
        free.append((t, dark[1]))
    index = {e.id: i for i, e in enumerate(entries)}
    for u_ in unplaced:
        if u_.reason in (REASON_BELOW, REASON_TWILIGHT):
            continue
        windows = obs.windows(index[u_.entry.id])
        for a, b in free:
            for wa, wb in windows:
                assert min(b, wb) - max(a, wa) < u_.entry.duration - 60.0, (u_.name, u_.reason)
    # circumpolar stars turned away are turned away because the night is full, and say so
    circumpolar = [u_ for u_ in unplaced if obs.hours_observable[index[u_.entry.id]] > 11]
    assert circumpolar and all(u_.reason.startswith(REASON_NIGHT_FULL) for u_ in circumpolar)


def test_priority_keeps_its_place_first(ten_targets):
    """Urgency still decides who gets in; air mass only where in the night they go."""
    from dataclasses import replace

    targets, time = ten_targets
    obs = compute_visibility(targets, SITE, time)
    # two stars up all night, blocks of 5 h in ~8.7 h of darkness: only one fits
    a, b = [targets[i] for i in np.argsort(-obs.hours_observable)[:2]]
    assert min(obs.hours_observable[targets.index(a)], obs.hours_observable[targets.index(b)]) > 8
    for plain, urgent in ((a, b), (b, a)):
        urgent = replace(urgent, priority=True)
        result = schedule([plain, urgent], SITE, time, now=time, duration=5 * 3600.0)
        assert [e.name for e in result.plan.scheduled_entries] == [urgent.star_name]
        assert result.unplaced[0].reason.startswith(REASON_NIGHT_FULL)
