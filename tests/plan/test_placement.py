"""The placement of blocks at their best air mass (planner.plan.placement), against brute
force: for a fixed order the dynamic programme must find the cheapest layout there is."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.plan.placement import NightGrid
from planner.sky.airmass import airmass, airmass_or_cap, altitude_for_airmass

HOUR = 3600.0


def peaked(transit: float, height: float = 70.0, width_h: float = 4.0):
    """An altitude curve (deg) that culminates at ``transit``: what a star does near the meridian."""
    def altitude(t):
        return height - 50.0 * ((np.asarray(t, float) - transit) / (width_h * HOUR)) ** 2
    return altitude


def test_airmass_is_pickerings_and_inverts():
    assert float(airmass(90.0)) == pytest.approx(1.0, abs=1e-3)
    assert float(airmass(30.0)) == pytest.approx(1.995, abs=0.005)  # sec z = 2.000; refraction-aware
    assert math.isnan(float(airmass(-1.0)))
    assert float(airmass_or_cap(-1.0)) == 40.0
    for x in (1.1, 1.5, 2.0, 3.0):
        assert float(airmass(altitude_for_airmass(x))) == pytest.approx(x, rel=1e-3)


def test_one_block_is_centred_on_its_culmination():
    night = NightGrid(0.0, 10 * HOUR)
    block = night.block("a", HOUR, [(0.0, 10 * HOUR)], peaked(6 * HOUR))
    total, starts = night.place([block])
    assert total == pytest.approx(0.0)
    assert starts == [pytest.approx(5.5 * HOUR, abs=60)]


def test_a_window_edge_wins_when_the_culmination_is_outside_it():
    night = NightGrid(0.0, 10 * HOUR)
    block = night.block("a", HOUR, [(0.0, 4 * HOUR)], peaked(8 * HOUR))
    _, starts = night.place([block])
    assert starts == [pytest.approx(3 * HOUR, abs=60)]  # as late as its window allows


def test_two_blocks_wanting_the_same_hour_share_it():
    night = NightGrid(0.0, 10 * HOUR)
    a = night.block("a", HOUR, [(0.0, 10 * HOUR)], peaked(5 * HOUR))
    b = night.block("b", HOUR, [(0.0, 10 * HOUR)], peaked(5 * HOUR))
    _, (sa, sb) = night.place([a, b])
    first, second = sorted([sa, sb])
    assert second == pytest.approx(first + HOUR)  # back to back
    assert first == pytest.approx(4 * HOUR, abs=60)  # straddling the culmination


def test_the_more_urgent_block_gets_the_contested_hour():
    night = NightGrid(0.0, 10 * HOUR)
    a = night.block("urgent", HOUR, [(0.0, 10 * HOUR)], peaked(5 * HOUR), weight=2.0)
    b = night.block("plain", HOUR, [(0.0, 10 * HOUR)], peaked(5.5 * HOUR), weight=1.0)
    _, (sa, sb) = night.place([a, b])
    # the urgent one sits nearer its own best start (4.5 h) than the plain one to its own (5 h)
    assert abs(sa - 4.5 * HOUR) < abs(sb - 5.0 * HOUR)


def test_gap_and_night_end_are_kept():
    night = NightGrid(0.0, 3 * HOUR, gap=600.0)
    blocks = [night.block(k, HOUR, [(0.0, 3 * HOUR)], peaked(3 * HOUR)) for k in "ab"]
    total, starts = night.place_in_order(blocks)
    assert math.isfinite(total)
    assert starts[1] >= starts[0] + HOUR + 600.0 - 1e-6
    assert starts[1] + HOUR <= 3 * HOUR + 1e-6  # the last block may end at the night's end, no gap after


def test_a_block_that_does_not_fit_in_the_order_is_left_out_only_when_allowed():
    night = NightGrid(0.0, 4 * HOUR)
    late = night.block("late", 2 * HOUR, [(2 * HOUR, 4 * HOUR)], None)
    early = night.block("early", 2 * HOUR, [(0.0, 2.5 * HOUR)], None)
    total, starts = night.place_in_order([late, early])  # 'early' cannot come after 'late'
    assert total == math.inf
    total, starts = night.place_in_order([late, early], skip_cost=1e6)
    assert starts[0] == 2 * HOUR and starts[1] is None and total == pytest.approx(1e6)
    total, starts = night.place([late, early])  # free to choose the order: both fit
    assert math.isfinite(total) and starts == [2 * HOUR, 0.0]


def _brute_force(night: NightGrid, blocks, order):
    """The cheapest layout of ``blocks`` in ``order`` by trying every combination of starts."""
    choices = [np.nonzero(np.isfinite(blocks[i].cost))[0] for i in order]
    best = math.inf
    for combo in itertools.product(*choices):
        ok = all(combo[k + 1] >= combo[k] + blocks[order[k]].steps for k in range(len(combo) - 1))
        if ok:
            best = min(best, sum(blocks[i].cost[s] for i, s in zip(order, combo)))
    return best


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.floats(0.5, 3.0), st.floats(0.0, 10.0), st.floats(0.0, 10.0),
                            st.floats(0.0, 10.0), st.floats(1.0, 2.0)), min_size=1, max_size=3),
    gap=st.sampled_from([0.0, 1800.0]),
)
def test_a_fixed_order_is_placed_as_cheaply_as_brute_force_finds(data, gap):
    night = NightGrid(0.0, 10 * HOUR, gap=gap, step=1800.0)  # a coarse grid keeps brute force small
    blocks = []
    for k, (dur_h, a, b, transit, weight) in enumerate(data):
        lo, hi = sorted((a, b))
        blocks.append(night.block(f"b{k}", round(dur_h * 2) * 1800.0, [(lo * HOUR, hi * HOUR)],
                                  peaked(transit * HOUR), weight))
    for order in itertools.permutations(range(len(blocks))):
        total, starts = night.place_in_order([blocks[i] for i in order])
        assert total == pytest.approx(_brute_force(night, blocks, order), abs=1e-9)
        if math.isfinite(total):
            assert total == pytest.approx(night.cost_of([blocks[i] for i in order], starts), abs=1e-9)
