"""Plate solving, the parts the window's solver dock and ``planner solve`` share: the
telescope's pixel-scale hints, the memory of submissions (so a solve can be resumed after a
restart), what a solved job tells (objects, annotations, the WCS), the field verdict, and
a FITS image's pixels for display.

Qt-free; the solve itself is the astrometry.net client's ``solve`` generator, followed by
the caller (a worker of the dock, or the command's loop).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from planner.app.telescope import pixel_scale_of
from planner.config import atomic_write_text, data_dir
from planner.errors import PlannerError
from planner.files import parse_json

# planner.sky.field (astropy.wcs) and astropy.io.fits load on the first verdict and the first
# FITS file, not with the window's solver dock or `planner solve --help` (start-up time).

STORE_FILE = "plate_solves.json"
STORE_KEEP = 20


def scale_bounds(focal_length_mm: float | None, pixel_size_um: float | None, tolerance: float = 0.2):
    """(lower, upper) arcsec/pixel for a telescope and camera, or None when either is unknown
    (the scale itself is ``planner.app.telescope``'s)."""
    scale = pixel_scale_of(focal_length_mm, pixel_size_um)
    if scale is None:
        return None
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


@dataclass
class SolvedJob:
    """What a solved job tells beyond its calibration; what could not be fetched is a note."""

    subid: int | None
    job_id: int
    calibration: Any  # the client's Calibration
    objects: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    annotations: list = field(default_factory=list)
    wcs_header: bytes | None = None
    notes: list[str] = field(default_factory=list)
    status_url: str = ""


def gather_solution(client, final) -> SolvedJob:
    """Everything the service says of a solved job (``final``: the last ``SolveStatus``,
    stage solved). Each part that fails is a note, not a failed solve."""
    job = SolvedJob(final.subid, final.job_id, final.calibration,
                    status_url=client.status_page_url(final.subid) if final.subid is not None else "")
    try:
        info = client.job_info(final.job_id)
        job.objects, job.tags = info.objects_in_field, info.machine_tags
        if info.calibration is not None:
            job.calibration = info.calibration
    except Exception as exc:  # noqa: BLE001 - the solve stands without the list of objects
        job.notes.append(f"objects in the field unavailable: {exc}")
    try:
        job.annotations = client.annotations(final.job_id)
    except Exception as exc:  # noqa: BLE001
        job.notes.append(f"annotations unavailable: {exc}")
    job.wcs_header = fetch_wcs(client, final.job_id)
    return job


def target_verdict(calibration, ra: float, dec: float, *, name: str = "", width_px: float | None = None,
            height_px: float | None = None, wcs_header: bytes | None = None):
    """Whether a target (``ra``, ``dec`` degrees) is inside the solved field and how far it
    is from the centre (a ``planner.sky.field.FieldVerdict``): the same question for the
    dock and the command."""
    from planner.sky.field import field_verdict

    return field_verdict(calibration.ra, calibration.dec, calibration.radius, ra, dec,
                         orientation_deg=calibration.orientation, pixscale_arcsec=calibration.pixscale,
                         width_px=width_px, height_px=height_px, wcs_header=wcs_header, name=name)


FITS_SUFFIXES = (".fits", ".fit", ".fts", ".fits.gz", ".fit.gz")


def fits_preview(path: str) -> np.ndarray | None:
    """The first image in a FITS file as 8-bit grey levels (rows top-down, stretched between
    its 1st and 99.7th percentiles), or None when the file holds no image."""
    from planner.sky._offline import configure_astropy_offline

    configure_astropy_offline()
    from astropy.io import fits

    with fits.open(path, memmap=False) as hdul:
        data = next((h.data for h in hdul if h.data is not None and getattr(h.data, "ndim", 0) >= 2), None)
    if data is None:
        return None
    data = np.asarray(data, dtype=float)
    while data.ndim > 2:
        data = data[0]
    low, high = np.nanpercentile(data, [1.0, 99.7])
    scaled = np.clip((data - low) / max(high - low, 1e-9), 0, 1)
    # FITS rows run bottom-up; astrometry.net draws its annotations on the image shown top-down.
    return np.ascontiguousarray((np.flipud(scaled) * 255).astype(np.uint8))
