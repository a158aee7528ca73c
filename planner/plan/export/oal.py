"""OpenAstronomyLog 2.1 XML: the plan's site, its night as a session, and every target as
``oal:variableStarTargetType`` (name, J2000 position, constellation, magnitude range,
variable type, period). Observing-log programs import it and the observer adds the
observations. Magnitudes follow OAL: ``apparentMag`` is the faintest, ``maxApparentMag``
the brightest.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from planner import __version__
from planner.plan.export import ordered_entries, utc
from planner.plan.model import Plan

OAL_NS = "http://groups.google.com/group/openastronomylog"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
DATASOURCE = "AAVSO Target Tool (via planner)"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _iso(t: float) -> str:
    return utc(t).isoformat(timespec="seconds")


def _night_bounds(plan: Plan) -> tuple[float | None, float | None]:
    times = [e.start for e in plan.entries if e.start is not None] + [e.end for e in plan.entries if e.end is not None]
    start = plan.night_start if plan.night_start is not None else (min(times) if times else None)
    end = plan.night_end if plan.night_end is not None else (max(times) if times else None)
    return start, end


def render(plan: Plan) -> bytes:
    ET.register_namespace("oal", OAL_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        f"{{{OAL_NS}}}observations",
        {"version": "2.1", f"{{{XSI_NS}}}schemaLocation": f"{OAL_NS} oal21.xsd"},
    )
    _sub(root, "observers")
    sites = _sub(root, "sites")
    site = _sub(sites, "site", id="site_1")
    _sub(site, "name", plan.site.label)
    _sub(site, "longitude", f"{plan.site.longitude:.6f}", unit="deg")
    _sub(site, "latitude", f"{plan.site.latitude:.6f}", unit="deg")
    _sub(site, "elevation", f"{plan.site.elevation:g}")
    start, end = _night_bounds(plan)
    ref = start if start is not None else plan.created
    offset = utc(ref).astimezone(plan.site.tz).utcoffset()
    _sub(site, "timezone", str(int(offset.total_seconds() // 60) if offset else 0))

    sessions = _sub(root, "sessions")
    if start is not None and end is not None:
        session = _sub(sessions, "session", id="session_1")
        _sub(session, "begin", _iso(start))
        _sub(session, "end", _iso(end))
        _sub(session, "site", "site_1")
        comment = plan.title or "Night plan"
        if plan.notes:
            comment += "\n" + plan.notes
        _sub(session, "comments", comment + f"\nPlanned with planner {__version__}.")

    targets = _sub(root, "targets")
    seen: dict[str, str] = {}
    for e in ordered_entries(plan):
        t = e.target
        if t.name in seen:
            continue  # one target element per star, even if observed twice tonight
        seen[t.name] = f"target_{len(seen) + 1}"
        target = _sub(targets, "target", id=seen[t.name], **{f"{{{XSI_NS}}}type": "oal:variableStarTargetType"})
        _sub(target, "datasource", DATASOURCE)
        _sub(target, "name", t.name)
        position = _sub(target, "position")
        _sub(position, "ra", f"{t.ra:.6f}", unit="deg")
        _sub(position, "dec", f"{t.dec:.6f}", unit="deg")
        if t.constellation:
            _sub(target, "constellation", t.constellation)
        notes = []
        if e.start is not None:
            notes.append(f"planned {_iso(e.start)} to {_iso(e.end)}")
        if e.filters:
            notes.append("filters " + " ".join(e.filters))
        if t.min_mag_band or t.max_mag_band:
            notes.append(f"magnitudes in {t.min_mag_band or t.max_mag_band}")
        if e.notes:
            notes.append(e.notes)
        if notes:
            _sub(target, "notes", "; ".join(notes))
        if t.min_mag is not None:
            _sub(target, "apparentMag", f"{t.min_mag:g}")
        if t.var_type:
            _sub(target, "type", t.var_type)
        if t.max_mag is not None:
            _sub(target, "maxApparentMag", f"{t.max_mag:g}")
        if t.period is not None and t.period > 0:
            _sub(target, "period", f"{t.period:g}")
    for empty in ("scopes", "eyepieces", "lenses", "filters", "imagers"):
        _sub(root, empty)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
