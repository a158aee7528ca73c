"""Vectorised nighttime and target visibility (implementation in progress)."""

from __future__ import annotations

import numpy as np

from planner.sky.site import Site
from planner.sky.types import Night, Observability


def compute_night(site: Site, time: float) -> Night:
    raise NotImplementedError


def night_for_date(site: Site, date) -> float:
    """The ``time`` to pass for the night starting on local calendar ``date`` (local noon)."""
    raise NotImplementedError


def compute_observability(ra_deg, dec_deg, site: Site, time: float, *, grid_step_s: float = 300.0) -> Observability:
    raise NotImplementedError
