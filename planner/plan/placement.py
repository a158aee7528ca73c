"""Where in the night each block goes: as near its target's best air mass as the others allow.

The scheduler (``planner.plan.scheduler``) decides *which* entries go into the night (the
most urgent first, each kept only if everything chosen still fits); this module decides
*when*. A block's cost at a start time is the mean air mass over the block minus the best
mean air mass its own windows allow (0 at the best place: for most targets the meridian),
weighted by urgency, so the more urgent target wins a contested hour.

For a given order of blocks the best start times are found exactly, on a one-minute grid,
by dynamic programming: ``G_k(t)``, the least cost of the first k blocks all finished
(with the gap) by grid time t, follows from ``G_{k-1}`` in one vectorised pass (a running
minimum), and the layout is read back from the end. The order itself starts from each
block's best time and is improved by swapping neighbours while that lowers the total; a
block may also be left out at a fixed price (``skip_cost``), which is how a user's own
order is re-timed without losing the night to one block that no longer fits.

A minute of grid is far finer than what air mass cares about (a star's altitude changes
by at most 0.25 deg a minute); blocks start on whole minutes after the night's start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from planner.sky.airmass import airmass_or_cap

STEP_S = 60.0
SWAP_PASSES = 2


@dataclass(frozen=True)
class BlockCost:
    """One block to place: ``cost[s]`` for a start at grid index s (inf where it may not
    start), its best start index, and how many grid steps it (plus the gap) occupies."""

    key: str
    duration: float
    cost: np.ndarray
    steps: int
    best: int | None  # grid index of the cheapest start; None when it cannot start anywhere

    @property
    def placeable(self) -> bool:
        return self.best is not None


class NightGrid:
    """The one-minute grid of the dark interval [start, end] the blocks are placed on."""

    def __init__(self, start: float, end: float, gap: float = 0.0, step: float = STEP_S) -> None:
        self.start, self.end, self.gap, self.step = float(start), float(end), float(gap), float(step)
        n = max(int(math.floor((self.end - self.start) / self.step)) + 1, 1)
        self.grid = self.start + self.step * np.arange(n)

    def block(self, key: str, duration: float, windows: Sequence[tuple[float, float]],
              altitude: Callable[[np.ndarray], np.ndarray] | None, weight: float = 1.0) -> BlockCost:
        """The cost of starting a ``duration``-second block at each grid time: inf unless the
        block lies inside one of ``windows``; otherwise ``weight`` times its mean air mass
        (``altitude(times)`` gives apparent altitudes) above the best it can have. Without
        ``altitude`` (or where it is flat) every allowed start costs the same."""
        grid = self.grid
        allowed = np.zeros(grid.size, bool)
        for a, b in windows:
            allowed |= (grid >= a - 1e-6) & (grid + duration <= b + 1e-6)
        cost = np.full(grid.size, np.inf)
        if allowed.any():
            if altitude is None:
                cost[allowed] = 0.0
            else:
                mean = self.mean_airmass(duration, altitude)
                excess = mean[allowed] - float(np.min(mean[allowed]))
                cost[allowed] = float(weight) * np.maximum(excess, 0.0)
        steps = max(int(math.ceil((duration + self.gap) / self.step - 1e-9)), 1)
        best = int(np.argmin(cost)) if np.isfinite(cost).any() else None
        return BlockCost(key, float(duration), cost, steps, best)

    def mean_airmass(self, duration: float, altitude: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """Mean air mass over [t, t + duration] for every grid start t (trapezoids on the grid)."""
        n = max(int(round(duration / self.step)), 1)
        times = self.start + self.step * np.arange(self.grid.size + n)
        am = airmass_or_cap(altitude(times))
        pieces = (am[1:] + am[:-1]) / 2.0
        cumulative = np.concatenate([[0.0], np.cumsum(pieces)])
        return (cumulative[n:n + self.grid.size] - cumulative[:self.grid.size]) / n

    # -- placing ------------------------------------------------------------------------

    def place_in_order(self, blocks: Sequence[BlockCost], skip_cost: float = math.inf
                       ) -> tuple[float, list[float | None]]:
        """The least total cost of placing ``blocks`` one after the other in this order (a
        block left out costs ``skip_cost``), and each block's start (None: left out).
        Returns (inf, [...]) when they cannot all be placed and leaving out is not allowed."""
        n = self.grid.size
        g = np.zeros(n + 1)  # g[t]: least cost with every block so far finished by grid index t
        history = []
        for block in blocks:
            q = np.full(n + 1, np.inf)  # q[t]: the block finishing (with the gap) at grid index t
            value = block.cost + g[:n]
            inside = max(n - block.steps, 0)  # starts whose finish (with the gap) is inside the night
            q[block.steps:block.steps + inside] = value[:inside]
            # later starts end by the night's end (their cost says whether they fit): no gap after
            # the last block, so they all finish at n; keep the cheapest (the earliest on ties)
            tail = inside + int(np.argmin(value[inside:])) if inside < n else None
            if tail is not None:
                q[n] = value[tail]
            placed = np.minimum.accumulate(q)
            skipped = g + skip_cost
            history.append((q, placed, skipped, tail))
            g = np.minimum(placed, skipped)
        total = float(g[n])
        starts: list[float | None] = [None] * len(blocks)
        if not math.isfinite(total):
            return total, starts
        t = n
        for k in range(len(blocks) - 1, -1, -1):
            q, placed, skipped, tail = history[k]
            if skipped[t] <= placed[t]:
                continue  # left out; the earlier blocks finish by t as before
            finish = int(np.argmin(q[: t + 1]))  # the earliest of equally good places
            start = tail if finish == n else finish - blocks[k].steps  # q[n] holds only the tail's
            starts[k] = float(self.grid[start])
            t = start
        return total, starts

    def place(self, blocks: Sequence[BlockCost]) -> tuple[float, list[float | None]]:
        """The best layout of all ``blocks`` in any order this finds: by their best times
        first, then neighbours swapped while the total falls. Starts in the given blocks'
        order (inf and Nones when no order tried fits them all)."""
        order = sorted(range(len(blocks)), key=lambda i: (blocks[i].best if blocks[i].best is not None else -1, i))
        total, starts = self.place_in_order([blocks[i] for i in order])
        for _ in range(SWAP_PASSES if len(blocks) > 1 else 0):
            improved = False
            for k in range(len(order) - 1):
                trial = order[:k] + [order[k + 1], order[k]] + order[k + 2:]
                cost, trial_starts = self.place_in_order([blocks[i] for i in trial])
                if cost < total - 1e-9:
                    order, total, starts, improved = trial, cost, trial_starts, True
            if not improved:
                break
        by_block: list[float | None] = [None] * len(blocks)
        for position, i in enumerate(order):
            by_block[i] = starts[position]
        return total, by_block

    def cost_of(self, blocks: Sequence[BlockCost], starts: Sequence[float | None]) -> float:
        """The total cost of a given layout (starts off the grid use the grid time before)."""
        total = 0.0
        for block, start in zip(blocks, starts):
            if start is None:
                continue
            index = int(np.clip(np.floor((start - self.start) / self.step + 1e-9), 0, self.grid.size - 1))
            value = block.cost[index]
            total += float(value) if math.isfinite(value) else 0.0
        return total


@dataclass(frozen=True)
class BlockAirmass:
    """The air mass of one scheduled block: its mean and worst over the block, and the
    least mean a block of its length could have inside its windows (None without windows)."""

    mean: float
    worst: float
    best: float | None = None

    @property
    def excess(self) -> float | None:
        """How far the block sits above the best it could have (0 at the best place)."""
        return None if self.best is None else max(self.mean - self.best, 0.0)

    def describe(self) -> str:
        """"1.32" or "1.32 (best 1.21)" when a better place exists in its windows."""
        text = f"{self.mean:.2f}"
        if self.excess is not None and self.excess >= 0.005:
            text += f" (best {self.best:.2f})"
        return text


def block_airmass(altitude: Callable[[np.ndarray], np.ndarray], start: float, end: float,
                  windows: Sequence[tuple[float, float]] = ()) -> BlockAirmass:
    """Air mass of a block [start, end] of a target whose apparent altitude is
    ``altitude(times)``, sampled every minute (and at both ends)."""
    times = np.append(np.arange(start, end, STEP_S), end)
    am = airmass_or_cap(altitude(times))
    duration = end - start
    best = None
    usable = [(a, b) for a, b in windows if b - a >= duration - 1e-6]
    if usable:
        grid = NightGrid(min(a for a, _ in usable), max(b for _, b in usable))
        means = grid.mean_airmass(duration, altitude)
        allowed = np.zeros(grid.grid.size, bool)
        for a, b in usable:
            allowed |= (grid.grid >= a - 1e-6) & (grid.grid + duration <= b + 1e-6)
        if allowed.any():
            best = float(np.min(means[allowed]))
    return BlockAirmass(float(np.mean(am)), float(np.max(am)), best)
