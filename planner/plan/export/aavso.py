"""What AAVSO's two report formats share (the AAVSO Extended File Format, v1.2 of
2011-07-27 as updated 2021-12-02, and the AAVSO Visual File Format, v1.0 of 2008-01-15;
see docs/reporting.md): the six ``#`` parameter lines, the observer code, the Julian date,
a delimiter no field uses, and the field lengths WebObs' upload tool enforces.

A report holds the plan's estimates (``PlanEntry.observations``) in time order: the
Extended format the instrumental ones, the Visual format the visual ones (band ``Vis.``);
each module says which, and the other kind is left out with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from planner import __version__
from planner.plan.export import ExportError, ExportOptions, Rendered, one_line
from planner.plan.model import Observation, Plan, PlanEntry

NA = "na"
SOFTWARE = f"planner {__version__}"
DELIMITERS = (",", ";", "!", "|")  # the spec's suggestions, in order of preference
JD_UNIX_EPOCH = 2440587.5
_OBSCODE = re.compile(r"^[A-Z0-9]{1,8}$")


def julian_date(unix: float) -> float:
    """The (UTC) Julian date of a unix time."""
    return unix / 86400.0 + JD_UNIX_EPOCH


def observer_code(options: ExportOptions) -> str:
    code = (options.observer_code or "").strip().upper()
    if not code:
        raise ExportError("an AAVSO report needs your AAVSO observer code: give --obscode CODE, or set it in "
                          "Settings > Exports")
    if not _OBSCODE.match(code):
        raise ExportError(f"observer code {code!r} is not an AAVSO observer code (letters and digits, as AAVSO "
                          "assigned it); check --obscode or Settings > Exports")
    return code


@dataclass(frozen=True)
class Row:
    """One observation of one entry, in report order."""

    entry: PlanEntry
    observation: Observation


def rows(plan: Plan, *, visual: bool) -> tuple[list[Row], int]:
    """The plan's visual (or instrumental) estimates in time order, and how many of the
    other kind were left out."""
    chosen, other = [], 0
    for entry in plan.entries:
        for o in entry.observations:
            if o.visual == visual:
                chosen.append(Row(entry, o))
            else:
                other += 1
    chosen.sort(key=lambda r: (r.observation.time, r.entry.name))
    return chosen, other


def choose_delimiter(fields: list[list[str]]) -> str:
    """The first suggested delimiter that no field holds (the spec: it must not be used in
    any field); ``ExportError`` when every one is."""
    used = set("".join(f for row in fields for f in row))
    for candidate in DELIMITERS:
        if candidate not in used:
            return candidate
    raise ExportError("every delimiter AAVSO suggests (, ; ! |) appears in the notes or names; remove one of "
                      "them from the estimates' notes")


def check_length(value: str, limit: int, field: str, row: Row) -> str:
    if len(value) > limit:
        raise ExportError(f"{field} {value!r} of {row.entry.name} ({_when(row)}) is {len(value)} characters; "
                          f"WebObs takes at most {limit}. Shorten it in the plan and export again")
    return value


def _when(row: Row) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(row.observation.time, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def text_field(text: str, delimiter: str | None = None) -> str:
    """One line of text for a field, ``na`` when empty."""
    value = one_line(text or "")
    return value or NA


def header(kind: str, code: str, delimiter: str, date_type: str, obstype: str) -> list[str]:
    return [
        f"#TYPE={kind}",
        f"#OBSCODE={code}",
        f"#SOFTWARE={SOFTWARE}",
        f"#DELIM={delimiter}",
        f"#DATE={date_type}",
        f"#OBSTYPE={obstype}",
    ]


def render_report(plan: Plan, options: ExportOptions, *, visual: bool, fields: tuple[str, ...], fields_of,
                  date_type: str, obstype: str) -> Rendered:
    """One report: the observer code checked, the estimates of the kind asked for (the other
    kind left out with a note; none at all refused), a delimiter no field uses, the six
    parameters, the column names as a comment, one line per estimate."""
    code = observer_code(options)
    chosen, other = rows(plan, visual=visual)
    mine, theirs = ("visual", "instrumental") if visual else ("instrumental", "visual")
    report, elsewhere = ("Visual", "Extended") if visual else ("Extended", "Visual")
    notes = []
    if other:
        notes.append(f"Left out {other} {theirs} estimate{'s' if other != 1 else ''}: report "
                     f"{'them' if other != 1 else 'it'} with the AAVSO {elsewhere} format "
                     f"(aavso-{elsewhere.lower()}).")
    if not chosen:
        raise ExportError(f"the plan has no {mine} estimates to report"
                          + (f"; its {other} {theirs} estimates go in an aavso-{elsewhere.lower()} report" if other
                             else "; add them with 'planner observe' or the Plan dock's Estimate box"))
    table = [fields_of(row) for row in chosen]
    delimiter = choose_delimiter(table)
    lines = header(report, code, delimiter, date_type, obstype)
    lines.append("#" + delimiter.join(fields))
    lines += [delimiter.join(values) for values in table]
    return Rendered(render_lines(lines), notes=notes)


def render_lines(lines: list[str]) -> bytes:
    """The report's bytes: ASCII text (the formats are plain ASCII), one line each."""
    text = "\n".join(lines) + "\n"
    try:
        return text.encode("ascii")
    except UnicodeEncodeError as exc:
        bad = text[exc.start:exc.end]
        raise ExportError(f"the report would hold {bad!r}, which is not plain ASCII as AAVSO's formats require; "
                          "use plain letters in the estimates' names and notes") from None


__all__ = [
    "NA",
    "Row",
    "SOFTWARE",
    "check_length",
    "choose_delimiter",
    "header",
    "julian_date",
    "observer_code",
    "render_lines",
    "render_report",
    "rows",
    "text_field",
]
