"""Plate solving, the parts the window's solver dock and ``planner solve`` share: the
telescope's pixel-scale hints, the memory of submissions (so a solve can be resumed after a
restart), the WCS of a solved job, and the field verdict.

Qt-free; the solve itself is the astrometry.net client's ``solve`` generator, followed by
the caller (a worker of the dock, or the command's loop).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from planner.config import atomic_write_text, data_dir
from planner.errors import PlannerError
from planner.files import parse_json

ARCSEC_PER_RADIAN = 206_264.806
STORE_FILE = "plate_solves.json"
STORE_KEEP = 20


def scale_bounds(focal_length_mm: float | None, pixel_size_um: float | None, tolerance: float = 0.2):
    """(lower, upper) arcsec/pixel for a telescope and camera, or None when either is unknown."""
    try:
        focal, pixel = float(focal_length_mm), float(pixel_size_um)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(focal) and math.isfinite(pixel)) or focal <= 0 or pixel <= 0:
        return None
    scale = ARCSEC_PER_RADIAN * pixel * 1e-3 / focal
    return scale * (1 - tolerance), scale * (1 + tolerance)


# -- the memory of submissions ----------------------------------------------------------


def store_path() -> Path:
    return data_dir() / STORE_FILE


def load_solves() -> list[dict]:
    """Remembered solves, newest first; an unreadable file is an empty memory, not an error."""
    try:
        data = parse_json(store_path().read_text("utf-8"), "remembered solves", error=ValueError)
    except (OSError, ValueError):  # RecursionError too: parse_json turns it into a ValueError
        return []
    entries = data.get("solves") if isinstance(data, dict) else None
    return [e for e in entries if isinstance(e, dict) and isinstance(e.get("subid"), int)] if isinstance(entries, list) else []


def remember_solve(entry: dict) -> None:
    solves = [e for e in load_solves() if e.get("subid") != entry.get("subid")]
    solves.insert(0, entry)
    try:
        atomic_write_text(store_path(), json.dumps({"format": "planner-plate-solves", "version": 1,
                                                    "solves": solves[:STORE_KEEP]}, indent=2))
    except OSError:
        pass  # losing the memory of a solve must not stop the solve


def unfinished_solve() -> dict | None:
    """The newest remembered solve that did not end (what Resume follows)."""
    return next((e for e in load_solves() if e.get("stage") not in ("solved", "failed", "cancelled")), None)


# -- after the solve ---------------------------------------------------------------------


def fetch_wcs(client, job_id: int) -> bytes | None:
    """The solved job's WCS header, or None when it cannot be had (the verdict then uses
    the calibration alone)."""
    try:
        return client.wcs_header(job_id)
    except (PlannerError, OSError, KeyError):
        return None
