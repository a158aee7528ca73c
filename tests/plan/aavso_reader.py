"""A reader of AAVSO report files written from the format specifications (as WebObs' file
upload applies them), not from planner's exporters:

- AAVSO Extended File Format v1.2 (2011-07-27, updated 2021-12-02) and AAVSO Visual File
  Format v1.0 (2008-01-15), https://www.aavso.org/aavso-extended-file-format and
  https://www.aavso.org/aavso-visual-file-format.
- Parameters are lines starting with ``#``; TYPE, OBSCODE, SOFTWARE, DELIM, DATE and OBSTYPE
  are required at the top; other ``#`` lines are comments. The format is not case
  sensitive. A blank line that is not commented out is refused.
- DELIM is one ASCII character 32-126 other than ``#`` and space (or a name: comma, tab...).
- Extended data lines have 15 fields: STARID (<= 30), DATE (<= 16), MAGNITUDE (<= 8, a dot
  required, ``<`` for a fainter-than), MAGERR (<= 6, or na), FILTER (one of the codes),
  TRANS (YES/NO), MTYPE (STD/DIF, ABS still accepted; DIF needs CNAME), CNAME (<= 20),
  CMAG (<= 8), KNAME (<= 20), KMAG (<= 8), AIRMASS (<= 7), GROUP (<= 5), CHART (<= 20),
  NOTES; ``na`` where a value is not available.
- Visual data lines have 8 fields: NAME, DATE, MAG, COMMENTCODE, COMP1, COMP2, CHART, NOTES;
  comment codes are AAVSO's letters, separated by spaces or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

REQUIRED = ("TYPE", "OBSCODE", "SOFTWARE", "DELIM", "DATE", "OBSTYPE")
FILTERS = {"U", "B", "V", "R", "I", "J", "H", "K", "TG", "TB", "TR", "CV", "CR", "SZ", "SU", "SG", "SR", "SI",
           "STU", "STV", "STB", "STY", "STHBW", "STHBN", "MA", "MB", "MI", "ZS", "Y", "HA", "HAC"}
EXTENDED_OBSTYPES = {"CCD", "DSLR", "PEP", "CMOS", "PTG"}
COMMENT_CODES = set("BUWLDYKSZIV")
EXTENDED_LIMITS = {0: ("STARID", 30), 1: ("DATE", 16), 2: ("MAGNITUDE", 8), 3: ("MAGERR", 6), 7: ("CNAME", 20),
                   8: ("CMAG", 8), 9: ("KNAME", 20), 10: ("KMAG", 8), 11: ("AIRMASS", 7), 12: ("GROUP", 5),
                   13: ("CHART", 20)}
DELIM_NAMES = {"comma": ",", "tab": "\t", "semicolon": ";", "exclamation": "!", "pipe": "|"}


class ReportError(ValueError):
    pass


@dataclass
class Report:
    type: str
    parameters: dict[str, str]
    records: list[dict[str, object]] = field(default_factory=list)


def _float(text: str, what: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise ReportError(f"line {line}: {what} {text!r} is not a number") from None


def _optional(text: str, what: str, line: int) -> float | None:
    return None if text.lower() == "na" else _float(text, what, line)


def read_report(data: bytes) -> Report:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise ReportError("the report is not plain ASCII") from None
    params: dict[str, str] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    data_lines: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        if not line.strip():
            raise ReportError(f"line {number} is blank (WebObs refuses blank lines not commented out)")
        if line.startswith("#"):
            if data_lines:
                # OBSCODE/DATE may change later in a file; others are comments
                key = line[1:].split("=", 1)[0].strip().upper()
                if "=" in line and key in ("OBSCODE", "DATE"):
                    params[key] = line.split("=", 1)[1].strip()
                continue
            if "=" in line:
                key, value = line[1:].split("=", 1)
                key = key.strip().upper()
                if key in REQUIRED:
                    params[key] = value if key == "DELIM" else value.strip()
            continue
        data_lines.append((number, line))
    missing = [k for k in REQUIRED if k not in params]
    if missing:
        raise ReportError(f"missing parameters: {', '.join(missing)}")
    kind = params["TYPE"].strip().upper()
    if kind not in ("EXTENDED", "VISUAL"):
        raise ReportError(f"TYPE {params['TYPE']!r} is neither Extended nor Visual")
    if not params["OBSCODE"]:
        raise ReportError("OBSCODE is empty")
    if len(params["SOFTWARE"]) > 255 or not params["SOFTWARE"].strip():
        raise ReportError("SOFTWARE must name the software (at most 255 characters)")
    delim = params["DELIM"]
    delim = DELIM_NAMES.get(delim.strip().lower(), delim)
    if len(delim) != 1 or delim in "# " or not (32 <= ord(delim) <= 126 or delim == "\t"):
        raise ReportError(f"DELIM {params['DELIM']!r} is not a usable delimiter")
    date = params["DATE"].strip().upper()
    if date not in (("JD", "HJD", "EXCEL") if kind == "EXTENDED" else ("JD", "EXCEL")):
        raise ReportError(f"DATE {params['DATE']!r} is not allowed for {kind}")
    obstype = params["OBSTYPE"].strip().upper()
    if kind == "EXTENDED" and obstype not in EXTENDED_OBSTYPES:
        raise ReportError(f"OBSTYPE {obstype!r} is not an Extended observation type")
    if kind == "VISUAL" and obstype not in ("VISUAL", "PTG"):
        raise ReportError(f"OBSTYPE {obstype!r} is not a Visual observation type")
    report = Report(kind, params)
    for number, line in data_lines:
        fields = line.split(delim)
        report.records.append(_extended(fields, number) if kind == "EXTENDED" else _visual(fields, number))
    return report


def _magnitude(text: str, line: int, dot_required: bool) -> tuple[float, bool]:
    fainter = text.startswith("<")
    body = text[1:] if fainter else text
    if dot_required and "." not in body:
        raise ReportError(f"line {line}: MAGNITUDE {text!r} has no dot (write 9.0, not 9)")
    return _float(body, "MAGNITUDE", line), fainter


def _extended(fields: list[str], line: int) -> dict[str, object]:
    if len(fields) != 15:
        raise ReportError(f"line {line}: {len(fields)} fields instead of 15 (is the delimiter used inside a field?)")
    for index, (name, limit) in EXTENDED_LIMITS.items():
        if len(fields[index]) > limit:
            raise ReportError(f"line {line}: {name} {fields[index]!r} is longer than {limit} characters")
    starid, date, mag, magerr, filt, trans, mtype, cname, cmag, kname, kmag, airmass, group, chart, notes = fields
    if not starid.strip() or starid.lower() == "na":
        raise ReportError(f"line {line}: no STARID")
    magnitude, fainter = _magnitude(mag, line, dot_required=True)
    if filt.upper() not in FILTERS:
        raise ReportError(f"line {line}: FILTER {filt!r} is not an AAVSO filter")
    if trans.upper() not in ("YES", "NO"):
        raise ReportError(f"line {line}: TRANS {trans!r} is not YES or NO")
    if mtype.upper() not in ("STD", "DIF", "ABS"):
        raise ReportError(f"line {line}: MTYPE {mtype!r} is not STD or DIF")
    if mtype.upper() == "DIF" and cname.lower() == "na":
        raise ReportError(f"line {line}: a differential magnitude needs CNAME")
    air = _optional(airmass, "AIRMASS", line)
    if air is not None and air < 1.0:
        raise ReportError(f"line {line}: AIRMASS {airmass!r} is below 1")
    if not notes:
        raise ReportError(f"line {line}: NOTES is empty (use na)")
    return {
        "starid": starid, "jd": _float(date, "DATE", line), "magnitude": magnitude, "fainter": fainter,
        "magerr": _optional(magerr, "MAGERR", line), "filter": filt.upper(), "trans": trans.upper() == "YES",
        "mtype": mtype.upper(), "cname": None if cname.lower() == "na" else cname,
        "cmag": _optional(cmag, "CMAG", line), "kname": None if kname.lower() == "na" else kname,
        "kmag": _optional(kmag, "KMAG", line), "airmass": air, "group": None if group.lower() == "na" else group,
        "chart": None if chart.lower() == "na" else chart, "notes": notes,
        "subfields": dict(p.split("=", 1) for p in notes.split("|")[1:] if "=" in p),
    }


def _visual(fields: list[str], line: int) -> dict[str, object]:
    if len(fields) != 8:
        raise ReportError(f"line {line}: {len(fields)} fields instead of 8 (is the delimiter used inside a field?)")
    name, date, mag, codes, comp1, comp2, chart, notes = fields
    if not name.strip():
        raise ReportError(f"line {line}: no NAME")
    magnitude, fainter = _magnitude(mag, line, dot_required=False)
    letters = "" if codes.lower() == "na" else codes.replace(" ", "").upper()
    if any(c not in COMMENT_CODES for c in letters):
        raise ReportError(f"line {line}: COMMENTCODE {codes!r} holds a letter that is not an AAVSO comment code")
    if not notes:
        raise ReportError(f"line {line}: NOTES is empty (use na)")
    return {
        "name": name, "jd": _float(date, "DATE", line), "magnitude": magnitude, "fainter": fainter,
        "codes": letters, "comp1": None if comp1.lower() == "na" else comp1,
        "comp2": None if comp2.lower() == "na" else comp2, "chart": None if chart.lower() == "na" else chart,
        "notes": notes,
    }
