"""ACP observing plan (plain text read by ACP Observatory Control Software).

Lines starting ``;`` are comments, ``#`` lines are directives for the next target, and a
target line is ``name<TAB>RA<TAB>Dec`` with J2000 RA in hours and Dec in degrees
(sexagesimal). ``#filter``, ``#count`` and ``#interval`` are comma lists of equal length,
one item per filter. A scheduled entry gets ``#waituntil 1, <UTC date time>`` so ACP starts
it no earlier than planned; ``#quitat`` ends the plan at the end of the night. Only
entries still 'planned' are written.
"""

from __future__ import annotations

from planner import __version__
from planner.plan.export import acquisition_entries, dec_dms, one_line, ra_hms, utc
from planner.plan.model import Plan


def _acp_time(t: float) -> str:
    return utc(t).strftime("%m/%d/%Y %H:%M:%S")


def _name(text: str) -> str:
    # A tab would split the target line and ';' would start a comment.
    return one_line(text.replace(";", " ").replace("#", " ")) or "target"


def render(plan: Plan) -> bytes:
    entries = acquisition_entries(plan)
    lines = [
        f"; {one_line(plan.title) or 'Night plan'}" + (f", night of {plan.date}" if plan.date and plan.date not in plan.title else ""),
        f"; site: {one_line(plan.site.describe())}",
        f"; {len(entries)} targets; times are UTC; coordinates J2000. Written by planner {__version__}.",
    ]
    for note_line in plan.notes.splitlines():
        if note_line.strip():
            lines.append(f"; {note_line.strip()}")
    lines.append(";")
    for e in entries:
        t = e.target
        lines.append(f"; {one_line(t.name)}: {one_line(t.var_type) or 'variable'}" + (f", {t.magnitude_text()}" if t.magnitude_text() else ""))
        for note_line in e.notes.splitlines():
            if note_line.strip():
                lines.append(f"; {note_line.strip()}")
        if e.start is not None:
            lines.append(f"#waituntil 1, {_acp_time(e.start)}")
        filters = [f.replace(",", " ") for f in e.filters]
        n = max(len(filters), 1)
        lines.append("#count " + ",".join([str(e.count)] * n))
        lines.append("#interval " + ",".join([f"{e.exposure:g}"] * n))
        if filters:
            lines.append("#filter " + ",".join(filters))
        lines.append(f"{_name(t.name)}\t{ra_hms(t.ra)}\t{dec_dms(t.dec)}")
        lines.append(";")
    if plan.night_end is not None:
        lines.append(f"#quitat {_acp_time(plan.night_end)}")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")
