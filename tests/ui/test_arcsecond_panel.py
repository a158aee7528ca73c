"""The Arcsecond dock against a local Arcsecond server: site and telescope import (Arcsecond.local),
the night-log date after midnight, pushing a plan to the night log, and a resumable upload that
fails half-way and on the second run sends only the rest."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from planner.config import Settings, load_settings
from planner.plan.model import Plan, PlanEntry, PlanTarget
from planner.services.http import reset_limiters
from planner.sky.site import Site
from planner.ui.arcsecond_panel import ArcsecondDock, night_log_date, plan_lines

KEY = "arcsecond-test-key"
SITE = "3e9a4b1c-2f5d-4a6b-8c7d-9e0f1a2b3c4d"
C11 = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e"
FSQ = "7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a"
OTHER = "8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b"
DATASET = "2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f"
PARIS = ZoneInfo("Europe/Paris")


class FakeArcsecond:
    def __init__(self, server: HTTPServer):
        self.server = server
        self.files: dict[str, list[dict]] = {DATASET: []}
        self.posts: list[str] = []
        self.fail_once: set[str] = set()
        self.nightlogs: list[dict] = []
        self.patches: list[dict] = []
        self.unauthorised = 0
        j = lambda data, status=200: Response(json.dumps(data), status=status, content_type="application/json")  # noqa: E731
        self.j = j
        server.expect_request("/local/observingsites/").respond_with_handler(self.guard(lambda r: j([
            {"uuid": SITE, "name": "Backyard Observatory", "country": "FR",
             "coordinates": {"longitude": 6.14, "latitude": 46.2, "height": 420.0}, "telescopes": [C11, FSQ]}])))
        server.expect_request("/local/telescopes/").respond_with_handler(self.guard(lambda r: j({"count": 3, "next": None, "results": [
            {"uuid": C11, "name": "C11 EdgeHD", "observing_site": SITE, "optical_design": "Schmidt-Cassegrain"},
            {"uuid": FSQ, "name": "FSQ-106", "observing_site": SITE, "optical_design": "refractor"},
            {"uuid": OTHER, "name": "Somebody else's", "observing_site": None}]})))
        server.expect_request("/local/datasets/", method="GET").respond_with_handler(self.guard(lambda r: j([
            {"uuid": DATASET, "name": "SS Cyg 2024-03-01", "telescope": C11}])))
        server.expect_request("/local/datasets/", method="POST").respond_with_handler(self.guard(self.create_dataset))
        server.expect_request("/local/datafiles/", method="GET").respond_with_handler(self.guard(self.list_files))
        server.expect_request("/local/datafiles/", method="POST").respond_with_handler(self.guard(self.upload))
        server.expect_request("/local/nightlogs/", method="GET").respond_with_handler(self.guard(lambda r: j(self.nightlogs)))
        server.expect_request("/local/nightlogs/", method="POST").respond_with_handler(self.guard(self.create_log))
        server.expect_request(re.compile(r"^/local/nightlogs/[0-9a-f-]+/$"), method="PATCH").respond_with_handler(self.guard(self.patch_log))

    def guard(self, handler):
        def wrapped(request):
            if request.headers.get("X-Arcsecond-API-Authorization") != f"Key {KEY}":
                self.unauthorised += 1
                return self.j({"detail": "Invalid key"}, 401)
            return handler(request)
        return wrapped

    def create_dataset(self, request):
        body = request.get_json()
        new = {"uuid": str(uuid.uuid4()), "name": body["name"], "telescope": body.get("telescope")}
        self.files[new["uuid"]] = []
        return self.j(new, 201)

    def list_files(self, request):
        return self.j({"count": 1, "next": None, "results": self.files.get(request.args["dataset"], [])})

    def upload(self, request):
        upload = request.files["file"]
        name, data = upload.filename, upload.read()
        self.posts.append(name)
        if name in self.fail_once:
            self.fail_once.discard(name)
            return Response("<html><body>Server Error</body></html>", status=500, content_type="text/html")
        record = {"pk": len(self.posts), "file_name": name, "size": len(data), "dataset": request.form["dataset"]}
        self.files[request.form["dataset"]].append(record)
        return self.j(record, 201)

    def create_log(self, request):
        body = request.get_json()
        log = {"uuid": str(uuid.uuid4()), **body}
        self.nightlogs.append(log)
        return self.j(log, 201)

    def patch_log(self, request):
        ident = request.path.rstrip("/").rsplit("/", 1)[-1]
        log = next(l for l in self.nightlogs if l["uuid"] == ident)
        log.update(request.get_json())
        self.patches.append(request.get_json())
        return self.j(log)


@pytest.fixture
def arcsecond(monkeypatch):
    reset_limiters()
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    monkeypatch.setenv("PLANNER_ARCSECOND_KEY", KEY)
    yield FakeArcsecond(server)
    server.clear()
    server.stop()
    reset_limiters()


def idle(qtbot, dock):
    """Wait until the worker is done (buttons are disabled while it runs)."""
    qtbot.waitUntil(lambda: not dock.runner.busy, timeout=60_000)


def make_dock(qtbot, settings=None, **kw):
    dock = ArcsecondDock(settings=settings or Settings(), **kw)
    qtbot.addWidget(dock)
    dock.resize(480, 900)
    dock.show()
    return dock


@pytest.mark.parametrize(
    "local,expected",
    [
        (dt.datetime(2024, 3, 2, 1, 30), dt.date(2024, 3, 1)),  # after midnight: the evening before
        (dt.datetime(2024, 3, 1, 22, 0), dt.date(2024, 3, 1)),
        (dt.datetime(2024, 3, 1, 12, 0), dt.date(2024, 3, 1)),  # local noon starts the log
        (dt.datetime(2024, 3, 1, 11, 59), dt.date(2024, 2, 29)),
        (dt.datetime(2024, 3, 31, 3, 30), dt.date(2024, 3, 30)),  # the night the clocks go forward
    ],
)
def test_night_log_date_runs_noon_to_noon_in_local_time(local, expected):
    aware = local.replace(tzinfo=PARIS)
    assert night_log_date(aware, PARIS) == expected
    assert night_log_date(aware.timestamp(), "Europe/Paris") == expected
    # The same instant seen from UTC+0 in the small hours is still the local night.
    assert night_log_date(aware.astimezone(dt.timezone.utc), PARIS) == expected


def test_naive_time_is_refused():
    with pytest.raises(ValueError):
        night_log_date(dt.datetime(2024, 3, 2, 1, 30), PARIS)


def test_import_site_and_telescope_from_arcsecond_local(qtbot, arcsecond):
    dock = make_dock(qtbot)
    dock.server_combo.setCurrentIndex(1)  # Arcsecond.local
    dock.url_edit.setText(arcsecond.server.url_for("/"))
    with qtbot.waitSignal(dock.runner.finished, timeout=60_000):
        dock.load_button.click()
    idle(qtbot, dock)
    assert [dock.site_combo.itemText(i) for i in range(dock.site_combo.count())] == ["Backyard Observatory"]
    tels = [dock.telescope_combo.itemText(i) for i in range(dock.telescope_combo.count())]
    assert tels == ["(none)", "C11 EdgeHD (Schmidt-Cassegrain)", "FSQ-106 (refractor)"]  # not the other site's
    assert "46.2000°, 6.1400°, 420 m" in dock.site_info.text()
    dock.telescope_combo.setCurrentIndex(2)
    with qtbot.waitSignal(dock.settings_changed, timeout=60_000):
        dock.import_button.click()
    saved = load_settings()
    assert saved.site_name == "Backyard Observatory"
    assert (saved.latitude, saved.longitude, saved.elevation) == (46.2, 6.14, 420.0)
    assert saved.base_urls["arcsecond"] == arcsecond.server.url_for("/").rstrip("/")
    assert saved.extra["arcsecond"]["telescope_uuid"] == FSQ and saved.extra["arcsecond"]["site_uuid"] == SITE
    assert saved.site().timezone == "Europe/Zurich" or saved.site().timezone.startswith("Europe/")
    assert "Imported Backyard Observatory and FSQ-106" in dock.message_label.text()


def test_push_a_plan_to_the_night_log_of_its_date(qtbot, arcsecond, monkeypatch):
    monkeypatch.setenv("PLANNER_ARCSECOND_URL", arcsecond.server.url_for("/"))
    settings = Settings(extra={"arcsecond": {"site_uuid": SITE, "telescope_uuid": C11}})
    site = Site(46.2, 6.14, 420, timezone="Europe/Paris", name="Backyard")
    evening = dt.datetime(2024, 3, 1, 22, 0, tzinfo=PARIS).timestamp()
    after_midnight = dt.datetime(2024, 3, 2, 1, 30, tzinfo=PARIS).timestamp()
    entries = [
        PlanEntry(PlanTarget("SS Cyg", 325.68, 43.59), start=evening, end=evening + 1800, filters=("V",), count=10, exposure=60),
        PlanEntry(PlanTarget("R Leo", 146.89, 11.43), start=after_midnight, end=after_midnight + 900, notes="check focus"),
    ]
    dock = make_dock(qtbot, settings)
    # A bare list of entries: the date comes from the first start, noon to noon.
    dock.set_plan(list(reversed(entries)))
    assert dock.date_edit.date().toString("yyyy-MM-dd") == "2024-03-01"
    dock.set_plan(Plan(site=site, date="2024-03-01", entries=entries))
    assert dock.plan_label.text() == "2 plan entries to push."
    with qtbot.waitSignal(dock.pushed, timeout=60_000) as blocker:
        dock.push_button.click()
    assert blocker.args[0]["created"] is True
    assert len(arcsecond.nightlogs) == 1
    log = arcsecond.nightlogs[0]
    assert log["date"] == "2024-03-01" and log["observing_site"] == SITE and log["telescope"] == C11
    notes = log["notes"]
    assert "22:00–22:30  SS Cyg  V 10×60s" in notes and "01:30–01:45  R Leo  1×60s  check focus" in notes
    # Pushing again updates the same night log.
    idle(qtbot, dock)
    with qtbot.waitSignal(dock.pushed, timeout=60_000) as blocker:
        dock.push_button.click()
    assert blocker.args[0]["created"] is False and len(arcsecond.nightlogs) == 1 and len(arcsecond.patches) == 2
    assert "Updated the night log of 2024-03-01 with 2 plan entries" in dock.message_label.text()


def test_empty_plan_and_missing_key_are_messages(qtbot, arcsecond, monkeypatch):
    monkeypatch.setenv("PLANNER_ARCSECOND_URL", arcsecond.server.url_for("/"))
    dock = make_dock(qtbot)
    dock.push_button.click()
    assert "plan is empty" in dock.message_label.text()
    monkeypatch.delenv("PLANNER_ARCSECOND_KEY")
    with qtbot.waitSignal(dock.runner.failed, timeout=60_000):
        dock.load_button.click()
    idle(qtbot, dock)
    assert "no API key" in dock.message_label.text() and "planner keys set arcsecond" in dock.message_label.text()


def test_upload_fails_half_way_and_the_second_run_sends_only_the_rest(qtbot, arcsecond, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_ARCSECOND_URL", arcsecond.server.url_for("/"))
    files = []
    for i, name in enumerate(["sscyg_001.fits", "sscyg_002.fit.gz", "sscyg_003.xisf", "flat_V.fits"]):
        path = tmp_path / name
        path.write_bytes(b"SIMPLE  =                    T" + bytes([i]) * (2880 * (i + 1)))
        files.append(str(path))
    arcsecond.fail_once = {"sscyg_003.xisf"}
    dock = make_dock(qtbot)
    with qtbot.waitSignal(dock.runner.finished, timeout=60_000):
        dock.load_button.click()
    idle(qtbot, dock)
    assert dock.dataset_combo.currentData() == DATASET
    dock.add_files(files + files[:1])  # the same file twice is listed once
    assert dock.files() == files
    progress = []
    dock.upload_progress.connect(lambda name, sent, total: progress.append((name, sent, total)))
    with qtbot.waitSignal(dock.upload_finished, timeout=60_000) as blocker:
        dock.upload_button.click()
    report = blocker.args[0]
    assert [p.rsplit("/", 1)[-1] for p in report.uploaded] == ["sscyg_001.fits", "sscyg_002.fit.gz"]
    assert report.failed[0][0].endswith("sscyg_003.xisf") and report.remaining[0].endswith("flat_V.fits")
    text = dock.message_label.text()
    assert "Upload stopped at sscyg_003.xisf" in text and "send the 2 file(s) not yet sent" in text
    assert ("sscyg_001.fits", 2880 + 30, 2880 + 30) in progress  # final progress per file, in bytes

    idle(qtbot, dock)
    with qtbot.waitSignal(dock.upload_finished, timeout=60_000) as blocker:
        dock.upload_button.click()
    second = blocker.args[0]
    assert second.ok and len(second.skipped) == 2 and len(second.uploaded) == 2
    stored = sorted(f["file_name"] for f in arcsecond.files[DATASET])
    assert stored == sorted(p.rsplit("/", 1)[-1] for p in files)  # each exactly once
    assert arcsecond.posts.count("sscyg_001.fits") == 1 and arcsecond.posts.count("sscyg_003.xisf") == 2
    assert dock.progress.value() == 100 and "Upload complete: 2 uploaded, 2 already there" in dock.message_label.text()


def test_upload_to_a_new_dataset(qtbot, arcsecond, monkeypatch, tmp_path):
    monkeypatch.setenv("PLANNER_ARCSECOND_URL", arcsecond.server.url_for("/"))
    path = tmp_path / "r_leo.fits"
    path.write_bytes(b"SIMPLE  =                    T" + b"\0" * 2880)
    dock = make_dock(qtbot, Settings(extra={"arcsecond": {"telescope_uuid": C11}}))
    dock.dataset_combo.setEditText("R Leo 2024-03-01")
    dock.add_files([str(path)])
    with qtbot.waitSignal(dock.upload_finished, timeout=60_000) as blocker:
        dock.upload_button.click()
    assert blocker.args[0].ok
    assert dock.dataset_combo.currentText() == "R Leo 2024-03-01"
    new_uuid = dock.dataset_combo.currentData()
    assert [f["file_name"] for f in arcsecond.files[new_uuid]] == ["r_leo.fits"]


def test_plan_lines_from_dicts():
    lines = plan_lines([{"name": "X Cam", "start": None, "count": 3, "exposure": 30, "filters": ["B", "V"]}], PARIS)
    assert lines == ["unscheduled  X Cam  B/V 3×30s"]
