"""The plan as JSON: the same versioned document as the native plan file."""

from __future__ import annotations

from planner.plan.model import Plan
from planner.plan.store import dumps_plan


def render(plan: Plan, *_context) -> bytes:
    return dumps_plan(plan).encode("utf-8")
