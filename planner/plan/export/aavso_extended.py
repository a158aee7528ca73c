"""AAVSO Extended File Format report (WebObs upload) of the plan's instrumental estimates
(CCD, DSLR, PEP, CMOS: every band but ``Vis.``).

Per the specification (docs/reporting.md): the six parameters, then one line per
observation with STARID, DATE, MAGNITUDE (``<`` before a fainter-than; a dot always),
MAGERR, FILTER, TRANS (YES/NO), MTYPE (STD/DIF), CNAME, CMAG, KNAME, KMAG, AIRMASS, GROUP,
CHART, NOTES, ``na`` for what is not known, each within the lengths WebObs enforces
(STARID 30, DATE 16, MAGNITUDE 8, MAGERR 6, CNAME/KNAME 20, CMAG/KMAG 8, AIRMASS 7,
GROUP 5, CHART 20). CNAME/KNAME are the AUIDs of the comparison and check stars (AAVSO
prefers them to chart labels), CMAG/KMAG their *instrumental* magnitudes when measured; the
chart (reference) magnitudes go into NOTES as ``|CREFMAG=...|KREFMAG=...`` (the
TransformApplier convention the spec shows). Several comparison stars are an ensemble:
CNAME ``ENSEMBLE``, CMAG ``na``.
"""

from __future__ import annotations

from pathlib import Path

from planner.plan.export import ExportError, ExportOptions, Rendered
from planner.plan.export.aavso import NA, Row, check_length, julian_date, render_report, text_field
from planner.plan.model import Plan

OBSTYPES = ("CCD", "DSLR", "PEP", "CMOS", "PTG")
DATE_TYPES = ("JD",)
FIELDS = ("NAME", "DATE", "MAG", "MERR", "FILT", "TRANS", "MTYPE", "CNAME", "CMAG", "KNAME", "KMAG",
          "AMASS", "GROUP", "CHART", "NOTES")
LIMITS = {"STARID": 30, "DATE": 16, "MAGNITUDE": 8, "MAGERR": 6, "CNAME": 20, "CMAG": 8, "KNAME": 20, "KMAG": 8,
          "AIRMASS": 7, "GROUP": 5, "CHART": 20}


def _mag(value: float | None) -> str:
    return NA if value is None else f"{value:.3f}"


def _airmass(value: float | None) -> str:
    if value is None:
        return NA
    for decimals in (4, 3, 2):
        text = f"{value:.{decimals}f}"
        if len(text) <= LIMITS["AIRMASS"]:
            return text
    return NA


def _date(row: Row, date_type: str) -> str:
    return f"{julian_date(row.observation.time):.5f}"


def _star_name(labels: tuple[str, ...], auids: tuple[str, ...], index: int) -> str:
    auid = auids[index] if index < len(auids) else ""
    return auid or labels[index]


def fields_of(row: Row, date_type: str) -> list[str]:
    o = row.observation
    mag = ("<" if o.fainter_than else "") + f"{o.magnitude:.3f}"
    if len(o.comparison) > 1:
        cname, cmag = "ENSEMBLE", NA
    elif o.comparison:
        cname, cmag = _star_name(o.comparison, o.comparison_auids, 0), _mag(o.comparison_instrumental)
    else:
        cname, cmag = NA, NA
    kname = (o.check_auid or o.check) or NA
    kmag = _mag(o.check_instrumental) if o.check else NA
    notes = []
    if o.comparison_magnitudes and len(o.comparison) == 1 and o.comparison_magnitudes[0] is not None:
        notes.append(f"CREFMAG={o.comparison_magnitudes[0]:.3f}")
    if o.check and o.check_magnitude is not None:
        notes.append(f"KREFMAG={o.check_magnitude:.3f}")
    if len(o.comparison) > 1:
        notes.append("ENSEMBLE=" + " ".join(_star_name(o.comparison, o.comparison_auids, i)
                                            for i in range(len(o.comparison))))
    text = text_field(o.notes)
    if o.uncertain:
        text = ("uncertain" if text == NA else text + "; uncertain")
    note = (text if text != NA or not notes else "") + "".join(f"|{n}" for n in notes)
    values = {
        "STARID": row.entry.name,
        "DATE": _date(row, date_type),
        "MAGNITUDE": mag,
        "MAGERR": NA if o.error is None or o.fainter_than else f"{o.error:.3f}",
        "FILTER": o.band,
        "TRANS": "YES" if o.transformed else "NO",
        "MTYPE": o.mtype,
        "CNAME": cname,
        "CMAG": cmag,
        "KNAME": kname,
        "KMAG": kmag,
        "AIRMASS": _airmass(o.airmass),
        "GROUP": NA,
        "CHART": o.chart_id or NA,
        "NOTES": note or NA,
    }
    out = []
    for key, value in values.items():
        limit = LIMITS.get(key)
        out.append(check_length(value, limit, key, row) if limit else value)
    return out


def render(plan: Plan, options: ExportOptions, path: Path) -> Rendered:
    obstype = (options.obstype or "CCD").strip().upper()
    if obstype not in OBSTYPES:
        raise ExportError(f"observation type {obstype!r} is not one of {', '.join(OBSTYPES)} (--obstype)")
    date_type = (options.date_type or "JD").strip().upper()
    if date_type not in DATE_TYPES:
        raise ExportError(f"date type {date_type!r} is not one planner writes ({', '.join(DATE_TYPES)})")
    return render_report(plan, options, visual=False, fields=FIELDS, fields_of=lambda row: fields_of(row, date_type),
                         date_type=date_type, obstype=obstype)
