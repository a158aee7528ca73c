"""Tonight's visibility of a target list: the one call the window, the commands and the
plan's scheduler use (``compute_visibility``), over the vectorised sky engine.

``compute_visibility`` runs in the calling process; ``compute_visibility_in_helper`` runs
the same computation in the sky helper process (``planner.app.helper``), which is what the
window's workers call so the GUI thread never competes with astropy for the GIL.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from planner.app.helper import run_in_process
from planner.sky import compute_observability
from planner.sky.moon import MoonAvoidance
from planner.sky.site import Site
from planner.sky.types import Observability


def positions(targets: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """(ra, dec) arrays in degrees of anything with ``ra``/``dec`` (``Target``, ``PlanTarget``)."""
    ra = np.fromiter((t.ra for t in targets), dtype=float, count=len(targets))
    dec = np.fromiter((t.dec for t in targets), dtype=float, count=len(targets))
    return ra, dec


def compute_visibility(targets: Sequence[Any], site: Site, when: float, *,
                       moon: MoonAvoidance | None = None) -> Observability:
    """The night following unix ``when`` at ``site`` (its horizon mask included) for every
    target at once (row i is target i), judged against the Moon with ``moon`` (the
    settings' ``Settings.moon()``; the Target Scheduler's defaults when None)."""
    ra, dec = positions(targets)
    return compute_observability(ra, dec, site, float(when), moon=moon)


def _observability(ra, dec, site, when, moon):
    return compute_observability(ra, dec, site, when, moon=moon)


def compute_visibility_in_helper(targets: Sequence[Any], site: Site, when: float, *,
                                 moon: MoonAvoidance | None = None) -> Observability | None:
    """``compute_visibility`` in the sky helper process (only the positions travel); None for no targets."""
    if not targets:
        return None
    ra, dec = positions(targets)
    return run_in_process(_observability, ra, dec, site, float(when), moon)


def with_local_events(targets: Sequence[Any], obs: Observability) -> list:
    """The targets with their ``observability_times`` and ``solar_conjunction`` computed
    locally (``Target`` records; what ``planner targets`` prints in the API's shape)."""
    return [
        replace(
            t,
            observability_times=tuple((c, None if w is None else float(round(w))) for c, w in obs.events[i]),
            solar_conjunction=bool(obs.solar_conjunction[i]),
        )
        for i, t in enumerate(targets)
    ]
