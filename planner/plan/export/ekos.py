"""KStars Ekos scheduler list (``.esl``): one ``<Job>`` per entry still 'planned'.

Each job has the target's name and J2000 coordinates (RA in hours, Dec in degrees), the
plan's altitude and Moon-separation limits, twilight enforcement, and a start ("At", in
the site's local time, which is how Ekos reads it) and a completion time for a scheduled
entry, "ASAP"/"Sequence" otherwise. The ``<Sequence>`` is left empty: the capture sequence
(``.esq``) lives on the observing computer, so pick it per job in Ekos after loading.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from planner.plan.export import acquisition_entries, utc
from planner.plan.model import Plan

ESL_VERSION = "1.4"


def _local(t: float, plan: Plan) -> str:
    return utc(t).astimezone(plan.site.tz).replace(tzinfo=None).isoformat(timespec="seconds")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def render(plan: Plan) -> bytes:
    root = ET.Element("SchedulerList", {"version": ESL_VERSION})
    _sub(root, "Profile", "Default")
    for e in acquisition_entries(plan):
        t = e.target
        job = _sub(root, "Job")
        _sub(job, "Name", t.name)
        _sub(job, "Priority", "5" if t.priority else "10")
        coords = _sub(job, "Coordinates")
        _sub(coords, "J2000RA", f"{t.ra / 15.0:.6f}")
        _sub(coords, "J2000DE", f"{t.dec:.6f}")
        _sub(job, "Rotation", "0")
        _sub(job, "Sequence", "")
        startup = _sub(job, "StartupCondition")
        if e.start is not None:
            _sub(startup, "Condition", "At", value=_local(e.start, plan))
        else:
            _sub(startup, "Condition", "ASAP")
        constraints = _sub(job, "Constraints")
        _sub(constraints, "Constraint", "MinimumAltitude", value=f"{plan.limits.min_altitude:g}")
        if plan.limits.moon_separation is not None:
            _sub(constraints, "Constraint", "MoonSeparation", value=f"{plan.limits.moon_separation:g}")
        _sub(constraints, "Constraint", "EnforceTwilight")
        completion = _sub(job, "CompletionCondition")
        if e.end is not None:
            _sub(completion, "Condition", "At", value=_local(e.end, plan))
        else:
            _sub(completion, "Condition", "Sequence")
        steps = _sub(job, "Steps")
        for step in ("Track", "Focus", "Align", "Guide"):
            _sub(steps, "Step", step)
    strategy = _sub(root, "ErrorHandlingStrategy", value="1")
    _sub(strategy, "delay", "0")
    _sub(root, "StartupProcedure", "")
    _sub(root, "ShutdownProcedure", "")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
