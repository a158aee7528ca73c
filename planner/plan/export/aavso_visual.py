"""AAVSO Visual File Format report (WebObs upload) of the plan's visual estimates (band
``Vis.``).

Per the specification (docs/reporting.md): the six parameters (``#TYPE=Visual``,
``#OBSTYPE=Visual``), then one line per estimate with NAME, DATE (JD), MAG (``<`` before
a fainter-than), COMMENTCODE (AAVSO's letters; ``Z`` added for an uncertain estimate),
COMP1, COMP2 (the chart labels of the comparison stars), CHART and NOTES, ``na`` for what
is not known.
"""

from __future__ import annotations

from pathlib import Path

from planner.plan.export import ExportError, ExportOptions, Rendered
from planner.plan.export.aavso import (
    NA,
    Row,
    check_length,
    choose_delimiter,
    header,
    julian_date,
    observer_code,
    render_lines,
    rows,
    text_field,
)
from planner.plan.model import Plan, normalise_comment_codes

FIELDS = ("NAME", "DATE", "MAG", "COMMENTCODE", "COMP1", "COMP2", "CHART", "NOTES")
LIMITS = {"NAME": 30, "DATE": 16, "MAG": 8, "COMP1": 20, "COMP2": 20, "CHART": 20}


def _magnitude(o) -> str:
    # Visual estimates are made to a tenth of a magnitude; finer values are kept as typed.
    text = f"{o.magnitude:.1f}" if abs(o.magnitude * 10 - round(o.magnitude * 10)) < 1e-6 else f"{o.magnitude:.2f}"
    return ("<" if o.fainter_than else "") + text


def fields_of(row: Row) -> list[str]:
    o = row.observation
    codes = normalise_comment_codes(o.comment_codes + ("Z" if o.uncertain else ""))
    values = {
        "NAME": row.entry.name,
        "DATE": f"{julian_date(o.time):.4f}",
        "MAG": _magnitude(o),
        "COMMENTCODE": codes or NA,
        "COMP1": o.comparison[0] if o.comparison else NA,
        "COMP2": o.comparison[1] if len(o.comparison) > 1 else NA,
        "CHART": o.chart_id or NA,
        "NOTES": text_field(o.notes),
    }
    return [check_length(v, LIMITS[k], k, row) if k in LIMITS else v for k, v in values.items()]


def render(plan: Plan, options: ExportOptions, path: Path) -> Rendered:
    code = observer_code(options)
    chosen, instrumental = rows(plan, visual=True)
    notes = []
    if instrumental:
        notes.append(f"Left out {instrumental} instrumental estimate{'s' if instrumental != 1 else ''}: report "
                     f"{'them' if instrumental != 1 else 'it'} with the AAVSO Extended format (aavso-extended).")
    if not chosen:
        raise ExportError("the plan has no visual estimates to report"
                          + (f"; its {instrumental} instrumental estimates go in an aavso-extended report"
                             if instrumental else "; add them with 'planner observe' or the Plan dock's Estimate box"))
    table = [fields_of(row) for row in chosen]
    delimiter = choose_delimiter(table)
    lines = header("Visual", code, delimiter, "JD", "Visual")
    lines.append("#" + delimiter.join(FIELDS))
    lines += [delimiter.join(fields) for fields in table]
    return Rendered(render_lines(lines), notes=notes)
