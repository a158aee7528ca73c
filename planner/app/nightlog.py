"""The Arcsecond night log of a plan, once for the Arcsecond dock (and any command): which
night log an observation belongs to (night logs run from local noon to local noon, so
01:30 belongs to the previous date's), the plan as lines of text with its estimates under
each entry, and finding or creating the date's log and writing them into it. Qt-free."""

from __future__ import annotations

import datetime as _dt
import math
from typing import Iterable
from zoneinfo import ZoneInfo


def night_log_date(when: _dt.datetime | float, tz: ZoneInfo | str) -> _dt.date:
    """The date of the night log holding ``when``: night logs run from local noon to local noon."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    if isinstance(when, (int, float)):
        moment = _dt.datetime.fromtimestamp(float(when), tz=_dt.timezone.utc)
    elif when.tzinfo is None:
        raise ValueError("give an aware datetime (with a time zone) or a unix time")
    else:
        moment = when
    local = moment.astimezone(zone)
    return (local - _dt.timedelta(hours=12)).date()


def _entries(plan) -> list:
    if plan is None:
        return []
    entries = getattr(plan, "entries", plan)
    return list(entries) if isinstance(entries, Iterable) else []


def _field(entry, name: str, default=None):
    if isinstance(entry, dict):
        return entry.get(name, default)
    return getattr(entry, name, default)


def plan_lines(plan, tz: ZoneInfo) -> list[str]:
    """One line per plan entry (a ``Plan``, a list of ``PlanEntry`` or of dicts): local times,
    name, filters x frames x exposure, status and notes."""
    lines = []
    for entry in _entries(plan):
        target = _field(entry, "target")
        name = _field(entry, "name") or (getattr(target, "name", None) if target is not None else None) or (
            target.get("name") if isinstance(target, dict) else None) or "?"
        start, end = _field(entry, "start"), _field(entry, "end")
        when = ""
        if isinstance(start, (int, float)) and math.isfinite(start):
            when = _dt.datetime.fromtimestamp(start, tz=tz).strftime("%H:%M")
            if isinstance(end, (int, float)) and math.isfinite(end):
                when += "–" + _dt.datetime.fromtimestamp(end, tz=tz).strftime("%H:%M")
        filters = _field(entry, "filters") or ()
        count, exposure = _field(entry, "count"), _field(entry, "exposure")
        frames = ""
        if count and exposure:
            frames = f"{'/'.join(filters) + ' ' if filters else ''}{count}×{float(exposure):g}s"
        status = _field(entry, "status") or ""
        notes = _field(entry, "notes") or ""
        parts = [p for p in (when or "unscheduled", str(name), frames, status if status != "planned" else "", notes) if p]
        lines.append("  ".join(parts))
        lines.extend(ESTIMATE_INDENT + estimate_line(o, tz) for o in (_field(entry, "observations") or ()))
    return lines


ESTIMATE_INDENT = "    "


def estimate_line(o, tz: ZoneInfo) -> str:
    """One estimate as the night log shows it: ``21:30  Vis. 11.6  comp 104, 117  chart X28471AB``."""
    when = _dt.datetime.fromtimestamp(o.time, tz=tz).strftime("%H:%M")
    value = ("<" if o.fainter_than else "") + f"{o.magnitude:g}" + (":" if o.uncertain else "")
    if o.error is not None:
        value += f" ± {o.error:g}"
    parts = [when, f"{o.band} {value}"]
    if o.comparison:
        parts.append("comp " + ", ".join(o.comparison))
    if o.check:
        parts.append(f"check {o.check}")
    if o.chart_id:
        parts.append(f"chart {o.chart_id}")
    if o.airmass is not None:
        parts.append(f"X {o.airmass:.2f}")
    if o.comment_codes:
        parts.append(f"codes {o.comment_codes}")
    if o.notes:
        parts.append(o.notes)
    return "  ".join(parts)


def push_plan_to_night_log(client, date: _dt.date, lines: list[str], *, site: str | None = None,
                           telescope: str | None = None) -> dict:
    """Find (or create) the night log of ``date`` for the site/telescope and write the plan into
    its notes. Returns a summary dict (uuid, date, created, notes, entries)."""
    iso = date.isoformat()
    existing = None
    for log in client.nightlogs(date=iso, fresh=True):
        if log.date == iso and (site is None or log.observing_site in (None, site)) and (
                telescope is None or log.telescope in (None, telescope)):
            existing = log
            break
    notes = f"Plan from planner for the night of {iso}:\n" + "\n".join(lines) if lines else f"No plan entries for {iso}."
    target = existing or client.create_nightlog(iso, observing_site=site, telescope=telescope)
    updated = client.update_nightlog(target.uuid, notes=notes)
    return {"uuid": target.uuid, "date": iso, "created": existing is None, "notes": updated.notes or notes,
            "entries": sum(1 for line in lines if not line.startswith(ESTIMATE_INDENT))}


__all__ = ["estimate_line", "night_log_date", "plan_lines", "push_plan_to_night_log"]
