"""The plate-solving dock against a local nova.astrometry.net: a full solve cycle with status
polling, annotations drawn at their pixel positions, the verdict inside and outside the
field, hints from the target and the telescope, cancel, failure, resume after a restart."""

from __future__ import annotations

import dataclasses
import io
import json
import math
import threading

import numpy as np
import pytest
from astropy.wcs import WCS
from PIL import Image
from PySide6.QtGui import QColor
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.catalog.target import Target
from planner.config import Settings
from planner.services.astrometry_net import AstrometryNetClient
from planner.services.http import POLICIES, ServiceSession, reset_limiters
from planner.app.solve import load_solves, remember_solve, scale_bounds
from planner.ui.solver_panel import PlateSolveDock

KEY = "nova-test-key"
SUBID, JOB = 16714, 1493115
W, H = 400, 300
CENTRE = (169.96633791366915, 13.221011585315143)
SCALE = 9.0  # arcsec/px: a 1.0° x 0.75° field
CAL = {"parity": 1.0, "orientation": 0.0, "pixscale": SCALE, "radius": math.hypot(0.5, 0.375),
       "ra": CENTRE[0], "dec": CENTRE[1]}
INSIDE = Target(star_name="R Leo-ish", ra=170.05, dec=13.3)
OUTSIDE = Target(star_name="Far Star", ra=171.5, dec=13.2)


def wcs_header() -> bytes:
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = list(CENTRE)
    wcs.wcs.crpix = [W / 2 + 0.5, H / 2 + 0.5]
    wcs.wcs.cd = np.array([[-SCALE / 3600, 0], [0, -SCALE / 3600]])  # north is up in a top-down image
    header = wcs.to_header()
    header["IMAGEW"], header["IMAGEH"] = W, H
    return header.tostring().encode("ascii")


def dark_png(path):
    Image.new("RGB", (W, H), (0, 0, 0)).save(path, "PNG")
    return path


class FakeNova:
    """Login, uploads, status that moves queued -> solving -> success, results and the WCS file."""

    def __init__(self, server: HTTPServer):
        self.server = server
        self.uploads: list[dict] = []
        self.submission_steps = [
            {"processing_started": "None", "jobs": [], "job_calibrations": [], "user_images": []},
            {"processing_started": "2024", "jobs": [JOB], "job_calibrations": [], "user_images": [1]},
            {"processing_started": "2024", "jobs": [JOB], "job_calibrations": [[JOB, 1]], "user_images": [1]},
        ]
        self.job_steps = ["solving", "solving", "success"]
        self.status_polls = 0
        self.hold = None  # an Event the status handler waits on
        ok = lambda payload: Response(json.dumps(payload), content_type="application/json")  # noqa: E731
        self.ok = ok
        server.expect_request("/api/login", method="POST").respond_with_handler(
            lambda r: ok({"status": "success", "session": "s-1"}) if json.loads(r.form["request-json"]).get("apikey") == KEY
            else ok({"status": "error", "errormessage": "bad apikey"}))
        server.expect_request("/api/upload", method="POST").respond_with_handler(self.upload)
        server.expect_request("/api/url_upload", method="POST").respond_with_handler(self.upload)
        server.expect_request(f"/api/submissions/{SUBID}").respond_with_handler(self.submission)
        server.expect_request(f"/api/jobs/{JOB}").respond_with_handler(self.job)
        server.expect_request(f"/api/jobs/{JOB}/calibration/").respond_with_json(CAL)
        server.expect_request(f"/api/jobs/{JOB}/info/").respond_with_json({
            "status": "success", "calibration": CAL, "tags": [], "machine_tags": ["M 66", "NGC 3628"],
            "objects_in_field": ["M 66", "NGC 3628", "NGC 3627"], "original_filename": "leo.png"})
        server.expect_request(f"/api/jobs/{JOB}/annotations/").respond_with_json({"annotations": [
            {"radius": 20.0, "type": "ngc", "names": ["NGC 3628"], "pixelx": 100.0, "pixely": 80.0},
            {"radius": 0.0, "type": "bright", "names": ["M 66"], "pixelx": 300.0, "pixely": 220.0},
        ]})
        server.expect_request(f"/wcs_file/{JOB}").respond_with_data(wcs_header(), content_type="application/fits")

    def upload(self, request):
        payload = json.loads(request.form["request-json"])
        payload["_file"] = request.files["file"].filename if "file" in request.files else None
        self.uploads.append(payload)
        return self.ok({"status": "success", "subid": SUBID, "hash": "abc"})

    def submission(self, request):
        self.status_polls += 1
        if self.hold is not None:
            self.hold.wait(5)
        step = self.submission_steps.pop(0) if len(self.submission_steps) > 1 else self.submission_steps[0]
        return self.ok(step)

    def job(self, request):
        status = self.job_steps.pop(0) if len(self.job_steps) > 1 else self.job_steps[0]
        return self.ok({"status": status})


@pytest.fixture
def nova():
    reset_limiters()
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield FakeNova(server)
    server.clear()
    server.stop()
    reset_limiters()


def factory_for(server):
    policy = dataclasses.replace(POLICIES["astrometry"], min_interval=0.0, retries=0, timeout=(2.0, 2.0))

    def make(_settings):
        return AstrometryNetClient(KEY, session=ServiceSession(policy, server.url_for("/api")))

    return make


def make_dock(qtbot, nova, settings=None, **kw):
    settings = settings or Settings()
    dock = PlateSolveDock(settings=settings, client_factory=factory_for(nova.server), poll_interval=0.01, **kw)
    qtbot.addWidget(dock)
    dock.resize(520, 900)
    dock.show()
    return dock


def test_scale_bounds_from_the_telescope():
    low, high = scale_bounds(1000, 3.76)
    assert (low + high) / 2 == pytest.approx(206.264806 * 3.76 / 1000, rel=1e-6)
    assert low == pytest.approx(0.8 * 0.775556, rel=1e-4)
    assert scale_bounds(None, 3.76) is None and scale_bounds(0, 3) is None and scale_bounds("x", 1) is None


def test_full_solve_cycle_with_annotations_and_the_verdict_inside(qtbot, nova, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANNER_ASTROMETRY_URL", nova.server.url_for("/api"))
    image = dark_png(tmp_path / "leo.png")
    dock = make_dock(qtbot, nova)
    dock.set_target(INSIDE)
    with qtbot.waitSignal(dock.finished, timeout=60_000) as blocker:
        dock.solve_file(str(image))
    assert blocker.args == ["solved"]
    assert dock.stages_seen == ["uploading", "queued", "solving", "solved"]
    assert nova.status_polls >= 2
    assert nova.uploads[0]["_file"] == "leo.png"
    assert "[Solved]" in dock.stage_label.text()
    ids = dock.ids_label.text()
    assert f"Submission {SUBID}" in ids and f"Job {JOB}" in ids and f"/status/{SUBID}" in ids
    cal = dock.calibration_label.text()
    assert "169.96634" in cal and "9.0000\"/px" in cal and "parity normal" in cal and "400 × 300 px" in cal
    assert [dock.objects_list.item(i).text() for i in range(dock.objects_list.count())] == ["M 66", "NGC 3628", "NGC 3627"]
    verdict = dock.verdict
    assert verdict.inside and verdict.method == "wcs"
    assert dock.verdict_label.text().startswith("✔ Solved for R Leo-ish: R Leo-ish is") and "inside the field" in dock.verdict_label.text()
    # The annotations are drawn where the service placed them, on the black image.
    drawn = dock.annotated.toImage()
    assert drawn.size().width() == W
    ring = drawn.pixelColor(100 + 20, 80)  # on the circle of NGC 3628
    assert ring != QColor(0, 0, 0)
    assert drawn.pixelColor(200, 40) == QColor(0, 0, 0)  # untouched elsewhere
    # The target's cross-hair sits at its WCS pixel position.
    x, y = int(verdict.pixel_x), int(verdict.pixel_y)
    assert max(drawn.pixelColor(x + 12, y + dy).red() for dy in (-1, 0, 1, 2)) > 200
    assert max(drawn.pixelColor(x, y + 12 + dy).red() for dy in (-1, 0, 1)) > 150 or \
        max(drawn.pixelColor(x + dx, y + 12).red() for dx in (-1, 0, 1, 2)) > 200
    # The ids are remembered, with the final stage.
    memory = load_solves()[0]
    assert memory["subid"] == SUBID and memory["job_id"] == JOB and memory["stage"] == "solved"


def test_verdict_outside_and_following_the_selection(qtbot, nova, tmp_path):
    dock = make_dock(qtbot, nova)
    dock.set_target(OUTSIDE)
    with qtbot.waitSignal(dock.finished, timeout=60_000):
        dock.solve_file(str(dark_png(tmp_path / "leo.png")))
    assert not dock.verdict.inside
    text = dock.verdict_label.text()
    assert text.startswith("✘ Solved for Far Star: Far Star is") and "OUTSIDE" in text and "east" in text
    offsets = (dock.verdict.offset_east_deg, dock.verdict.offset_north_deg)
    assert "move the telescope" in text
    # The result belongs to the target it was solved for: selecting another one changes nothing.
    dock.set_target(INSIDE)
    assert not dock.verdict.inside and dock.verdict.name == "Far Star"
    assert (dock.verdict.offset_east_deg, dock.verdict.offset_north_deg) == offsets
    assert dock.verdict_label.text() == text
    dock.set_target(None)
    assert dock.verdict_label.text() == text
    assert load_solves()[0]["target"] == {"name": "Far Star", "ra": 171.5, "dec": 13.2}


def test_a_solve_without_a_target_takes_the_first_one_selected(qtbot, nova, tmp_path):
    dock = make_dock(qtbot, nova)
    with qtbot.waitSignal(dock.finished, timeout=60_000):
        dock.solve_file(str(dark_png(tmp_path / "leo.png")))
    assert dock.verdict is None and "no target selected" in dock.verdict_label.text()
    dock.set_target(INSIDE)
    assert dock.verdict.inside and dock.verdict_label.text().startswith("✔ Solved for R Leo-ish:")
    dock.set_target(OUTSIDE)  # from then on it is that target's solve
    assert dock.verdict.inside and dock.verdict.name == "R Leo-ish"


def test_hints_from_target_and_telescope_reach_the_upload(qtbot, nova, tmp_path):
    settings = Settings(telescope_focal_length_mm=1000.0, camera_pixel_size_um=3.76)
    dock = make_dock(qtbot, nova, settings=settings)
    dock.set_target(INSIDE)
    dock.form.advanced.expand()
    dock.form.downsample_spin.setValue(2)
    dock.form.parity_combo.setCurrentIndex(2)
    dock.form.public_combo.setCurrentIndex(2)
    with qtbot.waitSignal(dock.finished, timeout=60_000):
        dock.solve_file(str(dark_png(tmp_path / "leo.png")))
    sent = nova.uploads[0]
    assert sent["center_ra"] == pytest.approx(170.05) and sent["center_dec"] == pytest.approx(13.3)
    assert sent["radius"] == pytest.approx(2.0)
    assert sent["scale_units"] == "arcsecperpix" and sent["scale_type"] == "ul"
    assert sent["scale_lower"] == pytest.approx(0.620, abs=1e-3) and sent["scale_upper"] == pytest.approx(0.931, abs=1e-3)
    assert sent["downsample_factor"] == 2 and sent["parity"] == 1 and sent["publicly_visible"] == "n"


def test_bad_options_and_missing_file_are_messages(qtbot, nova, tmp_path):
    dock = make_dock(qtbot, nova)
    assert dock.solve(str(tmp_path / "missing.fits")) is False
    assert "is not a file" in dock.message_label.text()
    dock.form.use_scale.setEnabled(True)
    dock.form.use_scale.setChecked(True)
    dock.form.scale_lower.setValue(5)
    dock.form.scale_upper.setValue(1)
    assert dock.solve(str(dark_png(tmp_path / "a.png"))) is False
    assert "scale_lower" in dock.message_label.text()
    assert nova.uploads == []


def test_failed_solve(qtbot, nova, tmp_path):
    nova.job_steps = ["failure"]
    dock = make_dock(qtbot, nova)
    with qtbot.waitSignal(dock.finished, timeout=60_000) as blocker:
        dock.solve_file(str(dark_png(tmp_path / "a.png")))
    assert blocker.args == ["failed"]
    assert "[Failed]" in dock.stage_label.text()
    assert "could not find" in dock.message_label.text()
    assert dock.result is None and load_solves()[0]["stage"] == "failed"


def test_cancel_then_resume_after_a_restart(qtbot, nova, tmp_path):
    nova.submission_steps = [{"processing_started": "None", "jobs": [], "job_calibrations": [], "user_images": []}]
    dock = make_dock(qtbot, nova)
    dock.solve_file(str(dark_png(tmp_path / "a.png")))
    qtbot.waitUntil(lambda: "queued" in dock.stages_seen and nova.status_polls >= 2, timeout=60_000)
    assert dock.cancel_button.isEnabled()
    with qtbot.waitSignal(dock.finished, timeout=60_000) as blocker:
        dock.cancel_button.click()
    assert blocker.args == ["cancelled"]
    assert dock.resume_button.isVisible()
    assert load_solves()[0]["subid"] == SUBID
    dock.shutdown()

    # A crash: the memory still says "queued".
    entry = load_solves()[0]
    remember_solve(dict(entry, stage="queued"))
    nova.submission_steps = [{"processing_started": "2024", "jobs": [JOB], "job_calibrations": [[JOB, 1]], "user_images": []}]
    nova.job_steps = ["success"]
    uploads_before = len(nova.uploads)
    restarted = make_dock(qtbot, nova)
    restarted.set_target(INSIDE)
    assert restarted.resume_button.isVisible() and str(SUBID) in restarted.resume_button.text()
    assert str(SUBID) in restarted.ids_label.text()
    with qtbot.waitSignal(restarted.finished, timeout=60_000) as blocker:
        restarted.resume_button.click()
    assert blocker.args == ["solved"]
    assert len(nova.uploads) == uploads_before  # nothing uploaded again
    assert restarted.verdict.inside and restarted.result.subid == SUBID


def test_solve_a_reference_image_from_the_images_dock(qtbot, nova):
    buffer = io.BytesIO()
    Image.new("RGB", (W, H), (0, 0, 0)).save(buffer, "JPEG")
    nova.server.expect_request("/ref/veil.jpg").respond_with_data(buffer.getvalue(), content_type="image/jpeg")
    dock = make_dock(qtbot, nova)
    from planner.ui.images_panel import ReferenceImagesDock

    images = ReferenceImagesDock(settings=Settings())
    qtbot.addWidget(images)
    images.solve_requested.connect(dock.solve_url)
    url = nova.server.url_for("/ref/veil.jpg")
    with qtbot.waitSignal(dock.finished, timeout=60_000):
        images.solve_requested.emit(url, "Veil")
    assert nova.uploads[0]["url"] == url
    assert dock.result.title == "Veil" and dock.result.width == W
    assert dock.annotated is not None


def test_missing_key_is_a_message(qtbot, tmp_path, monkeypatch):
    reset_limiters()
    dock = PlateSolveDock(settings=Settings(), poll_interval=0.01)
    qtbot.addWidget(dock)
    with qtbot.waitSignal(dock.finished, timeout=60_000) as blocker:
        dock.solve_file(str(dark_png(tmp_path / "a.png")))
    assert blocker.args == ["error"]
    assert "no API key" in dock.message_label.text() and "PLANNER_ASTROMETRY_KEY" in dock.message_label.text()
    assert dock.solve_button.isEnabled()


def test_cancel_while_a_status_request_is_in_flight(qtbot, nova, tmp_path):
    nova.hold = threading.Event()
    dock = make_dock(qtbot, nova)
    dock.solve_file(str(dark_png(tmp_path / "a.png")))
    qtbot.waitUntil(lambda: nova.status_polls >= 1, timeout=60_000)
    first = dock.generation
    dock.cancel()
    nova.hold.set()
    qtbot.waitUntil(lambda: not dock.running, timeout=60_000)
    assert dock.generation == first
    assert dock.stages_seen[-1] == "cancelled" and dock.solve_button.isEnabled()
