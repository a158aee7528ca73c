"""CSV table of the plan: one row per entry, UTC and local times, coordinates in degrees
and sexagesimal, magnitudes, filters and notes. Opens in any spreadsheet. Rows are in the
plan's own order (the Plan dock's rows, ``order`` 1, 2, ...), not re-sorted by time: a
table someone prints or edits should read as the plan they made."""

from __future__ import annotations

import csv
import io

from planner.plan.export import dec_dms, local_iso, ra_hms, utc_iso
from planner.plan.model import Plan

COLUMNS = (
    "order",
    "name",
    "status",
    "start_utc",
    "end_utc",
    "start_local",
    "end_local",
    "timezone",
    "duration_min",
    "ra_deg",
    "dec_deg",
    "ra_hms",
    "dec_dms",
    "constellation",
    "var_type",
    "max_mag",
    "min_mag",
    "mag_band",
    "period_days",
    "priority",
    "filters",
    "exposure_s",
    "count",
    "notes",
    "meridian_flip_utc",  # a German equatorial mount flips inside this block (the mount's "mark" policy)
)


def _num(value: float | None, fmt: str = "g") -> str:
    return "" if value is None else format(value, fmt)


def render(plan: Plan, *_context) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for n, e in enumerate(plan.entries, 1):
        t = e.target
        writer.writerow(
            [
                n,
                t.name,
                e.status,
                utc_iso(e.start),
                utc_iso(e.end),
                local_iso(e.start, plan),
                local_iso(e.end, plan),
                plan.site.timezone,
                f"{e.duration / 60.0:.1f}",
                f"{t.ra:.6f}",
                f"{t.dec:.6f}",
                ra_hms(t.ra),
                dec_dms(t.dec),
                t.constellation,
                t.var_type,
                _num(t.max_mag),
                _num(t.min_mag),
                t.min_mag_band or t.max_mag_band,
                _num(t.period),
                "yes" if t.priority else "no",
                " ".join(e.filters),
                f"{e.exposure:g}",
                e.count,
                e.notes,
                utc_iso(e.meridian_flip) if e.meridian_flip is not None else "",
            ]
        )
    # utf-8-sig: spreadsheet programs on Windows then read names like "V1405 Cas" or "α" right.
    return out.getvalue().encode("utf-8-sig")
