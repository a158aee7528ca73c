"""Target list CSV that N.I.N.A.'s sequencer ("Import targets") and the Target Scheduler
plugin read: the Telescopius observing-list columns.

N.I.N.A. matches headers lower-cased and trimmed. Only the ``(j2000)`` coordinate headers
are written: a bare ``Right Ascension`` column is read by some N.I.N.A. versions for the
declination too. Coordinates are ``05h 35m 17.30s`` / ``+22d 00m 52.0s``; N.I.N.A. takes
the numbers from them and the sign from a ``-``. ``Type`` carries the variable-star type
(the Target Scheduler can filter an import by it). Only entries still 'planned' and with a
camera filter are listed (a visual-only star is left out, with a note). Filters, exposures
and times are not in this format: set them in N.I.N.A.'s sequence or Target Scheduler.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from planner.plan.export import ExportOptions, Rendered, camera_entries, dec_dms, ra_hms
from planner.plan.model import Plan

COLUMNS = (
    "Familiar Name",
    "Catalogue Entry",
    "Right Ascension (j2000)",
    "Declination (j2000)",
    "Position Angle (East)",
    "Type",
)


def render(plan: Plan, options: ExportOptions, path: Path) -> Rendered:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    entries, notes = camera_entries(plan, options.filters)
    for e, _filters in entries:
        t = e.target
        writer.writerow(
            [
                t.name,
                t.name,
                ra_hms(t.ra, ("h ", "m ", "s")),
                dec_dms(t.dec, ("d ", "m ", "s")),
                "0",
                t.var_type or "Variable Star",
            ]
        )
    return Rendered(out.getvalue().encode("utf-8"), notes=notes)
