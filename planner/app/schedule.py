"""Scheduling a night plan (a use case of the window's Plan dock and ``planner plan``).

The visibility is computed with the one call (``planner.app.visibility``) and handed to
the scheduler, which places the blocks: a new plan (``plan_night``), the open plan laid
out again (``reschedule_plan``), the open plan re-timed in the order the user dragged its
rows into (``retime_plan``). A typed Start or End is checked by ``planner.app.plan_edit``.
The window runs them in the sky helper process (``in_helper``), so the GUI process never
does the astronomy.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Sequence

from planner.app.helper import run_in_process
from planner.app.tonight import night_time
from planner.app.visibility import compute_visibility
from planner.config import Settings
from planner.plan.model import Plan, PlanLimits
from planner.plan.scheduler import ScheduleResult, reschedule, retime, schedule
from planner.sky.site import Site


def with_observer_limits(limits: PlanLimits, settings: Settings) -> PlanLimits:
    """``limits`` with the observer's own from the settings: the mount (its flip and reach)
    and, when Moon avoidance is on, the width that makes the plan's Moon distance follow the
    Moon's age (the Lorentzian; off: a flat distance)."""
    moon, mount = settings.moon(), settings.mount_model()
    return dataclasses.replace(
        limits,
        moon_width=moon.width if moon.enabled and limits.moon_separation is not None else None,
        mount=mount if (mount.german or mount.limits_hour_angle) else None,
    )


def default_moon_separation(settings: Settings) -> float | None:
    """A new plan's Moon distance: the settings' avoidance distance, or none when it is off."""
    moon = settings.moon()
    return moon.distance if moon.enabled and moon.distance > 0 else None


def plan_night(targets: Sequence, site: Site, night: _dt.date | None, now: float, *, limits: PlanLimits,
               **options) -> ScheduleResult:
    """A new plan for the night of ``night`` (an evening date; None: tonight, see ``planner.app.tonight``)
    from ``targets``; ``options`` are the scheduler's (duration, max_entries, filters, ...)."""
    if limits.min_altitude != site.target_altitude:
        site = site.with_limits(target_altitude=limits.min_altitude)
    time = night_time(site, night, now)
    observability = compute_visibility(targets, site, time) if targets else None
    return schedule(targets, site, time, limits=limits, observability=observability, now=now, **options)


def _reschedule(plan: Plan, time: float, now: float | None) -> ScheduleResult:
    observability = compute_visibility([e.target for e in plan.entries], plan.site, time)
    return reschedule(plan, observability, time=time, now=now)


def reschedule_plan(plan: Plan, time: float, *, now: float | None = None, in_helper: bool = False) -> ScheduleResult:
    """Lay out an existing plan's entries again for the night following ``time`` (the Plan
    dock's Schedule button); ``in_helper`` runs it in the sky helper process."""
    if in_helper:
        return run_in_process(_reschedule, plan, float(time), now)
    return _reschedule(plan, float(time), now)


def _retime(plan: Plan, time: float, now: float | None) -> ScheduleResult:
    observability = compute_visibility([e.target for e in plan.entries], plan.site, time)
    return retime(plan, observability, time=time, now=now)


def retime_plan(plan: Plan, time: float, *, now: float | None = None, in_helper: bool = False) -> ScheduleResult:
    """New times for an existing plan's entries in the plan's own order (after the user
    dragged a row): each as near its best air mass as that order allows."""
    if in_helper:
        return run_in_process(_retime, plan, float(time), now)
    return _retime(plan, float(time), now)
