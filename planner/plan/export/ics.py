"""iCalendar (``.ics``) via the ``icalendar`` package: one event per scheduled entry, with
the site as LOCATION and GEO and the target's coordinates, magnitudes and filters in the
description (and, for an event's block, the minimum, transit or maximum it is for).
Unscheduled entries have no time and are left out."""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event

from planner import __version__
from planner.plan.export import EVENT_WORDS, dec_dms, event_note, ordered_entries, ra_hms, utc
from planner.plan.model import Plan


def render(plan: Plan, *_context) -> bytes:
    cal = Calendar()
    cal.add("prodid", f"-//planner//night planner {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plan.title or (f"Observing plan {plan.date}" if plan.date else "Observing plan"))
    stamp = datetime.fromtimestamp(plan.modified, tz=timezone.utc)
    location = plan.site.label
    for e in ordered_entries(plan):
        if e.start is None or e.end is None:
            continue
        t = e.target
        event = Event()
        event.add("uid", f"{e.id}@planner")
        event.add("dtstamp", stamp)
        event.add("dtstart", utc(e.start))
        event.add("dtend", utc(e.end))
        what = f" ({EVENT_WORDS.get(e.event.kind, e.event.kind)})" if e.event is not None else ""
        event.add("summary", f"Observe {t.name}{what}")
        event.add("location", f"{location} ({plan.site.latitude:.4f}, {plan.site.longitude:.4f})")
        event.add("geo", (plan.site.latitude, plan.site.longitude))
        lines = [
            f"{t.name}: RA {ra_hms(t.ra)} Dec {dec_dms(t.dec)} (J2000; {t.ra:.5f}°, {t.dec:+.5f}°)",
        ]
        if t.var_type:
            lines.append(f"Type: {t.var_type}")
        if t.magnitude_text():
            lines.append(f"Magnitude: {t.magnitude_text()}")
        if e.filters:
            lines.append(f"Filters: {' '.join(e.filters)}; {e.count} × {e.exposure:g} s each")
        if e.event is not None:
            lines.append(event_note(e, plan.site.tz))
        if e.notes:
            lines.append(e.notes)
        if e.meridian_flip is not None:
            flip = datetime.fromtimestamp(e.meridian_flip, plan.site.tz)
            lines.append(f"Meridian flip during this block at {flip:%H:%M} {plan.site.timezone}")
        event.add("description", "\n".join(lines))
        event.add("status", "CANCELLED" if e.status == "skipped" else "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
