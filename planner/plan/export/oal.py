"""OpenAstronomyLog 2.1 XML (the schema is ``oal21.xsd`` of the openastronomylog project):
the observer, the plan's site, its night as a session, every target as
``oal:variableStarTargetType``, and an ``<observation>`` for each entry marked observed.

Following the schema:
- the site's ``timezone`` is its offset from UT in minutes *without* daylight saving time
  (a September night in Amsterdam is 60, not 120);
- magnitudes follow OAL: ``apparentMag`` is the faintest, ``maxApparentMag`` the brightest;
- an observation needs an observer, a target, a begin time and a result. Each estimate the
  observer recorded (``PlanEntry.observations``) becomes one observation whose result is a
  ``oal:findingsVariableStarType`` (magnitude, comparison stars, chart id, AAVSO's comment
  codes as its flags) when it is a visual estimate naming comparison stars and a chart,
  which that type requires, and a plain description otherwise (an instrumental
  measurement's band, error, check star and airmass are in the description); an observed entry without estimates gets one observation describing what was
  taken.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

from planner import __version__
from planner.plan.export import ExportOptions, ordered_entries, utc
from planner.plan.model import Observation, Plan, PlanEntry
from planner.sky.site import Site

OAL_NS = "http://groups.google.com/group/openastronomylog"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"
DATASOURCE = "AAVSO Target Tool (via planner)"
OBSERVER_ID = "observer_1"
SITE_ID = "site_1"
SESSION_ID = "session_1"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _iso(t: float) -> str:
    return utc(t).isoformat(timespec="seconds")


def standard_offset_minutes(site: Site, when: float) -> int:
    """The site's offset from UT in minutes, daylight saving time left out: the smallest
    offset the zone has around ``when`` (half a year either way covers one winter). Unlike
    ``utcoffset() - dst()`` this is also right for zones whose data count winter time as
    the negative saving (Europe/Dublin)."""
    moment = utc(when)
    offsets = []
    for shift in (timedelta(0), timedelta(days=-182.5), timedelta(days=182.5)):
        try:
            offset = (moment + shift).astimezone(site.tz).utcoffset()
        except (OverflowError, ValueError):
            continue
        if offset is not None:
            offsets.append(offset)
    return int(min(offsets).total_seconds() // 60) if offsets else 0


def _night_bounds(plan: Plan) -> tuple[float | None, float | None]:
    times = [e.start for e in plan.entries if e.start is not None] + [e.end for e in plan.entries if e.end is not None]
    times += [o.time for e in plan.entries for o in e.observations]
    start = plan.night_start if plan.night_start is not None else (min(times) if times else None)
    end = plan.night_end if plan.night_end is not None else (max(times) if times else None)
    return start, end


def _observer(root: ET.Element, options: ExportOptions) -> None:
    observers = _sub(root, "observers")
    words = options.observer_name.split()
    observer = _sub(observers, "observer", id=OBSERVER_ID)
    # OAL wants a given name and a surname; a one-word name is taken as the surname.
    _sub(observer, "name", " ".join(words[:-1]))
    _sub(observer, "surname", words[-1] if words else "")
    if options.observer_code:
        _sub(observer, "account", options.observer_code, name="aavso")


def _target(targets: ET.Element, e: PlanEntry, ident: str) -> None:
    t = e.target
    target = _sub(targets, "target", id=ident, **{XSI_TYPE: "oal:variableStarTargetType"})
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


def _estimate_text(o: Observation) -> str:
    mag = ("fainter than " if o.fainter_than else "") + f"{o.magnitude:g}" + (" (uncertain)" if o.uncertain else "")
    if o.error is not None:
        mag += f" ± {o.error:g}"
    parts = [f"{o.band or 'magnitude'} {mag}"]
    if o.comparison:
        labelled = []
        for i, label in enumerate(o.comparison):
            known = o.comparison_magnitudes[i] if i < len(o.comparison_magnitudes) else None
            labelled.append(label if known is None else f"{label} ({known:g})")
        parts.append("comparison stars " + ", ".join(labelled))
    if o.check:
        parts.append(f"check star {o.check}" + (f" ({o.check_magnitude:g})" if o.check_magnitude is not None else ""))
    if o.chart_id:
        parts.append(f"chart {o.chart_id}")
    if o.airmass is not None:
        parts.append(f"airmass {o.airmass:.3f}")
    if o.comment_codes:
        parts.append(f"AAVSO comment codes {o.comment_codes}")
    if o.notes:
        parts.append(o.notes)
    return "; ".join(parts)


# AAVSO comment codes as the attributes of oal:findingsVariableStarType (K and Z are
# attributes of chartID and visMag).
COMMENT_ATTRIBUTES = {"B": "brightSky", "U": "clouds", "W": "poorSeeing", "L": "nearHorizion",
                      "D": "unusualActivity", "Y": "outburst", "S": "comparismSequenceProblem",
                      "I": "starIdentificationUncertain", "V": "faintStar"}


def _observation(root: ET.Element, number: int, target_id: str, begin: float, end: float | None,
                 session: bool) -> ET.Element:
    observation = _sub(root, "observation", id=f"observation_{number}")
    _sub(observation, "observer", OBSERVER_ID)
    _sub(observation, "site", SITE_ID)
    if session:
        _sub(observation, "session", SESSION_ID)
    _sub(observation, "target", target_id)
    _sub(observation, "begin", _iso(begin))
    if end is not None and end > begin:
        _sub(observation, "end", _iso(end))
    return observation


def _finding(observation: ET.Element, o: Observation) -> None:
    if o.visual and o.comparison and o.chart_id:
        flags = {attr: "true" for code, attr in COMMENT_ATTRIBUTES.items() if code in o.comment_codes}
        result = _sub(observation, "result", **{XSI_TYPE: "oal:findingsVariableStarType"}, **flags)
        _sub(result, "description", _estimate_text(o))
        vis = _sub(result, "visMag", f"{o.magnitude:g}")
        if o.fainter_than:
            vis.set("fainterThan", "true")
        if o.uncertain or "Z" in o.comment_codes:
            vis.set("uncertain", "true")
        for label in o.comparison:
            _sub(result, "comparisonStar", label)
        chart = _sub(result, "chartID", o.chart_id)
        if "K" in o.comment_codes:
            chart.set("nonAAVSOchart", "true")
    else:
        result = _sub(observation, "result")
        _sub(result, "description", _estimate_text(o))


def _taken_text(e: PlanEntry) -> str:
    what = f"{e.count} × {e.exposure:g} s in {' '.join(e.filters)}" if e.filters else "observed as planned"
    return f"{what}" + (f"; {e.notes}" if e.notes else "")


def render(plan: Plan, options: ExportOptions, path: Path) -> bytes:
    ET.register_namespace("oal", OAL_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        f"{{{OAL_NS}}}observations",
        {"version": "2.1", f"{{{XSI_NS}}}schemaLocation": f"{OAL_NS} oal21.xsd"},
    )
    _observer(root, options)
    sites = _sub(root, "sites")
    site = _sub(sites, "site", id=SITE_ID)
    _sub(site, "name", plan.site.label)
    _sub(site, "longitude", f"{plan.site.longitude:.6f}", unit="deg")
    _sub(site, "latitude", f"{plan.site.latitude:.6f}", unit="deg")
    _sub(site, "elevation", f"{plan.site.elevation:g}")
    start, end = _night_bounds(plan)
    _sub(site, "timezone", str(standard_offset_minutes(plan.site, start if start is not None else plan.created)))

    sessions = _sub(root, "sessions")
    has_session = start is not None and end is not None
    if has_session:
        session = _sub(sessions, "session", id=SESSION_ID)
        _sub(session, "begin", _iso(start))
        _sub(session, "end", _iso(max(end, start)))
        _sub(session, "site", SITE_ID)
        comment = plan.title or "Night plan"
        if plan.notes:
            comment += "\n" + plan.notes
        _sub(session, "comments", comment + f"\nPlanned with planner {__version__}.")

    targets = _sub(root, "targets")
    target_ids: dict[str, str] = {}
    entries = ordered_entries(plan)
    for e in entries:
        if e.target.name not in target_ids:  # one target element per star, even if observed twice
            target_ids[e.target.name] = f"target_{len(target_ids) + 1}"
            _target(targets, e, target_ids[e.target.name])
    for empty in ("scopes", "eyepieces", "lenses", "filters", "imagers"):
        _sub(root, empty)

    number = 0
    for e in entries:
        if e.status != "observed":
            continue
        target_id = target_ids[e.target.name]
        if e.observations:
            for o in sorted(e.observations, key=lambda o: o.time):
                number += 1
                _finding(_observation(root, number, target_id, o.time, None, has_session), o)
        else:
            begin = e.start if e.start is not None else (start if start is not None else plan.modified)
            number += 1
            observation = _observation(root, number, target_id, begin, e.end, has_session)
            _sub(_sub(observation, "result"), "description", _taken_text(e))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
