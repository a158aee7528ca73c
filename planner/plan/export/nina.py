"""Target list CSV that N.I.N.A.'s sequencer ("Import targets") and the Target Scheduler
plugin read: the Telescopius observing-list columns.

N.I.N.A. matches headers lower-cased and trimmed. Only the ``(j2000)`` coordinate headers
are written: a bare ``Right Ascension`` column is read by some N.I.N.A. versions for the
declination too. Coordinates are ``05h 35m 17.30s`` / ``+22d 00m 52.0s``; N.I.N.A. takes
the numbers from them and the sign from a ``-``. ``Type`` carries the variable-star type
(the Target Scheduler can filter an import by it). Only entries still 'planned' are listed.
"""

from __future__ import annotations

import csv
import io

from planner.plan.export import acquisition_entries, dec_dms, ra_hms
from planner.plan.model import Plan

COLUMNS = (
    "Familiar Name",
    "Catalogue Entry",
    "Right Ascension (j2000)",
    "Declination (j2000)",
    "Position Angle (East)",
    "Type",
)


def render(plan: Plan) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in acquisition_entries(plan):
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
    return out.getvalue().encode("utf-8")
