"""Plate solving's shared parts without Qt (planner.app.solve): what a solved job tells, each
missing part a note rather than a failure; a FITS image's pixels for display; the verdict
the dock and `planner solve` both ask for."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from astropy.io import fits

from planner.app.solve import fits_preview, gather_solution, target_verdict
from planner.services.errors import ServiceError
from planner.sky.field import field_verdict

CAL = SimpleNamespace(ra=170.0, dec=13.2, radius=0.625, pixscale=9.0, orientation=0.0, parity=1.0)
BETTER = SimpleNamespace(**{**vars(CAL), "pixscale": 8.9})


class Client:
    """The astrometry.net client's job calls, each answering or failing as told."""

    def __init__(self, *, info=True, annotations=True, wcs=True):
        self.info, self.annotated, self.wcs = info, annotations, wcs

    def status_page_url(self, subid):
        return f"https://nova.example/status/{subid}"

    def job_info(self, job_id):
        if not self.info:
            raise ServiceError("nova.astrometry.net", "the job's details did not come")
        return SimpleNamespace(objects_in_field=("M 66", "NGC 3628"), machine_tags=("M 66",), calibration=BETTER)

    def annotations(self, job_id):
        if not self.annotated:
            raise ValueError("malformed annotations")
        return ["NGC 3628 at (100, 80)"]

    def wcs_header(self, job_id):
        if not self.wcs:
            raise ServiceError("nova.astrometry.net", "no WCS file")
        return b"SIMPLE  = T"


FINAL = SimpleNamespace(subid=16714, job_id=1493115, calibration=CAL)


def test_a_solved_job_brings_its_objects_annotations_and_wcs():
    job = gather_solution(Client(), FINAL)
    assert (job.subid, job.job_id, job.status_url) == (16714, 1493115, "https://nova.example/status/16714")
    assert job.objects == ("M 66", "NGC 3628") and job.tags == ("M 66",)
    assert job.calibration is BETTER  # the job's own calibration wins over the status's
    assert job.annotations == ["NGC 3628 at (100, 80)"] and job.wcs_header == b"SIMPLE  = T"
    assert job.notes == []


def test_each_part_that_cannot_be_had_is_a_note_and_the_solve_stands():
    job = gather_solution(Client(info=False, annotations=False, wcs=False), FINAL)
    assert job.calibration is CAL and job.objects == () and job.annotations == [] and job.wcs_header is None
    assert len(job.notes) == 2
    assert job.notes[0].startswith("objects in the field unavailable: nova.astrometry.net")
    assert job.notes[1] == "annotations unavailable: malformed annotations"


def test_the_verdict_is_the_field_verdict_of_the_calibration():
    ours = target_verdict(CAL, 170.05, 13.3, name="R Leo", width_px=400, height_px=300)
    theirs = field_verdict(170.0, 13.2, 0.625, 170.05, 13.3, orientation_deg=0.0, pixscale_arcsec=9.0,
                           width_px=400, height_px=300, name="R Leo")
    assert ours == theirs and ours.inside
    assert not target_verdict(CAL, 172.0, 13.2, name="far").inside


def test_a_field_far_from_the_target_gives_no_telescope_offsets():
    # SS Cyg-like: the solved field (Leo) is 22° from the target it was solved for.
    far = target_verdict(CAL, 170.0, 35.2, name="SS Cyg", width_px=400, height_px=300)
    assert far.far and not far.inside
    assert far.separation_deg == pytest.approx(22.0, abs=1e-6)
    text = far.describe()
    assert text.startswith("SS Cyg is 22.00° N of the field centre: OUTSIDE")
    assert "not of SS Cyg's field" in text and "move the telescope" not in text
    assert far.to_json()["far"] is True
    # Two degrees off is a pointing error: the offsets are the answer.
    near = target_verdict(CAL, 172.0, 13.2, name="R Leo", width_px=400, height_px=300)
    assert not near.far and "move the telescope" in near.describe() and "east" in near.describe()


def test_the_far_limit():
    from planner.sky.field import far_limit_deg

    assert far_limit_deg(0.3) == 5.0  # a small field: any GoTo error still gets offsets
    assert far_limit_deg(1.5) == pytest.approx(9.0)  # three field widths
    assert far_limit_deg(10.0) == 15.0  # capped: tangent-plane offsets are no longer honest


def test_a_fits_image_is_stretched_to_grey_levels_top_down(tmp_path):
    data = np.tile(np.linspace(0.0, 1000.0, 50), (40, 1))  # brighter to the right
    data[0, 0] = 1e6  # FITS row 0 is the bottom row: a hot pixel at its left end
    path = tmp_path / "frame.fits"
    fits.PrimaryHDU(data).writeto(path)
    pixels = fits_preview(str(path))
    assert pixels.dtype == np.uint8 and pixels.shape == (40, 50)
    assert pixels[-1, 0] == 255 and pixels[0, 0] == 0  # drawn at the bottom, not the top
    # The hot pixel is beyond the 99.7th percentile: it does not flatten the rest.
    assert pixels[10, 1] < 10 and pixels[10, -1] >= 250 and int(pixels[10, 25]) == pytest.approx(128, abs=10)


def test_a_cube_shows_its_first_plane_and_a_header_only_file_shows_nothing(tmp_path):
    cube = np.zeros((3, 20, 30))
    cube[0, :, 15:] = 100.0
    cube[1:] = 50.0
    path = tmp_path / "cube.fits"
    fits.PrimaryHDU(cube).writeto(path)
    pixels = fits_preview(str(path))
    assert pixels.shape == (20, 30) and pixels[5, 0] == 0 and pixels[5, -1] == 255
    empty = tmp_path / "header.fits"
    fits.PrimaryHDU().writeto(empty)
    assert fits_preview(str(empty)) is None
