"""Night plans: the plan model, the scheduler that fills a night, the versioned plan file
with autosave/recovery, and one exporter per file format observatories use. No Qt here."""

from planner.plan.model import (
    STATUSES,
    TWILIGHTS,
    Conflict,
    Observation,
    Plan,
    PlanEntry,
    PlanEvent,
    PlanLimits,
    PlanTarget,
    PlanValueError,
)
from planner.plan.store import (
    OverwriteRefused,
    PlanFileError,
    Recovery,
    autosave,
    clear_recovery,
    find_recovery,
    load_plan,
    recovery_path,
    save_plan,
)

__all__ = [
    "STATUSES",
    "TWILIGHTS",
    "Conflict",
    "Observation",
    "OverwriteRefused",
    "Plan",
    "PlanEntry",
    "PlanEvent",
    "PlanFileError",
    "PlanLimits",
    "PlanTarget",
    "PlanValueError",
    "Recovery",
    "autosave",
    "clear_recovery",
    "find_recovery",
    "load_plan",
    "recovery_path",
    "save_plan",
]
