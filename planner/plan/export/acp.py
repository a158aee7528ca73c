"""ACP observing plan (plain text read by ACP Observatory Control Software's AcquireImages).

Lines starting ``;`` are comments, ``#`` lines are directives, and a target line is
``name<TAB>RA<TAB>Dec`` with J2000 RA in hours and Dec in degrees (sexagesimal).

What ACP's plan rules make us do (``planfmt.html`` in ACP's help; AcquireImages.js):

- ``#quitat`` is a plan-wide directive read before the targets: it is written first, ahead
  of every target, so ACP stops at the end of the night.
- The imaging directives (``#count``, ``#interval``, ``#filter``) stay in force for the
  targets that follow until changed, so every target gets its complete set, comma lists of
  equal length (one item per filter), even when it repeats the previous one's. An entry
  without filters is imaged through the wheel's unfiltered position (AAVSO code ``CV``).
- Filter names are the wheel's (``ExportOptions.filters``, Settings > Exports), never the
  AAVSO observing modes: a visual-only star is left out with a comment saying so.
- ``#waituntil 1, <date time>`` (per target) holds a scheduled target until its start.
  Dates are written day, English month abbreviation, year (``23 Nov 2026 18:40:00``), the
  form ACP's own scripts use, which no Windows locale reads in another order; all times UTC.

Only entries still 'planned' are written.
"""

from __future__ import annotations

from pathlib import Path

from planner import __version__
from planner.plan.export import (
    ExportOptions,
    Rendered,
    camera_entries,
    dec_dms,
    event_note,
    one_line,
    ra_hms,
    utc,
)
from planner.plan.model import Plan

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def acp_time(t: float) -> str:
    """UTC as ``23 Nov 2026 18:40:00`` (month names fixed, not the locale's)."""
    d = utc(round(t))
    return f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year:04d} {d:%H:%M:%S}"


def _name(text: str) -> str:
    # A tab would split the target line, ';' would start a comment, '#' a directive.
    return one_line(text.replace(";", " ").replace("#", " ")) or "target"


def _comment(text: str) -> str:
    return "; " + one_line(text)


def render(plan: Plan, options: ExportOptions, path: Path) -> Rendered:
    entries, notes = camera_entries(plan, options.filters)
    title = one_line(plan.title) or "Night plan"
    if plan.date and plan.date not in title:
        title += f", night of {plan.date}"
    lines = [
        _comment(title),
        _comment(f"site: {plan.site.describe()}"),
        _comment(f"{len(entries)} targets; coordinates J2000; times UTC, dates written day month year "
                 "(e.g. 23 Nov 2026). Written by planner " + __version__ + "."),
        _comment("Filter names are this observatory's filter-wheel names (planner Settings > Exports)."),
    ]
    lines += [_comment(note) for note in notes]
    lines += [_comment(n) for n in plan.notes.splitlines() if n.strip()]
    lines.append(";")
    if plan.night_end is not None:
        lines.append(f"#quitat {acp_time(plan.night_end)}")
        lines.append(";")
    for e, chosen in entries:
        t = e.target
        lines.append(_comment(f"{t.name}: {one_line(t.var_type) or 'variable'}"
                              + (f", {t.magnitude_text()}" if t.magnitude_text() else "")))
        if chosen.dropped:
            lines.append(_comment(f"not taken (no camera filter): {', '.join(chosen.dropped)}"))
        lines += [_comment(n) for n in e.notes.splitlines() if n.strip()]
        if e.meridian_flip is not None:  # ACP flips the mount itself; the observer should know
            lines.append(_comment(f"meridian flip during this block, at {acp_time(e.meridian_flip)} UTC"))
        if e.event is not None:  # an event's fixed block: #waituntil holds it to the event
            lines.append(_comment(event_note(e)))
        if e.start is not None:
            lines.append(f"#waituntil 1, {acp_time(e.start)}")
        n = len(chosen.names)
        lines.append("#count " + ",".join([str(e.count)] * n))
        lines.append("#interval " + ",".join([f"{e.exposure:g}"] * n))
        lines.append("#filter " + ",".join(chosen.names))
        lines.append(f"{_name(t.name)}\t{ra_hms(t.ra)}\t{dec_dms(t.dec)}")
        lines.append(";")
    return Rendered(("\r\n".join(lines) + "\r\n").encode("utf-8"), notes=notes)
