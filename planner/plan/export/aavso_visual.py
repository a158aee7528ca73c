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

from planner.plan.export import ExportOptions, Rendered
from planner.plan.export.aavso import NA, Row, check_length, julian_date, render_report, text_field
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
    return render_report(plan, options, visual=True, fields=FIELDS, fields_of=fields_of, date_type="JD",
                         obstype="Visual")
